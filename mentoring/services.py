"""The mentor assignment's business: follow the lifecycle, take and carry out a task, confirm a mentor.

Views, receivers and the sweep call these functions; none of them moves a viewflow task another way.
"""

import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS
from viewflow.workflow.timers import fire_due_timers

from lifecycle.dossier import edits
from lifecycle.dossier.rules import unconfirmed_mentor_roles
from lifecycle.enums import ChallengeState, MentorRole
from lifecycle.models import Challenge, Mentor
from mentoring.flows import ROLE_OF_TASK, MentorAssignmentFlow
from notifications import outbox
from notifications.enums import MessageEvent
from notifications.recipients import recipient

logger = logging.getLogger(__name__)

WAITING_FOR_MENTORS = ChallengeState.awaiting_mentors()
FINISHED = [STATUS.DONE, STATUS.CANCELED, STATUS.REVIVED]


class TaskUnavailable(Exception):
    """The task was done, taken or withdrawn meanwhile, or is not this user's."""


# Processes and tasks -----------------------------------------------------------------------------


def processes_of(challenge):
    return Process.objects.filter(
        flow_class=MentorAssignmentFlow,
        artifact_content_type=ContentType.objects.get_for_model(Challenge),
        artifact_object_id=challenge.pk,
    )


def tasks():
    """The human tasks of the mentor assignment (both confirmations)."""
    return Task.objects.filter(process__flow_class=MentorAssignmentFlow, flow_task_type="HUMAN")


def inbox(user):
    return tasks().filter(owner=user, status=STATUS.ASSIGNED).order_by("created", "id")


def team_queue(user):
    """The tasks waiting for someone to take them, that this user may take (the rules decide,
    as for viewflow's own check when a task is taken)."""
    waiting = tasks().filter(status=STATUS.NEW, owner=None)
    permissions = set(waiting.exclude(owner_permission=None).values_list("owner_permission", flat=True))
    allowed = [permission for permission in permissions if user.has_perm(permission)]
    return waiting.filter(Q(owner_permission__in=allowed) | Q(owner_permission=None)).order_by(
        "created", "id"
    )


def challenge_of(task) -> Challenge:
    return task.process.artifact


def role_of(task) -> MentorRole:
    return MentorRole(ROLE_OF_TASK[task.flow_task.name])


def reminder_at(task):
    """When an open task is (or was) overdue: the moment of its reminder."""
    timer = Task.objects.filter(previous=task, flow_task_type="TIMER").order_by("id").first()
    return timer.scheduled if timer else None


def task_url(task) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("mentoring:task", args=[task.pk])


# Following the lifecycle -------------------------------------------------------------------------


def mentors_confirmed(challenge) -> bool:
    return not unconfirmed_mentor_roles(challenge)


def follow(challenge) -> str:
    """Bring the challenge's mentor assignment in line with the challenge; safe to call any time.

    A selected (or recruiting) challenge whose mentors are not both confirmed gets a process
    (again, if a mentor was replaced after an earlier process ended); an open process ends when
    both mentors are confirmed (in its tasks or elsewhere, e.g. the admin), and is cancelled when
    the challenge leaves the path (withdrawn).
    Returns what was done: "started", "finished", "cancelled" or "".
    """
    with transaction.atomic():
        challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
        confirmed = mentors_confirmed(challenge)
        processes = processes_of(challenge)
        open_process = processes.filter(status=PROCESS.NEW).first()
        if open_process is None:
            if challenge.state in WAITING_FOR_MENTORS and not confirmed:
                MentorAssignmentFlow.start.run(challenge=challenge)
                return "started"
            return ""
        if confirmed:
            _close(open_process, PROCESS.DONE)
            return "finished"
        if challenge.state not in WAITING_FOR_MENTORS:
            _close(open_process, PROCESS.CANCELED)
            return "cancelled"
        return ""


def _close(process, status):
    """End a process whose work was done or made pointless outside its tasks."""
    with MentorAssignmentFlow.lock(process.pk):
        for task in process.task_set.exclude(status__in=FINISHED):
            cancel = getattr(task.flow_task.activation_class(task), "cancel", None)
            if cancel is not None and cancel.can_proceed():
                cancel()
        process.status = status
        process.finished = timezone.now()
        process.save(update_fields=["status", "finished"])


def sweep() -> dict:
    """The periodic catch-up: processes a receiver missed, processes to close, due reminders."""
    challenge_type = ContentType.objects.get_for_model(Challenge)
    followed = Process.objects.filter(flow_class=MentorAssignmentFlow, artifact_content_type=challenge_type)
    # The waiting challenges (a few dozen at most: one promotion's selection) and the open processes.
    candidates = Challenge.objects.filter(state__in=WAITING_FOR_MENTORS) | Challenge.objects.filter(
        pk__in=followed.filter(status=PROCESS.NEW).values("artifact_object_id")
    )
    done = []
    for challenge in candidates.order_by("pk"):
        try:
            done.append(follow(challenge))
        except Exception:  # one challenge (e.g. a task locked by a manager) does not stop the others
            logger.exception("Could not follow the mentor assignment of challenge %s", challenge.pk)
    return {
        "started": done.count("started"),
        "finished": done.count("finished"),
        "cancelled": done.count("cancelled"),
        "reminders": fire_due_timers(),
    }


# The tasks ---------------------------------------------------------------------------------------


def take(task, *, by) -> Task:
    """Take a task from the team's queue."""
    with task.activation() as activation:
        if not (activation.assign.can_proceed() and task.flow_task.can_assign(by, activation.task)):
            raise TaskUnavailable(_("Cette tâche n’est plus dans la file de l’équipe."))
        activation.assign(by)
    return activation.task


def release_tasks_of(user) -> int:
    """Give the tasks `user` holds back to the team's queue (they left the managers)."""
    released = 0
    for task in inbox(user):
        with task.activation() as activation:
            activation.unassign()
        released += 1
    return released


def confirm(task, *, by, **details) -> Mentor:
    """Carry out a confirmation task: the mentor's details are confirmed, then the task is done."""
    with task.activation() as activation:
        task = activation.task
        if task.status != STATUS.ASSIGNED or not task.flow_task.can_execute(by, task):
            raise TaskUnavailable(_("Cette tâche n’est plus à traiter par vous."))
        mentor = edits.confirm_mentor(challenge_of(task), role_of(task), by=by, **details)
        activation.start(None)
        activation.execute()
    return mentor


def remind(task) -> list:
    """An overdue confirmation: one e-mail to whoever holds it, the team when it waits in the queue."""
    if task.status in FINISHED:
        return []
    challenge = challenge_of(task)
    if challenge.mentors.filter(role=role_of(task), confirmed_at__isnull=False).exists():
        return []  # confirmed meanwhile outside the task: nothing to remind
    if task.owner is not None:
        owner = task.owner
        profile = getattr(owner, "profile", None)
        recipients = [
            recipient(
                owner.email,
                owner.get_full_name() or owner.get_username(),
                _("Chargé·e de programme"),
                profile.language if profile else "fr",
            )
        ]
    elif settings.NOTIFICATIONS_TEAM_EMAIL:
        recipients = [
            recipient(settings.NOTIFICATIONS_TEAM_EMAIL, _("Équipe du programme"), _("File de l’équipe"))
        ]
    else:
        return []
    return outbox.queue(
        challenge,
        MessageEvent.MENTOR_TASK_OVERDUE,
        key=f"mentor-task-{task.pk}",
        recipients=recipients,
        context={"task": str(task.flow_task.task_title), "task_url": task_url(task)},
    )
