"""The message catalogues: complete, compiled, and loaded by the app.

When one of these fails, run `python -m app.i18n_tool`, translate what it lists
in app/translations/*/LC_MESSAGES/messages.po, and run it again.
"""

from __future__ import annotations

import io

import pytest
from babel.messages.mofile import read_mo
from flask_babel import gettext

from app import i18n_tool

LOCALES = i18n_tool.LOCALES


def _catalog(locale: str):
    return i18n_tool.read_catalog(i18n_tool.po_path(locale), locale)


def _messages(catalog) -> dict:
    return {m.id: m.string for m in catalog if m.id}


@pytest.fixture(scope="module")
def source_ids() -> set:
    """Every msgid of app/ and its templates, extracted now."""
    return {m.id for m in i18n_tool.extract_ours() if m.id}


@pytest.mark.parametrize("locale", LOCALES)
def test_mo_is_compiled_from_po(locale: str) -> None:
    po = _catalog(locale)
    with open(i18n_tool.po_path(locale, "mo"), "rb") as f:
        installed = read_mo(f)
    fresh = read_mo(io.BytesIO(i18n_tool.compile_mo(po)))
    assert _messages(installed) == _messages(fresh)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_message_is_translated(locale: str) -> None:
    catalog = _catalog(locale)
    assert i18n_tool.untranslated(catalog) == []
    assert not catalog.obsolete


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_are_known(locale: str) -> None:
    problems = [(m.id, [str(e) for e in errors]) for m, errors in _catalog(locale).check()]
    assert problems == []


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_covers_every_source_string(locale: str, source_ids: set) -> None:
    assert source_ids - set(_messages(_catalog(locale))) == set()


def test_zh_fills_the_gaps_of_fabs_catalogue() -> None:
    gaps = i18n_tool.fab_zh_gaps(i18n_tool.extract_fab())
    ours = {msgid for msgid, string in _messages(_catalog("zh")).items() if string}
    assert gaps - ours == set()


@pytest.mark.parametrize(
    ("locale", "msgid", "expected"),
    [
        ("zh", "Add", "新增"),  # from our catalogue: FAB's zh lacks it
        ("zh", "Search", "搜索"),  # from FAB's own zh catalogue
        ("zh", "任务台账", "任务台账"),
        ("en", "任务台账", "Task ledger"),
        ("en", "Add", "Add"),
    ],
)
def test_app_merges_fab_and_our_catalogues(app, locale: str, msgid: str,
                                           expected: str) -> None:
    with app.test_request_context(f"/?_l_={locale}"):
        assert gettext(msgid) == expected
