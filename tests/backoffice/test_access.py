import pytest
from django.urls import reverse

from accounts.enums import Role
from accounts.services import create_user
from lifecycle.actors import SYSTEM
from tests.factories import ChallengeFactory


def back_office_urls(challenge):
    pk = challenge.pk
    return [
        ("get", reverse("backoffice:dashboard")),
        ("get", reverse("backoffice:challenges")),
        ("get", reverse("backoffice:challenges_export", args=["csv"])),
        ("get", reverse("backoffice:challenges_export", args=["xlsx"])),
        ("post", reverse("backoffice:bulk_transition")),
        ("get", reverse("backoffice:challenge", args=[pk])),
        ("post", reverse("backoffice:challenge_transition", args=[pk, "withdraw"])),
        ("get", reverse("backoffice:pitch_deck", args=[pk])),
    ]


@pytest.mark.parametrize("role", [Role.ADMINISTRATION_CONTACT, Role.AUDITOR, Role.JURY_MEMBER, Role.MENTOR])
def test_other_roles_get_404_on_every_manager_page(client, db, role):
    challenge = ChallengeFactory()
    administration = challenge.administration if role == Role.ADMINISTRATION_CONTACT else None
    client.force_login(create_user("quelquun", by=SYSTEM, role=role, administration=administration))

    for method, url in back_office_urls(challenge):
        response = getattr(client, method)(url, {"transition": "withdraw", "challenges": [challenge.pk]})
        assert response.status_code == 404, (role, url)
    challenge.refresh_from_db()
    assert challenge.state == "draft"


def test_anonymous_is_sent_to_the_login_page(client, db):
    challenge = ChallengeFactory()
    login = reverse("login")
    for method, url in back_office_urls(challenge):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{login}?next="), url


def test_the_pitch_deck_is_streamed_to_managers(manager_client):
    challenge = ChallengeFactory()
    response = manager_client.get(reverse("backoffice:pitch_deck", args=[challenge.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_challenge_without_pitch_deck_has_none_to_stream(manager_client):
    challenge = ChallengeFactory(pitch_deck="")
    assert manager_client.get(reverse("backoffice:pitch_deck", args=[challenge.pk])).status_code == 404


def test_unknown_export_format_is_404(manager_client):
    assert manager_client.get(reverse("backoffice:challenges_export", args=["pdf"])).status_code == 404
