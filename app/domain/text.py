"""Text that documents can hold: control characters refused on input, dropped on output."""

from __future__ import annotations

import re

# C0 controls but tab, newline and carriage return; DEL; lone surrogates; non-characters.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def has_control(text: str) -> bool:
    """Whether the text holds a character no .docx or .xlsx may contain."""
    return CONTROL.search(text) is not None


def printable(value: object) -> object:
    """The value with such characters removed, inside lists and dicts too."""
    if isinstance(value, str):
        return CONTROL.sub("", value)
    if isinstance(value, dict):
        return {key: printable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [printable(item) for item in value]
    return value
