"""Message catalogues: extract, update and compile. Run `python -m app.i18n_tool`.

Our strings (Chinese msgids) go to app/translations/messages.pot and from there
into both catalogues. The zh catalogue also holds Flask-AppBuilder strings that
FAB's own zh catalogue leaves untranslated or fuzzy, plus any FAB string we
translate better: they are re-extracted from the installed FAB on every run and
added to the zh template, so `update` never marks them obsolete, and a FAB
upgrade that adds an untranslated string shows up here as an empty entry.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import flask_appbuilder
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

if TYPE_CHECKING:
    from babel.messages.catalog import _MessageID

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
POT = TRANSLATIONS / "messages.pot"
LOCALES = ("zh", "en")
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}

FAB_DIR = Path(flask_appbuilder.__file__).resolve().parent
FAB_KEYWORDS = {**KEYWORDS, "__": None, "lazy_formatter_gettext": None}
FAB_MAPPING = [("templates/**.html", "jinja2"), ("**.py", "python")]
FAB_OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.do", "encoding": "utf-8"}}
FAB_COMMENT = "Flask-AppBuilder string"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")  # with CJK punctuation


def is_chinese(msgid: str | tuple) -> bool:
    """Whether a msgid is written in Chinese (our source language)."""
    return bool(CJK.search(str(msgid)))


def po_path(locale: str, ext: str = "po") -> Path:
    """The .po (or .mo) file of a locale."""
    return TRANSLATIONS / locale / "LC_MESSAGES" / f"messages.{ext}"


def _collect(found: Iterable, prefix: str = "", comment: str | None = None) -> Catalog:
    """A template catalogue of extracted (filename, lineno, message, comments, context)."""
    catalog = Catalog(project="KeyLedger", charset="utf-8", fuzzy=False)
    for filename, lineno, message, comments, context in found:
        comments = [*comments, comment] if comment else comments
        catalog.add(message, None, [(prefix + filename, lineno)], auto_comments=comments,
                    context=context)
    return catalog


def extract_ours() -> Catalog:
    """Every message of app/ (Python and templates), as babel.cfg maps them."""
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, "babel.cfg")
    found = extract_from_dir(ROOT, method_map, options_map, KEYWORDS,
                             comment_tags=("TRANSLATORS:",), strip_comment_tags=True)
    return _collect(found)


def extract_fab() -> Catalog:
    """Every message of the installed Flask-AppBuilder."""
    found = extract_from_dir(FAB_DIR, FAB_MAPPING, FAB_OPTIONS, FAB_KEYWORDS)
    return _collect(found, prefix="flask_appbuilder/", comment=FAB_COMMENT)


def fab_zh_gaps(fab: Catalog) -> set[_MessageID]:
    """FAB msgids that FAB's own zh catalogue leaves missing, empty or fuzzy."""
    with open(FAB_DIR / "translations" / "zh" / "LC_MESSAGES" / "messages.po", "rb") as f:
        theirs = read_po(f)
    gaps: set[_MessageID] = set()
    for message in fab:
        known = theirs.get(message.id)
        if message.id and (known is None or not known.string or known.fuzzy):
            gaps.add(message.id)
    return gaps


def read_catalog(path: Path, locale: str) -> Catalog:
    """The catalogue in a .po file, or an empty one if there is none yet."""
    if not path.exists():
        return Catalog(locale=locale, project="KeyLedger", fuzzy=False,
                       header_comment=f"# KeyLedger translations ({locale}); see app/i18n_tool.py.")
    with open(path, "rb") as f:
        return read_po(f, locale=locale)


def zh_template(ours: Catalog, fab: Catalog, current: Catalog) -> Catalog:
    """Our messages plus the FAB messages the zh catalogue must (or already does) translate."""
    keep = fab_zh_gaps(fab) | {m.id for m in current if m.id}
    template = _collect([])
    for message in ours:
        if message.id:
            template[message.id] = message
    for message in fab:
        if message.id in keep and message.id not in template:
            template[message.id] = message
    return template


def update(locale: str, source: Catalog) -> Catalog:
    """Merge a template into a catalogue: no fuzzy guesses, no obsolete entries."""
    catalog = read_catalog(po_path(locale), locale)
    template = _collect([])
    for message in source:
        if not message.id:
            continue
        template[message.id] = message.clone()
    catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
    catalog.obsolete.clear()
    for message in catalog:
        # a message already written in the catalogue's language translates to itself
        if (isinstance(message.id, str) and message.id and not message.string
                and is_chinese(message.id) == (locale == "zh")):
            message.string = message.id
    po_path(locale).parent.mkdir(parents=True, exist_ok=True)
    with open(po_path(locale), "wb") as f:
        write_po(f, catalog, width=100, ignore_obsolete=True, include_previous=False)
    return catalog


def compile_mo(catalog: Catalog) -> bytes:
    """The .mo bytes of a catalogue, fuzzy entries left out."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def untranslated(catalog: Catalog) -> list[str]:
    """Msgids with an empty or fuzzy translation."""
    todo = []
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and (message.fuzzy or not all(strings)):
            todo.append(str(message.id))
    return todo


def _entries(catalog: Catalog) -> list[tuple]:
    return sorted((str(m.id), sorted(m.locations), m.auto_comments) for m in catalog if m.id)


def write_pot(catalog: Catalog) -> None:
    """Write the template, unless only its creation date would change."""
    if POT.exists() and _entries(read_catalog(POT, "en")) == _entries(catalog):
        return
    with open(POT, "wb") as f:
        write_po(f, catalog, width=100, sort_by_file=True)


def main() -> int:
    """Extract, update both catalogues, compile them; list what still needs a translation."""
    ours = extract_ours()
    write_pot(ours)
    templates = {"zh": zh_template(ours, extract_fab(), read_catalog(po_path("zh"), "zh")),
                 "en": ours}
    missing = 0
    for locale in LOCALES:
        catalog = update(locale, templates[locale])
        po_path(locale, "mo").write_bytes(compile_mo(catalog))
        todo = untranslated(catalog)
        missing += len(todo)
        print(f"{locale}: {len(catalog)} messages, {len(todo)} untranslated")
        for msgid in todo:
            print(f"  {msgid}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
