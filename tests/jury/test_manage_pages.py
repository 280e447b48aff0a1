"""The programme managers' jury pages: what each shows, what each form writes through the domain
(and refuses, in French), the closed jury, who sees nothing (404), and a fixed number of queries."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.enums import Role
from accounts.models import Invitation
from jury import calendar as slot_calendar
from jury import services
from jury.enums import MemberKind
from jury.models import Conflict, JuryMember, Opinion, PitchSlot, Score, SubJury
from lifecycle import clock, criteria
from lifecycle.enums import AuditKind, ChallengeState
from lifecycle.models import AuditEvent
from notifications.enums import MessageEvent
from notifications.models import Notification
from tests.backoffice.page_text import text_of
from tests.factories import (
    AdministrationFactory,
    ChallengeFactory,
    PromotionFactory,
    administration_contact,
    heard,
    jury_member,
    pitch_slot,
    programme_manager,
    user_with_role,
)
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db

CLAIRE = "Claire Etalab (gestionnaire)"
PAGES = [
    "jury:overview",
    "jury:members",
    "jury:sub_juries",
    "jury:planning",
    "jury:manage_conflicts",
    "jury:close",
]


@pytest.fixture
def manager():
    return programme_manager(username="gestionnaire", first_name="Claire", last_name="Etalab")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def promotion():
    return PromotionFactory(number=7, name="EIG 7")


@pytest.fixture
def jury(promotion):
    return services.jury_of(promotion)


def url(name, promotion, **params):
    query = "&".join(f"{key}={value}" for key, value in {"promotion": promotion.number, **params}.items())
    return f"{reverse(name)}?{query}"


def at(promotion, hour, minute=0, day=0):
    moment = dt.datetime.combine(
        promotion.call.jury_starts_on + dt.timedelta(days=day), dt.time(hour, minute)
    )
    return timezone.make_aware(moment)


def pitched(promotion, name, administration="Direction du numérique"):
    return ChallengeFactory(
        promotion=promotion,
        name=name,
        state=ChallengeState.PITCHED,
        administration=AdministrationFactory(name=administration),
    )


def page_text(response) -> str:
    assert response.status_code == 200
    return text_of(response.content.decode())


def main_of(html: str) -> str:
    """The page's own content, without the header's forms (the language's)."""
    return html.split('<main id="content"', 1)[1].split("</main>", 1)[0]


def flash(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- What each page shows ---------------------------------------------------------------------


def test_the_overview_shows_the_progress_the_unplanned_challenges_and_the_late_conflicts(
    manager_client, promotion, jury
):
    sub_jury = SubJury.objects.create(jury=jury, name="Sous-jury A")
    done = pitched(promotion, "Défi noté")
    heard(done, sub_jury=sub_jury)
    half = pitched(promotion, "Défi à moitié noté")
    pitch_slot(half, sub_jury=sub_jury)
    pitched(promotion, "Défi sans audition", administration="Cour des comptes")
    alix, sacha = (
        jury_member(jury, first_name="Alix", last_name="Arnaud"),
        jury_member(jury, first_name="Sacha"),
    )
    sub_jury.members.set([alix, sacha])
    Opinion.objects.create(
        member=alix,
        challenge=done,
        favourable=True,
        preference=1,
        explanation="Clair.",
        updated_at=timezone.now(),
    )
    Conflict.objects.create(
        member=sacha,
        challenge=half,
        reason="Ancien collègue.",
        declared_by=sacha.user,
        declared_at=timezone.now(),
    )

    response = manager_client.get(reverse("jury:overview"))

    text = page_text(response)
    assert "Jury de la promotion EIG 7" in text
    assert "Auditions planifiées 2" in text
    assert "Grilles collectives complètes 1/2" in text
    assert "Grilles générales données 1/2" in text
    assert "Défis invités à pitcher sans audition 1" in text
    assert "1 grille collective incomplète Défi à moitié noté" in text
    assert f'href="{reverse("jury:manage_grid", args=[half.pk])}"' in response.content.decode()
    assert "1 défi invité à pitcher sans audition Défi sans audition (Cour des comptes)" in text
    assert "1 conflit d’intérêts déclaré après l’affectation" in text
    assert "Sacha Juré — « Défi à moitié noté », entendu par le Sous-jury A" in text
    assert "Clore le jury…" in text
    nav = [item["label"] for item in response.context["jury_nav"]]
    assert [str(label) for label in nav] == [
        "Vue d’ensemble",
        "Membres",
        "Sous-jurys",
        "Auditions",
        "Conflits",
        "Classement",
    ]
    assert response.context["jury_nav"][5]["url"] == reverse("jury:ranking") + "?promotion=7"


def test_the_promotion_is_the_one_whose_jury_is_at_work_unless_named(manager_client, promotion):
    newest = PromotionFactory(number=promotion.number + 1, name="EIG de l’an prochain")
    ChallengeFactory(promotion=newest, state=ChallengeState.SUBMITTED)
    older = PromotionFactory(number=6, name="EIG 6")
    pitched(older, "Défi de l’an passé")

    # The newest promotion has no jury at work yet: the page opens on the one with a pitched challenge.
    assert manager_client.get(reverse("jury:overview")).context["promotion"] == older
    assert manager_client.get(url("jury:overview", newest)).context["promotion"] == newest
    ChallengeFactory(promotion=newest, state=ChallengeState.PRESELECTED)
    assert manager_client.get(reverse("jury:overview")).context["promotion"] == newest
    response = manager_client.get(url("jury:planning", older))
    assert response.context["promotion"] == older
    assert "Défi de l’an passé" in page_text(response)
    assert manager_client.get(reverse("jury:overview") + "?promotion=99").status_code == 404
    assert manager_client.get(reverse("jury:overview") + "?promotion=sept").status_code == 404


def test_the_members_page_lists_each_member_and_their_account(manager_client, promotion, jury, manager):
    seated = jury_member(jury, first_name="Alix", last_name="Arnaud", kind=MemberKind.PUBLIC_AGENT)
    seated.organisation = "DINUM"
    seated.save()
    services.invite_member(
        jury,
        email="nina@example.org",
        first_name="Nina",
        last_name="Bastide",
        kind=MemberKind.ENTREPRENEUR,
        organisation="Société coopérative",
        by=manager,
    )
    sub_jury = SubJury.objects.create(jury=jury, name="Sous-jury A")
    sub_jury.members.set([seated])
    challenge = pitched(promotion, "Défi des écoles")
    Conflict.objects.create(
        member=seated,
        challenge=challenge,
        reason="Ancienne cheffe.",
        declared_by=manager,
        declared_at=timezone.now(),
    )

    text = page_text(manager_client.get(reverse("jury:members")))

    assert "2 membres" in text
    assert f"Alix Arnaud Agent public DINUM {seated.email} Compte existant Sous-jury A 1" in text, text
    assert (
        "Nina Bastide Entrepreneur·e, société civile Société coopérative nina@example.org "
        "Invitation en attente" in text
    )


def test_the_sub_juries_page_shows_members_as_boxes_and_the_slots(manager_client, promotion, jury):
    sub_jury = SubJury.objects.create(jury=jury, name="Sous-jury A")
    alix, sacha = jury_member(jury, first_name="Alix"), jury_member(jury, first_name="Sacha")
    sub_jury.members.set([alix])
    challenge = pitched(promotion, "Défi des écoles")
    pitch_slot(challenge, sub_jury=sub_jury, starts_at=at(promotion, 9, 30))
    Conflict.objects.create(
        member=sacha,
        challenge=challenge,
        reason="Ancien collègue.",
        declared_by=sacha.user,
        declared_at=timezone.now(),
    )

    response = manager_client.get(reverse("jury:sub_juries"))

    text = page_text(response)
    assert "1 audition" in text
    assert "09:30–10:10 : « Défi des écoles » (Direction du numérique)" in text
    assert form_data(response.content.decode(), f"members-form-{sub_jury.pk}") == {
        "csrfmiddlewaretoken": response.context["csrf_token"],
        "action": "membres",
        "sub_jury": str(sub_jury.pk),
        f"sous-jury-{sub_jury.pk}-members": str(alix.pk),
    }
    assert "Sacha Juré (Entrepreneur·e, société civile) — conflit d’intérêts avec « Défi des écoles »" in text


def test_the_planning_shows_the_slots_by_day_and_the_challenges_without_one(manager_client, promotion, jury):
    sub_jury = SubJury.objects.create(jury=jury, name="Sous-jury A")
    first = pitched(promotion, "Défi du matin", administration="Cour des comptes")
    pitch_slot(first, sub_jury=sub_jury, starts_at=at(promotion, 10), place="Salle Lamartine")
    second = pitched(promotion, "Défi du lendemain")
    slot = pitch_slot(second, sub_jury=sub_jury, starts_at=at(promotion, 14, day=1))
    slot.video_link = "https://visio.example.org/jury"
    slot.save()
    pitched(promotion, "Défi à planifier")
    day_one = promotion.call.jury_starts_on

    response = manager_client.get(reverse("jury:planning"))

    text = page_text(response)
    assert "2 auditions planifiées" in text
    days = response.context["days"]
    assert [group["day"] for group in days] == [day_one, day_one + dt.timedelta(days=1)]
    assert "10:00–10:40 Défi du matin Cour des comptes Sous-jury A Salle Lamartine" in text
    assert (
        "14:00–14:40 Défi du lendemain Direction du numérique Sous-jury A Salle Lamartine "
        "Lien de visioconférence" in text
    )
    assert "1 défi invité à pitcher sans audition Défi à planifier" in text
    assert [label for _value, label in response.context["form"].fields["challenge"].choices][1:] == [
        "Défi à planifier (Direction du numérique)",
        "Défi du lendemain (Direction du numérique)",
        "Défi du matin (Cour des comptes)",
    ]


def test_the_planning_form_is_filled_with_the_slot_to_change(manager_client, promotion, jury):
    sub_jury = SubJury.objects.create(jury=jury, name="Sous-jury A")
    challenge = pitched(promotion, "Défi du matin")
    pitch_slot(challenge, sub_jury=sub_jury, starts_at=at(promotion, 10), place="Salle Lamartine")

    response = manager_client.get(url("jury:planning", promotion, defi=challenge.pk))

    data = form_data(response.content.decode(), "plan-form")
    assert {key: data[key] for key in ("challenge", "sub_jury", "day", "starts", "ends", "place")} == {
        "challenge": str(challenge.pk),
        "sub_jury": str(sub_jury.pk),
        "day": promotion.call.jury_starts_on.isoformat(),
        "starts": "10:00",
        "ends": "10:40",
        "place": "Salle Lamartine",
    }


def test_the_conflicts_page_lists_every_conflict(manager_client, promotion, jury, manager):
    alix = jury_member(jury, first_name="Alix", last_name="Arnaud")
    challenge = pitched(promotion, "Défi des écoles")
    preselected = ChallengeFactory(
        promotion=promotion, name="Défi présélectionné", state=ChallengeState.PRESELECTED
    )
    ChallengeFactory(promotion=promotion, name="Défi déposé", state=ChallengeState.SUBMITTED)
    with time_machine.travel(dt.datetime(2018, 6, 20, 10, 0, tzinfo=dt.UTC), tick=False):
        services.declare_conflict(alix, challenge, reason="A dirigé ce service.", by=manager)
    Conflict.objects.create(
        member=alix,
        challenge=preselected,
        reason="Conjoint dans l’équipe.",
        declared_by=alix.user,
        declared_at=dt.datetime(2018, 6, 21, 8, 0, tzinfo=dt.UTC),
    )

    response = manager_client.get(reverse("jury:manage_conflicts"))

    text = page_text(response)
    assert "2 conflits d’intérêts" in text
    assert (
        "Alix Arnaud Défi des écoles (Direction du numérique) A dirigé ce service. "
        "Claire Etalab 20 juin 2018 à 12:00" in text
    )
    assert (
        "Alix Arnaud Défi présélectionné" in text
        and "Conjoint dans l’équipe. le membre 21 juin 2018 à 10:00" in text
    )
    choices = [label for _value, label in response.context["form"].fields["challenge"].choices][1:]
    assert [label.split(" (")[0] for label in choices] == ["Défi des écoles", "Défi présélectionné"]


def test_the_grid_page_shows_each_criterion_with_the_scale_and_who_scored_last(
    manager_client, promotion, jury
):
    challenge = pitched(promotion, "Défi des écoles")
    slot = pitch_slot(challenge, starts_at=at(promotion, 10))
    scorer = programme_manager(username="saisie", first_name="Lou", last_name="Saisie")
    first = criteria.of_call(promotion.call)[0]
    Score.objects.create(
        challenge=challenge,
        criterion=first,
        value=4,
        comment="Très fort.",
        updated_at=slot.ends_at,
        updated_by=scorer,
    )

    with clock.at(slot.ends_at + dt.timedelta(minutes=5)):
        response = manager_client.get(reverse("jury:manage_grid", args=[challenge.pk]))

    text = page_text(response)
    assert "Grille collective de « Défi des écoles »" in text
    assert "Dernière note par Lou Saisie (saisie), le" in text
    assert "1. Impact du défi proposé (poids 1)" in text
    assert "1 — Pas du tout satisfaisant 2 — Peu satisfaisant 3 — Satisfaisant 4 — Excellent" in text
    data = form_data(response.content.decode(), "grid-form")
    assert data[f"value_{first.pk}"] == "4"
    assert data[f"comment_{first.pk}"] == "Très fort."
    assert len([key for key in data if key.startswith("comment_")]) == 5


# --- Who sees nothing ---------------------------------------------------------------------------


def test_a_contact_a_jury_member_and_an_auditor_see_none_of_these_pages(client, promotion, jury):
    challenge = pitched(promotion, "Défi des écoles")
    member = jury_member(jury)
    SubJury.objects.create(jury=jury, name="Sous-jury A").members.set([member])
    pitch_slot(challenge, sub_jury=SubJury.objects.get())
    urls = [reverse(name) for name in PAGES] + [reverse("jury:manage_grid", args=[challenge.pk])]
    people = [
        administration_contact(challenge.administration, username="contact"),
        member.user,
        user_with_role(Role.AUDITOR, username="auditrice"),
    ]
    for person in people:
        client.force_login(person)
        statuses = {f"GET {u}": client.get(u).status_code for u in urls} | {
            f"POST {u}": client.post(u, {"action": "planifier"}).status_code for u in urls
        }
        assert set(statuses.values()) == {404}, (person, statuses)
    assert not PitchSlot.objects.exclude(challenge=challenge).exists()


# --- The forms write through the domain --------------------------------------------------------


def test_planning_a_slot_through_the_page_writes_it_and_the_administrations_email(
    manager_client, promotion, jury
):
    sub_jury = SubJury.objects.create(jury=jury, name="Sous-jury A")
    challenge = pitched(promotion, "Défi des écoles")
    day = promotion.call.jury_starts_on

    response = manager_client.post(
        url("jury:planning", promotion),
        {
            "action": "planifier",
            "challenge": challenge.pk,
            "sub_jury": sub_jury.pk,
            "day": day.isoformat(),
            "starts": "10:00",
            "ends": "10:40",
            "place": "Salle Lamartine",
            "video_link": "",
        },
        follow=True,
    )

    assert response.redirect_chain == [(url("jury:planning", promotion), 302)]
    assert flash(response) == [
        "L’audition de « Défi des écoles » est planifiée ; l’administration en est informée."
    ]
    slot = PitchSlot.objects.get()
    assert (slot.challenge, slot.sub_jury, slot.place) == (challenge, sub_jury, "Salle Lamartine")
    assert (timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)) == (
        at(promotion, 10),
        at(promotion, 10, 40),
    )
    mails = Notification.objects.filter(challenge=challenge, event=MessageEvent.PITCH_SLOT_PLANNED)
    assert mails.count() >= 1
    assert {mail.attachment_name for mail in mails} == {f"audition-jury-eig-{challenge.pk}.ics"}
    assert AuditEvent.objects.filter(challenge=challenge, kind=AuditKind.SLOT_PLANNED).count() == 1


def test_an_overlapping_slot_shows_the_french_error_and_writes_nothing(manager_client, promotion, jury):
    sub_jury = SubJury.objects.create(jury=jury, name="Sous-jury A")
    first = pitched(promotion, "Défi du matin")
    pitch_slot(first, sub_jury=sub_jury, starts_at=at(promotion, 10))
    second = pitched(promotion, "Défi en même temps")
    posted = {
        "action": "planifier",
        "challenge": second.pk,
        "sub_jury": sub_jury.pk,
        "day": promotion.call.jury_starts_on.isoformat(),
        "starts": "10:20",
        "ends": "11:00",
        "place": "Salle Hugo",
        "video_link": "",
    }

    response = manager_client.post(url("jury:planning", promotion), posted)

    text = page_text(response)
    when = slot_calendar.when(PitchSlot.objects.get(challenge=first))
    assert (
        f"L’audition n’est pas planifiée Le Sous-jury A entend déjà « Défi du matin » ({when}) à ce moment."
        in text
    )
    data = form_data(response.content.decode(), "plan-form")
    assert {key: data[key] for key in ("challenge", "starts", "ends", "place")} == {
        "challenge": str(second.pk),
        "starts": "10:20",
        "ends": "11:00",
        "place": "Salle Hugo",
    }
    assert not PitchSlot.objects.filter(challenge=second).exists()
    assert not Notification.objects.filter(challenge=second).exists()


def test_a_slot_outside_the_jury_days_is_refused_in_french(manager_client, promotion, jury):
    sub_jury = SubJury.objects.create(jury=jury, name="Sous-jury A")
    challenge = pitched(promotion, "Défi des écoles")
    day = promotion.call.jury_starts_on - dt.timedelta(days=1)

    response = manager_client.post(
        url("jury:planning", promotion),
        {
            "action": "planifier",
            "challenge": challenge.pk,
            "sub_jury": sub_jury.pk,
            "day": day.isoformat(),
            "starts": "10:00",
            "ends": "09:00",
            "place": "",
        },
    )

    assert response.context["form"].errors == {"ends": ["L’audition finit après son début."]}
    response = manager_client.post(
        url("jury:planning", promotion),
        {
            "action": "planifier",
            "challenge": challenge.pk,
            "sub_jury": sub_jury.pk,
            "day": day.isoformat(),
            "starts": "10:00",
            "ends": "10:40",
            "place": "",
        },
    )
    call = promotion.call
    assert response.context["form"].non_field_errors() == [
        "Indiquez la salle ou le lien de visioconférence de l’audition.",
        "L’audition a lieu pendant les jours du jury : du "
        f"{date_format(call.jury_starts_on, 'j F Y')} au {date_format(call.jury_ends_on, 'j F Y')}.",
    ]
    assert not PitchSlot.objects.exists()


def test_cancelling_a_slot_asks_for_a_confirmation_and_a_reason(manager_client, promotion, jury):
    sub_jury = SubJury.objects.create(jury=jury, name="Sous-jury A")
    challenge = pitched(promotion, "Défi des écoles")
    pitch_slot(challenge, sub_jury=sub_jury, starts_at=at(promotion, 10))

    text = page_text(manager_client.get(url("jury:planning", promotion, annuler=challenge.pk)))
    assert "Annuler l’audition de « Défi des écoles »" in text
    assert "Sous-jury : Sous-jury A" in text
    response = manager_client.post(
        url("jury:planning", promotion), {"action": "annuler", "challenge": challenge.pk}
    )
    assert response.context["form"].errors == {"reason": ["Dites pourquoi l’audition est annulée."]}
    assert PitchSlot.objects.exists()

    response = manager_client.post(
        url("jury:planning", promotion),
        {"action": "annuler", "challenge": challenge.pk, "reason": "L’administration retire son défi."},
        follow=True,
    )

    assert flash(response) == [
        "L’audition de « Défi des écoles » est annulée ; l’administration en est informée."
    ]
    assert not PitchSlot.objects.exists()
    assert Notification.objects.filter(challenge=challenge, event=MessageEvent.PITCH_SLOT_CANCELLED).exists()
    event = AuditEvent.objects.filter(challenge=challenge, kind=AuditKind.SLOT_PLANNED).latest("pk")
    assert event.reason == "L’administration retire son défi."


def test_inviting_through_the_page_creates_the_member_and_the_invitation(
    manager_client, promotion, jury, manager
):
    response = manager_client.post(
        url("jury:members", promotion),
        {
            "email": "nina@example.org",
            "first_name": "Nina",
            "last_name": "Bastide",
            "kind": MemberKind.PUBLIC_AGENT,
            "organisation": "Ministère de la Culture",
            "language": "en",
        },
        follow=True,
    )

    assert flash(response) == [
        "Nina Bastide est invité·e : un e-mail avec le lien d’invitation part à nina@example.org."
    ]
    member = JuryMember.objects.get()
    assert (
        member.jury,
        member.first_name,
        member.last_name,
        member.kind,
        member.organisation,
        member.user,
    ) == (
        jury,
        "Nina",
        "Bastide",
        MemberKind.PUBLIC_AGENT,
        "Ministère de la Culture",
        None,
    )
    invitation = Invitation.objects.get()
    assert (
        member.invitation,
        invitation.email,
        invitation.role,
        invitation.language,
        invitation.invited_by,
    ) == (
        invitation,
        "nina@example.org",
        Role.JURY_MEMBER,
        "en",
        manager,
    )

    again = manager_client.post(
        url("jury:members", promotion),
        {
            "email": "NINA@example.org",
            "first_name": "Nina",
            "last_name": "B.",
            "kind": "entrepreneur",
            "language": "fr",
        },
    )
    assert again.context["form"].errors == {"email": ["Cette personne est déjà membre de ce jury."]}
    assert form_data(again.content.decode(), "invite-form")["last_name"] == "B."
    assert JuryMember.objects.count() == 1


def test_creating_a_sub_jury_and_choosing_its_members(manager_client, promotion, jury):
    alix, sacha = jury_member(jury, first_name="Alix"), jury_member(jury, first_name="Sacha")

    response = manager_client.post(
        url("jury:sub_juries", promotion), {"action": "creer", "name": "Sous-jury Santé"}, follow=True
    )
    sub_jury = SubJury.objects.get()
    assert flash(response) == ["Le Sous-jury Santé est créé : choisissez ses membres."]
    response = manager_client.post(
        url("jury:sub_juries", promotion),
        {
            "action": "membres",
            "sub_jury": sub_jury.pk,
            f"sous-jury-{sub_jury.pk}-members": [alix.pk, sacha.pk],
        },
        follow=True,
    )

    assert flash(response) == ["Les membres du Sous-jury Santé sont enregistrés."]
    assert set(sub_jury.members.all()) == {alix, sacha}


def test_set_members_is_refused_for_a_member_in_conflict(manager_client, promotion, jury, manager):
    sub_jury = SubJury.objects.create(jury=jury, name="Sous-jury A")
    alix, sacha = jury_member(jury, first_name="Alix"), jury_member(jury, first_name="Sacha")
    challenge = pitched(promotion, "Défi des écoles")
    pitch_slot(challenge, sub_jury=sub_jury)
    services.declare_conflict(sacha, challenge, reason="Ancien collègue.", by=manager)
    field = f"sous-jury-{sub_jury.pk}-members"

    response = manager_client.post(
        url("jury:sub_juries", promotion),
        {"action": "membres", "sub_jury": sub_jury.pk, field: [alix.pk, sacha.pk]},
    )

    text = page_text(response)
    assert (
        "Les membres du Sous-jury A ne sont pas enregistrés "
        "Sacha Juré a déclaré un conflit d’intérêts avec « Défi des écoles », que ce sous-jury entend."
    ) in text
    assert form_data(response.content.decode(), f"members-form-{sub_jury.pk}")[field] == [
        str(alix.pk),
        str(sacha.pk),
    ]
    assert not sub_jury.members.exists()


def test_a_manager_records_a_conflict_for_a_member(manager_client, promotion, jury, manager):
    alix = jury_member(jury, first_name="Alix", last_name="Arnaud")
    challenge = ChallengeFactory(
        promotion=promotion, name="Défi présélectionné", state=ChallengeState.PRESELECTED
    )

    response = manager_client.post(
        url("jury:manage_conflicts", promotion),
        {"member": alix.pk, "challenge": challenge.pk, "reason": "A dirigé ce service."},
        follow=True,
    )

    assert flash(response) == [
        "Le conflit d’intérêts de Alix Arnaud avec « Défi présélectionné » est enregistré."
    ]
    conflict = Conflict.objects.get()
    assert (conflict.member, conflict.challenge, conflict.reason, conflict.declared_by) == (
        alix,
        challenge,
        "A dirigé ce service.",
        manager,
    )
    again = manager_client.post(
        url("jury:manage_conflicts", promotion),
        {"member": alix.pk, "challenge": challenge.pk, "reason": "Encore."},
    )
    assert again.context["form"].non_field_errors() == ["Ce conflit d’intérêts est déjà déclaré."]


def test_a_manager_enters_a_paper_grid(manager_client, promotion, jury, manager):
    challenge = pitched(promotion, "Défi des écoles")
    slot = pitch_slot(challenge, starts_at=at(promotion, 10))
    call_criteria = criteria.of_call(promotion.call)
    grid_url = reverse("jury:manage_grid", args=[challenge.pk])
    posted = {f"value_{criterion.pk}": "3" for criterion in call_criteria} | {
        f"comment_{criterion.pk}": f"Commentaire {rank}." for rank, criterion in enumerate(call_criteria, 1)
    }

    with clock.at(slot.starts_at - dt.timedelta(minutes=1)):
        text = page_text(manager_client.get(grid_url))
        assert "la grille se remplit à partir de là" in text
        assert 'id="grid-form"' not in manager_client.get(grid_url).content.decode()
        early = manager_client.post(grid_url, posted, follow=True)
        assert flash(early) == [
            f"L’audition commence le {slot_calendar.when(slot)} : la grille se remplit à partir de là."
        ]
        assert not Score.objects.exists()
    with clock.at(slot.ends_at):
        missing = manager_client.post(grid_url, posted | {f"comment_{call_criteria[1].pk}": ""})
        # The members' grid form: the error sits beside the comment missing.
        assert missing.context["form"].errors == {
            f"comment_{call_criteria[1].pk}": [
                f"« {call_criteria[1].name} » : un commentaire accompagne la note."
            ]
        }
        assert not Score.objects.exists()
        response = manager_client.post(grid_url, posted, follow=True)

    assert flash(response) == ["La grille de « Défi des écoles » est enregistrée : 5 notes changées."]
    assert [
        (score.criterion, score.value, score.comment, score.updated_by) for score in Score.objects.all()
    ] == [(criterion, 3, f"Commentaire {rank}.", manager) for rank, criterion in enumerate(call_criteria, 1)]
    assert AuditEvent.objects.filter(challenge=challenge, kind=AuditKind.SCORE_GIVEN).count() == 5


# --- Closing ------------------------------------------------------------------------------------


def test_closing_asks_for_a_confirmation_then_closes(manager_client, promotion, jury, manager):
    done = pitched(promotion, "Défi noté")
    heard(done)
    half = pitched(promotion, "Défi à moitié noté")
    pitch_slot(half, sub_jury=SubJury.objects.get())

    text = page_text(manager_client.get(reverse("jury:close")))
    assert "La clôture est irréversible" in text
    assert "Grilles collectives complètes 1/2" in text
    refused = manager_client.post(url("jury:close", promotion), {"confirmation": "on"})
    assert refused.context["form"].non_field_errors() == [
        "Des grilles collectives sont incomplètes : « Défi à moitié noté »."
    ]
    heard(half)
    unticked = manager_client.post(url("jury:close", promotion))
    assert unticked.context["form"].errors == {
        "confirmation": ["Cochez la case pour confirmer la clôture du jury."]
    }
    jury.refresh_from_db()
    assert not jury.closed

    with time_machine.travel(dt.datetime(2018, 7, 4, 16, 30, tzinfo=dt.UTC), tick=False):
        response = manager_client.post(url("jury:close", promotion), {"confirmation": "on"}, follow=True)

    assert response.redirect_chain == [(url("jury:overview", promotion), 302)]
    assert flash(response) == ["Le jury de la promotion EIG 7 est clos : plus aucune note ne change."]
    jury.refresh_from_db()
    assert (jury.closed_by, jury.closed_at) == (manager, dt.datetime(2018, 7, 4, 16, 30, tzinfo=dt.UTC))
    assert "Jury clos le 4 juillet 2018 à 18:30 par Claire Etalab (gestionnaire)." in page_text(response)
    assert "Clore le jury…" not in page_text(response)


def test_a_closed_jury_shows_no_change_form_and_refuses_a_change_with_its_message(
    manager_client, promotion, jury, manager
):
    challenge = pitched(promotion, "Défi noté")
    slot = heard(challenge)
    alix = jury_member(jury, first_name="Alix")
    other = pitched(promotion, "Défi sans audition")
    with time_machine.travel(dt.datetime(2018, 7, 4, 16, 30, tzinfo=dt.UTC), tick=False):
        services.close(jury, by=manager)

    pages = [reverse(name) for name in PAGES] + [reverse("jury:manage_grid", args=[challenge.pk])]
    for target in pages:
        html = main_of(manager_client.get(target).content.decode())
        assert "Jury clos le 4 juillet 2018 à 18:30 par Claire Etalab (gestionnaire)." in text_of(html), (
            target
        )
        assert 'method="post"' not in html, target

    closed = "Le jury est clos depuis le 4 juillet 2018 : plus rien n’y change."
    attempts = [
        (
            url("jury:members", promotion),
            {
                "email": "nina@example.org",
                "first_name": "N",
                "last_name": "B",
                "kind": "entrepreneur",
                "language": "fr",
            },
        ),
        (url("jury:sub_juries", promotion), {"action": "creer", "name": "Sous-jury B"}),
        (
            url("jury:sub_juries", promotion),
            {
                "action": "membres",
                "sub_jury": slot.sub_jury_id,
                f"sous-jury-{slot.sub_jury_id}-members": [alix.pk],
            },
        ),
        (
            url("jury:planning", promotion),
            {
                "action": "planifier",
                "challenge": other.pk,
                "sub_jury": slot.sub_jury_id,
                "day": promotion.call.jury_starts_on.isoformat(),
                "starts": "15:00",
                "ends": "15:40",
                "place": "Salle",
            },
        ),
        (url("jury:planning", promotion), {"action": "annuler", "challenge": challenge.pk, "reason": "Non."}),
        (
            url("jury:manage_conflicts", promotion),
            {"member": alix.pk, "challenge": challenge.pk, "reason": "Lien."},
        ),
        (url("jury:close", promotion), {"confirmation": "on"}),
        (
            reverse("jury:manage_grid", args=[challenge.pk]),
            {f"value_{criterion.pk}": "1" for criterion in criteria.of_call(promotion.call)},
        ),
    ]
    for target, data in attempts:
        response = manager_client.post(target, data, follow=True)
        assert flash(response) == [closed], target
    assert JuryMember.objects.count() == 1
    assert SubJury.objects.count() == 1 and not SubJury.objects.get().members.exists()
    assert list(PitchSlot.objects.values_list("challenge", flat=True)) == [challenge.pk]
    assert not Conflict.objects.exists()
    assert set(Score.objects.values_list("value", flat=True)) == {3}


# --- Queries ------------------------------------------------------------------------------------


def _fill(promotion, jury, count, start):
    """`count` pitched challenges heard by sub-juries of two members, one with a conflict."""
    for n in range(start, start + count):
        sub_jury = SubJury.objects.create(jury=jury, name=f"Sous-jury {n}")
        members = [jury_member(jury, first_name=f"Membre{n}", last_name=side) for side in ("A", "B")]
        sub_jury.members.set(members)
        challenge = pitched(promotion, f"Défi {n:03d}", administration=f"Administration {n}")
        heard(challenge, sub_jury=sub_jury, by=programme_manager(username=f"saisie-{n}"))
        Conflict.objects.create(
            member=members[0],
            challenge=challenge,
            reason="Lien.",
            declared_by=members[0].user,
            declared_at=timezone.now(),
        )
        pitched(promotion, f"Défi sans audition {n:03d}")


def _queries(client, target) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(target)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "name",
    [
        "jury:overview",
        "jury:planning",
        "jury:members",
        "jury:sub_juries",
        "jury:manage_conflicts",
        "jury:close",
    ],
)
def test_the_pages_run_as_many_queries_for_20_slots_as_for_10(
    manager_client, promotion, jury, name, django_assert_max_num_queries
):
    _fill(promotion, jury, 10, 0)
    manager_client.get(reverse(name))  # the jury's row and the session, read once before
    with_10 = _queries(manager_client, reverse(name))
    _fill(promotion, jury, 10, 10)
    assert PitchSlot.objects.count() == 20
    with django_assert_max_num_queries(with_10):
        response = manager_client.get(reverse(name))
    assert response.status_code == 200
    assert _queries(manager_client, reverse(name)) == with_10


def test_a_jury_without_auditions_shows_where_to_start(manager_client, promotion, jury):
    ChallengeFactory(promotion=promotion, state=ChallengeState.PRESELECTED)
    jury_member(jury)

    response = manager_client.get(url("jury:overview", promotion))

    html = response.content.decode()
    assert [(step["label"], step["done"]) for step in response.context["steps"]] == [
        ("Inviter les membres du jury, entrepreneur·e·s et agents publics", True),
        ("Composer les sous-jurys", False),
        ("Inviter à pitcher les défis présélectionnés (1 présélectionné), depuis la liste des défis", False),
        ("Planifier leurs auditions pendant les jours du jury", False),
    ]
    assert f'href="/gestion/defis/?state=preselected&amp;promotion={promotion.pk}"' in html
    assert 'id="close-link"' not in html  # nothing to close yet
    conflicts = manager_client.get(url("jury:manage_conflicts", promotion)).content.decode()
    assert 'id="conflict-form"' in conflicts
    empty = PromotionFactory(number=8, name="EIG 8")
    conflicts = manager_client.get(url("jury:manage_conflicts", empty)).content.decode()
    assert ('id="nothing-to-declare"' in conflicts, 'id="conflict-form"' in conflicts) == (True, False)


def test_a_manager_takes_a_member_off_the_jury_from_the_members_page(manager_client, promotion, jury):
    member = jury_member(jury, first_name="Mauvaise", last_name="Adresse")
    members_url = url("jury:members", promotion)
    assert f'name="retirer" value="{member.pk}"' in manager_client.get(members_url).content.decode()

    response = manager_client.post(members_url, {"retirer": str(member.pk)}, follow=True)

    assert flash(response) == ["Mauvaise Adresse ne fait plus partie du jury."]
    assert not JuryMember.objects.filter(jury=jury).exists()
    assert manager_client.post(members_url, {"retirer": "99999"}).status_code == 404
