"""Cohort sessions: planned around French public holidays, changed by managers, in an iCalendar
feed, announced by e-mail before each one, with their attendance."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django_q.models import Schedule
from django_q.scheduler import scheduler

from accounts.enums import Role
from accounts.services import create_user
from cohort import services
from cohort.models import Attendance, CohortSession, SessionStatus
from lifecycle.actors import SYSTEM
from lifecycle.enums import ChallengeState, MentorRole
from notifications.enums import MessageEvent
from notifications.models import Notification
from tests.factories import CallFactory, ChallengeFactory, EntrepreneurFactory, PromotionFactory
from tests.html_forms import form_data

PARIS = ZoneInfo("Europe/Paris")
S = ChallengeState
D = dt.date


def paris(*args):
    return dt.datetime(*args, tzinfo=PARIS)


@pytest.fixture
def call(db):
    """Promotion 3: the EIGs arrive on Monday 14 January 2019, for ten months."""
    return CallFactory(
        promotion=PromotionFactory(number=3, name="EIG 3", call=None),
        submission_deadline=paris(2018, 6, 15, 17, 0),
        starts_on=D(2019, 1, 14),
        duration_months=10,
    )


@pytest.fixture
def sessions(call):
    return services.plan_sessions(call)


def test_promotion_3_gets_a_session_every_two_weeks_moved_off_easter_monday(sessions):
    assert [s.date for s in sessions] == [
        D(2019, 1, 14), D(2019, 1, 28), D(2019, 2, 11), D(2019, 2, 25), D(2019, 3, 11), D(2019, 3, 25),
        D(2019, 4, 8), D(2019, 4, 23), D(2019, 5, 6), D(2019, 5, 20), D(2019, 6, 3), D(2019, 6, 17),
        D(2019, 7, 1), D(2019, 7, 15), D(2019, 7, 29), D(2019, 8, 12), D(2019, 8, 26), D(2019, 9, 9),
        D(2019, 9, 23), D(2019, 10, 7), D(2019, 10, 21), D(2019, 11, 4),
    ]  # fmt: skip
    moved = [(s.planned_on, s.date, s.change_reason) for s in sessions if s.date != s.planned_on]
    assert moved == [
        (D(2019, 4, 22), D(2019, 4, 23), "Reportée au jour ouvré suivant : Lundi de Pâques, jour férié.")
    ]
    first = sessions[0]
    assert (first.title, first.start_time, first.end_time, first.place) == (
        "Session n°1 de la promotion EIG 3",
        dt.time(14, 0),
        dt.time(17, 30),
        "Etalab, 20 avenue de Ségur, 75007 Paris",
    )


def test_the_rhythm_hours_place_and_reminder_of_the_sessions_are_the_calls(call):
    call.cohort_session_every_days = 28
    call.cohort_session_starts_at, call.cohort_session_ends_at = dt.time(9, 30), dt.time(12, 0)
    call.cohort_session_place = "Visioconférence"
    call.cohort_session_reminder_days = 7
    call.cohort_planning_lead_days = 30
    call.save()

    planned = services.plan_sessions(call)

    assert [s.date for s in planned][:3] == [D(2019, 1, 14), D(2019, 2, 11), D(2019, 3, 11)]
    assert len(planned) == 11
    assert {(s.start_time, s.end_time, s.place) for s in planned} == {
        (dt.time(9, 30), dt.time(12, 0), "Visioconférence")
    }
    assert services.reminder_at(planned[0]) == paris(2019, 1, 7, 9, 0)
    assert Schedule.objects.get(name=f"session-{planned[0].pk}/reminder").next_run == paris(2019, 1, 7, 9, 0)
    assert Schedule.objects.get(name=f"call-{call.pk}/cohort-planning").next_run == paris(2018, 12, 15, 9, 0)


def test_a_holiday_on_a_friday_moves_the_session_past_the_weekend():
    assert services.next_working_day(D(2019, 11, 1)) == (D(2019, 11, 4), "Toussaint, jour férié")
    assert services.next_working_day(D(2019, 12, 25)) == (D(2019, 12, 26), "Noël, jour férié")
    assert services.next_working_day(D(2019, 11, 9)) == (D(2019, 11, 12), "samedi")  # then 11 November
    assert services.next_working_day(D(2019, 11, 5)) == (D(2019, 11, 5), "")


def test_planning_runs_from_its_schedule_once(call, django_capture_on_commit_callbacks):
    planning = Schedule.objects.get(name=f"call-{call.pk}/cohort-planning")
    assert planning.next_run == paris(2018, 12, 31, 9, 0)  # two weeks before the arrival

    with time_machine.travel(paris(2019, 1, 2, 8, 0), tick=False):  # the worker came back late
        scheduler()
    again = services.plan_sessions(call)

    assert CohortSession.objects.filter(promotion=call.promotion).count() == 22
    assert again == []


def test_each_session_has_its_reminder_schedule_which_follows_moves_and_cancellations(sessions):
    reminders = Schedule.objects.filter(name__endswith="/reminder").order_by("next_run")
    assert reminders.count() == 22
    assert reminders.first().next_run == paris(2019, 1, 12, 9, 0)

    services.move_session(sessions[1], by=SYSTEM, date=D(2019, 1, 29), reason="Salle indisponible le lundi")
    services.cancel_session(sessions[15], by=SYSTEM, reason="Pont du 15 août")

    moved = Schedule.objects.get(name=f"session-{sessions[1].pk}/reminder")
    assert moved.next_run == paris(2019, 1, 27, 9, 0)
    assert not Schedule.objects.filter(name=f"session-{sessions[15].pk}/reminder").exists()
    assert (sessions[1].sequence, sessions[1].change_reason) == (1, "Salle indisponible le lundi")
    with pytest.raises(ValidationError) as refused:
        services.move_session(sessions[2], by=SYSTEM, date=D(2019, 5, 1))
    assert refused.value.message_dict == {
        "date": [
            "Le 1 mai 2019 n’est pas un jour ouvré (Fête du Travail, jour férié) : choisissez un autre jour."
        ]
    }


@pytest.fixture
def running(call):
    """Two running challenges with their EIGs, and one still recruiting (no session yet)."""
    first = ChallengeFactory(promotion=call.promotion, state=S.RUNNING, name="LexImpact")
    second = ChallengeFactory(promotion=call.promotion, state=S.RUNNING, name="CartoBio")
    recruiting = ChallengeFactory(promotion=call.promotion, state=S.RECRUITING, name="IA Flash")
    for challenge, names in [(first, ["Noa", "Eden"]), (second, ["Jade"]), (recruiting, ["Malo"])]:
        for name in names:
            EntrepreneurFactory(
                challenge=challenge,
                first_name=name,
                last_name="Martin",
                email=f"{name.lower()}@eig.example.fr",
            )
    second.mentors.filter(role=MentorRole.OPERATIONAL).update(email="claude.roux@agriculture.gouv.fr")
    return first, second


def test_eigs_and_operational_mentors_are_reminded_two_days_before_a_session(
    running, sessions, smtp_server, django_capture_on_commit_callbacks
):
    def run(moment):
        with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
            scheduler()

    run(paris(2019, 1, 26, 8, 59))  # 28 January's reminder is not due yet; 14 January's is past: none
    sent_before = len(smtp_server.messages)
    run(paris(2019, 1, 26, 9, 0, 1))
    run(paris(2019, 1, 26, 12, 0))  # a second pass sends nothing more

    received = smtp_server.messages[sent_before:]
    assert sorted(m["To"] for m in received) == [
        "alix.durand@example.gouv.fr",
        "claude.roux@agriculture.gouv.fr",
        "eden@eig.example.fr",
        "jade@eig.example.fr",
        "noa@eig.example.fr",
    ]
    token = services.calendar_of(running[0].promotion).token
    body = received[0].get_content()
    assert (
        str(received[0]["Subject"]).strip()
        == "[EIG] Session de promotion le lundi 28 janvier 2019, de 14:00 à 17:30"
    )
    assert "lundi 28 janvier 2019, de 14:00 à 17:30, Etalab, 20 avenue de Ségur, 75007 Paris" in body
    assert f"http://127.0.0.1:8000/sessions/calendrier/{token}.ics" in body

    services.move_session(
        sessions[1], by=SYSTEM, date=D(2019, 1, 29)
    )  # moved after its reminder: announced again
    run(paris(2019, 1, 27, 9, 1))
    assert len(smtp_server.messages) == sent_before + 10
    assert services.remind(sessions[0]) == []  # past


def test_the_ics_feed_lists_every_session_with_its_changes(client, sessions):
    services.cancel_session(sessions[15], by=SYSTEM, reason="Pont du 15 août")
    calendar = services.calendar_of(sessions[0].promotion)

    response = client.get(reverse("cohort:ics", args=[calendar.token]))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    parsed = icalendar.Calendar.from_ical(response.content)
    events = list(parsed.walk("VEVENT"))
    assert str(parsed["X-WR-CALNAME"]) == "Sessions de la promotion EIG 3"
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["Europe/Paris"]
    assert len(events) == 22
    assert events[0]["DTSTART"].dt == paris(2019, 1, 14, 14, 0)
    assert events[0]["DTSTART"].params["TZID"] == "Europe/Paris"
    assert events[7]["DTSTART"].dt == paris(2019, 4, 23, 14, 0)  # summer time: 12:00 UTC
    assert events[7]["DESCRIPTION"] == "Reportée au jour ouvré suivant : Lundi de Pâques, jour férié."
    assert (events[15]["STATUS"], events[15]["SEQUENCE"]) == ("CANCELLED", 1)
    assert events[0]["UID"] == f"cohort-session-{sessions[0].pk}@eig.etalab.gouv.fr"


def test_a_renewed_calendar_address_replaces_the_old_one(client, sessions):
    calendar = services.calendar_of(sessions[0].promotion)
    old = reverse("cohort:ics", args=[calendar.token])

    services.renew_token(calendar, by=SYSTEM)

    assert client.get(old).status_code == 404
    assert client.get(reverse("cohort:ics", args=[calendar.token])).status_code == 200
    assert client.get(reverse("cohort:ics", args=["devine"])).status_code == 404


def test_attendance_is_recorded_per_eig_and_operational_mentor(running, sessions):
    first, second = running

    sheet = services.attendance_sheet(sessions[0], by=SYSTEM)
    services.record_attendance(
        sessions[0], first.entrepreneurs.get(first_name="Noa"), by=SYSTEM, present=True
    )
    services.record_attendance(
        sessions[0],
        second.mentors.get(role=MentorRole.OPERATIONAL),
        by=SYSTEM,
        present=True,
        note="Arrivé à 15 h",
    )

    assert len(sheet) == 5  # three EIGs and two operational mentors of the running challenges
    assert sorted(
        (str(a.person), a.present, a.note) for a in Attendance.objects.filter(session=sessions[0])
    ) == [
        ("Alix Durand (Mentor opérationnel)", False, ""),
        ("Alix Durand (Mentor opérationnel)", True, "Arrivé à 15 h"),
        ("Eden Martin", False, ""),
        ("Jade Martin", False, ""),
        ("Noa Martin", True, ""),
    ]
    strategic = Attendance(session=sessions[0], mentor=first.mentors.get(role=MentorRole.STRATEGIC))
    with pytest.raises(ValidationError) as refused:
        strategic.full_clean()
    assert "Seuls les mentors opérationnels suivent les sessions." in refused.value.message_dict["mentor"]


def test_a_manager_moves_a_session_in_the_admin_but_not_onto_a_holiday(client, sessions):
    client.force_login(create_user("gestionnaire", by=SYSTEM, role=Role.PROGRAMME_MANAGER))
    url = reverse("admin:cohort_cohortsession_change", args=[sessions[3].pk])
    data = form_data(client.get(url).content.decode(), "cohortsession_form")

    holiday = client.post(url, {**data, "date": "2019-05-08"})
    moved = client.post(url, {**data, "date": "2019-02-26", "change_reason": "Séminaire des mentors"})

    assert (
        "Ce jour n’est pas un jour ouvré (Fête de la Victoire, jour férié) : choisissez un autre jour."
        in holiday.content.decode()
    )
    assert moved.status_code == 302
    sessions[3].refresh_from_db()
    assert (sessions[3].date, sessions[3].sequence, sessions[3].status) == (
        D(2019, 2, 26),
        1,
        SessionStatus.PLANNED,
    )
    assert Schedule.objects.get(name=f"session-{sessions[3].pk}/reminder").next_run == paris(
        2019, 2, 24, 9, 0
    )
    assert Notification.objects.filter(event=MessageEvent.SESSION_REMINDER).count() == 0


def test_the_cohort_command_plans_once_and_gives_the_calendar_address(call):
    out, again, address = io.StringIO(), io.StringIO(), io.StringIO()

    call_command("cohort", "plan", "3", stdout=out)
    call_command("cohort", "plan", "3", stdout=again)
    call_command("cohort", "calendar", "3", stdout=address)

    lines = out.getvalue().splitlines()
    assert lines[0] == "lun 14 janvier 2019  Session n°1 de la promotion EIG 3"
    assert lines[7] == (
        "mar 23 avril 2019  Session n°8 de la promotion EIG 3  (au lieu du 22 avril : "
        "Reportée au jour ouvré suivant : Lundi de Pâques, jour férié.)"
    )
    assert lines[-1] == "22 session(s) planifiée(s)."
    assert again.getvalue() == "La promotion EIG 3 a déjà ses sessions : rien de planifié.\n"
    token = services.calendar_of(call.promotion).token
    assert address.getvalue() == f"http://127.0.0.1:8000/sessions/calendrier/{token}.ics\n"
