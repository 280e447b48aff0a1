"""The administration reads its audition before the jury on its dossier's page, and takes it into
its calendar (.ics): its own contacts only."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from accounts.enums import Role
from lifecycle.enums import ChallengeState
from lifecycle.models import Challenge
from tests.factories import (
    AdministrationFactory,
    ChallengeFactory,
    administration_contact,
    pitch_slot,
    programme_manager,
    user_with_role,
)

PARIS = ZoneInfo("Europe/Paris")
STARTS = dt.datetime(2030, 7, 3, 10, 0, tzinfo=PARIS)
VISIO = "https://webconf.numerique.gouv.fr/jury-eig-salle-2"


@pytest.fixture
def challenge(administration):
    challenge = ChallengeFactory(
        administration=administration, state=ChallengeState.PITCHED, name="Données de santé"
    )
    call = challenge.promotion.call
    call.jury_starts_on, call.jury_ends_on = dt.date(2030, 7, 3), dt.date(2030, 7, 4)
    call.save()
    return challenge


def page_of(client, challenge):
    response = client.get(reverse("portal:dossier", args=[challenge.pk]))
    assert response.status_code == 200
    return response.content.decode()


def ics_url(challenge):
    return reverse("portal:pitch_slot_ics", args=[challenge.pk])


def test_the_dossier_page_shows_when_and_where_the_jury_hears_the_challenge(contact_client, challenge):
    pitch_slot(challenge, starts_at=STARTS, minutes=40, place="Salle Lamartine, 20 avenue de Ségur")

    html = page_of(contact_client, challenge)

    assert '<div class="fr-callout fr-icon-calendar-line fr-mb-4w" id="pitch-slot">' in html
    assert '<h2 class="fr-callout__title">Votre audition devant le jury</h2>' in html
    assert (
        '<p class="fr-mb-1w" id="pitch-slot-when">mercredi 3 juillet 2030, 10:00–10:40 (heure de Paris)</p>'
        in html
    )
    assert (
        '<p class="fr-mb-1w eig-wrap" id="pitch-slot-where">Salle Lamartine, 20 avenue de Ségur</p>' in html
    )
    assert (
        f'<a class="fr-link fr-icon-calendar-line fr-link--icon-left" href="/dossiers/{challenge.pk}/'
        'audition.ics" download>Ajouter à mon agenda (.ics)</a>'
    ) in html
    assert "Sous-jury 1" not in html  # who hears it is the programme's business


def test_the_video_link_is_clickable_beside_the_room_or_alone(contact_client, challenge):
    slot = pitch_slot(challenge, starts_at=STARTS, minutes=40, place="Salle Lamartine")
    slot.video_link = VISIO
    slot.save()
    link = f'<a class="fr-link" href="{VISIO}">{VISIO}</a>'

    html = page_of(contact_client, challenge)
    assert (
        '<p class="fr-mb-1w eig-wrap" id="pitch-slot-where">'
        f"Salle Lamartine ; en visioconférence : {link}</p>"
    ) in html

    slot.place = ""
    slot.save()
    html = page_of(contact_client, challenge)
    assert f'<p class="fr-mb-1w eig-wrap" id="pitch-slot-where">en visioconférence : {link}</p>' in html


def test_without_a_slot_there_is_no_audition_and_no_calendar_file(contact_client, challenge):
    html = page_of(contact_client, challenge)
    assert 'id="pitch-slot"' not in html
    assert "Votre audition devant le jury" not in html
    assert contact_client.get(ics_url(challenge)).status_code == 404


def test_the_calendar_file_is_the_audition(contact_client, challenge):
    slot = pitch_slot(challenge, starts_at=STARTS, minutes=40, place="Salle Lamartine")
    slot.video_link = VISIO
    slot.save()

    response = contact_client.get(ics_url(challenge))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="audition-jury-eig-{challenge.pk}.ics"'
    assert response["Cache-Control"] == "private, no-store"
    calendar = Calendar.from_ical(response.content)
    assert (str(calendar["METHOD"]), str(calendar["VERSION"])) == (
        "PUBLISH",
        "2.0",
    )  # a file added by hand, not an invitation to answer
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"pitch-slot-{challenge.pk}@eig.etalab.gouv.fr"
    assert event["DTSTART"].params["TZID"] == event["DTEND"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTSTART") == STARTS
    assert event.decoded("DTEND") == STARTS + dt.timedelta(minutes=40)
    assert str(event["SUMMARY"]) == "Audition devant le jury EIG : Données de santé"
    assert str(event["LOCATION"]) == "Salle Lamartine"
    assert str(event["URL"]) == VISIO
    assert (event.decoded("SEQUENCE"), str(event["STATUS"])) == (0, "CONFIRMED")


def test_the_administrative_carriers_contact_reads_it_too(client, challenge):
    carrier = AdministrationFactory(name="Ministère des Solidarités")
    challenge.administrative_carrier = carrier
    challenge.save()
    pitch_slot(challenge, starts_at=STARTS, place="Salle Lamartine")
    client.force_login(administration_contact(carrier, username="contact-porteur"))

    assert 'id="pitch-slot-when">mercredi 3 juillet 2030, 10:00–10:40 (heure de Paris)</p>' in page_of(
        client, challenge
    )
    assert client.get(ics_url(challenge)).status_code == 200


@pytest.mark.parametrize(
    "make_user",
    [
        lambda: administration_contact(AdministrationFactory(name="Une autre direction"), username="autre"),
        lambda: programme_manager(username="gestionnaire"),
        lambda: user_with_role(Role.JURY_MEMBER, username="jure"),
        lambda: user_with_role(Role.AUDITOR, username="auditeur"),
        lambda: user_with_role(Role.MENTOR, username="mentor"),
    ],
)
def test_nobody_else_reads_the_audition(client, challenge, make_user):
    pitch_slot(challenge, starts_at=STARTS, place="Salle Lamartine")
    client.force_login(make_user())
    assert client.get(reverse("portal:dossier", args=[challenge.pk])).status_code == 404
    assert client.get(ics_url(challenge)).status_code == 404


def test_anonymous_users_are_sent_to_the_login_page(client, challenge):
    pitch_slot(challenge, starts_at=STARTS, place="Salle Lamartine")
    response = client.get(ics_url(challenge))
    assert response.status_code == 302
    assert response.headers["Location"] == f"{reverse('login')}?next={ics_url(challenge)}"


def test_once_decided_the_audition_is_no_longer_announced(contact_client, challenge):
    pitch_slot(challenge, starts_at=STARTS, place="Salle Lamartine")
    assert 'id="pitch-slot"' in page_of(contact_client, challenge)
    Challenge.objects.filter(pk=challenge.pk).update(state=ChallengeState.SELECTED)
    assert 'id="pitch-slot"' not in page_of(contact_client, challenge)
