"""Every page of the portal: nothing from another host, Chinese by default, English on demand.

One crawl per test, as admin on one logged-in client: the home and login pages, the list,
show, add and edit pages of every CRUD view in app/web/menu.py's MENU and HIDDEN, the pages without
arguments of the app's other views (so a view added later is crawled too), FAB's security
pages and the error page.

Besides its own language a page may show only: what users typed (stored_text(): codes such
as "P-A", logins, e-mail addresses, the world's Chinese names), the language menu's
"English"/"中文", and on the admin-only security pages FAB's permission and resource names.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from flask import url_for
from flask_appbuilder import ModelView
from flask_appbuilder.api import BaseApi
from sqlalchemy import String, Text, select

from app import models as m
from app.domain import choices
from app.domain.labels import choices_for
from app.domain.roles import ROLE_LABELS
from app.extensions import db
from app.web import menu as views
from tests.support.web import csrf_token

OWN_HOST = "localhost"  # the host of Flask's test client
ZH_SCRIPT = "/static/js/keyledger-zh.js"
LOCALE_SCRIPTS = ("select2.min.js", "bootstrap-datepicker.min.js", "ab.js")

URL_ATTRIBUTES = {"src", "href", "action", "formaction"}
# text a user reads besides the text of the page: tooltips, placeholders, button captions
TEXT_ATTRIBUTES = {"title", "placeholder", "data-placeholder", "alt", "aria-label"}
BUTTON_TYPES = {"submit", "button", "reset"}
VALUE_TYPES = {"text", "search", "number", "email", "tel", "url", ""}  # a value shown as typed
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.I)
# FAB's inline scripts hand text to its JavaScript: the search widget's labels, operations
# and fields (JSON), and the confirmation of an action or a delete (the last argument).
SEARCH_WIDGET = re.compile(r"new AdminFilters\(\s*'[^']*'\s*,\s*")
CONFIRMATION = re.compile(r"execute_\w+\((?:\s*'[^']*'\s*,)*\s*'((?:[^'\\]|\\.)*)'\s*\)")
JSON_SEPARATOR = re.compile(r"\s*,\s*")
ASCII_RUN = re.compile(r"[A-Za-z0-9_.@+\-]+")
WORD = re.compile(r"[A-Za-z]{2}")
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")

# ASCII words a Chinese page may show: each is a name, not a translatable UI word.
ALLOWED_WORDS = {
    "English",  # the language menu names each language in that language
    "Excel",  # a product name Chinese offices write as is: "导出 Excel" (the .xlsx exports)
    "xlsx",  # the file-name extension of those files, as in "模板.xlsx"
    "MB", "KB",  # units, written as is in Chinese like the numbers they follow: "10 MB"
    # the file types an attachment (附件) may be, named as Chinese offices write them
    "JPG", "PNG", "PDF", "Word", "docx",
}
# Chinese a page in English may show outside the data: the language menu's "中文".
ALLOWED_CHINESE = ("中文",)
# On the admin-only security pages FAB shows permissions as "can read on Task": the
# permission and resource names are identifiers stored in the database, joined by "on".
SECURITY_PAGES = ("/permissions/", "/viewmenus/", "/permissionviews/", "/roles/")
SECURITY_GLUE = {"on"}
# Raw values a page must never show as the whole text of a cell or a field.
RAW_VALUES = {"None", "True", "False"} | {
    value for options in vars(choices).values() if isinstance(options, dict)
    for value in options
}


class Page(HTMLParser):
    """What a browser loads for an HTML page, and the text it shows (FAB's scripts' too)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.css: list[str] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self.values: list[str] = []
        self._inline: list[str] = []
        self._inside: str | None = None
        self.feed(html)
        self.close()
        for script in self._inline:
            self._read_script(script)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name in URL_ATTRIBUTES:
                self.urls.append(value)
            elif name in ("srcset", "imagesrcset"):
                self.urls += [c.split()[0] for c in value.split(",") if c.strip()]
            elif name == "style":
                self.css.append(value)
            elif name in TEXT_ATTRIBUTES:
                self.text.append(value)
            elif name.startswith("on"):
                self._inline.append(value)
        kind = values.get("type", "")
        if tag == "input" and kind in BUTTON_TYPES:
            self.text.append(values.get("value", ""))
        elif tag == "input" and kind in VALUE_TYPES:
            self.values.append(values.get("value", ""))
        if tag == "script" and values.get("src"):
            self.scripts.append(values["src"])
        if tag in ("script", "style"):
            self._inside = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._inside:
            self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside == "style":
            self.css.append(data)
        elif self._inside == "script":
            self._inline.append(data)
        else:
            self.text.append(data)

    def _read_script(self, script: str) -> None:
        self.text += [re.sub(r"\\(.)", r"\1", m) for m in CONFIRMATION.findall(script)]
        for match in SEARCH_WIDGET.finditer(script):
            labels, position = DECODER.raw_decode(script, match.end())
            position = JSON_SEPARATOR.match(script, position).end()
            fields, position = DECODER.raw_decode(script, position)
            position = JSON_SEPARATOR.match(script, position).end()
            operations, _end = DECODER.raw_decode(script, position)
            self.text += [*labels.values(), *(op for ops in operations.values() for op in ops)]
            for field in fields.values():
                inner = Page(field)
                self.text += inner.text
                self.values += inner.values
                self.urls += inner.urls


DECODER = json.JSONDecoder()


def css_references(css: str) -> list[str]:
    """The url() and @import targets of a style sheet or an inline style."""
    return [a or b for a, b in CSS_URL.findall(css)]


def references(html: str) -> list[str]:
    """Every address an HTML page makes the browser load or follow."""
    page = Page(html)
    return page.urls + css_references("\n".join(page.css))


def is_foreign(url: str) -> bool:
    """Whether an address points to another host (scheme://host or //host)."""
    parts = urlsplit(url.strip())
    return bool(parts.netloc) and parts.hostname != OWN_HOST


def english_words(text: str, allowed: set[str]) -> set[str]:
    """ASCII words of two letters or more in a text, except the allowed ones."""
    found = set()
    for run in ASCII_RUN.findall(text):
        token = run.strip("._-+@")
        if WORD.search(token) and token not in allowed:
            found.add(token)
    return found


def raw_cells(page: Page) -> set[str]:
    """Texts that are a raw stored value (a choice value, None, True, False) on their own."""
    return {piece.strip() for piece in page.text + page.values} & RAW_VALUES


def cells(response) -> set[str]:
    """The texts of a page, each stripped."""
    return {piece.strip() for piece in Page(response.get_data(as_text=True)).text}


def report(what: str, found: dict) -> str:
    """A failure message: one line per page."""
    return "".join([f"\n{what}:", *(f"\n  {url}: {value}" for url, value in found.items())])


# --- the crawl ---------------------------------------------------------------------------


def crud_views(app) -> list:
    """The registered CRUD views of app.views's menu and hidden views."""
    classes = [entry[-1] for entry in views.MENU] + list(views.HIDDEN)
    return [v for v in app.appbuilder.baseviews
            if type(v) in classes and isinstance(v, ModelView)]


def first_id(model) -> int:
    return db.session.scalars(select(model.id).order_by(model.id)).first()


def page_urls(app) -> list[str]:
    """Every CRUD and security page an admin can open, with a row of the world where needed."""
    from flask_appbuilder.security.sqla.models import Role, User

    urls = ["/"]
    with app.test_request_context():
        for view in crud_views(app):
            name, row = view.endpoint, first_id(view.datamodel.obj)
            urls += [url_for(f"{name}.list"), url_for(f"{name}.show", pk=row)]
            if "can_add" in view.base_permissions:
                urls.append(url_for(f"{name}.add"))
            if "can_edit" in view.base_permissions:
                urls.append(url_for(f"{name}.edit", pk=row))
        user = db.session.scalars(select(User.id).where(User.username == "admin")).one()
        role = db.session.scalars(select(Role.id).where(Role.name == "Supervisor")).one()
    return urls + [
        "/users/list/", "/users/add", f"/users/show/{user}", f"/users/edit/{user}",
        "/users/userinfo/", "/userinfoeditview/form", "/resetmypassword/form",
        f"/resetpassword/form?pk={user}",
        "/roles/list/", "/roles/add", f"/roles/show/{role}", f"/roles/edit/{role}",
        "/groups/list/", "/groups/add",
        "/permissions/list/", "/viewmenus/list/", "/permissionviews/list/",
    ]


def other_pages(app) -> list[str]:
    """The argument-less pages of the app's other views (one added later included).

    CRUD views and FAB's security views are in page_urls(), row by row.
    """
    crud = {view.endpoint for view in crud_views(app)}
    others = {view.endpoint for view in app.appbuilder.baseviews
              if view.endpoint not in crud and not isinstance(view, BaseApi)
              and view.__module__.startswith("app.") and view.__module__ != "app.web.security"}
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and not rule.arguments
                  and rule.endpoint.split(".")[0] in others)


MISSING = ["/no-such-page", "/taskview/show/999999"]  # the error page, twice


def crawl(client, auth, app, locale: str | None = None) -> dict[str, str]:
    """The HTML of every page, logged out and then as admin, in a locale (default: none)."""
    if locale:  # the navbar's language menu: a POST with the page's CSRF token
        switched = client.post(f"/lang/{locale}",
                               data={"csrf_token": csrf_token(client, "/login/")})
        assert switched.status_code == 302, switched.status_code
    pages = {}
    for url in ["/", "/login/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[f"{url} (logged out)"] = response.get_data(as_text=True)
    auth.login("admin")
    for url in page_urls(app) + MISSING:
        response = client.get(url)
        assert response.status_code == (404 if url in MISSING else 200), url
        pages[url] = response.get_data(as_text=True)
    for url in other_pages(app):
        response = client.get(url)
        assert response.status_code < 500, url
        # not a page that needs query arguments, nor a download
        if response.status_code == 200 and response.mimetype == "text/html":
            pages[url] = response.get_data(as_text=True)
        response.close()
    return pages


def stored_text(app) -> tuple[set[str], set[str]]:
    """Free text stored in the database (what users typed), and FAB's security names.

    Choice columns are left out: their stored values must never reach a page.
    """
    from flask_appbuilder.security.sqla.models import Group, Permission, Role, User, ViewMenu

    from app.domain.roles import ROLES

    typed, security = set(), set()
    with app.app_context():
        for mapper in db.Model.registry.mappers:
            model, table = mapper.class_, mapper.local_table.name
            if table.startswith("ab_") and model is not User:
                continue
            for column in mapper.columns:
                if (isinstance(column.type, String | Text) and column.key != "password"
                        and not choices_for(table, column.key)):
                    typed |= set(db.session.scalars(select(column))) - {None}
        for model in (Permission, ViewMenu):
            security |= set(db.session.scalars(select(model.name)))
        # roles an admin added are named by the admin (the four built-in ones have labels)
        typed |= set(db.session.scalars(select(Role.name))) - set(ROLES)
        for column in (Group.name, Group.label, Group.description):  # 安全 › 组列表: typed too
            typed |= set(db.session.scalars(select(column))) - {None}
        # 审计日志 shows what was typed into rows since deleted (field -> [old, new])
        for table, changes in db.session.execute(
                select(m.AuditLog.table_name, m.AuditLog.changes)):
            typed |= {value for key, pair in changes.items() if not choices_for(table, key)
                      for value in pair if isinstance(value, str)}
    return typed, security


def words_of(strings: set[str]) -> set[str]:
    """The ASCII words of some strings, as english_words() cuts them."""
    return {run.strip("._-+@") for s in strings for run in ASCII_RUN.findall(s)}


def static_files(pages: dict[str, str]) -> set[str]:
    """The paths under /static/ that the pages load or link."""
    paths = {urlsplit(urljoin(f"http://{OWN_HOST}{url.split()[0]}", ref)).path
             for url, html in pages.items() for ref in references(html)}
    return {path for path in paths if path.startswith("/static/")}


def check_static(client, paths: set[str]) -> tuple[set[tuple[str, str]], set[str]]:
    """Fetch static files and all that their style sheets load: (foreign refs, missing)."""
    foreign, missing, seen, todo = set(), set(), set(), sorted(paths)
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200:
            missing.add(path)
        elif path.endswith(".css"):
            for ref in css_references(response.get_data(as_text=True)):
                if is_foreign(ref):
                    foreign.add((path, ref))
                elif not ref.startswith(("data:", "#")):
                    todo.append(urlsplit(urljoin(path, ref)).path)
        response.close()
    return foreign, missing


def app_name(app, locale: str) -> str:
    with app.test_request_context(f"/?_l_={locale}"):
        return str(app.appbuilder.app_name)


# --- the tests ---------------------------------------------------------------------------


def test_no_page_loads_anything_from_another_host(client, auth, app):
    pages = crawl(client, auth, app)
    foreign = {(url, ref) for url, html in pages.items() for ref in references(html)
               if is_foreign(ref)}
    assert not foreign, report("loaded from another host", dict(sorted(foreign)))
    assert ZH_SCRIPT in static_files(pages)
    foreign, missing = check_static(client, static_files(pages))
    assert not foreign, report("style sheets loading from another host", dict(sorted(foreign)))
    assert missing == set()


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<script src="https://cdn.example/x.js"></script>', ["https://cdn.example/x.js"]),
        ('<link rel="stylesheet" href="//fonts.example/css">', ["//fonts.example/css"]),
        ('<form action="http://evil.example/post"></form>', ["http://evil.example/post"]),
        ('<img srcset="/static/a.png 1x, https://img.example/b.png 2x">',
         ["https://img.example/b.png"]),
        ('<div style="background: url(\'https://img.example/c.png\')"></div>',
         ["https://img.example/c.png"]),
        ('<style>@import "https://fonts.example/d.css";</style>', ["https://fonts.example/d.css"]),
        ('<script src="/static/x.js"></script><a href="http://localhost/x">x</a>'
         '<img src="data:image/png;base64,AAAA"><a href="#top">top</a>', []),
    ],
)
def test_host_check_flags_other_hosts(html, expected):
    assert [ref for ref in references(html) if is_foreign(ref)] == expected


def test_asset_checks_flag_foreign_css_and_missing_files(client):
    css = ('@import url("https://fonts.example/css?family=Lato");'
           ".x{background:url(../img/a.png)} .y{src:url('data:font/woff2;base64,AA')}")
    assert [ref for ref in css_references(css) if is_foreign(ref)] == [
        "https://fonts.example/css?family=Lato"]
    assert check_static(client, {"/static/js/no-such.js"}) == (set(), {"/static/js/no-such.js"})


def test_pages_are_chinese_by_default(client, auth, app):
    pages = crawl(client, auth, app)
    typed, security = stored_text(app)
    data = words_of(typed)
    # "can_read" shows as "can read": the parts of the names are allowed as well
    names = words_of(security) | words_of({name.replace("_", " ") for name in security})
    english, raw = {}, {}
    for url, html in pages.items():
        page = Page(html)
        allowed = ALLOWED_WORDS | data
        if url.startswith(SECURITY_PAGES):
            allowed |= names | SECURITY_GLUE
        if found := english_words(" ".join(page.text), allowed):
            english[url] = sorted(found)
        if found := raw_cells(page):
            raw[url] = sorted(found)
        assert app_name(app, "zh") in html, url
    assert not english and not raw, (report("English words on a Chinese page", english)
                                     + report("raw stored values", raw))


def test_roles_show_their_labels_not_their_names(client, auth, app):
    # "Admin" and "DeptStaff" are also the last names of two logins, so the crawl allows them
    auth.login("admin")
    with app.test_request_context("/?_l_=zh"):
        labels = {name: str(label) for name, label in ROLE_LABELS.items()}
    roles = cells(client.get("/roles/list/"))
    assert set(labels.values()) <= roles
    assert roles.isdisjoint(labels)
    assert labels["Admin"] in cells(client.get("/users/userinfo/"))


def test_chinese_pages_load_the_chinese_script(client, auth, app):
    for url, html in crawl(client, auth, app).items():
        scripts = [urlsplit(src).path for src in Page(html).scripts]
        assert ZH_SCRIPT in scripts, url
        loaded_before = scripts[:scripts.index(ZH_SCRIPT)]
        for name in LOCALE_SCRIPTS:  # it configures them, so it comes after them
            assert any(s.endswith(name) for s in loaded_before), (url, name)
    response = client.get(ZH_SCRIPT)
    script = response.get_data(as_text=True)
    response.close()
    for hook in ('$.fn.datepicker.dates["zh-CN"]', '$.fn.datepicker.defaults.language',
                 '$.fn.select2.defaults.set("language"', "noResults", "searching",
                 "window.ab_alert", "No row selected"):
        assert hook in script


def test_pages_are_english_on_request(client, auth, app):
    pages = crawl(client, auth, app, "en")
    typed, _security = stored_text(app)
    longest_first = sorted(typed | set(ALLOWED_CHINESE), key=len, reverse=True)
    chinese, raw = {}, {}
    for url, html in pages.items():
        page = Page(html)
        text = "\n".join(page.text)
        for value in longest_first:
            text = text.replace(value, " ")
        if found := set(CJK.findall(text)):
            chinese[url] = "".join(sorted(found))
        if found := raw_cells(page):
            raw[url] = sorted(found)
        assert app_name(app, "en") in html, url
        assert ZH_SCRIPT not in html, url
    assert not chinese and not raw, (report("Chinese outside the data on an English page",
                                            chinese) + report("raw stored values", raw))


def test_text_checks_find_english_and_raw_values():
    page = Page(
        '<h2>List Tasks</h2><td>construction</td><td title="Show record">P-A</td>'
        '<td>None</td><input type="submit" value="Save"><input name="s" value="due_soon">'
        '<script>var x = "Ok"; new AdminFilters(\'#f\', {"a": "Name"}, '
        '{"a": "<input placeholder=\\"Title\\" value=\\"in_app\\">"}, {"a": ["Equal to"]}, []);'
        "</script><a onclick=\"x.execute_single_delete('/x/1','Sure?')\">x</a>"
    )
    assert english_words(" ".join(page.text), {"construction"}) == {
        "List", "Tasks", "Show", "record", "None", "Save", "Name", "Title", "Equal", "to",
        "Sure"}
    assert raw_cells(page) == {"construction", "None", "due_soon", "in_app"}
    assert english_words("staff_a 住建局 P-A 2026-05-12 admin@keyledger.local", set()) == {
        "staff_a", "admin@keyledger.local"}
