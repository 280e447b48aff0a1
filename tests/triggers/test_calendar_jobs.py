"""The jobs of a call's calendar, run by the real django-q2 scheduler on a moved clock."""

import datetime as dt
import importlib
import io
import logging
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django_q.models import Failure, Schedule, Success
from django_q.scheduler import scheduler

from accounts.enums import Role
from accounts.services import create_user
from lifecycle.actors import SYSTEM
from lifecycle.enums import AuditKind, ChallengeState
from lifecycle.models import AuditEvent, Challenge
from notifications import reminders
from notifications.enums import MessageEvent
from notifications.models import Notification
from recruitment import jobs
from recruitment import services as recruitment
from recruitment.models import RecruitmentClosure
from tests.factories import AdministrationFactory, CallFactory, ChallengeFactory, PromotionFactory

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC
S = ChallengeState


def paris(*args):
    return dt.datetime(*args, tzinfo=PARIS)


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


@pytest.fixture
def call(db):
    """The calendar of promotion 3 (2018); creating it installs its jobs."""
    return CallFactory(
        promotion=PromotionFactory(number=3, name="EIG 3", call=None),
        submission_deadline=paris(2018, 6, 15, 17, 0),
        jury_starts_on=dt.date(2018, 7, 2),
        jury_ends_on=dt.date(2018, 7, 4),
        recruitment_opens_at=paris(2018, 9, 13, 10, 0),
        recruitment_closes_at=paris(2018, 10, 15, 17, 0),
        starts_on=dt.date(2019, 1, 14),
    )


@pytest.fixture
def challenges(call):
    dinum = AdministrationFactory(name="DINUM")
    create_user(
        "contact-dinum",
        by=SYSTEM,
        role=Role.ADMINISTRATION_CONTACT,
        administration=dinum,
        email="dominique.renard@numerique.gouv.fr",
    )
    return {
        name: ChallengeFactory(promotion=call.promotion, name=name, state=state, administration=dinum)
        for name, state in [
            ("LexImpact", S.SELECTED),
            ("CartoBio", S.SELECTED),
            ("Open Justice", S.PITCHED),
            ("Plume", S.DRAFT),
            ("ACOSS-Plateforme", S.SUBMITTED),
        ]
    }


def states():
    return dict(Challenge.objects.values_list("name", "state"))


def run_scheduler(moment, capture):
    """One pass of django-q2's scheduler at `moment`, its tasks run inline, commits announced."""
    with time_machine.travel(moment, tick=False), capture(execute=True):
        scheduler()


def schedules_of(call):
    return list(
        Schedule.objects.filter(name__startswith=f"call-{call.pk}/")
        .order_by("next_run")
        .values_list("name", "func", "args", "next_run", "repeats", "schedule_type")
    )


def test_a_call_installs_one_job_per_date_of_its_calendar(call):
    prefix, args, reminder = (
        f"call-{call.pk}/",
        f"({call.pk},)",
        "notifications.jobs.remind_submission_deadline",
    )
    assert schedules_of(call) == [
        (prefix + "deadline-reminder-7d", reminder, f"({call.pk}, 7)", utc(2018, 6, 8, 15, 0), 1, "O"),
        (prefix + "deadline-reminder-1d", reminder, f"({call.pk}, 1)", utc(2018, 6, 14, 15, 0), 1, "O"),
        (
            prefix + "recruitment-opening",
            "recruitment.jobs.open_recruitment",
            args,
            utc(2018, 9, 13, 8, 0),
            1,
            "O",
        ),
        (
            prefix + "recruitment-closing",
            "recruitment.jobs.close_recruitment",
            args,
            utc(2018, 10, 15, 15, 0),
            1,
            "O",
        ),
        (prefix + "cohort-planning", "cohort.jobs.plan_sessions", args, utc(2018, 12, 31, 8, 0), 1, "O"),
    ]


def test_the_reminders_days_and_time_are_the_calls(call):
    call.submission_reminder_days = "14, 3,1"
    call.submission_reminder_time = dt.time(9, 0)
    call.save()

    reminders = [row for row in schedules_of(call) if "deadline-reminder" in row[0]]

    assert [(name.split("/")[1], next_run) for name, _func, _args, next_run, _r, _t in reminders] == [
        ("deadline-reminder-14d", utc(2018, 6, 1, 7, 0)),  # 9:00 in Paris
        ("deadline-reminder-3d", utc(2018, 6, 12, 7, 0)),
        ("deadline-reminder-1d", utc(2018, 6, 14, 7, 0)),
    ]
    call.submission_reminder_days = ""
    call.save()
    assert not [row for row in schedules_of(call) if "deadline-reminder" in row[0]]


def test_reminder_days_are_whole_numbers_of_days(call):
    call.submission_reminder_days = "7, la veille"
    with pytest.raises(ValidationError) as refused:
        call.full_clean()
    assert refused.value.message_dict == {
        "submission_reminder_days": ["Indiquez des nombres de jours séparés par des virgules (ex. : 7, 1)."]
    }


def test_at_the_opening_every_selected_challenge_moves_to_recruiting_as_the_system(
    challenges, call, smtp_server, django_capture_on_commit_callbacks
):
    run_scheduler(paris(2018, 9, 13, 9, 59, 59), django_capture_on_commit_callbacks)
    assert states()["LexImpact"] == S.SELECTED  # not yet due

    run_scheduler(paris(2018, 9, 13, 10, 0, 1), django_capture_on_commit_callbacks)

    assert states() == {
        "LexImpact": S.RECRUITING,
        "CartoBio": S.RECRUITING,
        "Open Justice": S.PITCHED,
        "Plume": S.DRAFT,
        "ACOSS-Plateforme": S.SUBMITTED,
    }
    moves = AuditEvent.objects.filter(kind=AuditKind.TRANSITION).order_by("id")
    trail = [(e.challenge.name, e.transition, e.actor, e.actor_label, e.created_at, e.reason) for e in moves]
    assert trail == [
        (
            name,
            "open_recruitment",
            None,
            "système",
            utc(2018, 9, 13, 8, 0, 1),
            "Ouverture de l’appel à candidatures de la promotion EIG 3.",
        )
        for name in ("LexImpact", "CartoBio")
    ]
    assert sorted(
        subject
        for to, subject in zip(smtp_server.header("To"), smtp_server.header("Subject"), strict=True)
        if to == "dominique.renard@numerique.gouv.fr"
    ) == [
        "[EIG] Le recrutement des EIG de « CartoBio » est ouvert",
        "[EIG] Le recrutement des EIG de « LexImpact » est ouvert",
    ]
    assert Failure.objects.count() == 0


def test_a_missed_opening_runs_when_a_worker_comes_back_and_a_second_run_changes_nothing(
    challenges, call, django_capture_on_commit_callbacks
):
    run_scheduler(paris(2018, 9, 16, 8, 30), django_capture_on_commit_callbacks)  # three days late
    events, mails = AuditEvent.objects.count(), Notification.objects.count()

    assert states()["LexImpact"] == S.RECRUITING
    assert AuditEvent.objects.filter(transition="open_recruitment").first().created_at == paris(
        2018, 9, 16, 8, 30
    )
    assert jobs.open_recruitment(call.pk) == "0 défi(s) en recrutement, 0 refus"
    run_scheduler(paris(2018, 9, 17, 8, 30), django_capture_on_commit_callbacks)

    assert (AuditEvent.objects.count(), Notification.objects.count()) == (events, mails)
    assert Success.objects.filter(func="recruitment.jobs.open_recruitment").count() == 1


def test_an_opening_missed_until_after_the_closing_moves_nothing_but_the_call_is_closed(
    challenges, call, caplog, django_capture_on_commit_callbacks
):
    with caplog.at_level(logging.WARNING, logger="recruitment.services"):
        run_scheduler(paris(2018, 10, 20, 9, 0), django_capture_on_commit_callbacks)

    assert states()["LexImpact"] == S.SELECTED
    assert "L’appel à candidatures est clos depuis le lundi 15 octobre 2018 à 17:00." in caplog.text
    closure = RecruitmentClosure.objects.get()
    assert (closure.closes_at, closure.recorded_at) == (utc(2018, 10, 15, 15, 0), utc(2018, 10, 20, 7, 0))


def test_the_closing_at_17h_paris_after_the_switch_to_winter_time(db, django_capture_on_commit_callbacks):
    with time_machine.travel(paris(2018, 9, 1, 12, 0), tick=False):  # set up in summer time
        call = CallFactory(
            submission_deadline=paris(2018, 11, 2, 17, 0),
            recruitment_opens_at=paris(2018, 10, 1, 10, 0),
            recruitment_closes_at=paris(2018, 11, 5, 17, 0),
        )
    closing = Schedule.objects.get(name=f"call-{call.pk}/recruitment-closing")
    reminders = Schedule.objects.filter(name__contains="deadline-reminder").order_by("next_run")

    assert closing.next_run == utc(2018, 11, 5, 16, 0)  # 17:00 in Paris, UTC+1 since 28 October
    assert [r.next_run for r in reminders] == [
        utc(2018, 10, 26, 15, 0),
        utc(2018, 11, 1, 16, 0),
    ]  # 17:00 both
    run_scheduler(paris(2018, 11, 5, 16, 59, 59), django_capture_on_commit_callbacks)
    assert not RecruitmentClosure.objects.exists()
    assert recruitment.accepts_applications(call, now=paris(2018, 11, 5, 16, 59, 59))

    run_scheduler(paris(2018, 11, 5, 17, 0, 1), django_capture_on_commit_callbacks)

    assert RecruitmentClosure.objects.get().recorded_at == utc(2018, 11, 5, 16, 0, 1)
    assert not recruitment.accepts_applications(call, now=paris(2018, 11, 5, 17, 0, 1))
    assert jobs.close_recruitment(call.pk) == "clôture enregistrée le 2018-11-05T16:00:01+00:00"
    assert RecruitmentClosure.objects.count() == 1


def test_drafts_are_reminded_seven_days_then_one_day_before_the_deadline(
    challenges, smtp_server, django_capture_on_commit_callbacks
):
    run_scheduler(paris(2018, 6, 8, 17, 0, 30), django_capture_on_commit_callbacks)
    run_scheduler(paris(2018, 6, 9, 17, 0), django_capture_on_commit_callbacks)  # nothing new
    run_scheduler(paris(2018, 6, 14, 17, 0, 30), django_capture_on_commit_callbacks)

    to_contact = [
        subject
        for to, subject in zip(smtp_server.header("To"), smtp_server.header("Subject"), strict=True)
        if to == "dominique.renard@numerique.gouv.fr"
    ]
    assert to_contact == [
        "[EIG] Plus que 7 jour(s) pour déposer « Plume »",
        "[EIG] Plus que 1 jour(s) pour déposer « Plume »",
    ]
    reminded = Notification.objects.filter(event=MessageEvent.DEADLINE_REMINDER)
    assert set(reminded.values_list("challenge__name", flat=True)) == {"Plume"}
    assert reminded.count() == 2 * 4  # two mentors, the contact and the team's copy, twice


def test_a_worker_down_for_the_whole_last_week_sends_only_the_last_reminder(
    challenges, call, django_capture_on_commit_callbacks
):
    run_scheduler(paris(2018, 6, 14, 18, 0), django_capture_on_commit_callbacks)

    reminded = Notification.objects.filter(
        event=MessageEvent.DEADLINE_REMINDER, recipient_email__contains="dinum"
    )
    assert reminded.count() == 0
    assert [
        n.subject for n in Notification.objects.filter(recipient_email="dominique.renard@numerique.gouv.fr")
    ] == ["[EIG] Plus que 1 jour(s) pour déposer « Plume »"]
    assert reminders.remind_submission_deadline(call, 7) == []
    with time_machine.travel(paris(2018, 6, 15, 17, 0), tick=False):
        assert reminders.remind_submission_deadline(call, 1) == []  # the deadline has passed


def test_changing_a_date_of_the_call_moves_its_job_and_re_arms_one_that_ran(
    challenges, call, django_capture_on_commit_callbacks
):
    run_scheduler(paris(2018, 9, 13, 10, 0, 1), django_capture_on_commit_callbacks)
    opening = Schedule.objects.get(name=f"call-{call.pk}/recruitment-opening")
    assert opening.repeats == 0  # ran

    call.recruitment_opens_at = paris(2018, 9, 20, 10, 0)
    call.starts_on = None
    call.save()

    opening.refresh_from_db()
    assert (opening.next_run, opening.repeats) == (utc(2018, 9, 20, 8, 0), 1)
    assert not Schedule.objects.filter(name=f"call-{call.pk}/cohort-planning").exists()


def test_the_sync_command_installs_and_reports_the_jobs(call):
    Schedule.objects.all().delete()
    out, again = io.StringIO(), io.StringIO()

    with time_machine.travel(paris(2018, 6, 10, 12, 0), tick=False):
        call_command("schedules", "sync", stdout=out)
        call_command("schedules", "sync", stdout=again)

    due, ahead = "due : s’exécute au prochain passage du worker", "à venir"
    assert out.getvalue().splitlines() == [
        f"08/06/2018 17:00  EIG 3 : rappel J-7 avant la date limite de dépôt  [installée — {due}]",
        f"14/06/2018 17:00  EIG 3 : rappel J-1 avant la date limite de dépôt  [installée — {ahead}]",
        f"13/09/2018 10:00  EIG 3 : ouverture du recrutement  [installée — {ahead}]",
        f"15/10/2018 17:00  EIG 3 : clôture du recrutement  [installée — {ahead}]",
        f"31/12/2018 09:00  EIG 3 : planification des sessions de promotion  [installée — {ahead}]",
        "5 tâche(s) datée(s) : 5 installée(s).",
    ]
    assert again.getvalue().splitlines()[-1] == "5 tâche(s) datée(s) : 5 inchangée(s)."
    assert set(Schedule.objects.filter(repeats=-1).values_list("name", flat=True)) == {
        "notifications: send pending",
        "mentoring: sweep",
        "triggers: sync",
        "audit: publish the head",
        "recruitment: retention",
        "demarches: sync",
        "webhooks: send pending",
    }


def test_a_job_that_failed_is_run_again_after_the_next_sync(
    challenges, call, django_capture_on_commit_callbacks
):
    # What a worker leaves when the job raised (django-q2 does not retry it): the schedule spent,
    # its last task a failure.
    reminder = Schedule.objects.get(name=f"call-{call.pk}/deadline-reminder-7d")
    Failure.objects.create(
        id="3f1c6f0e5b2a4d7e9c8b1a0f2e3d4c5b",
        name="failed-reminder",
        func=reminder.func,
        started=paris(2018, 6, 8, 17, 0, 1),
        stopped=paris(2018, 6, 8, 17, 0, 2),
        result="OperationalError: database is locked",
        success=False,
    )
    Schedule.objects.filter(pk=reminder.pk).update(repeats=0, task="3f1c6f0e5b2a4d7e9c8b1a0f2e3d4c5b")
    run_scheduler(paris(2018, 6, 8, 17, 3), django_capture_on_commit_callbacks)
    assert not Notification.objects.exists()  # spent: the scheduler does not run it again

    out = io.StringIO()
    with time_machine.travel(paris(2018, 6, 8, 17, 5), tick=False):
        call_command("schedules", "sync", stdout=out)
    run_scheduler(paris(2018, 6, 8, 17, 6), django_capture_on_commit_callbacks)

    assert (
        "EIG 3 : rappel J-7 avant la date limite de dépôt  "
        "[relancée après un échec — due : s’exécute au prochain passage du worker]"
    ) in out.getvalue().splitlines()[0]
    assert Notification.objects.filter(event=MessageEvent.DEADLINE_REMINDER).count() == 4
    assert Schedule.objects.get(pk=reminder.pk).repeats == 0


def test_an_upgrade_points_the_existing_schedules_at_the_jobs_new_home(call):
    from django.apps import apps

    migration = importlib.import_module("triggers.migrations.0003_jobs_moved_to_their_apps")
    opening = Schedule.objects.get(name=f"call-{call.pk}/recruitment-opening")
    Schedule.objects.filter(pk=opening.pk).update(func="triggers.jobs.open_recruitment", repeats=0)

    migration.rename(apps, None, migration.MOVED)

    opening.refresh_from_db()
    assert (opening.func, opening.repeats) == ("recruitment.jobs.open_recruitment", 0)  # not run again
