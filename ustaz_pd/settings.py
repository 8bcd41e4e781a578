"""Settings for Ustaz PD: one module, configured from the environment (django-environ).

With no environment at all it runs locally on SQLite under var/ with a Celery broker that
needs no server; DATABASE_URL, CELERY_BROKER_URL, CACHE_URL and EMAIL_URL switch it to
PostgreSQL, Redis and SMTP in production.
"""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Management commands (migrate, makemigrations, ...) run without a key; the web entry points
# (wsgi.py, asgi.py) refuse to serve without one unless DEBUG, and `check --deploy` flags it.
SECRET_KEY_SET = bool(env("SECRET_KEY", default=""))
SECRET_KEY = env("SECRET_KEY", default="") or "django-insecure-local-only-key"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "django_filters",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "apps.core",
    "apps.organizations",
    "apps.accounts",
    "apps.teachers",
    "apps.courses",
    "apps.certificates",
    "apps.attestation",
    "apps.leaders",
    "apps.reports",
    "apps.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "apps.accounts.middleware.InterfaceLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "apps.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "ustaz_pd.urls"
WSGI_APPLICATION = "ustaz_pd.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the Celery worker write while the web process reads.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
else:
    # Server-side cursors cost three round trips per .iterator() (every choice list of a
    # filter form); large reads page through ids instead (exports.in_chunks).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: the reports' queries run for tens of milliseconds over tens of
    # thousands of rows, where PostgreSQL's cost estimate starts compiling them and the
    # compiling takes longer than the query (the dashboard's drill-down: 175 of 450 ms).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://ustaz-pd")}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "apps.accounts.backends.AccountBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: e-mail is the login; a new account must confirm its address before it
# is linked to the teacher record that carries the same e-mail.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_ADAPTER = "apps.accounts.adapter.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("LOGIN_FAILED_RATE_LIMIT", default="10/m/ip,5/5m/key"),
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Ustaz PD] "

LANGUAGE_CODE = "kk"
LANGUAGES = [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")]
# Our own catalogue first; locale_vendor/ holds the Kazakh texts of
# Django and django-allauth that our pages show, which makemessages never rewrites.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
FORMAT_MODULE_PATH = ["ustaz_pd.formats"]
LANGUAGE_COOKIE_NAME = "ustaz_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "Asia/Almaty"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # Private files: never under a public URL, served by permission-checking views.
        "OPTIONS": {"location": env("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))},
    },
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        ),
    },
}

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Ustaz PD <noreply@ustaz-pd.kz>")

# Celery: Redis in production; the filesystem transport (no server) for the local run.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery"
    for sub in ("queue", "processed", "control"):
        (_queue_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "course-reminders": {
        "task": "apps.courses.tasks.run_reminders_send_task",
        "schedule": crontab(hour=8, minute=0),
    },
    "category-expiry": {
        "task": "apps.attestation.tasks.category_expiry_notify_task",
        "schedule": crontab(hour=7, minute=30),
    },
    # The 2nd and 3rd only catch up a summary the 1st did not send (beat or worker down):
    # each subscription is sent once a month whichever run gets to it.
    "monthly-report-summary": {
        "task": "apps.reports.tasks.monthly_summaries_send_task",
        "schedule": crontab(day_of_month="1-3", hour=6, minute=0),
    },
}
# Months before a category expires when the teacher and the school are told (once each).
CATEGORY_EXPIRY_NOTICE_MONTHS = env.list(
    "CATEGORY_EXPIRY_NOTICE_MONTHS", cast=int, default=[12, 6, 3]
)

# Security: strict unless DEBUG; `check --deploy` passes with production variables.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env.bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Domain settings that change by decision, not by code.
TEACHER_LIST_PAGE_SIZE = env.int("TEACHER_LIST_PAGE_SIZE", default=25)
TEACHER_IMPORT_MAX_BYTES = env.int("TEACHER_IMPORT_MAX_BYTES", default=30 * 2**20)
# Files larger than this (about 300 rows) are checked and applied by the Celery worker.
TEACHER_IMPORT_INLINE_BYTES = env.int("TEACHER_IMPORT_INLINE_BYTES", default=48 * 2**10)
# Exports with more rows than this are built by the Celery worker.
TEACHER_EXPORT_INLINE_ROWS = env.int("TEACHER_EXPORT_INLINE_ROWS", default=5000)
# The public address printed in certificate QR codes (the verification page lives under it).
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
# Days before a run starts when its participants get the "starting soon" e-mail.
COURSE_REMINDER_DAYS = env.int("COURSE_REMINDER_DAYS", default=3)
# Verification look-ups one address may make per minute (against enumerating codes).
CERTIFICATE_VERIFY_RATE = env("CERTIFICATE_VERIFY_RATE", default="20/m")
# Behind a reverse proxy, the header that holds the client's address (for that limit),
# e.g. HTTP_X_REAL_IP; by default the connection's own address.
RATELIMIT_IP_META_KEY = env("RATELIMIT_IP_META_KEY", default=None)
EXTERNAL_PD_MAX_BYTES = env.int("EXTERNAL_PD_MAX_BYTES", default=10 * 2**20)
PORTFOLIO_MAX_BYTES = env.int("PORTFOLIO_MAX_BYTES", default=10 * 2**20)
# Spreadsheets of test results or selection scores.
RESULTS_IMPORT_MAX_BYTES = env.int("RESULTS_IMPORT_MAX_BYTES", default=10 * 2**20)
DEMO_PASSWORD = env("DEMO_PASSWORD", default="ustaz-demo-2026")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
