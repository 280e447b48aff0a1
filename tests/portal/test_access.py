"""Only an administration's contact reaches the portal, and only for its own challenges."""

import pytest
from django.urls import reverse

from accounts.enums import Role
from lifecycle.models import AuditEvent
from tests.factories import (
    AdministrationFactory,
    ChallengeFactory,
    administration_contact,
    programme_manager,
    user_with_role,
)

STEPS = [
    "administration",
    "description",
    "missions",
    "equipe",
    "ressources",
    "financement",
    "contacts",
    "presentation",
    "recapitulatif",
]


def dossier_urls(challenge):
    return [
        reverse("portal:dossier", args=[challenge.pk]),
        reverse("portal:dossier_submit", args=[challenge.pk]),
        reverse("portal:pitch_deck", args=[challenge.pk]),
        *(reverse("portal:dossier_step", args=[challenge.pk, step]) for step in STEPS),
    ]


def test_another_administrations_contact_gets_404_everywhere(client, db):
    challenge = ChallengeFactory()
    client.force_login(administration_contact(AdministrationFactory()))
    problem = challenge.problem
    for url in dossier_urls(challenge):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"problem": "Piraté", "action": "draft"}).status_code == 404, url
    challenge.refresh_from_db()
    assert (challenge.problem, challenge.state) == (problem, "draft")
    assert not AuditEvent.objects.filter(challenge=challenge).exists()


def test_the_administrative_carriers_contact_sees_the_dossier(client, db):
    carrier = AdministrationFactory()
    challenge = ChallengeFactory(administrative_carrier=carrier)
    client.force_login(administration_contact(carrier))
    assert client.get(reverse("portal:dossier", args=[challenge.pk])).status_code == 200
    assert challenge.name in client.get(reverse("portal:dossiers")).content.decode()


def test_an_unknown_step_is_404(contact_client, contact):
    challenge = ChallengeFactory(administration=contact.profile.administration)
    assert (
        contact_client.get(reverse("portal:dossier_step", args=[challenge.pk, "inconnue"])).status_code == 404
    )


def test_the_list_shows_only_the_administrations_dossiers(contact_client, contact):
    own = ChallengeFactory(administration=contact.profile.administration)
    other = ChallengeFactory()
    page = contact_client.get(reverse("portal:dossiers")).content.decode()
    assert own.name in page and other.name not in page


@pytest.mark.parametrize(
    "make_user",
    [
        programme_manager,
        lambda: user_with_role(Role.AUDITOR),
        lambda: user_with_role(Role.JURY_MEMBER),
        lambda: user_with_role(Role.MENTOR),
    ],
)
def test_other_roles_get_404_on_the_portal(client, db, make_user):
    challenge = ChallengeFactory()
    client.force_login(make_user())
    for url in [reverse("portal:dossiers"), reverse("portal:dossier_create"), *dossier_urls(challenge)]:
        assert client.get(url).status_code == 404, url


def test_anonymous_users_are_sent_to_the_login_page(client, db):
    challenge = ChallengeFactory()
    for url in [reverse("portal:dossiers"), reverse("portal:dossier_create"), *dossier_urls(challenge)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith(reverse("login") + "?next="), url
