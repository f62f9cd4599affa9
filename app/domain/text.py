"""Text that documents can hold: control characters refused on input, dropped on output.

One rule for every text a person types (issue 14.7), checked on the one save path
(app/domain/validation.py) of forms, the API and the Excel import alike: invisible
characters are refused, never silently stripped, so what was typed is what is stored or
the person is told. A name (a one-line column, String) also refuses line breaks and tabs;
free text (Text) may hold line breaks. Lengths: a String column's own, TEXT_MAX for Text.
"""

from __future__ import annotations

import re

# C0 controls but tab, newline and carriage return; DEL; lone surrogates; non-characters.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# zero-width characters, bidirectional overrides and isolates (text shown reversed or
# spoofed), the line and paragraph separators, C1 controls: never in what a person types
INVISIBLE = re.compile("[\x80-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
LINE_BREAK = re.compile("[\t\n\r]")
TEXT_MAX = 2000  # characters of a free-text (Text) field: a feedback, a reason, a minute


def has_control(text: str) -> bool:
    """Whether the text holds a character no .docx or .xlsx may contain."""
    return CONTROL.search(text) is not None


def problem(text: str, one_line: bool, max_length: int | None) -> str | None:
    """What is wrong with a typed text: "control", "invisible", "line", "length" or None."""
    if CONTROL.search(text):
        return "control"
    if INVISIBLE.search(text):
        return "invisible"
    if one_line and LINE_BREAK.search(text):
        return "line"
    if max_length is not None and len(text) > max_length:
        return "length"
    return None


def printable(value: object) -> object:
    """The value with such characters removed, inside lists and dicts too."""
    if isinstance(value, str):
        return CONTROL.sub("", value)
    if isinstance(value, dict):
        return {key: printable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [printable(item) for item in value]
    return value
