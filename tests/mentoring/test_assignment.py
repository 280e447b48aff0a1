"""The mentor assignment: a viewflow process per selected challenge, its tasks, inbox and reminders."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from accounts.enums import Role
from accounts.services import create_user
from lifecycle import guards, personal, services
from lifecycle.actors import SYSTEM
from lifecycle.dossier import edits
from lifecycle.enums import AuditKind, ChallengeState, MentorRole
from lifecycle.models import AuditEvent, Call
from mentoring import services as mentoring
from notifications.models import Notification
from tests.factories import AdministrationFactory, ChallengeFactory, administration_contact, heard

PARIS = ZoneInfo("Europe/Paris")
SELECTED_AT = dt.datetime(2018, 7, 13, 11, 0, tzinfo=PARIS)
TEAM = "entrepreneur-interet-general@data.gouv.fr"
S = ChallengeState
OPERATIONAL = {
    "first_name": "Alix",
    "last_name": "Durand",
    "function": "Cheffe du bureau des données",
    "email": "alix.durand@sante.gouv.fr",
    "phone": "01 40 56 60 00",
}
STRATEGIC = {
    "first_name": "Sacha",
    "last_name": "Lefèvre",
    "function": "Directeur adjoint",
    "email": "sacha.lefevre@sante.gouv.fr",
    "phone": "01 40 56 60 01",
}


@pytest.fixture
def manager(db):
    return create_user(
        "gestionnaire", by=SYSTEM, role=Role.PROGRAMME_MANAGER, email="camille.lambert@data.gouv.fr"
    )


@pytest.fixture
def colleague(db):
    return create_user(
        "collegue", by=SYSTEM, role=Role.PROGRAMME_MANAGER, email="dominique.morel@data.gouv.fr"
    )


def select(challenge, by, capture):
    """The jury's decision on its complete collective grid, committed: what follows the move runs
    after the commit."""
    heard(challenge, by=by)
    with time_machine.travel(SELECTED_AT, tick=False), capture(execute=True):
        return services.transition(challenge, "select", by=by, reason="Retenu par le jury")


def human_tasks(challenge):
    return list(mentoring.tasks().filter(process__in=mentoring.processes_of(challenge)).order_by("id"))


def test_selecting_a_challenge_starts_two_confirmation_tasks_for_its_manager(
    manager, django_capture_on_commit_callbacks
):
    challenge = ChallengeFactory(state=S.PITCHED, name="Données de santé", manager=manager)
    Call.objects.filter(promotion=challenge.promotion).update(mentor_task_reminder_days=5)

    select(challenge, manager, django_capture_on_commit_callbacks)

    [process] = mentoring.processes_of(challenge)
    assert (process.status, process.artifact) == (PROCESS.NEW, challenge)
    tasks = human_tasks(challenge)
    assert [(str(t.flow_task.task_title), t.status, t.owner) for t in tasks] == [
        ("Confirmer le mentor opérationnel", STATUS.ASSIGNED, manager),
        ("Confirmer le mentor stratégique", STATUS.ASSIGNED, manager),
    ]
    assert [mentoring.reminder_at(t) for t in tasks] == [SELECTED_AT + dt.timedelta(days=5)] * 2
    assert list(mentoring.inbox(manager)) == tasks
    assert guards.mentors_confirmed(challenge, None) == [
        "Mentor opérationnel : pas encore confirmé.",
        "Mentor stratégique : pas encore confirmé.",
    ]


def test_without_a_manager_the_tasks_wait_in_the_team_queue_until_someone_takes_one(
    manager, colleague, django_capture_on_commit_callbacks
):
    challenge = ChallengeFactory(state=S.PITCHED, manager=None)
    contact = administration_contact(challenge.administration)

    select(challenge, manager, django_capture_on_commit_callbacks)

    operational, strategic = human_tasks(challenge)
    assert {t.status for t in (operational, strategic)} == {STATUS.NEW}
    assert colleague.has_perm("lifecycle.confirm_mentor")  # a rule: no group or permission row
    assert not contact.has_perm("lifecycle.confirm_mentor")
    assert list(mentoring.team_queue(colleague)) == [operational, strategic]
    assert list(mentoring.team_queue(contact)) == []
    assert list(mentoring.inbox(colleague)) == []

    mentoring.take(operational, by=colleague)

    assert list(mentoring.inbox(colleague)) == [operational]
    assert list(mentoring.team_queue(manager)) == [strategic]
    with pytest.raises(mentoring.TaskUnavailable):
        mentoring.take(operational, by=manager)


def test_confirming_both_mentors_audits_them_ends_the_process_and_satisfies_the_start_guard(
    manager, client, django_capture_on_commit_callbacks
):
    challenge = ChallengeFactory(state=S.PITCHED, manager=manager)
    select(challenge, manager, django_capture_on_commit_callbacks)
    operational, strategic = human_tasks(challenge)
    client.force_login(manager)

    page = client.get(reverse("mentoring:task", args=[operational.pk])).content.decode()
    assert 'value="alix.durand@example.gouv.fr"' in page  # the dossier's mentor, to correct or confirm
    with time_machine.travel(dt.datetime(2018, 9, 3, 10, 30, tzinfo=PARIS), tick=False):
        first = client.post(reverse("mentoring:task", args=[operational.pk]), OPERATIONAL)
    with time_machine.travel(dt.datetime(2018, 9, 4, 15, 0, tzinfo=PARIS), tick=False):
        second = client.post(reverse("mentoring:task", args=[strategic.pk]), STRATEGIC)

    assert (first.status_code, first["Location"]) == (302, "/workflow/")
    assert second.status_code == 302
    mentors = {m.role: m for m in challenge.mentors.all()}
    assert {role: (m.full_name, m.function, m.email, m.phone) for role, m in mentors.items()} == {
        MentorRole.OPERATIONAL: ("Alix Durand", *[OPERATIONAL[k] for k in ("function", "email", "phone")]),
        MentorRole.STRATEGIC: ("Sacha Lefèvre", *[STRATEGIC[k] for k in ("function", "email", "phone")]),
    }
    assert mentors[MentorRole.OPERATIONAL].confirmed_at == dt.datetime(2018, 9, 3, 8, 30, tzinfo=dt.UTC)
    trail = AuditEvent.objects.filter(challenge=challenge, kind=AuditKind.DOSSIER_CHANGED).order_by("id")
    assert (trail[0].actor, personal.changes_of(trail[0])) == (
        manager,
        {
            "mentor[operational].confirmed_at": [None, "2018-09-03 08:30:00+00:00"],
            "mentor[operational].email": ["alix.durand@example.gouv.fr", "alix.durand@sante.gouv.fr"],
            "mentor[operational].function": ["", "Cheffe du bureau des données"],
            "mentor[operational].phone": ["01 23 45 67 89", "01 40 56 60 00"],
        },
    )
    assert trail.count() == 2
    assert mentoring.processes_of(challenge).get().status == PROCESS.DONE
    assert list(mentoring.inbox(manager)) == []
    assert guards.mentors_confirmed(challenge, None) == []


def test_the_same_person_cannot_hold_both_roles(manager, client, django_capture_on_commit_callbacks):
    challenge = ChallengeFactory(state=S.PITCHED, manager=manager)
    select(challenge, manager, django_capture_on_commit_callbacks)
    operational, strategic = human_tasks(challenge)
    mentoring.confirm(operational, by=manager, **OPERATIONAL)
    client.force_login(manager)

    same_email = client.post(
        reverse("mentoring:task", args=[strategic.pk]), {**STRATEGIC, "email": "ALIX.Durand@sante.gouv.fr"}
    )
    with pytest.raises(ValidationError) as same_name:
        mentoring.confirm(strategic, by=manager, **{**STRATEGIC, "first_name": "alix", "last_name": "DURAND"})

    message = "Alix Durand est déjà le mentor opérationnel : une même personne ne peut tenir les deux rôles."
    assert same_email.status_code == 200
    assert message in same_email.content.decode()
    assert same_name.value.messages == [message]
    strategic.refresh_from_db()
    assert strategic.status == STATUS.ASSIGNED
    assert not challenge.mentors.get(role=MentorRole.STRATEGIC).confirmed_at


def test_a_confirmation_needs_every_detail(manager, django_capture_on_commit_callbacks):
    challenge = ChallengeFactory(state=S.PITCHED, manager=manager)
    select(challenge, manager, django_capture_on_commit_callbacks)
    operational, _strategic = human_tasks(challenge)

    with pytest.raises(ValidationError) as refused:
        mentoring.confirm(operational, by=manager, **{**OPERATIONAL, "function": " ", "phone": "12"})

    assert refused.value.message_dict == {
        "function": ["Ce champ est obligatoire."],
        "phone": ["Saisissez un numéro de téléphone valide (10 chiffres au moins)."],
    }


def test_an_overdue_task_sends_one_reminder_to_whoever_holds_it(
    manager, smtp_server, django_capture_on_commit_callbacks
):
    mine = ChallengeFactory(state=S.PITCHED, name="Données de santé", manager=manager)
    queued = ChallengeFactory(state=S.PITCHED, name="Open data des territoires", manager=None)
    select(mine, manager, django_capture_on_commit_callbacks)
    select(queued, manager, django_capture_on_commit_callbacks)
    mentoring.confirm(human_tasks(mine)[1], by=manager, **STRATEGIC)

    def sweep(moment):
        with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
            return mentoring.sweep()

    assert sweep(SELECTED_AT + dt.timedelta(days=6, hours=23))["reminders"] == 0
    assert sweep(SELECTED_AT + dt.timedelta(days=7, minutes=1))["reminders"] == 3
    assert sweep(SELECTED_AT + dt.timedelta(days=8))["reminders"] == 0

    task = human_tasks(mine)[0]
    reminders = [m for m in smtp_server.messages if str(m["Subject"]).strip().startswith("[EIG] À traiter")]
    assert sorted((m["To"], m["Subject"].strip()) for m in reminders) == [
        (
            "camille.lambert@data.gouv.fr",
            "[EIG] À traiter : « Confirmer le mentor opérationnel » pour « Données de santé »",
        ),
        (TEAM, "[EIG] À traiter : « Confirmer le mentor opérationnel » pour « Open data des territoires »"),
        (TEAM, "[EIG] À traiter : « Confirmer le mentor stratégique » pour « Open data des territoires »"),
    ]
    mail = next(m for m in reminders if m["To"] == "camille.lambert@data.gouv.fr")
    assert f"Traiter la tâche : http://127.0.0.1:8000/workflow/taches/{task.pk}/" in mail.get_content()
    assert Notification.objects.filter(event="mentor_task_overdue").count() == 3
    assert task.status == STATUS.ASSIGNED  # the reminder does not take the task away


def test_the_process_follows_the_challenge_when_it_leaves_the_path_or_its_mentors_are_confirmed_elsewhere(
    manager, django_capture_on_commit_callbacks
):
    withdrawn = ChallengeFactory(state=S.PITCHED, manager=manager)
    confirmed_in_the_admin = ChallengeFactory(state=S.PITCHED, manager=manager)
    select(withdrawn, manager, django_capture_on_commit_callbacks)
    select(confirmed_in_the_admin, manager, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        services.transition(withdrawn, "withdraw", by=manager, reason="Budget 2019 non voté")
    confirmed_in_the_admin.mentors.update(confirmed_at=SELECTED_AT)
    assert mentoring.sweep() == {"started": 0, "finished": 1, "cancelled": 0, "reminders": 0}

    assert mentoring.processes_of(withdrawn).get().status == PROCESS.CANCELED
    assert mentoring.processes_of(confirmed_in_the_admin).get().status == PROCESS.DONE
    assert list(mentoring.inbox(manager)) == []
    assert not Task.objects.filter(flow_task_type="TIMER", status=STATUS.SCHEDULED).exists()


def test_the_sweep_starts_the_process_a_missed_receiver_did_not_and_only_once(manager):
    waiting = ChallengeFactory(state=S.RECRUITING, manager=manager)  # selected while the hook failed
    ChallengeFactory(state=S.RUNNING, manager=manager)  # started: its mentors were confirmed

    assert mentoring.sweep()["started"] == 1
    assert mentoring.sweep()["started"] == 0

    assert len(human_tasks(waiting)) == 2


def test_the_inbox_is_for_programme_managers(manager, client, django_capture_on_commit_callbacks):
    challenge = ChallengeFactory(state=S.PITCHED, name="Données de santé", manager=manager)
    select(challenge, manager, django_capture_on_commit_callbacks)
    task = human_tasks(challenge)[0]
    url = reverse("mentoring:inbox")

    assert client.get(url)["Location"].startswith("/compte/connexion/")
    client.force_login(administration_contact(AdministrationFactory()))
    assert client.get(url).status_code == 404
    assert client.get(reverse("mentoring:task", args=[task.pk])).status_code == 404
    client.force_login(manager)
    page = client.get(url).content.decode()

    assert page.count('data-task="') == 2
    assert "Données de santé" in page
    assert f'href="/workflow/taches/{task.pk}/"' in page


def test_the_demo_starts_the_assignment_of_its_selected_and_recruiting_challenges(
    db, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", "--password", "demo-eig-2018", stdout=io.StringIO())

    followed = {
        (process.artifact.name, process.artifact.state, process.status) for process in Process.objects.all()
    }
    # IA Flash's mentors are confirmed (its team is complete, a manager can start it): no assignment.
    assert followed == {("ExploCode", S.SELECTED, PROCESS.NEW)}
    assert mentoring.inbox(create_user("gestionnaire", by=SYSTEM, role=Role.PROGRAMME_MANAGER)).count() == 2


def test_a_mentor_replaced_after_the_confirmations_is_confirmed_again_in_a_new_process(
    manager, django_capture_on_commit_callbacks
):
    challenge = ChallengeFactory(state=S.PITCHED, manager=manager)
    select(challenge, manager, django_capture_on_commit_callbacks)
    operational, strategic = human_tasks(challenge)
    mentoring.confirm(operational, by=manager, **OPERATIONAL)
    mentoring.confirm(strategic, by=manager, **STRATEGIC)
    assert mentoring.processes_of(challenge).get().status == PROCESS.DONE

    edits.set_people(
        challenge,
        {
            MentorRole.OPERATIONAL: {
                "first_name": "Noa",
                "last_name": "Roux",
                "email": "noa.roux@sante.gouv.fr",
            }
        },
        by=manager,
    )
    assert mentoring.sweep()["started"] == 1

    assert [(p.status) for p in mentoring.processes_of(challenge).order_by("id")] == [
        PROCESS.DONE,
        PROCESS.NEW,
    ]
    assert guards.mentors_confirmed(challenge, None) == ["Mentor opérationnel : pas encore confirmé."]
