"""The rows of each import sheet: their natural key, their references, new or updated.

References are by name (a department), by name within a department (a person), by code
(a project), and may point at rows earlier in the same file. A reference to a row of the
file that has its own problems is not reported again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from flask_babel import gettext as _

from app import models as m
from app.files.import_sheets import Sheet

if TYPE_CHECKING:
    from app.files.excel_import import Importer

FAILED = object()  # a cell that could not be read (its problem is noted)


def task_key(task: m.Task) -> tuple:
    """A task's natural key: (project code or None, title, department name)."""
    return (task.project.code if task.project else None, task.title, task.department.name)


class RowHandler:
    """One sheet's rows: the key, the references, the new or updated row of the table."""

    model: type
    key_columns: tuple[str, ...]
    # each sheet's own: its natural key, the rows of that key in the system and in the file
    # read so far, a new row of the file, and the references resolved to rows
    key: Callable[[dict[str, object]], tuple]
    existing: Callable[[tuple], list[Any]]
    register: Callable[[tuple, Any], None]
    resolve: Callable[[dict[str, object]], dict[str, object] | None]

    def __init__(self, importer: Importer, sheet: Sheet, present: set[str]) -> None:
        self.importer = importer
        self.sheet = sheet
        self.present = present  # the columns the file has: only they change an existing row
        self.number = 0
        self.seen: dict[tuple, int] = {}

    def handle(self, number: int, values: dict[str, object]) -> str | None:
        """Check one row and apply it; "new", "updated", "unchanged", or None on a problem."""
        self.number = number
        if any(values[name] is FAILED for name in self.key_columns):
            return None
        key = self.key(values)
        if key in self.seen:
            self.problem(self.key_columns[-1], _("与第%(row)s行重复", row=self.seen[key]))
            return None
        self.seen[key] = number
        attrs = self.resolve(values)
        if attrs is None or FAILED in values.values():
            self.importer.failed.add((self.sheet.key, key))
            if attrs is None and FAILED not in values.values():  # the dates can still be wrong
                self.importer.check(self.sheet, number, self.model(**self.scalars(values)), True)
            return None
        return self._apply(key, attrs)

    def _apply(self, key: tuple, attrs: dict[str, object]) -> str | None:
        found = self.existing(key)
        if len(found) > 1:
            self.problem(None, _("系统中已有多条相同的记录，无法确定更新哪一条"))
            return None
        adding = not found
        if adding:
            item = self.model(**attrs)
            self.register(key, item)
            self.importer.new.append(item)
        else:
            item = found[0]
            changed = {name: value for name, value in attrs.items()
                       if name in self.present and getattr(item, name) != value}
            for name, value in changed.items():
                setattr(item, name, value)
        if not self.importer.check(self.sheet, self.number, item, adding):
            return None
        if adding or changed:
            self.importer.touched.append(item)
        return "new" if adding else "updated" if changed else "unchanged"

    def problem(self, column_name: str | None, message: str) -> None:
        column = next((c.title for c in self.sheet.columns if c.name == column_name), None)
        self.importer.problem(self.sheet, self.number, column, message)

    def scalars(self, values: dict[str, object]) -> dict[str, object]:
        return {c.name: values[c.name] for c in self.sheet.columns if c.kind != "ref"}

    def department(self, column: str, name: object) -> m.Department | None:
        """A department by name, in the system or earlier in the file."""
        if name is FAILED or name is None:
            return None
        found = self.importer.departments.get(cast(str, name))
        if found is None and ("department", (name,)) not in self.importer.failed:
            self.problem(column, _("找不到“%(name)s”", name=name))
        return found

    def person(self, column: str, department: str, name: object) -> m.Person | None:
        """A person by name within a department."""
        if name is None or name is FAILED:
            return None
        found = self.importer.persons.get((department, cast(str, name)), [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            self.problem(column, _("%(department)s有多位名为“%(name)s”的责任人，无法确定是哪一位",
                                   department=department, name=name))
        elif ("person", (department, name)) not in self.importer.failed:
            self.problem(column, _("%(department)s没有名为“%(name)s”的责任人",
                                   department=department, name=name))
        return None


class DepartmentRows(RowHandler):
    model = m.Department
    key_columns = ("name",)

    def key(self, values: dict[str, object]) -> tuple:
        return (values["name"],)

    def existing(self, key: tuple) -> list[m.Department]:
        found = self.importer.departments.get(key[0])
        return [found] if found is not None else []

    def register(self, key: tuple, item: m.Department) -> None:
        self.importer.departments[key[0]] = item

    def resolve(self, values: dict[str, object]) -> dict[str, object]:
        return self.scalars(values)


class PersonRows(RowHandler):
    model = m.Person
    key_columns = ("department", "name")

    def key(self, values: dict[str, object]) -> tuple:
        return (values["department"], values["name"])

    def existing(self, key: tuple) -> list[m.Person]:
        return self.importer.persons.get(key, [])

    def register(self, key: tuple, item: m.Person) -> None:
        self.importer.register_person(item)

    def resolve(self, values: dict[str, object]) -> dict[str, object] | None:
        department = self.department("department", values["department"])
        if department is None:
            return None
        return {**self.scalars(values), "department": department}


class ProjectRows(RowHandler):
    model = m.Project
    key_columns = ("code",)

    def key(self, values: dict[str, object]) -> tuple:
        return (values["code"],)

    def existing(self, key: tuple) -> list[m.Project]:
        found = self.importer.projects.get(key[0])
        return [found] if found is not None else []

    def register(self, key: tuple, item: m.Project) -> None:
        self.importer.projects[key[0]] = item

    def resolve(self, values: dict[str, object]) -> dict[str, object] | None:
        department = self.department("lead_department", values["lead_department"])
        responsible = leader = None
        if department is not None:
            responsible = self.person("responsible_person", department.name,
                                      values["responsible_person"])
        if values["lead_leader"] not in (None, FAILED):
            leader = self.leader(cast(str, values["lead_leader"]))
        wanted = [department, responsible if values["responsible_person"] else True,
                  leader if values["lead_leader"] else True]
        if any(item is None for item in wanted):
            return None
        return {**self.scalars(values), "lead_department": department,
                "responsible_person": responsible, "lead_leader": leader}

    def leader(self, name: str) -> m.Person | None:
        """A county leader (县级领导) by name, whatever their department."""
        found = self.importer.leaders.get(name, [])
        if len(found) == 1:
            return found[0]
        message = (_("有多位名为“%(name)s”的县级领导，无法确定是哪一位", name=name) if found
                   else _("找不到名为“%(name)s”的县级领导", name=name))
        self.problem("lead_leader", message)
        return None


class TaskRows(RowHandler):
    model = m.Task
    key_columns = ("project", "title", "department")

    def key(self, values: dict[str, object]) -> tuple:
        return (values["project"], values["title"], values["department"])

    def existing(self, key: tuple) -> list[m.Task]:
        return self.importer.tasks.get(key, [])

    def register(self, key: tuple, item: m.Task) -> None:
        self.importer.tasks[key].append(item)

    def resolve(self, values: dict[str, object]) -> dict[str, object] | None:
        project = None
        code = values["project"]
        if code is not None:
            project = self.importer.projects.get(cast(str, code))
            if project is None and ("project", (code,)) not in self.importer.failed:
                self.problem("project", _("找不到“%(name)s”", name=code))
        department = self.department("department", values["department"])
        person = None
        if department is not None:
            person = self.person("person", department.name, values["person"])
        if department is None or (code and project is None) or (values["person"] and not person):
            return None
        return {**self.scalars(values), "project": project, "department": department,
                "person": person}


ROW_HANDLERS: dict[str, type[RowHandler]] = {
    "department": DepartmentRows,
    "person": PersonRows,
    "project": ProjectRows,
    "task": TaskRows,
}
