"""The search's 责任单位 drop-down in Chromium (issue 19, item 2): empty in the page, filled by
select2 from the JSON endpoint as the user types, in Chinese, under the CSP, and the
filter chosen narrows the list."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from tests.e2e.test_csp import Watcher

UNIT = "县住建局"


def test_a_unit_is_found_by_typing_and_filters_the_task_list(portal, new_context) -> None:
    office = Watcher(portal, new_context)
    office.login("duchashi")
    office.open("/taskview/list/")
    page = office.page
    assert page.locator("#filter_form select.kl-lazy-select option").count() <= 1  # the blank
    page.locator("#accordion1 a.accordion-toggle").click()  # 搜索
    page.locator("#filter_form .dropdown-toggle").first.click()
    page.locator("#filter_form a.filter[name=department]").click()
    row = page.locator("#filter_form table.filters tr").last
    row.locator(".select2-container").last.click()
    search = page.locator(".select2-container--open .select2-search__field")
    search.fill("住建")
    option = page.locator(".select2-results__option", has_text=UNIT)
    expect(page.locator(".select2-results__option")).to_have_count(1)  # what was typed
    expect(option).to_have_count(1)
    option.first.click()
    page.locator("#filter_form button[type=submit]").first.click()
    page.wait_for_load_state("load")
    chosen = parse_qs(urlsplit(page.url).query)
    assert any(key.endswith("_department") for key in chosen), page.url
    page.locator("#accordion1 a.accordion-toggle").click()
    field = page.locator("#filter_form table.filters .select2-selection__rendered").last
    assert UNIT in field.inner_text()  # the filter applied still shows its unit
    cells = page.locator("table.table td").all_inner_texts()
    assert UNIT in cells and "县工信局" not in cells
    search_empty = page.locator("#filter_form .dropdown-toggle").first
    search_empty.click()
    page.locator("#filter_form a.filter[name=department]").click()
    page.locator("#filter_form table.filters tr").last.locator(".select2-container").last.click()
    page.locator(".select2-container--open .select2-search__field").fill("不存在的单位")
    page.locator(".select2-results__option", has_text="未找到结果").wait_for()
    violations = page.evaluate("window.__csp || []")
    assert not violations and not office.errors, (violations, office.errors)
