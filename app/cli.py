"""The `flask --app app …` commands: init, create-account, seed-demo, jobs, export-compliance."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select

from app import models as m
from app.domain import clock
from app.domain.accounts import AccountError, create_account
from app.domain.roles import ROLES
from app.extensions import appbuilder, db
from app.views import MENU_RESOURCES


def init_app(app: Flask) -> None:
    from app.seed.scale import seed_scale_command  # issue 6: generated ledgers for scale

    for command in (init_command, create_account_command, seed_demo_command, jobs_group,
                    holidays_group, import_xlsx_command, export_compliance_command,
                    seed_scale_command):
        app.cli.add_command(command)


@click.command("import-xlsx")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_xlsx_command(path: str) -> None:
    """Import departments, persons, projects and tasks from the .xlsx template (all or nothing)."""
    from app.domain.validation import DomainError
    from app.files.excel_import import import_workbook

    try:
        report = import_workbook(path, db.session)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    for problem in report.errors:
        click.echo(problem, err=True)
    if not report.ok:
        raise click.ClickException(report.summary())
    for sheet, counts in report.counts.items():
        click.echo(f"{sheet}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    click.echo(report.summary())


@click.command("export-compliance")
@click.option("--period", required=True, help="YYYY-MM")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def export_compliance_command(period: str, out: str) -> None:
    """Write a month's 月度督查考核表 (.xlsx, as the page exports it), building it first."""
    from flask_babel import force_locale

    from app.domain import access, month_close
    from app.domain.validation import DomainError
    from app.files.compliance_xlsx import compliance_workbook
    from app.jobs import month_ready
    from app.reports.compliance import built_day, parse_period, table_rows

    try:
        month = parse_period(period) if period.strip() else parse_period("x")
    except DomainError as error:
        raise click.BadParameter(f"{error.message} ({period!r})", param_hint="--period") from None
    with access.acting_as("cli:export-compliance"), \
            force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh")):
        built = month_ready.build_now(month)
        rows = table_rows(month)
        data = compliance_workbook(month, rows, month_close.progress_note(month, built_day(rows)))
    with open(out, "wb") as file:
        file.write(data)
    note = "built now, " if built else ""
    click.echo(f"{month:%Y-%m}: {note}{len(rows)} rows written to {out}")


@click.group("holidays")
def holidays_group() -> None:
    """The holiday calendar (节假日)."""


@holidays_group.command("prefill")
@with_appcontext
def holidays_prefill_command() -> None:
    """Add chinese-calendar's holidays and adjusted working days from this year on."""
    from app.domain.status import today
    from app.web.holiday_pages import prefill_holidays, this_year_start, uncovered_years

    rows = prefill_holidays(this_year_start())
    years = sorted({row.day.year for row in rows})
    click.echo(f"holidays prefilled: {len(rows)} days added" + (f" ({years})" if years else ""))
    for year in uncovered_years(today()):
        click.echo(f"warning: {year} is not covered by chinese-calendar nor the holiday table; "
                   "enter its holidays by hand", err=True)


@click.group("jobs")
def jobs_group() -> None:
    """Background jobs."""


@jobs_group.command("run")
@click.argument("job")
@click.option("--as-of", default=None, help="YYYY-MM-DD (refresh_status, send_reminders, escalate)")
@click.option("--period", default=None, help="YYYY-MM (build_compliance, build_circular)")
@with_appcontext
def jobs_run_command(job: str, as_of: str | None, period: str | None) -> None:
    """Run a job now, here, and print its result."""
    from app.jobs import JOBS, execute, parse_args

    if job not in JOBS:
        raise click.BadParameter(f"one of {', '.join(JOBS)}", param_hint="JOB")
    try:
        args = parse_args(job, as_of or period)
    except ValueError as error:
        raise click.BadParameter(str(error)) from error
    run = _record_run(job, args)
    try:
        counts = execute(run.id)
    except Exception as error:
        raise click.ClickException(f"{job} failed: {error}") from error
    click.echo(f"{job} {args}: {counts}")


def _record_run(job: str, args: dict) -> m.JobRun:

    run = m.JobRun(job=job, args=args, status="queued",
                   queued_at=clock.utcnow())
    db.session.add(run)
    db.session.commit()
    return run


def sync_permissions(reset: bool = False) -> dict[str, int]:
    """Create the permissions of every view and the four roles (idempotent)."""
    fab = appbuilder()
    sm = fab.sm
    for name in ("Admin", sm.auth_role_public):
        if sm.find_role(name) is None:
            sm.add_role(name)
    before = {vm.name for vm in sm.get_all_view_menu()}
    fab.add_permissions(update_perms=True)
    sm.remember_new_view_menus(before)
    return sm.sync_roles(current_app.extensions[MENU_RESOURCES], reset=reset)


@click.command("init")
@with_appcontext
@click.option("--reset-roles", is_flag=True, help="Put the four roles back to their definitions.")
def init_command(reset_roles: bool) -> None:
    """Migrate the database to the latest revision and sync roles and permissions."""
    upgrade(directory=current_app.extensions["migrate"].directory)
    added = sync_permissions(reset=reset_roles)
    click.echo("database migrated; roles: " + ", ".join(f"{k} +{v}" for k, v in added.items()))
    from app.domain.node_templates import seed_on_install  # issue 9: the two 前期手续 templates

    if templates := seed_on_install():
        click.echo(f"node templates created: {templates}")


@click.command("create-account")
@with_appcontext
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--password", required=True)
@click.option("--person", "person_id", type=int, default=None, help="id of the person")
def create_account_command(username: str, role: str, password: str, person_id: int | None) -> None:
    """Create a login tied to a person (and so to a department)."""
    try:
        create_account(username, role, password, person_id)
    except AccountError as error:
        raise click.BadParameter(error.message, param_hint=error.param) from None
    click.echo(f"account {username} ({role}) created")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load a realistic demo county and one demo login per role."""
    from app.seed.demo import DEMO_ACCOUNTS, seed_demo

    if db.session.scalar(select(m.Department.id).limit(1)) is not None:
        click.echo("演示数据已存在（数据库中已有责任单位），未重复导入。Demo data exists already.")
        sm = appbuilder().sm
        _print_accounts([a for a in DEMO_ACCOUNTS if sm.find_user(username=a[0]) is not None])
        return
    counts = seed_demo()
    click.echo("demo data loaded: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    _print_accounts(DEMO_ACCOUNTS)


def _print_accounts(accounts: list[tuple[str, str, str, str]]) -> None:
    click.echo("demo logins (username / password):")
    for username, password, role, who in accounts:
        click.echo(f"  {role:<10} {username} / {password}   {who}")
