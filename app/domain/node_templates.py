"""节点模板: the checks on a template node, and the two templates every install starts with."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _
from sqlalchemy import select

from app import models as m
from app.extensions import db

MAX_WORKDAYS = 500  # a node of more than two working years is a typing error

# (title, expected outcome, working days, default department, positions it waits for)
INDUSTRIAL_NODES = (
    ("签约评审", "通过招商引资项目评审并签订投资协议", 10, "县工信局", ()),
    ("土地供应", "完成土地挂牌出让，签订国有建设用地出让合同", 30, "县自然资源局", (0,)),
    ("备案立项", "取得企业投资项目备案证明", 5, "县发改局", (1,)),
    ("节能审查", "取得节能审查意见", 15, "县发改局", (2,)),
    ("环评审批", "取得环境影响评价批复", 20, "市生态环境局清河分局", (2,)),
    ("规划许可", "取得建设工程规划许可证", 10, "县自然资源局", (3, 4)),
    ("施工许可", "取得建筑工程施工许可证", 7, "县住建局", (5,)),
    ("开工", "项目正式开工并纳入投资统计", 5, "县工信局", (6,)),
)
GOVERNMENT_NODES = (
    ("立项", "取得项目建议书批复", 10, "县发改局", ()),
    ("可研批复", "取得可行性研究报告批复", 20, "县发改局", (0,)),
    ("初步设计", "取得初步设计及概算批复", 20, "县发改局", (1,)),
    ("施工图审查", "取得施工图审查合格书", 15, "县住建局", (2,)),
    ("招标", "完成施工招标并签订施工合同", 25, "县住建局", (3,)),
    ("开工", "项目开工建设", 5, "县住建局", (4,)),
)
NODE_TEMPLATES = (
    ("工业项目前期手续", "招商项目从签约到开工的审批链，节能审查与环评并联办理。",
     INDUSTRIAL_NODES),
    ("政府投资项目前期手续", "政府投资项目从立项到开工的审批链。", GOVERNMENT_NODES),
)


def ensure_templates(departments: Mapping[str, m.Department] | None = None) -> list:
    """Create the two templates if missing; fill in missing default departments from
    `departments` (by name). Returns the rows created or changed; nothing committed."""
    departments = departments or {}
    touched: list = []
    for name, description, rows in NODE_TEMPLATES:
        template = db.session.scalar(select(m.NodeTemplate).where(m.NodeTemplate.name == name))
        if template is None:
            template = m.NodeTemplate(name=name, description=description)
            built: list[m.TemplateNode] = []
            for position, (title, outcome, workdays, _dept, waits) in enumerate(rows):
                built.append(m.TemplateNode(
                    template=template, position=position, title=title,
                    expected_outcome=outcome, workdays=workdays,
                    depends_on=[built[i] for i in waits]))
            db.session.add(template)
            touched += [template, *built]
        defaults = {title: dept for title, _o, _w, dept, _d in rows}
        for node in template.nodes:
            dept = departments.get(defaults.get(node.title, ""))
            if node.department is None and dept is not None:
                node.department = dept
                touched.append(node)
    return touched


def seed_on_install() -> int:
    """`flask init`: the templates on a database that has none (idempotent); how many."""
    if db.session.scalar(select(m.NodeTemplate.id).limit(1)) is not None:
        return 0
    created = [row for row in ensure_templates() if isinstance(row, m.NodeTemplate)]
    db.session.commit()
    return len(created)


def _waits_for(node: m.TemplateNode, target: m.TemplateNode, seen: set[int]) -> bool:
    """Whether `node` waits, directly or not, for `target` (the rows as saved)."""
    for dep in node.depends_on:
        if dep is target:
            return True
        if id(dep) not in seen:
            seen.add(id(dep))
            if _waits_for(dep, target, seen):
                return True
    return False


def check_template_node(item: m.TemplateNode, adding: bool) -> str | None:
    """A template node may be saved: a positive duration, waits within its template, no cycle."""
    if item.workdays is None or item.workdays < 1:
        return _("工期应至少为 1 个工作日。")
    if item.workdays > MAX_WORKDAYS:
        return _("工期不能超过 %(max)d 个工作日。", max=MAX_WORKDAYS)
    with db.session.no_autoflush:
        for dep in item.depends_on:
            if dep is item:
                return _("节点不能等待它自己。")
            if item.template is not None and dep.template is not item.template:
                return _("所等待的节点应属于同一模板。")
            if _waits_for(dep, item, set()):
                return _("等待关系构成了循环：“%(other)s”已直接或间接等待“%(node)s”。",
                         other=dep.title, node=item.title)
    return None
