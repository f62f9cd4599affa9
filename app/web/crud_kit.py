"""What the CRUD screens share: coloured badges, search filters, the titled base view."""

from __future__ import annotations

from flask_appbuilder import IndexView
from flask_appbuilder.models.filters import Filters
from flask_appbuilder.models.sqla.filters import FilterEqual, FilterNotEqual, SQLAFilterConverter
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms.validators import NumberRange

from app.domain import choices
from app.domain.labels import choices_for
from app.web.crud_base import ScopedModelView
from app.web.time_filters import is_time, time_filters

NOT_NEGATIVE = NumberRange(min=0, message=_l("不能为负数。"))
PERCENT = NumberRange(min=0, max=100, message=_l("完成百分比应在 0 到 100 之间。"))
AUDIT = ["created_by", "created_on", "changed_by", "changed_on"]


class HomeView(IndexView):
    index_template = "home.html"


# Bootstrap 3 label styles of the status choices (FAB's theme is Bootstrap 3)
TASK_STATUS_STYLE = {"pending": "primary", "due_soon": "warning", "overdue": "danger",
                     "done_on_time": "success", "done_late": "info", "cancelled": "default"}
STATUS_COLOR_STYLE = {"green": "success", "yellow": "warning", "red": "danger"}


def badge(options: dict, styles: dict):
    """A formatter showing a choice as a coloured label with its translated text."""

    def show(value: str | None) -> Markup | str:
        if value is None:
            return ""
        style = styles.get(value, "default")
        return Markup('<span class="label label-{}">{}</span>').format(
            style, choices.label(options, value))

    return show


def percent(rate: float | None) -> str:
    """A rate from 0 to 1 as a percentage with one decimal; a null rate as a dash."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


class ChoiceFilterConverter(SQLAFilterConverter):
    """Search filters: a choice column (a drop-down of its labels) compares by equality only;
    a time is searched from / before a time typed in Beijing time."""

    def convert(self, col_name: str) -> list | None:
        if choices_for(self.datamodel.obj.__tablename__, col_name) is not None:
            return [FilterEqual(col_name, self.datamodel), FilterNotEqual(col_name, self.datamodel)]
        if is_time(self.datamodel.obj, col_name):  # typed in Beijing time (issue 17)
            return time_filters(self.datamodel, col_name)
        return super().convert(col_name)


class SearchFilters(Filters):
    """FAB's filters; a filter index in the URL that does not exist is ignored, not a 500."""

    def add_filter_index(self, column_name: str, filter_instance_index: int, value: object):
        options = self._all_filters.get(column_name, [])
        if 0 <= filter_instance_index < len(options):
            self._add_filter(options[filter_instance_index], value)


class TitledView(ScopedModelView):
    """Titles built from one noun, so no page shows FAB's English "List Task"."""

    noun = _l("记录")

    def __init__(self, **kwargs) -> None:
        self.list_title = self.list_title or self.noun
        self.show_title = _l("查看%(noun)s", noun=self.noun)
        self.add_title = _l("新增%(noun)s", noun=self.noun)
        self.edit_title = _l("编辑%(noun)s", noun=self.noun)
        super().__init__(**kwargs)

    def _init_properties(self) -> None:
        super()._init_properties()
        self._filters = SearchFilters(ChoiceFilterConverter, self.datamodel, self.search_columns)

    list_title = None


