"""Gendan settings, read from the environment.

DATABASE_URL (default: SQLite under var/), GENDAN_SECRET_KEY, GENDAN_DEBUG, GENDAN_ALLOWED_HOSTS,
GENDAN_HTTPS (secure cookies, HSTS and the HTTPS redirect; on by default outside debug),
GENDAN_TIME_ZONE (the company's time zone), GENDAN_ORDER_PREFIX (order number prefix).
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("GENDAN_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("GENDAN_DEBUG", False)
HTTPS = env_bool("GENDAN_HTTPS", not DEBUG)


def _secret_key() -> str:
    """The key from the environment, else one generated once and kept in var/ (never in the repo)."""
    key = os.environ.get("GENDAN_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("GENDAN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("GENDAN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "gendan.core",
    "gendan.partners",
    "gendan.catalog",
    "gendan.sales",
    "gendan.followup",
    "gendan.inventory",
    "gendan.samples",
    "gendan.quality",
    "gendan.procurement",
    "gendan.production",
    "gendan.shipping",
    "gendan.finance",
    "gendan.office",
    "gendan.relations",
    "gendan.quotations",
    "gendan.service",
    "gendan.reports",
    "gendan.foresight",
    "gendan.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gendan.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gendan.urls"
WSGI_APPLICATION = "gendan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gendan.core.context_processors.gendan",
            ],
        },
    }
]


def database_from_url(url: str | None) -> dict:
    """One database config from a URL; the SQLite default lives under var/ with WAL and IMMEDIATE writes."""
    if not url:
        url = f"sqlite:///{VAR_DIR / 'gendan.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 600
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-20000;"
            ),
        }
    return config


DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "gendan.core.backends.GendanBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures for one user from one address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["gendan.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("GENDAN_TIME_ZONE", "Asia/Shanghai")

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

EMAIL_BACKEND = os.environ.get("GENDAN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("GENDAN_FROM_EMAIL", "gendan@localhost")

# Security outside debug; GENDAN_HTTPS=0 serves plain HTTP on a trusted network (the quick start).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_AGE = 60 * 60 * 12
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS: list[str] = []

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GENDAN_LOG_LEVEL", "WARNING")},
}

# Gendan's own settings.
GENDAN_ORDER_PREFIX = os.environ.get("GENDAN_ORDER_PREFIX", "SO")
GENDAN_CHASE_HORIZON = int(os.environ.get("GENDAN_CHASE_HORIZON", "3"))  # working days ahead on the chase list
GENDAN_REFORECAST_AT = os.environ.get("GENDAN_REFORECAST_AT", "01:30")  # nightly re-forecast, company time
GENDAN_DIGEST_AT = os.environ.get("GENDAN_DIGEST_AT", "07:30")  # morning chase digest e-mails, company time
# The learned forecast (foresight): an order whose chance of leaving the factory by its committed date is below the
# threshold is at risk; it runs after the nightly re-forecast on the history of the last GENDAN_LEARNING_DAYS days
# and gives no probability until that history holds GENDAN_LEARNING_MIN_HISTORY finished observations.
GENDAN_RISK_PROBABILITY_THRESHOLD = float(os.environ.get("GENDAN_RISK_PROBABILITY_THRESHOLD", "0.7"))
GENDAN_LEARNING_DAYS = int(os.environ.get("GENDAN_LEARNING_DAYS", "365"))
GENDAN_LEARNING_MIN_HISTORY = int(os.environ.get("GENDAN_LEARNING_MIN_HISTORY", "30"))
GENDAN_LEARNED_FORECAST_AT = os.environ.get("GENDAN_LEARNED_FORECAST_AT", "01:45")
GENDAN_BASE_URL = os.environ.get("GENDAN_BASE_URL", "http://127.0.0.1:8000").rstrip("/")  # links in e-mails
GENDAN_MATERIALS_MILESTONE = os.environ.get("GENDAN_MATERIALS_MILESTONE", "MIH")  # fed by purchase orders
# working days after a dispatch arrives when the customer's feedback on the samples is chased
GENDAN_SAMPLE_FEEDBACK_DAYS = int(os.environ.get("GENDAN_SAMPLE_FEEDBACK_DAYS", "3"))
GENDAN_REQUIREMENTS_AT = os.environ.get("GENDAN_REQUIREMENTS_AT", "01:00")  # nightly netting, before the re-forecast
GENDAN_PO_APPROVAL_LIMIT = os.environ.get("GENDAN_PO_APPROVAL_LIMIT", "20000")  # POs above it need a manager
GENDAN_SUPPLIER_LINK_DAYS = int(os.environ.get("GENDAN_SUPPLIER_LINK_DAYS", "60"))  # supplier links expire after
# supplier scorecard weights (%): on time, quality, quantity, price, delivery place
GENDAN_SCORECARD_WEIGHTS = os.environ.get(
    "GENDAN_SCORECARD_WEIGHTS", "time:35,quality:30,quantity:15,price:10,place:10"
)
GENDAN_PRODUCTION_TOLERANCE = os.environ.get("GENDAN_PRODUCTION_TOLERANCE", "5")  # % behind plan that needs a reason
GENDAN_FACTORY_LINK_DAYS = int(os.environ.get("GENDAN_FACTORY_LINK_DAYS", "60"))  # factory report links expire after
GENDAN_PAGE_SIZE = 50
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
NINJA_PAGINATION_CLASS = "gendan.core.pagination.Pagination"

# shipping
GENDAN_SHIP_TOLERANCE_PCT = os.environ.get("GENDAN_SHIP_TOLERANCE_PCT", "0")  # % over the ordered qty a line may ship
# containers: code → (usable CBM, payload kg, relative freight cost); "20GP:28:21700:100,40GP:…" overrides them
GENDAN_SHIP_CONTAINERS = {
    code: (cbm, kg, cost)
    for code, cbm, kg, cost in (
        item.split(":")
        for item in os.environ.get(
            "GENDAN_SHIP_CONTAINERS", "20GP:28:21700:100,40GP:58:26500:160,40HQ:68:26300:170"
        ).split(",")
    )
}
GENDAN_SHIP_LCL_BELOW_CBM = os.environ.get("GENDAN_SHIP_LCL_BELOW_CBM", "15")  # a smaller load goes LCL
# the shipper on the documents (the letterhead); empty: the company's name in its settings, else "Gendan"
GENDAN_COMPANY_NAME = os.environ.get("GENDAN_COMPANY_NAME", "")
GENDAN_COMPANY_NAME_EN = os.environ.get("GENDAN_COMPANY_NAME_EN", "")
GENDAN_COMPANY_ADDRESS = os.environ.get("GENDAN_COMPANY_ADDRESS", "")
GENDAN_COMPANY_ADDRESS_EN = os.environ.get("GENDAN_COMPANY_ADDRESS_EN", "")
GENDAN_COMPANY_PHONE = os.environ.get("GENDAN_COMPANY_PHONE", "")
GENDAN_COMPANY_EMAIL = os.environ.get("GENDAN_COMPANY_EMAIL", "")

# finance
# the payment term (its code) of customers that have none of their own; empty: 100 % against copy B/L
GENDAN_DEFAULT_PAYMENT_TERM = os.environ.get("GENDAN_DEFAULT_PAYMENT_TERM", "")
GENDAN_PAYMENT_MILESTONE = os.environ.get("GENDAN_PAYMENT_MILESTONE", "PAY")  # completed when an order is fully paid

# quotations
GENDAN_QUOTATION_PREFIX = os.environ.get("GENDAN_QUOTATION_PREFIX", "QT")
GENDAN_QUOTATION_VALIDITY_DAYS = int(os.environ.get("GENDAN_QUOTATION_VALIDITY_DAYS", "30"))  # valid until, from today
GENDAN_QUOTATION_LEAD_DAYS = int(os.environ.get("GENDAN_QUOTATION_LEAD_DAYS", "45"))  # lead time quoted by default
GENDAN_QUOTATION_MARGIN_PCT = os.environ.get("GENDAN_QUOTATION_MARGIN_PCT", "15")  # a new line's margin (of the price)
GENDAN_QUOTATION_OVERHEAD_PCT = os.environ.get("GENDAN_QUOTATION_OVERHEAD_PCT", "8")  # a new line's overheads
GENDAN_QUOTATION_EXPIRY_AT = os.environ.get("GENDAN_QUOTATION_EXPIRY_AT", "00:30")  # the daily job marking expired

# customer relations: working days before a survey's reminder, and when the daily reminders go out
GENDAN_SURVEY_REMIND_DAYS = int(os.environ.get("GENDAN_SURVEY_REMIND_DAYS", "7"))
GENDAN_SURVEY_REMINDERS_AT = os.environ.get("GENDAN_SURVEY_REMINDERS_AT", "09:00")

# office: unread notices followed up after N working days; supplier links valid N days; the daily summary e-mail
GENDAN_NOTICE_FOLLOW_UP_DAYS = int(os.environ.get("GENDAN_NOTICE_FOLLOW_UP_DAYS", "2"))
GENDAN_NOTICE_LINK_DAYS = int(os.environ.get("GENDAN_NOTICE_LINK_DAYS", "30"))
GENDAN_DAILY_SUMMARY_AT = os.environ.get("GENDAN_DAILY_SUMMARY_AT", "18:00")

# reports: the currency statistics are shown in (amounts converted at the stored monthly rates)
GENDAN_REPORTING_CURRENCY = os.environ.get("GENDAN_REPORTING_CURRENCY", "CNY")
