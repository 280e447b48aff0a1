"""The programme managers' pages of the candidates' call: the list and its filters, bulk decisions
confirmed on their own page (who gets which e-mail, what would be refused and why; nothing moves
before), the exports in three formats, an application's page (interview with its .ics, rank),
a challenge's ranking, offers and team, and the candidates' personal data."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import tablib
from django.urls import reverse
from django.utils import timezone

from lifecycle.enums import DefaultProfile
from notifications.models import Notification
from recruitment import assessment, moves
from recruitment.enums import ApplicationState as S
from recruitment.enums import Origin
from recruitment.models import Application, Candidate
from tests.factories import (
    EntrepreneurFactory,
    complete_candidate,
    mentor_user,
    open_candidates_call,
    programme_manager,
    recruiting_challenge,
    submitted_candidate,
)

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def call():
    return open_candidates_call()


@pytest.fixture
def challenge(call):
    return recruiting_challenge(call, name="Données de santé")


@pytest.fixture
def manager(client):
    user = programme_manager(first_name="Claire", last_name="Gestion")
    client.force_login(user)
    return user


def to_interview(application, manager, days=3):
    if application.state == S.SUBMITTED:
        moves.transition(application, "preselect", by=manager)
    return moves.schedule_interview(
        application,
        at=timezone.now() + dt.timedelta(days=days),
        place="Etalab, 20 avenue de Ségur",
        by=manager,
    )


def to_ranked(application, manager, rank=1):
    return moves.set_rank(to_interview(application, manager), rank, by=manager)


def test_the_list_shows_every_submitted_application_with_filters(client, call, challenge, manager):
    other = recruiting_challenge(call, name="Cadastre ouvert")
    submitted_candidate(call, [challenge], first_name="Inès", last_name="Morel")
    submitted_candidate(call, [other], first_name="Yanis", last_name="Roux")
    response = client.get(reverse("applications:list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Inès Morel" in page and "Yanis Roux" in page
    response = client.get(reverse("applications:list"), {"challenge": other.pk, "q": "roux"})
    assert [row.candidate.last_name for row in response.context["page_obj"]] == ["Roux"]
    # A stale value: said, and the whole list shown.
    response = client.get(reverse("applications:list"), {"state": "nonsense"})
    assert response.context["form"].errors
    assert response.context["page_obj"].paginator.count == 2


def test_the_challenges_page_leads_to_each_recruiting_challenge_with_its_figures(
    client, call, challenge, manager
):
    other = recruiting_challenge(call, name="Cadastre ouvert")
    submitted_candidate(call, [challenge, other], first_name="Inès", last_name="Morel")
    submitted_candidate(call, [challenge], first_name="Yanis", last_name="Roux")
    list_page = client.get(reverse("applications:list")).content.decode()
    assert f'href="{reverse("applications:challenges")}"' in list_page

    response = client.get(reverse("applications:challenges"))

    assert response.status_code == 200
    rows = [
        (item.name, item.application_count, item.accepted_count) for item in response.context["challenges"]
    ]
    assert rows == [("Cadastre ouvert", 1, 0), ("Données de santé", 2, 0)]
    page = response.content.decode()
    assert f'href="{reverse("applications:challenge", args=[other.pk])}"' in page
    assert f'href="{reverse("applications:list")}?challenge={challenge.pk}">2</a>' in page
    challenge_page = client.get(reverse("applications:challenge", args=[challenge.pk])).content.decode()
    assert f'href="{reverse("applications:challenges")}">Classement et équipe par défi</a>' in challenge_page


def test_other_roles_do_not_reach_the_managers_pages(client, call, challenge):
    application = submitted_candidate(call, [challenge]).applications.get()
    client.force_login(mentor_user())
    for url in [
        reverse("applications:list"),
        reverse("applications:application", args=[application.pk]),
        reverse("applications:challenges"),
        reverse("applications:challenge", args=[challenge.pk]),
        reverse("applications:personal_data"),
        reverse("applications:export", args=["csv"]),
    ]:
        assert client.get(url).status_code == 404, url


def test_a_bulk_reject_is_confirmed_first_then_tells_each_candidate_alone(client, call, challenge, manager):
    names = [("Inès", "Morel"), ("Yanis", "Roux"), ("Zoé", "Lin")]
    candidates = [
        submitted_candidate(call, [challenge], first_name=first, last_name=last) for first, last in names
    ]
    applications = [candidate.applications.get() for candidate in candidates]
    already = submitted_candidate(call, [challenge], first_name="Noé", last_name="Blanc").applications.get()
    moves.transition(already, "reject", by=manager, reason="Déjà vu.")
    chosen = [application.pk for application in [*applications, already]]
    before = Notification.objects.filter(event="application_rejected").count()

    response = client.post(
        reverse("applications:bulk"),
        {"move": "reject", "applications": chosen, "next": "/gestion/candidatures/"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    # Who will get which e-mail, and what would be refused and why; nothing moved yet.
    for candidate in candidates:
        assert f"{candidate.full_name} &lt;{candidate.email}&gt;" in page
    assert "[EIG] Votre candidature au défi « Données de santé »" in page
    assert "« Ne pas retenir » n’est pas possible depuis l’état « Non retenue »." in page
    assert response.context["movable_count"] == 3
    assert set(Application.objects.filter(pk__in=chosen[:3]).values_list("state", flat=True)) == {S.SUBMITTED}
    assert Notification.objects.filter(event="application_rejected").count() == before

    # The confirmation without its reason or its box: refused, nothing moves.
    response = client.post(
        reverse("applications:bulk"),
        {"move": "reject", "applications": chosen, "step": "confirm", "confirm": "1"},
    )
    assert response.status_code == 200
    assert response.context["errors"]["reason"]
    assert set(Application.objects.filter(pk__in=chosen[:3]).values_list("state", flat=True)) == {S.SUBMITTED}

    response = client.post(
        reverse("applications:bulk"),
        {
            "move": "reject",
            "applications": chosen,
            "step": "confirm",
            "confirm": "1",
            "reason": "Profils trop éloignés du défi.",
        },
    )
    assert response.status_code == 200
    assert sorted(application.pk for application in response.context["moved"]) == sorted(chosen[:3])
    assert [application.pk for application, _reasons in response.context["refused"]] == [already.pk]
    assert set(Application.objects.filter(pk__in=chosen[:3]).values_list("state", flat=True)) == {S.REJECTED}

    mails = Notification.objects.filter(event="application_rejected").exclude(
        recipient_email=already.candidate.email
    )
    assert sorted(mails.values_list("recipient_email", flat=True)) == sorted(c.email for c in candidates)
    for mail in mails:
        mine = next(candidate for candidate in candidates if candidate.email == mail.recipient_email)
        assert mine.full_name in mail.body
        for other in candidates:
            if other != mine:
                assert other.first_name not in mail.body and other.last_name not in mail.body
        assert "Profils trop éloignés" not in mail.body  # the reason stays internal


def test_a_draft_or_an_unknown_application_is_not_chosen(client, call, challenge, manager):
    draft = complete_candidate(call, challenges=[challenge]).applications.get()
    response = client.post(
        reverse("applications:bulk"), {"move": "preselect", "applications": [draft.pk, 999999]}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == S.DRAFT


def _exported(client, file_format, **filters):
    response = client.get(reverse("applications:export", args=[file_format]), filters)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="candidatures.{file_format}"'
    return response.content


def test_the_filtered_list_exports_in_three_formats(client, call, challenge, manager):
    ines = submitted_candidate(call, [challenge], first_name="Inès", last_name="Morel")
    submitted_candidate(call, [recruiting_challenge(call, name="Cadastre ouvert")], first_name="Yanis")
    application = ines.applications.get()
    criteria = list(call.candidate_criteria.all())
    assessment.save_grid(application, {criteria[0].pk: 4, criteria[1].pk: 3}, by=manager)
    moment = (
        (timezone.now() + dt.timedelta(days=3))
        .astimezone(PARIS)
        .replace(hour=14, minute=30, second=0, microsecond=0)
    )
    moves.transition(application, "preselect", by=manager)
    moves.schedule_interview(application, at=moment, place="Salle 1", by=manager)
    moves.set_rank(application, 2, by=manager)
    headers = [
        "Candidat·e",
        "E-mail",
        "Profil",
        "Défi",
        "État",
        "Note moyenne",
        "Entretien (heure de Paris)",
        "Rang",
    ]
    profile = call.profiles.get(code=ines.profile).label
    filters = {"challenge": challenge.pk}

    rows = list(
        csv.reader(io.StringIO(_exported(client, "csv", **filters).decode("utf-8-sig")), delimiter=";")
    )
    assert rows == [
        headers,
        [
            "Inès Morel",
            ines.email,
            profile,
            "Données de santé",
            "Classée",
            "3.5",
            moment.strftime("%d/%m/%Y %H:%M"),
            "2",
        ],
    ]

    sheet = openpyxl.load_workbook(io.BytesIO(_exported(client, "xlsx", **filters))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values == [
        headers,
        [
            "Inès Morel",
            ines.email,
            profile,
            "Données de santé",
            "Classée",
            3.5,
            moment.replace(tzinfo=None),
            2,
        ],
    ]

    dataset = tablib.Dataset().load(_exported(client, "ods", **filters), format="ods")
    assert dataset.headers == headers
    assert len(dataset) == 1
    first = dataset[0]
    assert first[:5] == ("Inès Morel", ines.email, profile, "Données de santé", "Classée")
    assert float(first[5]) == 3.5 and int(first[7]) == 2

    everything = list(csv.reader(io.StringIO(_exported(client, "csv").decode("utf-8-sig")), delimiter=";"))
    assert len(everything) == 3
    assert client.get(reverse("applications:export", args=["pdf"])).status_code == 404


def test_the_export_never_holds_a_cv_or_a_motivation(client, call, challenge, manager):
    submitted_candidate(call, [challenge])
    content = _exported(client, "csv").decode("utf-8-sig")
    assert "Je veux aider ce service." not in content
    assert "cvs/" not in content


def test_a_manager_schedules_an_interview_and_the_candidate_gets_its_ics(client, call, challenge, manager):
    candidate = submitted_candidate(call, [challenge], first_name="Inès", last_name="Morel")
    application = candidate.applications.get()
    moves.transition(application, "preselect", by=manager)
    day = timezone.localdate() + dt.timedelta(days=5)
    url = reverse("applications:interview", args=[application.pk])

    response = client.post(
        url,
        {
            "entretien-day": day.isoformat(),
            "entretien-time": "14:30",
            "entretien-minutes": "45",
            "entretien-place": "",
        },
    )
    assert response.status_code == 200
    assert response.context["interview_form"].errors["place"]
    application.refresh_from_db()
    assert application.interview_at is None

    response = client.post(
        url,
        {
            "entretien-day": day.isoformat(),
            "entretien-time": "14:30",
            "entretien-minutes": "60",
            "entretien-place": "https://visio.example.gouv.fr/eig",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == S.INTERVIEW
    assert application.interview_at == dt.datetime.combine(day, dt.time(14, 30), tzinfo=PARIS)
    assert application.interview_minutes == 60
    mail = Notification.objects.get(event="interview_invitation")
    assert mail.recipient_email == candidate.email
    assert mail.attachment_name.endswith(".ics")
    ics = bytes(mail.attachment).decode()
    assert "BEGIN:VCALENDAR" in ics
    assert f"DTSTART;TZID=Europe/Paris:{day:%Y%m%d}T143000" in ics
    assert "https://visio.example.gouv.fr/eig" in ics
    detail = client.get(reverse("applications:application", args=[application.pk]))
    assert "https://visio.example.gouv.fr/eig" in detail.content.decode()


def test_ranking_then_an_offer_from_the_challenge_page(client, call, challenge, manager):
    first = submitted_candidate(call, [challenge], first_name="Inès", last_name="Morel").applications.get()
    second = submitted_candidate(call, [challenge], first_name="Yanis", last_name="Roux").applications.get()
    to_interview(first, manager)
    to_interview(second, manager)
    for application, rank in [(first, 2), (second, 1)]:
        response = client.post(reverse("applications:rank", args=[application.pk]), {"rang-rank": str(rank)})
        assert response.status_code == 302
    first.refresh_from_db()
    assert (first.state, first.rank) == (S.RANKED, 2)

    page = client.get(reverse("applications:challenge", args=[challenge.pk]))
    assert page.status_code == 200
    [group] = page.context["groups"]
    assert [entry["application"].pk for entry in group["rows"]] == [second.pk, first.pk]
    assert all(entry["offer"] == {"reasons": []} for entry in group["rows"])

    response = client.post(
        reverse("applications:move", args=[second.pk, "offer"]),
        {"confirm": "1", "next": reverse("applications:challenge", args=[challenge.pk])},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:challenge", args=[challenge.pk])
    second.refresh_from_db()
    assert second.state == S.OFFERED
    assert Notification.objects.get(event="offer_made").recipient_email == second.candidate.email


def test_the_detail_page_offers_every_move_and_the_manager_grid(client, call, challenge, manager):
    application = submitted_candidate(call, [challenge]).applications.get()
    mentor = mentor_user(first_name="Alix", last_name="Durand")
    assessment.save_grid(application, {call.candidate_criteria.first().pk: 4}, by=mentor)
    assessment.comment(application, "Très motivée.", by=mentor)
    response = client.get(reverse("applications:application", args=[application.pk]))
    assert response.status_code == 200
    assert [option["name"] for option in response.context["move_forms"]] == [
        "preselect",
        "reject",
        "withdraw",
    ]
    assert [row["scorer"] for row in response.context["grids"]] == ["Alix Durand (" + mentor.username + ")"]
    assert "Très motivée." in response.content.decode()
    criteria = list(call.candidate_criteria.all())
    response = client.post(
        reverse("applications:grid", args=[application.pk]), {f"grille-criterion_{criteria[1].pk}": "2"}
    )
    assert response.status_code == 302
    assert assessment.grid_of(application, manager) == {criteria[1].pk: 2}
    # A made-through move is its own form, never a button.
    assert client.post(reverse("applications:move", args=[application.pk, "rank"])).status_code == 404


def test_a_challenge_is_offered_to_a_candidate_interviewed_elsewhere(client, call, challenge, manager):
    other = recruiting_challenge(call, name="Cadastre ouvert")
    interviewed = submitted_candidate(call, [other], first_name="Inès", last_name="Morel")
    to_interview(interviewed.applications.get(), manager)
    submitted_candidate(call, [other], first_name="Yanis", last_name="Roux")  # not interviewed
    applied = submitted_candidate(call, [challenge, other], first_name="Zoé", last_name="Lin")
    to_interview(applied.applications.get(challenge=other), manager)

    page = client.get(reverse("applications:challenge", args=[challenge.pk]))
    choices = dict(page.context["elsewhere_form"].fields["candidate"].choices)
    assert str(interviewed.pk) in choices
    assert str(applied.pk) not in choices  # applied to this one: decided on their own application
    assert len(choices) == 2  # the empty choice and Inès

    response = client.post(
        reverse("applications:offer_elsewhere", args=[challenge.pk]),
        {"candidate": str(interviewed.pk), "reason": "Profil rare pour ce défi.", "confirm": "on"},
    )
    assert response.status_code == 302
    offered = Application.objects.get(candidate=interviewed, challenge=challenge)
    assert (offered.state, offered.origin) == (S.OFFERED, Origin.PROGRAMME)
    assert Notification.objects.filter(event="offer_made", recipient_email=interviewed.email).count() == 1

    # Once it has an application there, the candidate is no longer offered it.
    page = client.get(reverse("applications:challenge", args=[challenge.pk]))
    assert str(interviewed.pk) not in dict(page.context["elsewhere_form"].fields["candidate"].choices)


def test_the_team_page_flags_a_team_of_identical_profiles(client, call, challenge, manager):
    page = client.get(reverse("applications:challenge", args=[challenge.pk]))
    assert page.context["warnings"] == []
    assert page.context["start"]["possible"] is False

    candidate = submitted_candidate(call, [challenge], profile=DefaultProfile.DEVELOPMENT)
    application = to_ranked(candidate.applications.get(), manager)
    moves.transition(application, "offer", by=manager)
    moves.transition(application, "accept", by=candidate.user)
    EntrepreneurFactory(
        challenge=challenge, profile=DefaultProfile.DEVELOPMENT, first_name="Noé", last_name="Blanc"
    )

    page = client.get(reverse("applications:challenge", args=[challenge.pk]))
    content = page.content.decode()
    assert page.context["team"].count == 2
    assert page.context["team"].identical_profiles
    assert "Toute l’équipe a le même profil" in content
    assert candidate.full_name in content and "Noé Blanc" in content
    # The mentors are not confirmed in the factory's dossier: start says so, and links the case.
    assert any("pas encore confirmé" in reason for reason in page.context["start"]["reasons"])
    assert reverse("backoffice:challenge", args=[challenge.pk]) + "#actions" in content


def test_the_case_page_links_the_recruitment_page(client, call, challenge, manager):
    response = client.get(reverse("backoffice:challenge", args=[challenge.pk]))
    assert reverse("applications:challenge", args=[challenge.pk]) in response.content.decode()


def test_personal_data_page_and_the_retention_run_now(client, call, challenge, manager):
    call.candidate_data_retention_days = 30
    call.save()
    kept = submitted_candidate(call, [challenge], first_name="Inès", last_name="Morel")
    old = submitted_candidate(call, [challenge], first_name="Yanis", last_name="Roux")
    submitted_candidate(call, [challenge], first_name="Zoé", last_name="Lin")  # in progress
    for candidate in (kept, old):
        moves.transition(candidate.applications.get(), "reject", by=manager, reason="Hors profil.")
    Candidate.objects.filter(pk=old.pk).update(results_at=timezone.now() - dt.timedelta(days=31))

    page = client.get(reverse("applications:personal_data"))
    assert page.status_code == 200
    assert [row["candidate"].pk for row in page.context["due"]] == [old.pk]
    assert page.context["figures"] == {"in_progress": 1, "kept": 2, "erased": 0, "asked": 0}
    kept_row = next(row for row in page.context["page_obj"] if row["candidate"].pk == kept.pk)
    kept.refresh_from_db()
    assert kept_row["kept_until"] == kept.results_at + dt.timedelta(days=30)

    confirmation = client.get(reverse("applications:run_retention"))
    assert "Yanis Roux" in confirmation.content.decode()
    response = client.post(reverse("applications:run_retention"))
    assert response.status_code == 200  # without the box: nothing erased
    old.refresh_from_db()
    assert old.erased_at is None

    response = client.post(reverse("applications:run_retention"), {"confirm": "1"})
    assert response.status_code == 302
    old.refresh_from_db()
    kept.refresh_from_db()
    assert old.erased_at is not None and old.last_name == ""
    assert kept.erased_at is None
    page = client.get(reverse("applications:personal_data"))
    assert page.context["figures"]["erased"] == 1
    assert f"Candidat·e n°{old.pk} (données effacées)" in page.content.decode()
