"""The back office's people pages: the list with its filters and the invitations still open, the
invitations' history, a person's account page."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from accounts import invitations
from accounts.enums import Role
from accounts.services import create_user
from lifecycle.actors import SYSTEM
from tests.factories import AdministrationFactory

User = get_user_model()


@pytest.fixture
def manager(db):
    return create_user(
        "gestionnaire",
        by=SYSTEM,
        role=Role.PROGRAMME_MANAGER,
        email="claude.etalab@data.gouv.fr",
        first_name="Claude",
        last_name="Etalab",
    )


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def people(manager):
    ministry = AdministrationFactory(name="Ministère de la Culture")
    contact = create_user(
        "lou",
        by=manager,
        role=Role.ADMINISTRATION_CONTACT,
        administration=ministry,
        email="lou.martin@culture.gouv.fr",
        first_name="Lou",
        last_name="Martin",
    )
    mentor = create_user("sacha", by=manager, role=Role.MENTOR, email="sacha@example.fr", first_name="Sacha")
    # A sign-in in winter, in Paris time on the page.
    User.objects.filter(pk=contact.pk).update(last_login=dt.datetime(2026, 1, 15, 8, 5, tzinfo=dt.UTC))
    invitations.deactivate(mentor, by=manager)
    return {"contact": contact, "mentor": mentor, "ministry": ministry}


def rows_of(page: str, table_id: str) -> list[str]:
    table = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("</tr>")[:-1]]


def test_the_list_shows_each_person_with_role_administration_last_sign_in_and_state(
    manager_client, manager, people
):
    User.objects.filter(pk=manager.pk).update(last_login=dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC))
    page = manager_client.get(reverse("backoffice:people")).content.decode()
    assert rows_of(page, "people") == [
        "Claude Etalab gestionnaire claude.etalab@data.gouv.fr Chargé·e de programme (Etalab) — "
        "1 juillet 2026 à 14:00 Actif",
        "Lou Martin lou lou.martin@culture.gouv.fr Contact d’une administration Ministère de la Culture "
        "15 janvier 2026 à 09:05 Actif",
        "Sacha sacha sacha@example.fr Mentor — jamais Désactivé",
    ]
    assert '<a class="fr-nav__link" href="/gestion/personnes/" aria-current="page">Personnes</a>' in page


@pytest.mark.parametrize(
    ("query", "usernames"),
    [
        ({"role": Role.MENTOR}, ["sacha"]),
        ({"actif": "oui"}, ["gestionnaire", "lou"]),
        ({"actif": "non"}, ["sacha"]),
        ({"q": "martin lou"}, ["lou"]),
        ({"q": "EXAMPLE.fr"}, ["sacha"]),
        ({"q": "gestion", "role": Role.PROGRAMME_MANAGER, "actif": "oui"}, ["gestionnaire"]),
        ({"role": "inconnu"}, ["gestionnaire", "lou", "sacha"]),  # an invalid filter filters nothing
    ],
)
def test_filters_and_search(manager_client, people, query, usernames):
    response = manager_client.get(reverse("backoffice:people"), query)
    assert [person.username for person in response.context["page_obj"]] == usernames


def test_pending_invitations_are_listed_with_their_expiry_and_actions(
    manager_client, manager, people, smtp_server, django_capture_on_commit_callbacks
):
    start = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 30))
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=True):
        pending = invitations.invite("dominique@example.fr", role=Role.JURY_MEMBER, by=manager)
        revoked = invitations.invite("camille@example.fr", role=Role.AUDITOR, by=manager)
        invitations.revoke(revoked, by=manager)
    with time_machine.travel(start + dt.timedelta(days=1), tick=False):
        manager_client.force_login(manager)
        page = manager_client.get(reverse("backoffice:people")).content.decode()
        assert rows_of(page, "pending-invitations") == [
            "dominique@example.fr — Membre du jury — Claude Etalab (gestionnaire) "
            "1 envoi, le 2 mars 2026 à 10:30 En attente expire le 9 mars 2026 à 10:30 "
            "Renvoyer l’invitation de dominique@example.fr Révoquer l’invitation de dominique@example.fr"
        ]
        assert f'<input type="hidden" name="invitation" value="{pending.pk}">' in page
    with time_machine.travel(start + dt.timedelta(days=8), tick=False):
        manager_client.force_login(manager)
        page = manager_client.get(reverse("backoffice:invitations")).content.decode()
        statuses = re.findall(r'data-invitation="(\d+)" data-status="(\w+)"', page)
        assert statuses == [(str(revoked.pk), "revoked"), (str(pending.pk), "expired")]
        expired = manager_client.get(reverse("backoffice:invitations"), {"statut": "expired"})
        assert [row["invitation"] for row in expired.context["rows"]] == [pending]


def test_a_person_page_shows_the_account_and_its_history(manager_client, manager, people):
    contact = people["contact"]
    page = manager_client.get(reverse("backoffice:person"), {"personne": contact.pk}).content.decode()
    assert "<h1>Lou Martin</h1>" in page
    assert rows_of(page, "account")[:5] == [
        "Identifiant lou",
        "Adresse e-mail lou.martin@culture.gouv.fr",
        "Rôle Contact d’une administration",
        "Administration Ministère de la Culture",
        "Dernière connexion 15 janvier 2026 à 09:05",
    ]
    assert rows_of(page, "history")[0].endswith(
        "Changement de rôle d’une personne Claude Etalab (gestionnaire) "
        "Administration : — → devient Ministère de la Culture Rôle : — → devient Contact d’une administration"
    )
    assert 'id="deactivation-form"' in page


def test_the_account_history_reads_as_the_audit_page_does(
    manager, people, client, smtp_server, django_capture_on_commit_callbacks
):
    """Labels, not keys; Paris time; yes and no; roles by their labels; an account by its name."""
    from tests.accounts.test_invitations import PASSWORD, accept_through, path_of

    moment = dt.datetime(2026, 12, 1, 15, 29, 38, tzinfo=dt.UTC)
    with time_machine.travel(moment, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            invitations.invite(
                "alex@example.fr", role=Role.JURY_MEMBER, by=manager, first_name="Alex", last_name="Durand"
            )
        assert accept_through(client, path_of(smtp_server.messages[0]), password=PASSWORD).status_code == 302
    person = User.objects.get(username="alex@example.fr")
    invitations.deactivate(person, by=manager)
    client.force_login(manager)
    page = client.get(reverse("backoffice:person"), {"personne": person.pk}).content.decode()
    history = rows_of(page, "history")
    deactivated, accepted = history[0], next(row for row in history if "Invitation acceptée" in row)
    assert deactivated.endswith("Claude Etalab (gestionnaire) Actif : Oui → devient Non")
    assert accepted.endswith(
        "Alex Durand (alex@example.fr) Acceptée le : — → devient 1 décembre 2026 à 16:29 "
        "Compte créé : — → devient Alex Durand (alex@example.fr)"
    )
    role = next(row for row in history if "Changement de rôle" in row)
    assert role.endswith("Rôle : — → devient Membre du jury")
    for raw in ("accepted_at", "user:", "is_active", "jury_member", "∅", "+00:00", "True"):
        assert raw not in " ".join(history), raw


def test_revoking_asks_for_a_confirmation(
    manager_client, manager, people, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitations.invite("dominique@example.fr", role=Role.JURY_MEMBER, by=manager)
    page = manager_client.get(reverse("backoffice:people")).content.decode()
    # The list's button leads to a confirmation page: nothing is revoked in one click.
    links = re.findall(r'<a class="[^"]*" href="([^"]+)">Révoquer<span', page)
    assert len(links) == 1 and 'value="revoquer"' not in page
    confirm = manager_client.get(links[0].replace("&amp;", "&"))
    text = confirm.content.decode()
    assert confirm.status_code == 200
    assert "<h1>Révoquer l’invitation de dominique@example.fr</h1>" in text
    assert "La révocation est définitive" in text
    assert f'href="{reverse("backoffice:people")}">Annuler</a>' in text

    # Without the box ticked, nothing happens and the page says why, at the same address.
    form = re.search(r'<form method="post" action="([^"]+)" id="revocation-form"', text).group(1)
    data = {"invitation": invitation.pk, "action": "revoquer", "next": reverse("backoffice:people")}
    refused = manager_client.post(form.replace("&amp;", "&"), data)
    assert refused.status_code == 200
    assert "Cochez la case pour confirmer la révocation." in refused.content.decode()
    assert "fr-checkbox-group--error" in refused.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is None

    done = manager_client.post(form.replace("&amp;", "&"), data | {"confirmation": "on"})
    assert (done.status_code, done["Location"]) == (302, reverse("backoffice:people"))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    # A closed invitation has no confirmation page any more.
    again = manager_client.get(links[0].replace("&amp;", "&"))
    assert again.status_code == 302
    assert "Cette invitation a été révoquée." in manager_client.get(again["Location"]).content.decode()


def test_a_refused_form_keeps_the_person_in_the_address(manager_client, people):
    mentor, contact = people["mentor"], people["contact"]
    url = f"{reverse('backoffice:person')}?personne={contact.pk}"
    page = manager_client.get(url).content.decode()
    assert f'<form method="post" action="{url}" id="deactivation-form"' in page
    refused = manager_client.post(url, {"personne": contact.pk, "action": "desactiver"})
    assert refused.status_code == 200
    assert f'<form method="post" action="{url}" id="deactivation-form"' in refused.content.decode()
    mentor_url = f"{reverse('backoffice:person')}?personne={mentor.pk}"
    page = manager_client.get(mentor_url).content.decode()
    assert f'<form method="post" action="{mentor_url}" id="reactivation-form"' in page


@pytest.mark.parametrize("wanted", ["abc", "999999", ""])
def test_an_unknown_person_or_invitation_is_404(manager_client, people, wanted):
    assert manager_client.get(reverse("backoffice:person"), {"personne": wanted}).status_code == 404
    answer = manager_client.post(
        reverse("backoffice:invitations"), {"invitation": wanted, "action": "renvoyer"}
    )
    assert answer.status_code == 404


def test_the_invitation_page_says_how_long_the_link_lasts(manager_client):
    page = manager_client.get(reverse("backoffice:invite")).content.decode()
    assert "Le lien est valable 7 jours et ne sert qu’une fois" in page
    for label in ("Adresse e-mail", "Prénom", "Nom", "Rôle", "Administration", "Langue de l’invitation"):
        assert re.search(rf'<(label|legend) class="fr-[^"]+"[^>]*>\s*{label}', page), label


def test_a_resend_refused_says_why(manager_client, manager, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitations.invite("dominique@example.fr", role=Role.JURY_MEMBER, by=manager)
        invitations.revoke(invitation, by=manager)
    data = {"invitation": invitation.pk, "action": "renvoyer", "next": "https://ailleurs.example/"}
    response = manager_client.post(reverse("backoffice:invitations"), data)
    assert response["Location"] == reverse("backoffice:people")  # never another site
    page = manager_client.get(response["Location"]).content.decode()
    assert "Cette invitation a été révoquée." in page
    assert smtp_server.messages == []  # revoked before its e-mail left: nothing was sent
