"""KeyLedger configuration: a short class over environment variables with defaults."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

from flask_appbuilder.const import AUTH_DB
from flask_babel import lazy_gettext

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("KEYLEDGER_INSTANCE", BASE_DIR / "instance"))


def _secret_key() -> str:
    """The SECRET_KEY from the environment, else one generated once into instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Config:
    """Settings read once when the app is created."""

    APP_NAME = lazy_gettext("重点项目台账与督办系统")
    SECRET_KEY = _secret_key()
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'keyledger.db'}"
    )
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # without REDIS_URL, each serving process runs the job schedule in a thread ("0": off)
    SCHEDULER = os.environ.get("SCHEDULER", "1") != "0"
    TIMEZONE = os.environ.get("TIMEZONE", "Asia/Shanghai")
    # a fixed "today" (YYYY-MM-DD) for demos and tests; unset: the real date (app/domain/clock.py)
    TODAY = os.environ.get("KEYLEDGER_TODAY") or None

    # the rules of DESIGN.md
    DUE_SOON_WORKDAYS = _int("DUE_SOON_WORKDAYS", 3)
    FEEDBACK_DAY = _int("FEEDBACK_DAY", 25)
    LAG_YELLOW = _float("LAG_YELLOW", 0.10)
    LAG_RED = _float("LAG_RED", 0.30)
    # 考核截止日: the day of the next month from which a month's compliance is judged and
    # coloured (1 = the 1st, the first day after the month ends); before it the month is
    # shown in progress (截至 D日（进行中）), uncoloured (app/domain/month_close.py)
    COMPLIANCE_CLOSE_DAY = _int("COMPLIANCE_CLOSE_DAY", 1)
    # 分级督办 (issue 16): 蓝 when due soon (DUE_SOON_WORKDAYS), 黄 from this many working
    # days overdue, 红 from that many; each level's 督办单 is issued once by the daily job
    ESCALATION_YELLOW_WORKDAYS = _int("ESCALATION_YELLOW_WORKDAYS", 1)
    ESCALATION_RED_WORKDAYS = _int("ESCALATION_RED_WORKDAYS", 10)
    # …or 红 once an overdue task has had this many 督办单 since its deadline (0: off)
    ESCALATION_RED_NOTICES = _int("ESCALATION_RED_NOTICES", 0)

    # where reminders go besides the app
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "") == "1"
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "keyledger@localhost")
    WEBHOOK_URL = os.environ.get("WEBHOOK_URL") or None
    # a reminder also reaches the responsible unit's 联络员 when the responsible person has a
    # login (without it, they are told only when the person has none; issue 16)
    NOTIFY_DEPARTMENT = os.environ.get("NOTIFY_DEPARTMENT", "") == "1"

    # uploads (the Excel import, attachments): larger requests are refused with 413
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 10 * 1024 * 1024)
    # one attachment (附件), below the request's limit: the form around it fits too
    ATTACHMENT_MAX_BYTES = _int("ATTACHMENT_MAX_BYTES", 8 * 1024 * 1024)
    # the Excel import (issue 14.5, app/files/xlsx_guard.py): a workbook past these is refused
    # (413) before it is built in memory: its zip members' declared unpacked size and
    # compression ratio, the shared strings' size, then cells, columns, one cell's text and
    # the seconds, counted while the file is read as a stream
    IMPORT_MAX_UNPACKED_MB = _int("IMPORT_MAX_UNPACKED_MB", 100)
    IMPORT_MAX_RATIO = _int("IMPORT_MAX_RATIO", 100)
    IMPORT_MAX_SHARED_STRINGS_MB = _int("IMPORT_MAX_SHARED_STRINGS_MB", 32)
    IMPORT_MAX_CELLS = _int("IMPORT_MAX_CELLS", 1_000_000)
    IMPORT_MAX_COLUMNS = _int("IMPORT_MAX_COLUMNS", 100)
    IMPORT_MAX_STRING = _int("IMPORT_MAX_STRING", 5_000)
    IMPORT_MAX_SECONDS = _float("IMPORT_MAX_SECONDS", 60)
    # attachments are stored here under generated names, outside the web root
    ATTACHMENT_DIR = os.environ.get("ATTACHMENT_DIR") or str(INSTANCE_DIR / "attachments")

    # the office named as the issuer of the monthly 督查通报
    CIRCULAR_ISSUER = os.environ.get("CIRCULAR_ISSUER") or "县委县政府督查室"
    # its 版记: 抄送 (names separated by commas; empty: no 抄送 line) and the 印发机关
    CIRCULAR_CC = os.environ.get("CIRCULAR_CC", "")
    CIRCULAR_PRINTER = os.environ.get("CIRCULAR_PRINTER") or CIRCULAR_ISSUER
    # its 发文字号: PREFIX〔YEAR〕N号, N from START each year (an office that numbered some
    # circulars on paper this year starts after them)
    CIRCULAR_NUMBER_PREFIX = os.environ.get("CIRCULAR_NUMBER_PREFIX") or "清督通"
    CIRCULAR_NUMBER_START = _int("CIRCULAR_NUMBER_START", 1)

    # Flask-AppBuilder: Alembic owns the schema; permissions are synced by `init`
    FAB_CREATE_DB = False
    FAB_UPDATE_PERMS = os.environ.get("FAB_UPDATE_PERMS", "0") == "1"
    FAB_SECURITY_MANAGER_CLASS = "app.web.security.KeyLedgerSecurityManager"
    FAB_ADD_SECURITY_API = False
    FAB_API_SWAGGER_UI = False
    FAB_API_MAX_PAGE_SIZE = 200
    FAB_INDEX_VIEW = "app.web.crud_kit.HomeView"
    AUTH_TYPE = AUTH_DB
    AUTH_ROLE_ADMIN = "Admin"
    AUTH_ROLE_PUBLIC = "Public"
    AUTH_USER_REGISTRATION = False

    # Chinese first, English one click away
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_FOLDER = "translations"
    LANGUAGES = {
        "zh": {"flag": "cn", "name": "中文"},
        "en": {"flag": "gb", "name": "English"},
    }
    APP_THEME = ""  # the default theme: the others import Google Fonts
    FAB_BASE_TEMPLATE = "keyledger_base.html"

    # forms
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"

    # accounts and sessions (issue 7, app/web/accounts.py and app/web/headers.py)
    # behind HTTPS (PREFERRED_URL_SCHEME=https or SESSION_COOKIE_SECURE=1): cookies only
    # travel encrypted, and HSTS is sent; PROXY_COUNT proxies in front are trusted for the
    # client's address and scheme (X-Forwarded-For, X-Forwarded-Proto)
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
    SESSION_COOKIE_SECURE = (os.environ.get("SESSION_COOKIE_SECURE", "") == "1"
                             or PREFERRED_URL_SCHEME == "https")
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PROXY_COUNT = _int("PROXY_COUNT", 0)
    # sessions live on the server (issue 14, app/web/sessions.py): in the database, or in
    # Redis when REDIS_URL is set (keys under SESSION_KEY_PREFIX); a session ends
    # SESSION_IDLE_MINUTES after its last request, and at the latest this long after login
    PERMANENT_SESSION_LIFETIME = dt.timedelta(hours=_float("SESSION_LIFETIME_HOURS", 8))
    SESSION_IDLE_MINUTES = _float("SESSION_IDLE_MINUTES", 30)
    SESSION_KEY_PREFIX = os.environ.get("SESSION_KEY_PREFIX", "keyledger:")
    PASSWORD_MIN_LENGTH = _int("PASSWORD_MIN_LENGTH", 8)
    FAB_PASSWORD_COMPLEXITY_ENABLED = True  # the policy of app.web.accounts.check_password
    # failed logins, per user name and address, and per address (app.web.accounts)
    AUTH_RATE_LIMITED = os.environ.get("AUTH_RATE_LIMITED", "1") == "1"
    RATELIMIT_ENABLED = AUTH_RATE_LIMITED  # FAB turns Flask-Limiter off unless told
    AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "5 per minute;20 per hour")
    AUTH_RATE_LIMIT_ADDRESS = os.environ.get("AUTH_RATE_LIMIT_ADDRESS", "50 per 10 minutes")
    RATELIMIT_STORAGE_URI = (os.environ.get("RATELIMIT_STORAGE_URI")
                             or os.environ.get("REDIS_URL") or "memory://")
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_KEY_PREFIX = "keyledger-limits"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True  # Redis down: each process counts alone
    FAB_API_SHOW_STACKTRACE = False
