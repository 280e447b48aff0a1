"""The settings module as a deployment reads it: production unless told otherwise, and refused at
start-up when a production setting is missing or unsafe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRINT = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DEBUG, settings.ALLOWED_HOSTS)"
)
OWN = ("DJANGO_", "AUDIT_", "REDIS_URL", "CACHE_URL", "DATABASE_")
PRODUCTION = {
    "DJANGO_SECRET_KEY": "Qm3v9XcT1pLr8sWz4YkB7nHd2GfJ6aUe0oRi5tNq_LbV-yZxCwMs",
    "AUDIT_HMAC_KEY": "hX7kP2qLw9Rv4TzB1mNc8YsD3fGj6uKa",
    "DJANGO_ALLOWED_HOSTS": "eig.example.gouv.fr,api.example.gouv.fr",
    "DATABASE_URL": "postgres://eig_app@db.example.gouv.fr:5432/eig",
    "REDIS_URL": "redis://cache.example.gouv.fr:6379/0",
}


def run(tmp_path, command, **variables):
    env = {key: value for key, value in os.environ.items() if not key.startswith(OWN)}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings", DJANGO_ENV_FILE=str(tmp_path / "no.env"), **variables
    )
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)


def settings_of(tmp_path, **variables):
    return run(tmp_path, [sys.executable, "-c", PRINT], **variables)


def test_production_by_default_and_every_missing_setting_named_at_start_up(tmp_path):
    done = settings_of(tmp_path)
    assert done.returncode != 0
    message = done.stderr.split("ImproperlyConfigured: ", 1)[1]
    assert message.splitlines() == [
        "Configuration de production incomplète ou dangereuse :",
        "- DJANGO_SECRET_KEY doit être défini, long d’au moins 50 caractères et tiré au hasard "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))').",
        "- AUDIT_HMAC_KEY doit être défini (32 caractères au moins, tirés au hasard : "
        "python -c 'import secrets; print(secrets.token_urlsafe(48))').",
        "- DJANGO_ALLOWED_HOSTS doit nommer le ou les domaines du site (séparés par des virgules).",
        "- DATABASE_URL désigne SQLite : en production, utilisez PostgreSQL (ou dites-le avec "
        "DJANGO_ALLOW_SQLITE=1 pour une installation d’une seule personne).",
        "- REDIS_URL (ou CACHE_URL) doit être défini : les workers doivent partager le cache "
        "(limitation des connexions, dernière vérification du journal).",
    ]


@pytest.mark.parametrize("weak", ["django-insecure-" + "x1y2z3" * 7, "k" * 60, "court"])
def test_a_weak_secret_key_is_refused(tmp_path, weak):
    done = settings_of(tmp_path, **{**PRODUCTION, "DJANGO_SECRET_KEY": weak})
    assert "DJANGO_SECRET_KEY doit être défini, long d’au moins 50 caractères" in done.stderr


@pytest.mark.parametrize("weak", ["a" * 40, "abababababababababababababababababab", "court"])
def test_a_weak_audit_key_is_refused(tmp_path, weak):
    done = settings_of(tmp_path, **{**PRODUCTION, "AUDIT_HMAC_KEY": weak})
    assert "AUDIT_HMAC_KEY doit être défini (32 caractères au moins" in done.stderr


COOKIES = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SESSION_COOKIE_AGE, s.LANGUAGE_COOKIE_SECURE, s.LANGUAGE_COOKIE_HTTPONLY, "
    "s.LANGUAGE_COOKIE_SAMESITE, s.CONTENT_SECURITY_POLICY['DIRECTIVES'].get('report-uri'))"
)


def test_cookies_last_a_working_day_and_the_policy_reports_where_told(tmp_path):
    done = run(tmp_path, [sys.executable, "-c", COOKIES], **PRODUCTION)
    assert done.stdout.split() == ["43200", "True", "True", "Lax", "None"], done.stderr
    told = run(
        tmp_path,
        [sys.executable, "-c", COOKIES],
        **PRODUCTION,
        DJANGO_SESSION_HOURS="8",
        DJANGO_CSP_REPORT_URI="https://csp.example.gouv.fr/report",
    )
    assert told.stdout.split() == ["28800", "True", "True", "Lax", "['https://csp.example.gouv.fr/report']"]


def test_production_settings_from_the_environment(tmp_path):
    done = settings_of(tmp_path, **PRODUCTION)
    assert done.stdout.split(maxsplit=1) == ["False", "['eig.example.gouv.fr', 'api.example.gouv.fr']\n"], (
        done.stderr
    )


@pytest.mark.parametrize("proxy", [False, True])
def test_the_deployment_checklist_finds_nothing_to_say(tmp_path, proxy):
    variables = {**PRODUCTION, **({"DJANGO_TRUST_PROXY_HEADER": "1"} if proxy else {})}
    done = run(
        tmp_path, [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], **variables
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert done.stdout.strip() == "System check identified no issues (0 silenced)."


@pytest.mark.parametrize(("line", "debug"), [("DJANGO_DEBUG=1", "True"), ("DJANGO_DEBUG=0", "False")])
def test_a_dot_env_file_turns_debug_on_and_the_environment_wins_over_it(tmp_path, line, debug):
    (tmp_path / "no.env").write_text(f"{line}\n")
    assert settings_of(tmp_path, **PRODUCTION).stdout.split()[0] == debug
    assert settings_of(tmp_path, **PRODUCTION, DJANGO_DEBUG="0").stdout.split()[0] == "False"
