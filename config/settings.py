"""Settings, read from the environment through django-environ (README: "Configuration", and
docs/deployment.md for production).

One module for every deployment: production is the default (debug off, HTTPS only, secure
cookies, a Content-Security-Policy, sign-in throttling), and start-up refuses a production
configuration that is missing or unsafe, naming every problem. `make run` turns debug on for the
demo (`.env`). Test-only settings live in `config.test_settings`. A `.env` file in the project
folder (or the file DJANGO_ENV_FILE names), if there is one, is read first; the environment wins.
"""

import datetime as dt
import secrets
from pathlib import Path

import environ
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(env.str("DJANGO_ENV_FILE", default=str(BASE_DIR / ".env")), overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
PRODUCTION_PROBLEMS = []  # what start-up refuses when debug is off, said all at once


def _development_secret(name: str) -> str:
    """A development key kept outside version control, so sessions (and the audit chain) survive
    a restart of the development server."""
    path = BASE_DIR / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = _development_secret(".secret_key")
elif len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
    PRODUCTION_PROBLEMS.append(
        "DJANGO_SECRET_KEY doit être défini, long d’au moins 50 caractères et tiré au hasard "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

# The key of the audit trail's hash chain (HMAC-SHA256): without it nobody can re-hash a rewritten
# trail so that it verifies. Kept in the environment, never in the database.
AUDIT_HMAC_KEY = env.str("AUDIT_HMAC_KEY", default="")
if not AUDIT_HMAC_KEY and DEBUG:
    AUDIT_HMAC_KEY = _development_secret(".audit_key")
elif len(AUDIT_HMAC_KEY) < 32 or len(set(AUDIT_HMAC_KEY)) < 10:
    PRODUCTION_PROBLEMS.append(
        "AUDIT_HMAC_KEY doit être défini (32 caractères au moins, tirés au hasard : "
        "python -c 'import secrets; print(secrets.token_urlsafe(48))')."
    )

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
if not ALLOWED_HOSTS:
    PRODUCTION_PROBLEMS.append(
        "DJANGO_ALLOWED_HOSTS doit nommer le ou les domaines du site (séparés par des virgules)."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "widget_tweaks",
    "dsfr",
    "django.forms",
    "django_filters",
    "django_fsm",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
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
    "jury",
    "importing",
    "demarches",
    "opendata",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "webhooks",
    "demo",
    "web",
    "backoffice",
    "portal",
    "conversations",
]

# Every right is a predicate of `rules` (the apps' rules.py); axes refuses a locked-out sign-in
# first; the password backend signs people in and grants no permission (accounts.backends).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "accounts.backends.PasswordBackend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "web.uploads.RequestSizeLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
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

# The database the application works in. In production on PostgreSQL it connects with a role
# that owns neither the tables nor their triggers; migrations run with the owner's
# DATABASE_OWNER_URL (docs/deployment.md).
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DATABASE_OWNER_URL = env.str("DATABASE_OWNER_URL", default="")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a concurrent writer instead of failing at once with "database is locked".
    # Writers take the lock when their transaction begins, so two of them never deadlock
    # upgrading a read lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")
    if not env.bool("DJANGO_ALLOW_SQLITE", default=DEBUG):
        PRODUCTION_PROBLEMS.append(
            "DATABASE_URL désigne SQLite : en production, utilisez PostgreSQL "
            "(ou dites-le avec DJANGO_ALLOW_SQLITE=1 pour une installation d’une seule personne)."
        )

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

# Static files: collected by `make serve`, served compressed and cache-busted by whitenoise.
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Uploads (pitch decks): never under the static files, never served by a URL of their own (the
# pages check who may read them). On S3-compatible object storage when DJANGO_S3_BUCKET is set.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "media/"
# django-dsfr links its stylesheets with the checksums of the files it ships; the production
# storage rewrites the URLs inside them (hashed names), so those checksums no longer match and a
# browser would refuse the design system's CSS. We serve the files ourselves: no checksum then.
DSFR_USE_INTEGRITY_CHECKSUMS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "web.storage.StaticFilesStorage"
    },
}
if env.str("DJANGO_S3_BUCKET", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("DJANGO_S3_BUCKET"),
            "endpoint_url": env.str("DJANGO_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("DJANGO_S3_REGION", default="") or None,
            "access_key": env.str("DJANGO_S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("DJANGO_S3_SECRET_KEY", default="") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# Larger uploads go to a temporary file, never into memory; a request body above the limit is
# refused before it is read (web.uploads).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
UPLOAD_MAX_BYTES = 20 * 1024 * 1024

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Cache (throttling counters, the audit's last verification): Redis when configured, shared by
# every worker and machine; the process's memory otherwise (one process only).
REDIS_URL = env.str("REDIS_URL", default="")
if env.str("CACHE_URL", default=""):
    CACHES = {"default": env.cache_url("CACHE_URL")}
elif REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if not DEBUG and not env.bool("DJANGO_SINGLE_PROCESS", default=False):
        PRODUCTION_PROBLEMS.append(
            "REDIS_URL (ou CACHE_URL) doit être défini : les workers doivent partager le cache "
            "(limitation des connexions, dernière vérification du journal)."
        )
# Sessions in the database, read through the cache: shared by every web machine.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

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
    # Several clusters may run on one broker: only those with Q_SCHEDULER (default yes) run the
    # schedules (docs/deployment.md: one scheduler).
    "scheduler": env.bool("Q_SCHEDULER", default=True),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
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

# Webhooks (webhooks/): seconds before each new attempt of a delivery that failed, then it fails
# for good; a request's time-out; a delivery "sending" this long (its worker died) is sent again.
WEBHOOKS_RETRY_DELAYS = [30, 120, 600, 3600, 6 * 3600, 24 * 3600]
WEBHOOKS_TIMEOUT = env.float("WEBHOOKS_TIMEOUT", default=10)
WEBHOOKS_SENDING_TIMEOUT = 120
# Plain http:// addresses only where nothing leaves the machine (development, tests).
WEBHOOKS_ALLOW_HTTP = env.bool("WEBHOOKS_ALLOW_HTTP", default=DEBUG)
# Addresses inside the programme's network (loopback, private, link-local): refused to webhooks
# but in development, where the receivers run on this machine.
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=DEBUG)
# Delivered and failed deliveries are deleted after this many days (their bodies hold messages).
WEBHOOKS_KEEP_DAYS = env.int("WEBHOOKS_KEEP_DAYS", default=90)
# The demo's webhook: the receiver `make run` serves, and where `manage.py demo` writes the
# webhook's secret for it.
DEMO_WEBHOOK_URL = env.str("DEMO_WEBHOOK_URL", default="http://127.0.0.1:8766/webhook")
DEMO_WEBHOOK_SECRET_FILE = BASE_DIR / ".demo-webhook-secret"

# The REST API (api/): tokens only, a rate per token, the OpenAPI document by drf-spectacular.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.access.BearerToken"],
    "DEFAULT_PERMISSION_CLASSES": ["api.access.TokenScope"],
    "DEFAULT_THROTTLE_RATES": {"token": env.str("API_RATE", default="120/min")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API du programme Entrepreneur·e d’Intérêt Général",
    "DESCRIPTION": "Promotions, défis (dossier, état, historique, changements d’état), journal d’audit ; "
    "pour les chargé·es de programme, classement du jury et candidatures. "
    "Un jeton par personne (Authorization: Bearer eig_…), créé depuis son compte.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Two "state" fields, two sets of states: each its own name in the document.
    "ENUM_NAME_OVERRIDES": {
        "ChallengeStateEnum": "lifecycle.enums.ChallengeState",
        "ApplicationStateEnum": "recruitment.enums.ApplicationState",
    },
}

# démarches-simplifiées' GraphQL API (demarches/): its address (the platform was renamed: a
# setting), the token of an administrator of the démarches (never logged), the time a request may take.
DS_API_URL = env.str("DS_API_URL", default="https://www.demarches-simplifiees.fr/api/v2/graphql")
DS_API_TOKEN = env.str("DS_API_TOKEN", default="")
DS_TIMEOUT = env.float("DS_TIMEOUT", default=30.0)
DS_RETRY_BACKOFF = env.float("DS_RETRY_BACKOFF", default=1.0)  # seconds before the 2nd try, doubling

# data.gouv.fr's API (opendata/, `manage.py opendata publish`): its address (the demo platform's
# for a trial), the API key of a member of the organisation that publishes the dataset (sent in
# the X-API-KEY header only, never logged nor shown), the dataset's id, the time a request may take.
DATAGOUV_API_URL = env.str("DATAGOUV_API_URL", default="https://www.data.gouv.fr/api/1")
DATAGOUV_API_KEY = env.str("DATAGOUV_API_KEY", default="")
DATAGOUV_DATASET_ID = env.str("DATAGOUV_DATASET_ID", default="")
DATAGOUV_TIMEOUT = env.float("DATAGOUV_TIMEOUT", default=30.0)

# The audit chain's head, published every day outside the database (lifecycle.anchoring): a
# folder the database's users cannot write, or an object store's prefix ("s3://bucket/prefix").
AUDIT_ANCHOR_LOCATION = env.str("AUDIT_ANCHOR_LOCATION", default=str(BASE_DIR / "audit-anchors"))
# Who receives it besides the active auditors (addresses outside the programme's database).
AUDIT_ANCHOR_EMAILS = env.list("AUDIT_ANCHOR_EMAILS", default=[])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# Security ----------------------------------------------------------------------------------------
# HTTPS only in production (behind a TLS proxy: DJANGO_TRUST_PROXY_HEADER=1 trusts its
# X-Forwarded-Proto); HSTS for a year with subdomains and preload; secure, HttpOnly, SameSite
# cookies; no framing; no MIME sniffing; the referrer to our own pages only.
TRUST_PROXY_HEADER = env.bool("DJANGO_TRUST_PROXY_HEADER", default=False)
# The proxies whose X-Forwarded-For is believed (web.addresses): addresses or networks.
TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=["127.0.0.1", "::1"])
if TRUST_PROXY_HEADER:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = env.bool("DJANGO_USE_X_FORWARDED_HOST", default=False)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
# A working day: a session left open on a shared computer ends by the next morning.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_HOURS", default=12) * 3600
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Content-Security-Policy: scripts and styles from this site only (the design system's scripts
# carry the request's nonce); no inline script anywhere. Inline style *attributes* are allowed:
# the design system's stepper sets its CSS variables there, and an attribute cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Where browsers report what the policy blocked (optional: a collector of the deployment's).
if env.str("DJANGO_CSP_REPORT_URI", default=""):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = [env.str("DJANGO_CSP_REPORT_URI")]

# Sign-in throttling (django-axes): 5 failures lock the account, and the address, for 15
# minutes; a success clears the failures. Behind a proxy, the client's address is the right-most
# X-Forwarded-For entry that is not one of DJANGO_TRUSTED_PROXIES (web.addresses).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "web.throttle.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "web.addresses.client_ip"
# Other requests that could be tried in a loop (password reset, invitation links): per address
# and per account, at most this many in this window (web.throttle).
THROTTLE_LIMIT = env.int("THROTTLE_LIMIT", default=5)
THROTTLE_WINDOW = dt.timedelta(minutes=env.int("THROTTLE_WINDOW_MINUTES", default=60))

if not DEBUG and PRODUCTION_PROBLEMS:
    raise ImproperlyConfigured(
        "Configuration de production incomplète ou dangereuse :\n- " + "\n- ".join(PRODUCTION_PROBLEMS)
    )

# The programme's calendar rules (reminder days and hours, the cohort sessions' rhythm, hours and
# place, the mentor tasks' reminder) are fields of each promotion's call, not settings.
