"""Settings, read from the environment through django-environ (README: "Configuration").

One module for every deployment: production is the default (DEBUG off, a secret key required);
`make run` turns debug on for the demo. Test-only settings live in `config.test_settings`.
A `.env` file in the project folder (or the file DJANGO_ENV_FILE names), if there is one, is read
first; the environment wins over it.
"""

import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(env.str("DJANGO_ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _secret_key() -> str:
    key = env.str("DJANGO_SECRET_KEY", default="")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY doit être défini quand DJANGO_DEBUG est désactivé (production)."
        )
    # A development key kept outside version control, so sessions survive a restart.
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

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
    "rules.apps.AutodiscoverRulesConfig",
    "viewflow",
    "viewflow.workflow",
    "django_q",
    "accounts",
    "lifecycle",
    "notifications",
    "mentoring",
    "triggers",
    "recruitment",
    "cohort",
    "importing",
    "demo",
    "web",
    "backoffice",
    "portal",
]

# Every right is a predicate of `rules` (the apps' rules.py); the password backend signs people
# in and grants no permission (accounts.backends).
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "accounts.backends.PasswordBackend",
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
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a concurrent writer instead of failing at once with "database is locked".
    # Writers take the lock when their transaction begins, so two of them never deadlock
    # upgrading a read lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")

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
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Background tasks: the ORM broker needs nothing installed; Redis is used when REDIS_URL is set.
Q_CLUSTER = {
    "name": "eig",
    # The queue's name; two deployments sharing one Redis need two names.
    "cluster_name": env.str("Q_QUEUE", default="eig"),
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": 120,
    "retry": 180,
    "catch_up": True,
    "label": "Tâches",
}
if env.str("REDIS_URL", default=""):
    Q_CLUSTER["redis"] = env.str("REDIS_URL")
else:
    Q_CLUSTER["orm"] = "default"

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

EMAIL_HOST = env.str("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=1025)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Programme EIG <entrepreneur-interet-general@data.gouv.fr>"
)

# Every message also goes to the programme team (empty: no copy).
NOTIFICATIONS_TEAM_EMAIL = env.str(
    "NOTIFICATIONS_TEAM_EMAIL", default="entrepreneur-interet-general@data.gouv.fr"
)
# Delays (seconds) before each new attempt after a temporary failure; then the message fails.
# Properties of the mail system, not of the programme: they stay settings.
NOTIFICATIONS_RETRY_DELAYS = [60, 300, 900, 3600, 4 * 3600]
# A message still "sending" after this long was abandoned by a worker that stopped.
NOTIFICATIONS_SENDING_TIMEOUT = 600

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# The programme's calendar rules (reminder days and hours, the cohort sessions' rhythm, hours and
# place, the mentor tasks' reminder) are fields of each promotion's call, not settings.
