"""Settings, read from the environment.

DATABASE_URL     default: a SQLite file in the project folder; production:
                 postgres://postgres@127.0.0.1:5432/eig
DJANGO_SECRET_KEY  required when DJANGO_DEBUG is off; in debug a random key is kept in .secret_key
DJANGO_DEBUG     "1" (default) or "0"
DJANGO_ALLOWED_HOSTS  comma-separated, default "127.0.0.1,localhost"
TIME_ZONE        default Europe/Paris
"""

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"


def _secret_key() -> str:
    key = os.environ.get("DJANGO_SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0.")
    # A development key kept outside version control, so sessions survive a restart.
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "widget_tweaks",
    "dsfr",
    "django.forms",
    "django_filters",
    "django_fsm",
    "viewflow",
    "viewflow.workflow",
    "django_q",
    "accounts",
    "lifecycle",
    "notifications",
    "mentoring",
    "triggers",
    "cohort",
    "web",
    "backoffice",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "web.context_processors.navigation_menu",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a concurrent writer instead of failing at once with "database is locked".
    # Writers take the lock when their transaction begins, so two of them never deadlock
    # upgrading a read lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
    # A file, not shared memory, so that tests with several connections (workers) can run.
    # One file per test run, so that two runs on one machine do not share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"eig-test-{os.getpid()}.sqlite3")
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Background tasks: the ORM broker needs nothing installed; Redis is used when REDIS_URL is set.
Q_CLUSTER = {
    "name": "eig",
    # The queue's name; two deployments sharing one Redis need two names.
    "cluster_name": os.environ.get("Q_QUEUE", "eig"),
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": 120,
    "retry": 180,
    "catch_up": True,
    "label": "Tâches",
}
if os.environ.get("REDIS_URL"):
    Q_CLUSTER["redis"] = os.environ["REDIS_URL"]
else:
    Q_CLUSTER["orm"] = "default"

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

EMAIL_HOST = os.environ.get("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "1025"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Programme EIG <entrepreneur-interet-general@data.gouv.fr>"
)

# Every message also goes to the programme team (empty: no copy).
NOTIFICATIONS_TEAM_EMAIL = os.environ.get(
    "NOTIFICATIONS_TEAM_EMAIL", "entrepreneur-interet-general@data.gouv.fr"
)
# Delays (seconds) before each new attempt after a temporary failure; then the message fails.
NOTIFICATIONS_RETRY_DELAYS = [60, 300, 900, 3600, 4 * 3600]
# A message still "sending" after this long was abandoned by a worker that stopped.
NOTIFICATIONS_SENDING_TIMEOUT = 600

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Triggers (docs/triggers.md): the work that follows a move or a date of a call.
# A mentor confirmation task still open after this many days sends a reminder.
MENTORING_TASK_REMINDER_DAYS = int(os.environ.get("MENTORING_TASK_REMINDER_DAYS", "7"))
# Reminders to administrations whose dossier is still a draft, this many days before the deadline.
SUBMISSION_REMINDER_DAYS = [7, 1]
# Cohort sessions: planned this many days before the promotion starts, every COHORT_SESSION_EVERY_DAYS
# days, at these hours (Paris), with a reminder this many days before each one.
COHORT_PLANNING_LEAD_DAYS = 14
COHORT_SESSION_EVERY_DAYS = 14
COHORT_SESSION_HOURS = ("14:00", "17:30")
COHORT_SESSION_PLACE = "Etalab, 20 avenue de Ségur, 75007 Paris"
COHORT_SESSION_REMINDER_DAYS = int(os.environ.get("COHORT_SESSION_REMINDER_DAYS", "2"))
