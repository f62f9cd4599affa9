"""Background jobs for people: the run records (任务运行记录) and "run now" (the REST API
is app/web/jobs_api.py; both queue through request_run()).

Supervisor and Admin run a job now (the page's form, or `POST /api/v1/jobs/<job>`);
Leader reads how the runs went; DeptStaff sees none of it. Embedded (no REDIS_URL), the
run happens inside the request and the list shows it finished; with Redis, it is queued.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose, has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import SelectField
from wtforms.validators import Optional

from app import jobs
from app import models as m
from app.domain import choices
from app.domain.labels import LABELS, joined
from app.domain.roles import METHOD_PERMISSIONS
from app.domain.validation import DomainError
from app.extensions import appbuilder, db
from app.web.crud_base import ScopedModelView, interface
from app.web.crud_kit import ChoiceFilterConverter, SearchFilters
from app.web.times import local_time

logger = logging.getLogger(__name__)

JOB_NAMES = {
    "refresh_status": _l("状态刷新"),
    "send_reminders": _l("督促提醒"),
    "build_compliance": _l("考核表生成"),
    "build_circular": _l("通报生成"),
    "send_deliveries": _l("消息发送"),
    "escalate": _l("分级督办"),
}
JOB_HELP = {
    "refresh_status": _l("重算每项任务的状态、逾期天数和每个项目的红黄绿灯。"),
    "send_reminders": _l("发出临期提醒、逾期督办和月底催报，每项任务每天至多一次。"),
    "build_compliance": _l("重新生成该月的月度督查考核表。"),
    "build_circular": _l("生成该月的督查通报数据。"),
    "send_deliveries": _l("发送尚未发出的督促邮件和群机器人消息（失败的重试）。"),
    "escalate": _l("按逾期工作日发出蓝、黄、红色督办单，每项任务每级一次；红色督办报分管领导。"),
}
# the counts a run reports, by the keys the jobs use
COUNT_LABELS = {
    "tasks": _l("任务"),
    "projects": _l("项目"),
    "rows": _l("考核行"),
    **choices.SUPERVISION_KIND,
    "new": _l("新增督促"),
    "notified": _l("站内提醒"),
    **choices.ESCALATION_LEVEL,
    "leaders": _l("报分管领导"),
    "levels": _l("督办等级变化"),
    "sent": choices.DELIVERY_STATUS["sent"],
    "failed": choices.DELIVERY_STATUS["failed"],
    "overdue_tasks": LABELS["tasks_overdue"],
    "unreported_tasks": _l("未反馈任务"),
    "unresolved_problems": _l("未解决问题"),
}
STATUS_STYLE = {"queued": "default", "started": "info", "finished": "success",
                "failed": "danger"}
FIRST_YEAR, LAST_YEAR = 2000, 2099


def job_label(job: str | None) -> str:
    """The name of a job as people call it."""
    return choices.label(JOB_NAMES, job)


def argument_message(job: str) -> str:
    """What a job's date argument should look like."""
    if jobs.JOBS[job][1] == "period":
        return _("“%(job)s”按月份运行，月份格式为“年-月”，如 2026-11。", job=job_label(job))
    return _("“%(job)s”按日期运行，日期格式为“年-月-日”，如 2026-11-02。", job=job_label(job))


def job_arguments(job: str, value: object) -> dict[str, str]:
    """The job's argument from what a user typed (empty: today or this month), checked."""
    if value is not None and not isinstance(value, str):
        raise DomainError(argument_message(job))
    try:
        args = jobs.parse_args(job, (value or "").strip() or None)
    except ValueError:
        raise DomainError(argument_message(job)) from None
    day = dt.date.fromisoformat(next(iter(args.values())))
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise DomainError(_("日期应在 %(first)s 年至 %(last)s 年之间。",
                            first=FIRST_YEAR, last=LAST_YEAR))
    return args


def request_run(job: str, value: object, user_id: int | None) -> m.JobRun:
    """Record and queue a run of a job (embedded: run it now); a DomainError if refused."""
    if job not in jobs.JOBS:
        raise DomainError(_("没有名为“%(job)s”的任务。", job=job), 404)
    args = job_arguments(job, value)
    try:
        run = jobs.enqueue(job, args, requested_by=user_id)
    except jobs.QueueUnavailable:
        logger.warning("job %s %s refused: the queue is unavailable", job, args)
        raise DomainError(_("任务队列暂不可用，请稍后再试。"), 503) from None
    if run is None:  # only a scheduled run claims a key; a requested one never does
        raise DomainError(_("这项任务已经提交过了。"), 409)
    return run


def current_user_id() -> int | None:
    """The id of the logged-in user, by session or by JWT."""
    return getattr(appbuilder().sm.current_user, "id", None)


# --- how a run reads on a page --------------------------------------------------------


def run_argument(args: dict | None) -> str:
    """A run's date: the day, or the month of a monthly job."""
    args = args or {}
    if "period" in args:
        return str(args["period"])[:7]
    return str(args.get("as_of", ""))


def run_counts(counts: dict | None) -> str:
    """A run's counts as "任务 12、项目 3" (its month is in the argument column already)."""
    return joined(f"{choices.label(COUNT_LABELS, key)} {number}"
                  for key, number in (counts or {}).items() if key != "period")


def run_status(value: str | None) -> Markup | str:
    """A run's status as a coloured label."""
    if value is None:
        return ""
    return Markup('<span class="label label-{}">{}</span>').format(
        STATUS_STYLE.get(value, "default"), choices.label(choices.JOB_STATUS, value))


def run_error(value: str | None) -> Markup | str:
    return Markup('<pre class="kl-job-error">{}</pre>').format(value) if value else ""


def seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def run_forms() -> list[dict]:
    """The "run now" forms: one per job, with what it does and the date it takes."""
    return [{"job": job, "label": job_label(job), "help": choices.label(JOB_HELP, job),
             "kind": kind} for job, (_function, kind) in jobs.JOBS.items()]


class JobRunView(ScopedModelView):
    """任务运行记录: how each run went, newest first; the office runs a job now."""

    datamodel = interface(m.JobRun)
    base_permissions = ["can_read", "can_add"]
    list_title = _l("任务运行记录")
    show_title = _l("查看任务运行记录")
    add_title = _l("立即运行")
    list_columns = ["job", "args", "status", "queued_at", "started_at", "finished_at",
                    "duration", "counts"]
    show_columns = [*list_columns, "requested_by", "error"]
    order_columns = ["job", "status", "queued_at", "started_at", "finished_at", "duration"]
    search_columns = ["job", "status", "queued_at"]
    base_order = ("queued_at", "desc")
    label_columns = {**LABELS, "job": _l("任务"), "args": _l("日期或月份"),
                     "queued_at": _l("提交时间"), "started_at": _l("开始时间"),
                     "finished_at": _l("结束时间"), "duration": _l("耗时（秒）"),
                     "counts": _l("结果"), "error": _l("错误信息"),
                     "requested_by": _l("提交人")}
    formatters_columns = {"job": job_label, "args": run_argument, "status": run_status,
                          "queued_at": local_time, "started_at": local_time,
                          "finished_at": local_time, "duration": seconds,
                          "counts": run_counts, "error": run_error}
    search_form_extra_fields = {
        "job": SelectField(_l("任务"), choices=[("", "")] + choices.pairs(JOB_NAMES),
                           validators=[Optional()]),
    }
    list_template = "jobs/runs.html"
    extra_args = {"run_forms": run_forms}
    method_permission_name = METHOD_PERMISSIONS

    def _init_properties(self) -> None:
        super()._init_properties()

        self._filters = SearchFilters(ChoiceFilterConverter, self.datamodel, self.search_columns)

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        """立即运行: the form (GET); queue the chosen job and go back to the list (POST)."""
        if request.method == "GET":
            return self._run_page()
        job = request.form.get("job", "")
        if job not in jobs.JOBS:
            return self._run_page(_("请选择要运行的任务。"), 422)
        try:
            run = request_run(job, request.form.get(jobs.JOBS[job][1]), current_user_id())
        except DomainError as error:
            db.session.rollback()
            return self._run_page(error.message, error.status)
        flash(_("已提交“%(job)s”（%(argument)s），状态：%(status)s。", job=job_label(job),
                argument=run_argument(run.args),
                status=choices.label(choices.JOB_STATUS, run.status)),
              "danger" if run.status == "failed" else "success")
        return redirect(url_for(".list"))

    def _run_page(self, error: str | None = None, code: int = 200) -> tuple[str, int]:
        form = request.form if request.method == "POST" else {}
        return self.render_template("jobs/run.html", title=self.add_title, error=error,
                                    form=form), code
