import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from lifecycle.enums import ChallengeState
from lifecycle.models import AuditEvent
from tests.factories import ChallengeFactory, programme_manager

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("challenge", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_transition_prints_the_new_state(db):
    programme_manager(username="gestionnaire")
    challenge = ChallengeFactory(state=ChallengeState.SUBMITTED)

    out, _err = run(
        "transition", str(challenge.pk), "preselect", "--by", "gestionnaire", "--reason", "Dossier solide"
    )

    assert out == "preselected (Présélectionné)\n"
    assert AuditEvent.objects.get().reason == "Dossier solide"


def test_a_refused_transition_prints_the_reasons_and_fails(db):
    programme_manager(username="gestionnaire")
    challenge = ChallengeFactory(state=ChallengeState.SUBMITTED, name="Datafin")

    with pytest.raises(CommandError) as caught:
        run("transition", str(challenge.pk), "preselect", "--by", "gestionnaire")

    assert caught.value.returncode == 2
    assert not AuditEvent.objects.exists()


def test_unknown_challenge_and_user_are_clear_errors(db):
    programme_manager(username="gestionnaire")
    with pytest.raises(CommandError, match=r"Aucun défi n’a l’identifiant 999\."):
        run("transition", "999", "submit", "--by", "gestionnaire")
    challenge = ChallengeFactory()
    with pytest.raises(CommandError, match=r"Aucun utilisateur actif « personne »\."):
        run("transition", str(challenge.pk), "submit", "--by", "personne")


def test_the_command_line_exits_non_zero_with_the_reasons(tmp_path):
    """Through a real process, on a fresh SQLite file: what a script sees."""
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "PATH": "/usr/bin:/bin",
        "MEDIA_ROOT": str(tmp_path / "media"),
        # A production deployment's script (on SQLite, said so), no development .env.
        "DJANGO_SECRET_KEY": "a-script-secret-key-Qm3v9XcT1pLr8sWz4YkB7nHd2GfJ6aUe0oRi",
        "AUDIT_HMAC_KEY": "a-script-audit-key-hX7kP2qLw9Rv4TzB1m",
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DJANGO_ALLOW_SQLITE": "1",
        "DJANGO_SINGLE_PROCESS": "1",
        "DJANGO_ENV_FILE": str(tmp_path / "no.env"),
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    script = (
        "from tests.factories import ChallengeFactory, programme_manager;"
        "programme_manager(username='gestionnaire');"
        "print(ChallengeFactory(state='submitted', name='Datafin').pk)"
    )
    pk = subprocess.run(
        [*manage, "shell", "-c", script], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    ).stdout.split()[-1]

    refused = subprocess.run(
        [*manage, "challenge", "transition", pk, "select", "--by", "gestionnaire"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    moved = subprocess.run(
        [
            *manage,
            "challenge",
            "transition",
            pk,
            "reject",
            "--by",
            "gestionnaire",
            "--reason",
            "Hors périmètre",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )

    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        "« Sélectionner » refusé pour « Datafin » :",
        "- « Sélectionner » n’est pas possible depuis l’état « Déposé ».",
        "CommandError: transition refusée",
    ]
    assert (moved.returncode, moved.stdout) == (0, "not_preselected (Non présélectionné)\n")
