"""Inviting people by e-mail (accounts.invitations): the e-mail really sent, the link that sets the
password once, before it expires, unless revoked or replaced; every act audited; managers only."""

import datetime as dt
import hashlib
import re

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django_q.models import Task

from accounts import invitations
from accounts.enums import LinkState, Role
from accounts.models import Invitation
from accounts.services import create_user
from lifecycle import calendar, personal
from lifecycle.actors import SYSTEM
from lifecycle.enums import AuditKind
from lifecycle.models import AuditEvent
from tests.factories import AdministrationFactory

User = get_user_model()
PASSWORD = "un-mot-de-passe-solide-2018"
SUBJECT = "[EIG] Votre invitation à rejoindre l’espace du programme"


@pytest.fixture
def manager(db):
    return create_user(
        "gestionnaire",
        by=SYSTEM,
        role=Role.PROGRAMME_MANAGER,
        password=PASSWORD,
        email="claude.etalab@data.gouv.fr",
        first_name="Claude",
        last_name="Etalab",
    )


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def ministry(db):
    return AdministrationFactory(name="Ministère de la Culture")


def post_invitation(client, captured, **data):
    values = {"email": "lou.martin@culture.gouv.fr", "role": Role.JURY_MEMBER, "language": "fr"} | data
    with captured(execute=True):
        return client.post(reverse("backoffice:invite"), values)


def invite(by, captured, email="lou.martin@culture.gouv.fr", **options):
    options.setdefault("role", Role.JURY_MEMBER)
    with captured(execute=True):
        return invitations.invite(email, by=by, **options)


def body_of(message) -> str:
    return message.get_content().replace("\r\n", "\n")


def link_of(message) -> str:
    return re.search(r"(http\S+/compte/invitation/\S+/)", body_of(message)).group(1)


def path_of(message) -> str:
    return link_of(message).removeprefix(settings.SITE_URL)


def events(subject, kind=None):
    queryset = AuditEvent.objects.filter(subject=subject).order_by("id")
    return list(queryset.filter(kind=kind) if kind else queryset)


def signs_in(client, username, password) -> bool:
    """Through the sign-in page (django-axes needs a request: no client.login)."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


def accept_through(client, path, password=PASSWORD, confirmation=None, address="203.0.113.7"):
    return client.post(
        path,
        {"new_password1": password, "new_password2": confirmation or password},
        REMOTE_ADDR=address,
    )


# --- Inviting and the e-mail ---------------------------------------------------------------------


def test_a_manager_invites_a_contact_and_the_email_arrives_with_its_link(
    manager_client, manager, ministry, smtp_server, django_capture_on_commit_callbacks
):
    moment = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 30))
    with time_machine.travel(moment, tick=False):
        response = post_invitation(
            manager_client,
            django_capture_on_commit_callbacks,
            email="Lou.Martin@Culture.gouv.fr",
            first_name="Lou",
            last_name="Martin",
            role=Role.ADMINISTRATION_CONTACT,
            administration=ministry.pk,
        )
    assert (response.status_code, response["Location"]) == (302, reverse("backoffice:people"))
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.administration, invitation.invited_by) == (
        "Lou.Martin@culture.gouv.fr",
        Role.ADMINISTRATION_CONTACT,
        ministry,
        manager,
    )
    assert (invitation.expires_at, invitation.sent_count, invitation.last_sent_at) == (
        moment + dt.timedelta(days=7),
        1,
        moment,
    )

    [message] = smtp_server.messages
    assert (message["To"], smtp_server.header("Subject")[0], message["Content-Language"]) == (
        "Lou.Martin@culture.gouv.fr",
        SUBJECT,
        "fr",
    )
    body = body_of(message)
    assert body.startswith("Bonjour Lou,\n\nClaude Etalab (gestionnaire) vous invite à rejoindre l’espace")
    assert "comme « Contact d’une administration » pour Ministère de la Culture." in body
    assert (
        "Ce lien est valable 7 jours, jusqu’au lundi 9 mars 2026 à 10:30 (heure de Paris), "
        "et ne sert qu’une fois." in body
    )
    assert "Votre identifiant sera votre adresse : lou.martin@culture.gouv.fr" in body
    assert "écrivez à claude.etalab@data.gouv.fr" in body
    link = link_of(message)
    assert link.startswith("http://127.0.0.1:8000/compte/invitation/")

    # Only the secret's digest is kept: not the secret, in the invitation, the trail or the queue.
    secret = link.rsplit("/", 2)[1].split(":")[0].split(".", 1)[1]
    assert invitation.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(list(AuditEvent.objects.values_list("changes", "reason")))
    assert [(task.func, task.args) for task in Task.objects.all()] == [
        ("accounts.invitations.send_invitation", (invitation.pk, 1))
    ]

    [event] = events(f"invitation:{invitation.pk}")
    # The address is the invitation's personal data: kept apart from the chain, the subject and
    # the changes refer to it (docs/personal-data.md).
    assert (event.kind, event.actor, event.challenge_id, event.reason) == (
        AuditKind.INVITATION_SENT,
        manager,
        None,
        "",
    )
    assert event.changes["email"] == [None, {"personal": f"invitation:{invitation.pk}"}]
    assert "Lou.Martin@culture.gouv.fr" not in str(event.changes)
    assert personal.changes_of(event) == {
        "email": [None, "Lou.Martin@culture.gouv.fr"],
        "role": [None, "administration_contact"],
        "administration": [None, "Ministère de la Culture"],
        "language": [None, "fr"],
        "expires_at": [None, "2026-03-09T09:30:00+00:00"],
        "sent_count": [None, 1],
    }


def test_an_invitation_in_english_is_written_in_english(
    manager, smtp_server, django_capture_on_commit_callbacks
):
    invitation = invite(manager, django_capture_on_commit_callbacks, language="en")
    [message] = smtp_server.messages
    with translation.override("en"):
        until = calendar.label(invitation.expires_at)
    assert until.split()[0] in {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
    assert message["Content-Language"] == "en"
    assert until in body_of(message)


def test_the_invitation_form_refuses_in_french(manager_client, ministry, django_capture_on_commit_callbacks):
    page = post_invitation(
        manager_client, django_capture_on_commit_callbacks, email="pas-une-adresse", role=Role.CANDIDATE
    ).content.decode()
    assert "Saisissez une adresse e-mail valide." in page  # (Django REST framework's French words it)
    assert "Sélectionnez un choix valide. candidate n’en fait pas partie." in page
    page = post_invitation(
        manager_client, django_capture_on_commit_callbacks, role=Role.ADMINISTRATION_CONTACT
    ).content.decode()
    assert "Un contact d’administration doit être rattaché à une administration." in page
    page = post_invitation(
        manager_client, django_capture_on_commit_callbacks, role=Role.MENTOR, administration=ministry.pk
    ).content.decode()
    assert "Seul un contact d’administration est rattaché à une administration." in page
    assert Invitation.objects.count() == 0


def test_an_address_with_an_account_or_a_pending_invitation_is_refused(
    manager_client, manager, smtp_server, django_capture_on_commit_callbacks
):
    create_user("dominique", by=manager, role=Role.MENTOR, email="dominique@example.fr")
    page = post_invitation(
        manager_client, django_capture_on_commit_callbacks, email="Dominique@example.fr"
    ).content.decode()
    assert (
        "Un compte actif existe déjà pour cette adresse (identifiant « dominique ») : cette personne peut "
        "se connecter, inutile de l’inviter." in page
    )
    User.objects.filter(username="dominique").update(is_active=False)
    page = post_invitation(
        manager_client, django_capture_on_commit_callbacks, email="dominique@example.fr"
    ).content.decode()
    assert "Un compte désactivé existe pour cette adresse (identifiant « dominique ») : réactivez-le" in page

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        first = invite(manager, django_capture_on_commit_callbacks, email="sacha@example.fr")
        with pytest.raises(ValidationError) as refused:
            invite(manager, django_capture_on_commit_callbacks, email="SACHA@example.fr", role=Role.AUDITOR)
    assert refused.value.message_dict["email"] == [
        "Une invitation est déjà en attente pour cette adresse (envoyée par Claude Etalab (gestionnaire), "
        f"valable jusqu’au {calendar.label(first.expires_at)}) : renvoyez-la ou révoquez-la depuis la "
        "liste des personnes."
    ]
    # Once it has expired, the address can be invited anew.
    with time_machine.travel(start + dt.timedelta(days=7), tick=False):
        again = invite(
            manager, django_capture_on_commit_callbacks, email="sacha@example.fr", role=Role.AUDITOR
        )
    assert again.role == Role.AUDITOR
    assert len(smtp_server.messages) == 2


# --- Accepting --------------------------------------------------------------------------------------


def test_accepting_sets_the_password_signs_in_and_the_person_can_sign_in_again(
    client, manager, ministry, smtp_server, django_capture_on_commit_callbacks
):
    invitation = invite(
        manager,
        django_capture_on_commit_callbacks,
        role=Role.ADMINISTRATION_CONTACT,
        administration=ministry,
        first_name="Lou",
        last_name="Martin",
    )
    path = path_of(smtp_server.messages[0])
    page = client.get(path)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="invitation-form"' in text
    assert "Votre identifiant sera votre adresse : lou.martin@culture.gouv.fr." in text
    assert (
        f"Ce lien est valable 7 jours après son envoi, jusqu’au {calendar.label(invitation.expires_at)}"
        in text
    )

    response = accept_through(client, path)
    assert (response.status_code, response["Location"]) == (302, reverse("portal:dossiers"))
    person = User.objects.get(username="lou.martin@culture.gouv.fr")
    assert int(client.session["_auth_user_id"]) == person.pk
    assert (person.email, person.get_full_name(), person.profile.role, person.profile.administration) == (
        "lou.martin@culture.gouv.fr",
        "Lou Martin",
        Role.ADMINISTRATION_CONTACT,
        ministry,
    )
    invitation.refresh_from_db()
    assert (invitation.user, invitation.accepted_at is not None, invitation.token_hash) == (person, True, "")

    client.logout()
    assert signs_in(client, "lou.martin@culture.gouv.fr", PASSWORD)

    # The role is the inviter's decision, the account and the acceptance the person's.
    [role] = events(f"user:{person.pk}", AuditKind.ROLE_CHANGED)
    assert (role.actor, role.changes) == (
        manager,
        {"role": [None, "administration_contact"], "administration": [None, "Ministère de la Culture"]},
    )
    [account] = events(f"user:{person.pk}", AuditKind.ACCOUNT_CHANGED)
    assert (account.actor, personal.changes_of(account)) == (
        person,
        {
            "username": [None, "lou.martin@culture.gouv.fr"],
            "email": [None, "lou.martin@culture.gouv.fr"],
            "first_name": [None, "Lou"],
            "last_name": [None, "Martin"],
            "is_active": [None, True],
            "is_superuser": [None, False],
        },
    )
    accepted = events(f"invitation:{invitation.pk}", AuditKind.INVITATION_ACCEPTED)
    assert [(event.actor, event.changes) for event in accepted] == [
        (
            person,
            {"accepted_at": [None, invitation.accepted_at.isoformat()], "user": [None, f"user:{person.pk}"]},
        )
    ]
    assert PASSWORD not in str(list(AuditEvent.objects.values_list("changes", "reason")))


def test_an_english_invitation_gives_an_english_profile(
    client, manager, smtp_server, django_capture_on_commit_callbacks
):
    invite(manager, django_capture_on_commit_callbacks, language="en")
    accept_through(client, path_of(smtp_server.messages[0]))
    person = User.objects.get(username="lou.martin@culture.gouv.fr")
    assert person.profile.language == "en"
    [change] = [e for e in events(f"user:{person.pk}", AuditKind.ACCOUNT_CHANGED) if "language" in e.changes]
    assert change.changes == {"language": ["fr", "en"]}


def test_the_password_validators_refuse_in_french(
    client, manager, smtp_server, django_capture_on_commit_callbacks
):
    invite(manager, django_capture_on_commit_callbacks)
    path = path_of(smtp_server.messages[0])
    page = accept_through(client, path, password="azerty").content.decode()
    assert "Ce mot de passe est trop court. Il doit contenir au minimum 8 caractères." in page
    assert "Ce mot de passe est trop courant." in page
    page = accept_through(client, path, password=PASSWORD, confirmation=PASSWORD + "x").content.decode()
    assert "Les deux mots de passe ne correspondent pas." in page
    page = accept_through(client, path, password="lou.martin@culture").content.decode()
    assert "Le mot de passe est trop semblable au champ «\xa0nom d’utilisateur\xa0»." in page
    assert not User.objects.filter(username="lou.martin@culture.gouv.fr").exists()


def field_group(page: str, name: str) -> str:
    """The design system's group of the field `name`: its label, input and errors."""
    start = page.rindex('<div class="fr-input-group', 0, page.index(f'name="{name}"'))
    return page[start : page.index("</div>\n", page.index(f'name="{name}"'))]


def test_the_validators_errors_are_under_the_password_and_a_mismatch_under_its_confirmation(
    client, manager, smtp_server, django_capture_on_commit_callbacks
):
    invite(manager, django_capture_on_commit_callbacks)
    path = path_of(smtp_server.messages[0])
    page = accept_through(client, path, password="12345").content.decode()
    password, confirmation = field_group(page, "new_password1"), field_group(page, "new_password2")
    assert 'class="fr-input-group fr-input-group--error"' in password
    assert 'class="fr-input fr-input--error"' in password
    assert re.search(r'name="new_password1"[^>]*aria-describedby="[^"]*id_new_password1-error', password)
    assert 'aria-invalid="true"' in password
    for message in (
        "Ce mot de passe est trop court. Il doit contenir au minimum 8 caractères.",
        "Ce mot de passe est trop courant.",
        "Ce mot de passe est entièrement numérique.",
    ):
        assert message in password and message not in confirmation
    assert "fr-input-group--error" not in confirmation
    # Nothing typed is sent back, and the page says what to do.
    assert "12345" not in page.replace(path, "")
    assert 'value="' not in password + confirmation
    assert (
        "Le mot de passe n’a pas été accepté : pour votre sécurité, les deux champs ont été vidés. "
        "Saisissez de nouveau un mot de passe qui respecte les indications ci-dessous, puis sa "
        "confirmation." in page
    )

    page = accept_through(client, path, password=PASSWORD, confirmation=PASSWORD + "x").content.decode()
    password, confirmation = field_group(page, "new_password1"), field_group(page, "new_password2")
    assert "Les deux mots de passe ne correspondent pas." in confirmation
    assert "fr-input-group--error" in confirmation and "fr-input-group--error" not in password


def test_the_link_works_once(client, manager, smtp_server, django_capture_on_commit_callbacks):
    invite(manager, django_capture_on_commit_callbacks)
    path = path_of(smtp_server.messages[0])
    assert accept_through(client, path).status_code == 302
    client.logout()

    page = client.get(path)
    text = page.content.decode()
    assert page.status_code == 410
    assert 'data-state="accepted"' in text and 'id="invitation-form"' not in text
    assert "Cette invitation a déjà été utilisée le" in text
    assert accept_through(client, path, password="un-autre-mot-de-passe-2019").status_code == 410
    assert signs_in(client, "lou.martin@culture.gouv.fr", PASSWORD)


def test_the_link_expires_after_seven_days_and_says_whom_to_ask(
    client, manager, smtp_server, django_capture_on_commit_callbacks
):
    start = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 30))
    with time_machine.travel(start, tick=False):
        invite(manager, django_capture_on_commit_callbacks)
    path = path_of(smtp_server.messages[0])
    with time_machine.travel(start + dt.timedelta(days=7, seconds=-1), tick=False):
        assert client.get(path).status_code == 200
    with time_machine.travel(start + dt.timedelta(days=7), tick=False):
        page = client.get(path)
        text = page.content.decode()
        assert page.status_code == 410
        assert "<h1>Invitation expirée</h1>" in text
        assert (
            "Cette invitation a expiré le lundi 9 mars 2026 à 10:30 (heure de Paris) : son lien ne permet "
            "plus de choisir un mot de passe." in text
        )
        assert (
            "Pour recevoir une nouvelle invitation, écrivez à Claude Etalab (gestionnaire) : "
            '<a href="mailto:claude.etalab@data.gouv.fr">claude.etalab@data.gouv.fr</a>.' in text
        )
        assert 'id="invitation-form"' not in text
        assert accept_through(client, path).status_code == 410
    assert not User.objects.filter(username="lou.martin@culture.gouv.fr").exists()


def test_a_revoked_invitation_says_so(
    manager_client, client, manager, smtp_server, django_capture_on_commit_callbacks
):
    invitation = invite(manager, django_capture_on_commit_callbacks)
    path = path_of(smtp_server.messages[0])
    response = manager_client.post(
        reverse("backoffice:invitations"),
        {"invitation": invitation.pk, "action": "revoquer", "confirmation": "on"},
    )
    assert (response.status_code, response["Location"]) == (302, reverse("backoffice:people"))
    invitation.refresh_from_db()
    [event] = events(f"invitation:{invitation.pk}", AuditKind.INVITATION_REVOKED)
    assert (event.actor, event.changes) == (
        manager,
        {"revoked_at": [None, invitation.revoked_at.isoformat()]},
    )

    manager_client.logout()
    page = client.get(path)
    assert page.status_code == 410
    assert "Cette invitation a été révoquée le" in page.content.decode()
    assert accept_through(client, path).status_code == 410
    with pytest.raises(ValidationError):
        invitations.resend(invitation, by=manager)  # closed for good


def test_resending_makes_a_new_link_and_the_old_one_stops_working(
    manager_client, client, manager, smtp_server, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        invitation = invite(manager, django_capture_on_commit_callbacks)
    old = path_of(smtp_server.messages[0])
    with time_machine.travel(start + dt.timedelta(days=3), tick=False):
        manager_client.force_login(manager)  # a session lasts a working day
        with django_capture_on_commit_callbacks(execute=True):
            response = manager_client.post(
                reverse("backoffice:invitations"),
                {
                    "invitation": invitation.pk,
                    "action": "renvoyer",
                    "next": reverse("backoffice:invitations"),
                },
            )
    assert (response.status_code, response["Location"]) == (302, reverse("backoffice:invitations"))
    assert len(smtp_server.messages) == 2
    new = path_of(smtp_server.messages[1])
    assert new != old
    invitation.refresh_from_db()
    assert (invitation.sent_count, invitation.expires_at) == (2, start + dt.timedelta(days=10))
    [_first, second] = events(f"invitation:{invitation.pk}", AuditKind.INVITATION_SENT)
    assert second.changes == {
        "expires_at": [
            (start + dt.timedelta(days=7)).astimezone(dt.UTC).isoformat(),
            (start + dt.timedelta(days=10)).astimezone(dt.UTC).isoformat(),
        ],
        "sent_count": [1, 2],
    }

    manager_client.logout()
    page = client.get(old)
    assert page.status_code == 410
    assert "Ce lien a été remplacé" in page.content.decode()
    assert accept_through(client, old).status_code == 410
    assert client.get(new).status_code == 200
    assert accept_through(client, new).status_code == 302


def test_a_task_of_an_older_sending_sends_nothing(manager, smtp_server, django_capture_on_commit_callbacks):
    invitation = invite(manager, django_capture_on_commit_callbacks)
    hash_before = invitation.token_hash or Invitation.objects.get().token_hash
    assert invitations.send_invitation(invitation.pk, sending=0) == "skipped"
    assert (Invitation.objects.get().token_hash, len(smtp_server.messages)) == (hash_before, 1)


def test_a_forged_or_altered_link_names_nothing(
    client, manager, smtp_server, django_capture_on_commit_callbacks
):
    invitation = invite(manager, django_capture_on_commit_callbacks)
    path = path_of(smtp_server.messages[0])
    token = path.rstrip("/").rsplit("/", 1)[1]
    forged = f"{invitation.pk}.{'A' * 43}:{token.rsplit(':', 1)[1]}"
    for candidate in (forged, "nimportequoi", token[:-2] + "xx"):
        page = client.get(reverse("accept_invitation", kwargs={"token": candidate}))
        text = page.content.decode()
        assert page.status_code == 404
        assert "Ce lien d’invitation n’est pas valable." in text
        assert "Claude" not in text and invitation.email not in text
    assert invitations.read(token).state == LinkState.VALID


def test_an_inviter_who_no_longer_manages_the_programme_gives_no_role(
    client, manager, smtp_server, django_capture_on_commit_callbacks
):
    colleague = create_user("collegue", by=SYSTEM, role=Role.PROGRAMME_MANAGER, email="collegue@data.gouv.fr")
    invitation = invite(colleague, django_capture_on_commit_callbacks, role=Role.PROGRAMME_MANAGER)
    path = path_of(smtp_server.messages[0])
    invitations.deactivate(colleague, by=manager)

    page = client.get(path)
    assert page.status_code == 410
    assert "la personne qui l’a envoyée ne gère plus le programme" in page.content.decode()
    assert f"mailto:{settings.NOTIFICATIONS_TEAM_EMAIL}" in page.content.decode()
    assert accept_through(client, path).status_code == 410

    # A manager sends it again: they vouch for it now.
    with django_capture_on_commit_callbacks(execute=True):
        invitations.resend(invitation, by=manager)
    [*_older, resent] = events(f"invitation:{invitation.pk}", AuditKind.INVITATION_SENT)
    assert resent.changes["invited_by"] == [
        {"personal": f"user:{colleague.pk}"},
        {"personal": f"user:{manager.pk}"},
    ]
    assert personal.changes_of(resent)["invited_by"] == ["collegue", "Claude Etalab (gestionnaire)"]
    assert accept_through(client, path_of(smtp_server.messages[1])).status_code == 302
    assert User.objects.get(username="lou.martin@culture.gouv.fr").profile.role == Role.PROGRAMME_MANAGER


# --- Deactivating -----------------------------------------------------------------------------------


@pytest.fixture
def mentor(manager):
    return create_user(
        "dominique", by=manager, role=Role.MENTOR, password=PASSWORD, email="dominique@example.fr"
    )


def test_a_deactivated_person_cannot_sign_in_and_their_history_remains(manager_client, manager, mentor):
    session = Client()
    session.force_login(mentor)
    assert session.get(reverse("web:space")).status_code == 200
    url = f"{reverse('backoffice:person')}?personne={mentor.pk}"
    assert 'id="deactivation-form"' in manager_client.get(url).content.decode()

    # The box is required.
    page = manager_client.post(reverse("backoffice:person"), {"personne": mentor.pk, "action": "desactiver"})
    assert page.status_code == 200
    assert "Cochez la case pour confirmer la désactivation." in page.content.decode()
    mentor.refresh_from_db()
    assert mentor.is_active

    response = manager_client.post(
        reverse("backoffice:person"), {"personne": mentor.pk, "action": "desactiver", "confirmation": "on"}
    )
    assert (response.status_code, response["Location"]) == (302, url)
    mentor.refresh_from_db()
    assert not mentor.is_active
    # Django's authentication refuses the account, and so does the sign-in page.
    assert (
        authenticate(RequestFactory().post(reverse("login")), username="dominique", password=PASSWORD) is None
    )
    visitor = Client()
    refused = visitor.post(reverse("login"), {"username": "dominique", "password": PASSWORD})
    assert refused.status_code == 200
    assert "Identifiant ou mot de passe incorrect." in refused.content.decode()
    assert "_auth_user_id" not in visitor.session
    # An open session ends at its next request.
    assert session.get(reverse("web:space")).status_code == 302

    account = events(f"user:{mentor.pk}")
    assert [(event.kind, event.actor, event.changes) for event in account] == [
        (AuditKind.ROLE_CHANGED, manager, {"role": [None, "mentor"]}),
        (AuditKind.ACCOUNT_CHANGED, manager, {"is_active": [True, False]}),
    ]
    page = manager_client.get(url).content.decode()
    assert 'id="reactivation-form"' in page and page.count('data-kind="') == 2

    response = manager_client.post(
        reverse("backoffice:person"), {"personne": mentor.pk, "action": "reactiver"}
    )
    assert response.status_code == 302
    assert signs_in(visitor, "dominique", PASSWORD)
    assert events(f"user:{mentor.pk}")[-1].changes == {"is_active": [False, True]}


def test_never_oneself_and_a_superuser_by_a_superuser_only(manager_client, manager, db):
    root = User.objects.create_superuser("racine", "racine@data.gouv.fr", PASSWORD)
    with pytest.raises(PermissionDenied):
        invitations.deactivate(manager, by=manager)
    with pytest.raises(PermissionDenied):
        invitations.deactivate(root, by=manager)
    page = manager_client.get(reverse("backoffice:person")).content.decode()  # one's own account
    assert "C’est votre propre compte" in page and 'id="deactivation-form"' not in page
    response = manager_client.post(
        reverse("backoffice:person"), {"personne": root.pk, "action": "desactiver", "confirmation": "on"}
    )
    assert response.status_code == 302
    root.refresh_from_db()
    assert root.is_active

    other_root = User.objects.create_superuser("racine2", "racine2@data.gouv.fr", PASSWORD)
    assert invitations.deactivate(other_root, by=root) == {"is_active": [True, False]}
    assert invitations.reactivate(other_root, by=SYSTEM) == {"is_active": [False, True]}


# --- Who may ----------------------------------------------------------------------------------------

PAGES = ["backoffice:people", "backoffice:invite", "backoffice:invitations", "backoffice:person"]


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.JURY_MEMBER, Role.MENTOR, Role.ADMINISTRATION_CONTACT])
def test_other_roles_get_404_and_the_domain_refuses_them(
    client, manager, mentor, role, smtp_server, django_capture_on_commit_callbacks
):
    invitation = invite(manager, django_capture_on_commit_callbacks)
    administration = AdministrationFactory() if role == Role.ADMINISTRATION_CONTACT else None
    someone = create_user("quelquun", by=SYSTEM, role=role, administration=administration)
    client.force_login(someone)
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 404, name
    posted = {"invitation": invitation.pk, "personne": mentor.pk, "confirmation": "on"}
    for action in ("renvoyer", "revoquer"):
        assert client.post(reverse("backoffice:invitations"), posted | {"action": action}).status_code == 404
    assert client.post(reverse("backoffice:person"), posted | {"action": "desactiver"}).status_code == 404
    assert (
        client.post(reverse("backoffice:invite"), {"email": "x@example.fr", "role": "auditor"}).status_code
        == 404
    )

    for act in (
        lambda: invitations.invite("x@example.fr", role=Role.AUDITOR, by=someone),
        lambda: invitations.resend(invitation, by=someone),
        lambda: invitations.revoke(invitation, by=someone),
        lambda: invitations.deactivate(mentor, by=someone),
        lambda: invitations.reactivate(mentor, by=someone),
    ):
        with pytest.raises(PermissionDenied):
            act()
    invitation.refresh_from_db()
    mentor.refresh_from_db()
    assert (invitation.sent_count, invitation.revoked_at, mentor.is_active, len(smtp_server.messages)) == (
        1,
        None,
        True,
        1,
    )


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    for name in PAGES:
        response = client.get(reverse(name))
        assert (response.status_code, response["Location"].split("?")[0]) == (302, "/compte/connexion/")


# --- Throttling -------------------------------------------------------------------------------------


def test_a_genuine_link_is_never_counted_by_the_address_throttle(
    client, manager, smtp_server, django_capture_on_commit_callbacks
):
    """Behind one outgoing address, invitees open, retry and reopen their links as they need."""
    invite(manager, django_capture_on_commit_callbacks)
    invite(manager, django_capture_on_commit_callbacks, email="sacha@culture.gouv.fr")
    first, second = (path_of(message) for message in smtp_server.messages)
    statuses = [client.get(first, REMOTE_ADDR="192.0.2.1").status_code for _attempt in range(6)]
    statuses += [accept_through(client, first, password="court", address="192.0.2.1").status_code] * 1
    statuses += [accept_through(client, first, password="12345678901", address="192.0.2.1").status_code]
    statuses.append(accept_through(client, first, address="192.0.2.1").status_code)
    client.logout()
    statuses += [client.get(first, REMOTE_ADDR="192.0.2.1").status_code for _attempt in range(3)]
    statuses += [client.get(second, REMOTE_ADDR="192.0.2.1").status_code for _attempt in range(3)]
    statuses.append(accept_through(client, second, address="192.0.2.1").status_code)
    assert statuses == [200] * 6 + [200, 200, 302] + [410] * 3 + [200] * 3 + [302]


def test_guessing_links_is_throttled_per_address_and_the_page_says_whom_to_write_to(
    client, manager, smtp_server, django_capture_on_commit_callbacks
):
    invite(manager, django_capture_on_commit_callbacks)
    path = path_of(smtp_server.messages[0])
    guess = reverse("accept_invitation", kwargs={"token": "1.devine:signature"})
    statuses = [client.get(guess, REMOTE_ADDR="192.0.2.1").status_code for _attempt in range(5)]
    statuses.append(client.get(path, REMOTE_ADDR="192.0.2.1").status_code)  # genuine: not counted
    statuses.append(client.get(guess, REMOTE_ADDR="192.0.2.1").status_code)
    statuses.append(client.get(guess, REMOTE_ADDR="192.0.2.1").status_code)
    assert statuses == [404] * 5 + [200, 429, 429]
    page = client.get(guess, REMOTE_ADDR="192.0.2.1").content.decode()
    assert "Trop de demandes depuis cette adresse ou pour ce compte : réessayez dans 60 minutes." in page
    assert 'id="invitation-form"' not in page and "Claude" not in page
    assert f'<a href="mailto:{settings.NOTIFICATIONS_TEAM_EMAIL}">' in page
    # A genuine link is never held back (a colleague behind the same address guessed, or a mail
    # client cut a link): nobody makes one without the key.
    assert client.get(path, REMOTE_ADDR="192.0.2.1").status_code == 200
    assert accept_through(client, path, address="192.0.2.1").status_code == 302


def test_refused_passwords_are_counted_per_invitation_with_a_generous_limit(
    client, manager, smtp_server, django_capture_on_commit_callbacks
):
    from accounts.views import PASSWORD_ATTEMPTS

    assert PASSWORD_ATTEMPTS >= 20
    invite(manager, django_capture_on_commit_callbacks)
    path = path_of(smtp_server.messages[0])
    for attempt in range(PASSWORD_ATTEMPTS):
        address = f"192.0.2.{attempt % 3 + 1}"  # whatever the address
        assert accept_through(client, path, password="court", address=address).status_code == 200
    refused = accept_through(client, path, address="198.51.100.9")
    assert refused.status_code == 429
    text = refused.content.decode()
    assert "Trop de mots de passe refusés pour cette invitation : réessayez dans 60 minutes." in text
    assert (
        "Pour obtenir de l’aide, écrivez à Claude Etalab (gestionnaire) : "
        '<a href="mailto:claude.etalab@data.gouv.fr">claude.etalab@data.gouv.fr</a>.' in text
    )
    assert not User.objects.filter(username="lou.martin@culture.gouv.fr").exists()
    assert client.get(path).status_code == 429
    cache.clear()  # the window has passed
    assert accept_through(client, path).status_code == 302
