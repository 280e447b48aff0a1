"""The programme managers' pages of the mentor assignment: the inbox and a confirmation task."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from viewflow.workflow.status import STATUS

from lifecycle import clock
from lifecycle.dossier.rules import MENTOR_FIELDS
from mentoring import services
from mentoring.forms import MentorForm
from web.access import manager_required


def _rows(tasks):
    now = clock.now()
    for task in tasks.select_related("process", "owner"):
        due = services.reminder_at(task)
        yield {
            "task": task,
            "challenge": services.challenge_of(task),
            "title": task.flow_task.task_title,
            "due": due,
            "overdue": due is not None and due <= now,
        }


@manager_required
def inbox(request):
    return render(
        request,
        "mentoring/inbox.html",
        {
            "title": _("Tâches : confirmation des mentors"),
            "mine": list(_rows(services.inbox(request.user))),
            "queue": list(_rows(services.team_queue(request.user))),
        },
    )


def _task(task_pk):
    task = get_object_or_404(services.tasks(), pk=task_pk)
    if task.status in services.FINISHED:
        raise Http404
    return task


@manager_required
@require_POST
def take(request, task_pk):
    try:
        services.take(_task(task_pk), by=request.user)
    except services.TaskUnavailable as refused:
        messages.error(request, str(refused))
        return redirect("mentoring:inbox")
    return redirect("mentoring:task", task_pk=task_pk)


@manager_required
def task(request, task_pk):
    task = _task(task_pk)
    challenge = services.challenge_of(task)
    role = services.role_of(task)
    mine = task.status == STATUS.ASSIGNED and task.owner_id == request.user.pk
    if not mine and not (task.status == STATUS.NEW and task.flow_task.can_assign(request.user, task)):
        raise Http404
    mentor = challenge.mentors.filter(role=role).first()
    initial = {name: getattr(mentor, name) for name in MENTOR_FIELDS} if mentor else {}
    form = MentorForm(request.POST if request.method == "POST" and mine else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            services.confirm(task, by=request.user, **form.cleaned_data)
        except ValidationError as refused:
            form.add_error(None, refused)  # per field, or for the whole form (the same person twice)
        except services.TaskUnavailable as refused:
            messages.error(request, str(refused))
            return redirect("mentoring:inbox")
        else:
            messages.success(
                request,
                _("%(role)s du défi « %(challenge)s » confirmé.")
                % {"role": role.label, "challenge": challenge},
            )
            return redirect("mentoring:inbox")
    return render(
        request,
        "mentoring/task.html",
        {
            "title": task.flow_task.task_title,
            "task": task,
            "challenge": challenge,
            "role": role,
            "mine": mine,
            "form": form,
            "due": services.reminder_at(task),
        },
    )
