"""A candidate's sign-up (recruitment.registration and its pages): the e-mail really sent with its
link, the link that opens the account once, within three days; an address that already has an
account learns it by e-mail, the page says nothing; the sign-up throttled; audited by reference."""

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.services import create_user
from lifecycle.actors import SYSTEM
from lifecycle.enums import AuditKind
from lifecycle.models import AuditEvent
from recruitment import registration

User = get_user_model()
PASSWORD = "un-mot-de-passe-solide-2018"
VERIFY_SUBJECT = "[EIG] Confirmez votre adresse pour ouvrir votre compte de candidat·e"
EXISTS_SUBJECT = "[EIG] Vous avez déjà un compte sur l’espace du programme"


def sign_up(client, captured, address="203.0.113.7", **data):
    values = {
        "first_name": "Élise",
        "last_name": "Guérin",
        "email": "elise.guerin@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "language": "fr",
    } | data
    with captured(execute=True):
        return client.post(reverse("candidates:register"), values, REMOTE_ADDR=address)


def body_of(message) -> str:
    return message.get_content().replace("\r\n", "\n")


def path_of(message) -> str:
    link = re.search(r"(http\S+/candidatures/verification/\S+/)", body_of(message)).group(1)
    assert link.startswith(settings.SITE_URL)
    return link.removeprefix(settings.SITE_URL.rstrip("/"))


def test_sign_up_sends_a_link_that_opens_the_account_once_and_signs_in(
    client, db, smtp_server, django_capture_on_commit_callbacks
):
    response = sign_up(client, django_capture_on_commit_callbacks)
    assert (response.status_code, response["Location"]) == (302, reverse("candidates:registered"))
    person = User.objects.get(username="elise.guerin@example.org")
    assert (
        person.is_active,
        person.profile.role,
        person.get_full_name(),
        person.check_password(PASSWORD),
    ) == (
        False,
        Role.CANDIDATE,
        "Élise Guérin",
        True,
    )
    page = client.get(reverse("candidates:registered")).content.decode()
    assert "Nous avons écrit à elise.guerin@example.org." in page

    [message] = smtp_server.messages
    assert (message["To"], str(message["Subject"]).strip(), message["Content-Language"]) == (
        "elise.guerin@example.org",
        VERIFY_SUBJECT,
        "fr",
    )
    assert "Ce lien est valable 3 jours" in body_of(message)
    path = path_of(message)

    # Opening the link spends nothing (a mail client may open it to check it): a click does.
    page = client.get(path)
    assert (page.status_code, 'id="verify-form"' in page.content.decode()) == (200, True)
    person.refresh_from_db()
    assert person.is_active is False

    response = client.post(path)
    assert (response.status_code, response["Location"]) == (302, reverse("candidates:space"))
    person.refresh_from_db()
    assert person.is_active is True
    assert int(client.session["_auth_user_id"]) == person.pk
    assert client.get(reverse("candidates:space")).status_code == 200

    # The role by the system (set_role), the verification by the person, by reference only.
    [role] = AuditEvent.objects.filter(subject=f"user:{person.pk}", kind=AuditKind.ROLE_CHANGED)
    assert (role.actor, role.changes) == (None, {"role": [None, "candidate"]})
    [registered] = AuditEvent.objects.filter(subject=f"user:{person.pk}", kind=AuditKind.CANDIDATE_REGISTERED)
    assert (registered.actor, registered.changes, registered.reason, registered.challenge) == (
        person,
        {},
        "",
        None,
    )

    # Once used, the link opens nothing more.
    client.logout()
    again = client.post(path)
    assert (again.status_code, 'data-state="used"' in again.content.decode()) == (410, True)
    assert AuditEvent.objects.filter(kind=AuditKind.CANDIDATE_REGISTERED).count() == 1


def test_the_link_is_valid_three_days(client, db, smtp_server, django_capture_on_commit_callbacks):
    sent_at = timezone.now()
    with time_machine.travel(sent_at, tick=False):
        sign_up(client, django_capture_on_commit_callbacks)
    path = path_of(smtp_server.messages[0])
    with time_machine.travel(sent_at + dt.timedelta(days=3, seconds=1), tick=False):
        expired = client.post(path)
    assert (expired.status_code, 'data-state="expired"' in expired.content.decode()) == (410, True)
    assert User.objects.get(username="elise.guerin@example.org").is_active is False
    with time_machine.travel(sent_at + dt.timedelta(days=3) - dt.timedelta(seconds=1), tick=False):
        response = client.post(path)
    assert response.status_code == 302
    assert User.objects.get(username="elise.guerin@example.org").is_active is True


def test_a_forged_or_cut_link_opens_nothing(client, db, smtp_server, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)
    path = path_of(smtp_server.messages[0])
    person = User.objects.get(username="elise.guerin@example.org")
    forged = (
        registration.make_token(person).rsplit(":", 1)[0] + ":AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    )
    for token in [forged, "pas-un-lien", path.rstrip("/").rsplit("/", 1)[1][:-3]]:
        response = client.post(reverse("candidates:verify", args=[token]))
        assert (response.status_code, 'data-state="invalid"' in response.content.decode()) == (404, True)
    person.refresh_from_db()
    assert person.is_active is False


def test_an_address_with_an_account_gets_an_email_and_the_page_says_nothing(
    client, db, smtp_server, django_capture_on_commit_callbacks
):
    create_user(
        "elise.guerin@example.org",
        role=Role.MENTOR,
        by=SYSTEM,
        email="elise.guerin@example.org",
        password="un-autre-mot-de-passe-2018",
    )
    first = sign_up(client, django_capture_on_commit_callbacks, email="Elise.Guerin@example.org")
    first_page = client.get(reverse("candidates:registered")).content.decode()
    other = sign_up(client.__class__(), django_capture_on_commit_callbacks, email="nouveau@example.org")
    assert (first.status_code, first["Location"]) == (other.status_code, other["Location"])
    assert "Nous avons écrit à Elise.Guerin@example.org." in first_page

    assert User.objects.filter(email__iexact="elise.guerin@example.org").count() == 1
    existing = User.objects.get(username="elise.guerin@example.org")
    assert (existing.profile.role, existing.check_password("un-autre-mot-de-passe-2018")) == (
        Role.MENTOR,
        True,
    )
    told, welcomed = smtp_server.messages
    assert (told["To"], str(told["Subject"]).strip()) == ("elise.guerin@example.org", EXISTS_SUBJECT)
    assert "/candidatures/verification/" not in body_of(told)
    assert "identifiant « elise.guerin@example.org »" in body_of(told)
    assert (welcomed["To"], str(welcomed["Subject"]).strip()) == ("nouveau@example.org", VERIFY_SUBJECT)


def test_signing_up_again_before_verifying_sends_a_new_link_and_resending_works(
    client, db, smtp_server, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    sign_up(
        client,
        django_capture_on_commit_callbacks,
        password1="autre-mot-de-passe-2018",
        password2="autre-mot-de-passe-2018",
    )
    first, second = smtp_server.messages
    assert (str(first["Subject"]).strip(), str(second["Subject"]).strip()) == (VERIFY_SUBJECT, EXISTS_SUBJECT)
    assert "Votre compte attend encore la confirmation de votre adresse" in body_of(second)
    person = User.objects.get(username="elise.guerin@example.org")
    assert person.check_password(PASSWORD)  # the first password stays

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("candidates:registered"), {"email": "elise.guerin@example.org"})
        unknown = client.post(reverse("candidates:registered"), {"email": "personne@example.org"})
    assert response.status_code == unknown.status_code == 302
    assert len(smtp_server.messages) == 3
    assert smtp_server.header("Subject")[2] == VERIFY_SUBJECT
    # Each link opens the account; after that, none does.
    assert client.post(path_of(smtp_server.messages[2])).status_code == 302
    client.logout()
    assert client.post(path_of(first)).status_code == 410


def test_the_password_follows_djangos_validators_and_is_asked_twice(
    client, db, smtp_server, django_capture_on_commit_callbacks
):
    weak = sign_up(client, django_capture_on_commit_callbacks, password1="motdepasse", password2="motdepasse")
    assert weak.status_code == 200
    assert "Ce mot de passe est trop courant." in weak.content.decode()
    different = sign_up(client, django_capture_on_commit_callbacks, password2="un-autre-mot-de-passe-2018")
    assert "Les deux mots de passe ne sont pas identiques." in different.content.decode()
    assert not User.objects.filter(username="elise.guerin@example.org").exists()
    assert smtp_server.messages == []


def test_an_english_sign_up_gets_english_messages(
    client, db, smtp_server, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks, language="en")
    assert smtp_server.messages[0]["Content-Language"] == "en"
    assert User.objects.get(username="elise.guerin@example.org").profile.language == "en"


def test_sign_ups_are_throttled_per_address_and_per_email(
    client, db, smtp_server, django_capture_on_commit_callbacks, settings
):
    settings.THROTTLE_LIMIT = 2
    for number in range(2):
        assert (
            sign_up(client, django_capture_on_commit_callbacks, email=f"p{number}@example.org").status_code
            == 302
        )
    held = sign_up(client, django_capture_on_commit_callbacks, email="p3@example.org")
    assert (held.status_code, 'id="throttled"' in held.content.decode()) == (429, True)
    assert not User.objects.filter(username="p3@example.org").exists()
    # Another address may still sign up; the same e-mail from elsewhere is held back too.
    for _attempt in range(2):
        sign_up(client, django_capture_on_commit_callbacks, address="198.51.100.9", email="same@example.org")
    again = sign_up(
        client, django_capture_on_commit_callbacks, address="192.0.2.44", email="same@example.org"
    )
    assert again.status_code == 429


def test_a_signed_in_person_is_sent_home(client, db):
    user = create_user("gestionnaire", role=Role.PROGRAMME_MANAGER, by=SYSTEM)
    client.force_login(user)
    response = client.get(reverse("candidates:register"))
    assert (response.status_code, response["Location"]) == (302, reverse("backoffice:dashboard"))


@pytest.mark.parametrize("kind", [registration.VERIFY, registration.ACCOUNT_EXISTS])
def test_the_email_task_sends_nothing_for_an_erased_or_missing_account(db, mailoutbox, kind):
    assert registration.send_message(kind, 999999, "fr") == "skipped"
    person = create_user("sans-adresse", role=Role.CANDIDATE, by=SYSTEM)
    assert registration.send_message(kind, person.pk, "fr") == "skipped"
    assert mailoutbox == []
