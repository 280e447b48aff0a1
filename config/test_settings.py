"""Settings of the test suite: the production module, with what only tests need.

pytest uses this module (pyproject.toml); nothing in production reads it. The suite runs the
production configuration (debug off), over plain HTTP (the test client and the live server), in
one process per test run.
"""

import os
import tempfile
from pathlib import Path

for name, value in {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "tests-only-" + "x" * 50,
    "AUDIT_HMAC_KEY": "tests-only-audit-key-" + "k" * 32,
    "DJANGO_ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    "DJANGO_ALLOW_SQLITE": "1",
    "DJANGO_SINGLE_PROCESS": "1",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_SECURE_COOKIES": "0",
}.items():
    os.environ.setdefault(name, value)

from config.settings import *  # noqa: E402,F403
from config.settings import DATABASES, STORAGES  # noqa: E402

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared memory, so that tests with several connections (workers) can run.
    # One file per test run, so that two runs on one machine do not share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"eig-test-{os.getpid()}.sqlite3")
    }

# Hashing passwords slowly protects real accounts, not test users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The static files are not collected for the tests: served from the apps, as in development.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
STATIC_ROOT = Path(tempfile.gettempdir()) / "eig-test-static"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
AUDIT_ANCHOR_LOCATION = str(Path(tempfile.gettempdir()) / f"eig-test-anchors-{os.getpid()}")

# Webhooks to the loopback receivers of the tests (plain http), answering quickly or not at all.
WEBHOOKS_ALLOW_HTTP = True
WEBHOOKS_ALLOW_PRIVATE = True  # the receivers are on loopback; tests of the refusal turn it off
# Each test process its own: the demo's tests read what their load wrote.
DEMO_WEBHOOK_SECRET_FILE = Path(tempfile.gettempdir()) / f"eig-test-demo-webhook-secret-{os.getpid()}"
WEBHOOKS_TIMEOUT = 2
