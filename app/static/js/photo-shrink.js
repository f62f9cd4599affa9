/* Photos that fit (issue 18.3): an image chosen in a file field marked data-shrink-photo is
 * shrunk in the browser before it is sent: its long side to at most 2560 px, as JPEG, drawn
 * on a canvas (createImageBitmap reads the file: no blob: URL, which the page's CSP
 * refuses). A file still over the field's data-max-bytes is named beside the field, and its
 * form is not sent. Files the browser cannot draw (PDF, Word, HEIC) are sent as they are;
 * the server checks every file again. The words come from the field's data-msg-too-large
 * and data-msg-shrunk (the page's language), {name}-style placeholders filled in here. */
(function () {
  "use strict";

  var LONG_SIDE = 2560;
  var QUALITIES = [0.85, 0.7, 0.55];
  var MB = 1024 * 1024;
  var pending = new WeakMap();  // input -> the promise of its shrinking

  function megabytes(size) {
    return (size / MB).toFixed(1);
  }

  function words(input, key, values) {
    var text = input.getAttribute("data-msg-" + key) || "";
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return name in values ? values[name] : whole;
    });
  }

  function note(input) {
    var group = input.closest(".form-group") || input.parentNode;
    var found = group.querySelector(".kl-photo-note");
    if (!found) {
      found = document.createElement("span");
      found.className = "help-block kl-photo-note";
      found.setAttribute("aria-live", "polite");
      group.appendChild(found);
    }
    return found;
  }

  function say(input, text, refused) {
    var group = input.closest(".form-group");
    note(input).textContent = text;
    if (group) {
      group.classList.toggle("has-error", !!refused);
    }
    input.setCustomValidity(refused ? text : "");
  }

  function drawable(file) {
    return /^image\//.test(file.type) && file.type !== "image/svg+xml" &&
      typeof createImageBitmap === "function";
  }

  function toJpeg(canvas, quality) {
    return new Promise(function (resolve) {
      canvas.toBlob(resolve, "image/jpeg", quality);
    });
  }

  function shrink(file, limit) {
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, LONG_SIDE / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.type === "image/jpeg" && file.size <= limit) {
        return null;  // already fits
      }
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";  // a transparent PNG: white, not black, behind it
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) {
        bitmap.close();
      }
      var attempt = function (index) {
        return toJpeg(canvas, QUALITIES[index]).then(function (blob) {
          if (blob && blob.size > limit && index + 1 < QUALITIES.length) {
            return attempt(index + 1);
          }
          return blob;
        });
      };
      return attempt(0).then(function (blob) {
        if (!blob) {
          return null;
        }
        var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
        return {file: new File([blob], name, {type: "image/jpeg"}),
                width: canvas.width, height: canvas.height};
      });
    });
  }

  function chosen(input) {
    var file = input.files && input.files[0];
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10) || Infinity;
    if (!file) {
      say(input, "", false);
      return Promise.resolve();
    }
    var work = drawable(file) ? shrink(file, limit).catch(function () { return null; })
      : Promise.resolve(null);
    var done = work.then(function (shrunk) {
      var sent = file;
      if (shrunk && shrunk.file.size < file.size && typeof DataTransfer === "function") {
        var transfer = new DataTransfer();
        transfer.items.add(shrunk.file);
        input.files = transfer.files;
        sent = shrunk.file;
      }
      if (sent.size > limit) {
        say(input, words(input, "too-large", {name: file.name, size: megabytes(sent.size),
                                              limit: megabytes(limit)}), true);
      } else if (sent !== file) {
        say(input, words(input, "shrunk", {before: megabytes(file.size),
                                           after: megabytes(sent.size),
                                           width: shrunk.width, height: shrunk.height}), false);
      } else {
        say(input, "", false);
      }
    });
    pending.set(input, done);
    done.then(function () { pending.delete(input); });
    return done;
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-shrink-photo]")) {
      chosen(input);
    }
  });

  // a form sent while a photo is still being shrunk waits for it, then is sent
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var inputs = Array.prototype.filter.call(
      form.querySelectorAll("input[type=file][data-shrink-photo]"),
      function (input) { return pending.has(input); });
    if (!inputs.length) {
      return;
    }
    event.preventDefault();
    Promise.all(inputs.map(function (input) { return pending.get(input); })).then(function () {
      if (form.reportValidity()) {
        form.requestSubmit ? form.requestSubmit(event.submitter || undefined) : form.submit();
      }
    });
  }, true);
}());
