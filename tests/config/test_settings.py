"""The settings module as a deployment reads it: production unless told otherwise."""

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


def settings_of(tmp_path, **variables):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key not in ("DATABASE_URL",)
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings", DJANGO_ENV_FILE=str(tmp_path / "no.env"), **variables
    )
    return subprocess.run([sys.executable, "-c", PRINT], cwd=ROOT, env=env, capture_output=True, text=True)


def test_debug_is_off_and_a_secret_key_is_required_by_default(tmp_path):
    done = settings_of(tmp_path)
    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY doit être défini quand DJANGO_DEBUG est désactivé (production)." in done.stderr


def test_production_settings_from_the_environment(tmp_path):
    done = settings_of(
        tmp_path, DJANGO_SECRET_KEY="x" * 50, DJANGO_ALLOWED_HOSTS="eig.example.gouv.fr,api.example.gouv.fr"
    )
    assert done.stdout.split(maxsplit=1) == ["False", "['eig.example.gouv.fr', 'api.example.gouv.fr']\n"]


@pytest.mark.parametrize(("line", "debug"), [("DJANGO_DEBUG=1", "True"), ("DJANGO_DEBUG=0", "False")])
def test_a_dot_env_file_turns_debug_on_and_the_environment_wins_over_it(tmp_path, line, debug):
    (tmp_path / "no.env").write_text(f"{line}\n")
    assert settings_of(tmp_path, DJANGO_SECRET_KEY="x" * 50).stdout.split()[0] == debug
    assert settings_of(tmp_path, DJANGO_SECRET_KEY="x" * 50, DJANGO_DEBUG="0").stdout.split()[0] == "False"
