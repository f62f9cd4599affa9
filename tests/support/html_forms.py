"""What a browser would post from a page's form: its fields and their current values."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    """The named controls of one form (by id) and the values a browser would send."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: dict[str, list[str]] = {}
        self.select: tuple[str, bool] | None = None  # (name, multiple)
        self.options: list[tuple[str, bool]] = []
        self.textarea: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or not a.get("name") and tag != "option":
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self.fields.setdefault(a["name"], []).append(a.get("value", "on"))
        elif tag == "select":
            self.select, self.options = (a["name"], "multiple" in a), []
        elif tag == "option" and self.select is not None:
            self.options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self.textarea, self.text = a["name"], []

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            name, multiple = self.select
            chosen = [value for value, selected in self.options if selected]
            if not chosen and not multiple and self.options:
                chosen = [self.options[0][0]]  # a single select sends its first option
            self.fields[name] = chosen
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            text = "".join(self.text).replace("\r\n", "\n")  # a browser's newlines, and
            self.fields[self.textarea] = [text.removeprefix("\n")]  # no first one (HTML)
            self.textarea = None


def form_fields(html: str, form_id: str = "model_form") -> dict[str, list[str]]:
    """The fields of the form with this id, as a browser would post them unchanged."""
    reader = _FormReader(form_id)
    reader.feed(html)
    reader.close()
    assert reader.fields, f"no form #{form_id} on the page"
    return reader.fields
