"""French first, English on request, through Django's i18n and the compiled catalogue."""

from pathlib import Path

import polib
from django.conf import settings
from django.urls import reverse

from accounts.enums import Role
from accounts.services import create_user
from lifecycle.actors import SYSTEM


def test_pages_are_french_by_default(client, db):
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="fr"' in page
    assert ">Identifiant</label>" in page


def test_the_language_switch_turns_the_interface_to_english(client, db):
    client.force_login(create_user("gestionnaire", by=SYSTEM, role=Role.PROGRAMME_MANAGER))
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("backoffice:dashboard")}
    )
    assert response.status_code == 302
    page = client.get(reverse("backoffice:dashboard")).content.decode()
    assert '<html lang="en"' in page
    assert "Tableau de bord" not in page
    assert ">Français</button>" in page


def test_the_sign_in_page_in_english(client, db):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">Username</label>" in page


def test_the_english_catalogue_translates_every_message():
    """`make install` compiles it; a French text added without its English stays French in English."""
    catalogue = polib.pofile(str(Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in catalogue if not entry.translated() or "fuzzy" in entry.flags]
    assert missing == []
