"""The production storage (whitenoise's hashed, compressed files): every stylesheet and script a
page links exists among the collected files, and a checksum the page gives matches the file."""

import base64
import hashlib
import re

from django.core.management import call_command

LINKED = re.compile(
    r'<(?:link rel="stylesheet"|script[^>]*?)\s+(?:href|src)="([^"]+)"\s*(?:integrity="([^"]+)")?'
)


def test_the_pages_link_the_collected_files_with_matching_checksums(client, settings, tmp_path, db):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "web.storage.StaticFilesStorage"}}
    call_command("collectstatic", interactive=False, verbosity=0)

    html = client.get("/compte/connexion/").content.decode()
    linked = [(href, integrity) for href, integrity in LINKED.findall(html) if href.startswith("/static/")]
    assert any("dsfr.min." in href for href, _integrity in linked), html
    for href, integrity in linked:
        collected = tmp_path / href.removeprefix("/static/")
        assert collected.is_file(), href
        if integrity:
            algorithm, expected = integrity.split("-", 1)
            digest = base64.b64encode(hashlib.new(algorithm, collected.read_bytes()).digest()).decode()
            assert digest == expected, href
