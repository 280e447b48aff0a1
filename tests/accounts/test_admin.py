"""People's accounts in the admin: what a programme manager may change, and the trail of it."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.enums import Role
from lifecycle.models import AuditEvent
from tests.factories import programme_manager, user_with_role
from tests.html_forms import form_data

User = get_user_model()
NEW_PASSWORD = "Pris-en-main-2018!"


@pytest.fixture
def manager(db, client):
    manager = programme_manager(username="gestionnaire", first_name="Camille", last_name="Lambert")
    client.force_login(manager)
    return manager


def set_password(client, person):
    return client.post(
        reverse("admin:auth_user_password_change", args=[person.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )


@pytest.mark.parametrize("role", [Role.PROGRAMME_MANAGER, Role.AUDITOR])
def test_a_manager_cannot_set_a_colleague_s_password(client, manager, role):
    colleague = user_with_role(role, username="collegue")
    assert client.get(reverse("admin:auth_user_password_change", args=[colleague.pk])).status_code == 403
    assert set_password(client, colleague).status_code == 403
    colleague.refresh_from_db()
    assert not colleague.check_password(NEW_PASSWORD)
    assert not AuditEvent.objects.filter(subject=f"user:{colleague.pk}").exists()


def test_a_password_set_for_someone_is_audited_and_never_written_down(client, manager):
    jury_member = user_with_role(Role.JURY_MEMBER, username="jure")
    assert set_password(client, jury_member).status_code == 302
    jury_member.refresh_from_db()
    assert jury_member.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(subject=f"user:{jury_member.pk}")
    # The subject names the account; no reason repeats its username (docs/personal-data.md).
    assert (event.kind, event.actor, event.reason, event.changes) == (
        "account_changed",
        manager,
        "",
        {"password": [None, "set"]},
    )
    assert NEW_PASSWORD not in str(event.changes) + event.reason


def test_a_manager_sets_their_own_password_audited(client, manager):
    assert set_password(client, manager).status_code == 302
    assert AuditEvent.objects.get(subject=f"user:{manager.pk}").changes == {"password": [None, "set"]}


def test_a_superuser_sets_a_manager_s_password(client, manager):
    root = User.objects.create_superuser("racine", "racine@data.gouv.fr", "Racine-2018-solide!")
    client.force_login(root)
    assert set_password(client, manager).status_code == 302
    assert AuditEvent.objects.get(subject=f"user:{manager.pk}").actor == root


def test_a_name_on_two_lines_is_refused(client, manager):
    mentor = user_with_role(Role.MENTOR, username="mentor", first_name="Jean")
    url = reverse("admin:auth_user_change", args=[mentor.pk])
    data = form_data(client.get(url).content.decode(), "user_form")
    data["first_name"] = "Jean\r\nBcc: victime@exemple.org"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Ce texte doit tenir sur une ligne, sans caractère de contrôle (trouvé : U+000A, U+000D)." in (
        response.content.decode()
    )
    mentor.refresh_from_db()
    assert mentor.first_name == "Jean"


def test_a_change_of_message_language_is_audited(client, manager):
    other = programme_manager(username="autre")
    url = reverse("admin:accounts_profile_change", args=[other.profile.pk])
    data = form_data(client.get(url).content.decode(), "profile_form")
    data["language"] = "en"
    assert client.post(url, data).status_code == 302
    other.profile.refresh_from_db()
    assert other.profile.language == "en"
    event = AuditEvent.objects.get(subject=f"user:{other.pk}")
    assert (event.kind, event.actor, event.changes) == (
        "account_changed",
        manager,
        {"language": ["fr", "en"]},
    )
