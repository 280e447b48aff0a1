"""`make run`: the printing mail server and the application use the same address whatever the
environment says, and the e-mails' links the address served."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_make_run_gives_the_application_the_mail_server_and_the_address_it_serves():
    environment = {
        **os.environ,
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": "9999",
        "SITE_URL": "http://x",
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    printed = subprocess.run(
        ["make", "-s", "mail-settings", "SMTP_DEBUG=127.0.0.1:2599", "HOST=127.0.0.1:8123"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    assert printed.split() == ["127.0.0.1", "2599", "http://127.0.0.1:8123"]
