/* 考核表 being built on first view: poll the build runs, reload the page when done. */
(function () {
  "use strict";
  var box = document.getElementById("compliance-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-url");
  var tries = 0;

  function poll() {
    tries += 1;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && state.failed) {
          box.className = "alert alert-danger";
          box.textContent = box.getAttribute("data-failed");
        } else if (state && state.done) {
          window.location.reload();
        } else if (tries < 300) {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () { if (tries < 300) { window.setTimeout(poll, 4000); } });
  }
  window.setTimeout(poll, 1000);
}());
