"""The mentor assignment, a django-viewflow process started when a challenge is selected.

    start ─► split ─┬─► confirm_operational ─┬─► join ─► end
                    └─► confirm_strategic ───┘
    a confirmation still open after the call's mentor_task_reminder_days ─► remind ─► reminded

Each confirmation is a human task of the programme manager in charge of the challenge, or of the
programme team's queue (whoever may change mentors) when the challenge has none. The process
ends when both are done. The pages are ours (`mentoring.views`), not viewflow's own.
"""

import datetime as dt

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from lifecycle import clock, rules
from lifecycle.enums import MentorRole

# Who may take a task from the team's queue: a rule of lifecycle.rules (programme managers).
CONFIRMATION_PERMISSION = "lifecycle.confirm_mentor"


class MentorAssignmentFlow(flow.Flow):
    """Confirmation des mentors

    Le défi est sélectionné : confirmer son mentor opérationnel et son mentor stratégique.
    """

    process_title = _("Confirmation des mentors")
    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.start_process).Next(this.split)
    split = flow.Split().Next(this.confirm_operational).Next(this.confirm_strategic)
    confirm_operational = (
        flow.View(this.task_view)
        .Annotation(title=_("Confirmer le mentor opérationnel"))
        .Assign(this.manager_in_charge)
        .Permission(CONFIRMATION_PERMISSION)
        .OnTimeout(this.reminder_due, this.remind, interrupting=False)
        .Next(this.join)
    )
    confirm_strategic = (
        flow.View(this.task_view)
        .Annotation(title=_("Confirmer le mentor stratégique"))
        .Assign(this.manager_in_charge)
        .Permission(CONFIRMATION_PERMISSION)
        .OnTimeout(this.reminder_due, this.remind, interrupting=False)
        .Next(this.join)
    )
    join = flow.Join().Next(this.end)
    end = flow.End()
    remind = flow.SendHandle(this.send_reminder).Next(this.reminded)
    reminded = flow.End()

    def start_process(self, activation, challenge):
        activation.process.artifact = challenge
        return activation.process

    def manager_in_charge(self, activation):
        manager = activation.process.artifact.manager
        return manager if manager is not None and rules.is_programme_manager(manager) else None

    def reminder_due(self, activation):
        """On the domain's clock, so that a replayed history (the demo) stays in its own time."""
        call = activation.process.artifact.promotion.call
        return clock.now() + dt.timedelta(days=call.mentor_task_reminder_days)

    def send_reminder(self, activation):
        from mentoring import services

        timer = activation.task.previous.get()
        services.remind(timer.previous.get())

    def task_view(self, request, *args, task_pk, **kwargs):
        from mentoring import views

        return views.task(request, task_pk=task_pk)


ROLE_OF_TASK = {
    MentorAssignmentFlow.confirm_operational.name: MentorRole.OPERATIONAL,
    MentorAssignmentFlow.confirm_strategic.name: MentorRole.STRATEGIC,
}
