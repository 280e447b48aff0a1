"""A backup restored into a new database is the same trail: `audit verify` passes on it, and the
uploaded files it names come back with it (docs/operations.md)."""

import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from demo.pdfs import blank_pdf
from lifecycle import database, services
from lifecycle.dossier import edits
from lifecycle.models import AuditChainHead, Challenge
from tests.factories import ChallengeFactory, programme_manager

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def manage(*args, database_url, media_root):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DATABASE_OWNER_URL": "",
        "MEDIA_ROOT": str(media_root),
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture
def history(media_root):
    manager = programme_manager(username="gestionnaire")
    for number in range(3):
        challenge = ChallengeFactory(state="submitted", name=f"Défi n°{number}")
        services.transition(challenge, "preselect", by=manager, reason="Dossier solide")
    draft = ChallengeFactory(name="Avec présentation", pitch_deck=None, pitch_deck_pages=None)
    edits.attach_pitch_deck(draft, SimpleUploadedFile("p.pdf", blank_pdf(2)), by=manager)
    return AuditChainHead.objects.get(), Challenge.objects.get(pk=draft.pk).pitch_deck.name


def restore_media(media_root, tmp_path) -> Path:
    """The uploads, copied as a backup tool would (tar, rsync, an object store's replica)."""
    archive = shutil.make_archive(str(tmp_path / "media-backup"), "gztar", root_dir=media_root)
    restored = tmp_path / "media-restored"
    shutil.unpack_archive(archive, restored)
    return restored


def check_restored(url, head, deck, media):
    done = manage(
        "audit", "verify", "--head", f"{head.length}:{head.last_hash}", database_url=url, media_root=media
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"{head.length} événements vérifiés : chaîne intègre.",
        f"Les {head.length} premiers événements sont ceux de la tête publiée.",
    ]
    assert (media / deck).read_bytes() == blank_pdf(2)


def test_a_sqlite_backup_restored_verifies(history, media_root, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite way; PostgreSQL's is the next test")
    head, deck = history
    copy = tmp_path / "sauvegarde.sqlite3"
    with sqlite3.connect(connection.settings_dict["NAME"]) as live, sqlite3.connect(copy) as backup:
        live.backup(backup)  # SQLite's online backup: consistent while the application writes
    check_restored(f"sqlite:///{copy}", head, deck, restore_media(media_root, tmp_path))


def test_a_postgresql_dump_restored_into_a_new_database_verifies(
    postgresql_transactional, history, media_root, tmp_path
):
    head, deck = history
    owner = database.owner_settings() or connection.settings_dict
    base = ["-h", owner["HOST"] or "127.0.0.1", "-p", str(owner["PORT"] or 5432), "-U", owner["USER"]]
    dump = tmp_path / "eig.dump"
    subprocess.run(["pg_dump", *base, "-Fc", "-f", str(dump), connection.settings_dict["NAME"]], check=True)
    restored = f"eig_restore_{uuid.uuid4().hex[:8]}"
    subprocess.run(["createdb", *base, restored], check=True)
    try:
        subprocess.run(["pg_restore", *base, "--no-owner", "-d", restored, str(dump)], check=True)
        url = f"postgres://{owner['USER']}@{owner['HOST'] or '127.0.0.1'}:{owner['PORT'] or 5432}/{restored}"
        check_restored(url, head, deck, restore_media(media_root, tmp_path))
    finally:
        subprocess.run(["dropdb", *base, "--if-exists", restored], check=True)
    assert settings.AUDIT_HMAC_KEY  # the key travels with the deployment's secrets, not the dump
