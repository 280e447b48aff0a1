"""The held e-mails, one review per decision act (`notifications.outbox`): the open reviews, and
a review's page (?lot=<pk>), where a manager reads every message as it will arrive, edits or
drops one, and releases or discards the whole review after confirming what it holds. Each
decision is the outbox's, audited; a release or discard whose figures no longer match what is
held is refused."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import CharField, Count, Q, Value
from django.db.models.functions import Cast, Concat
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from lifecycle.actors import SYSTEM, actor_label
from lifecycle.enums import AuditKind
from lifecycle.models import AuditEvent
from notifications import outbox
from notifications.enums import DeliveryStatus
from notifications.models import Batch, Notification
from web.access import manager_required

LOT = "lot"
PER_PAGE = 25
ACTIONS = ("edit", "drop", "release", "discard")


class HeldMailForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Objet"), max_length=300)
    body = forms.CharField(label=gettext_lazy("Texte"), widget=forms.Textarea, strip=False)


def _review_url(batch, anchor="") -> str:
    return f"{reverse('backoffice:held_mails')}?{LOT}={batch.pk}{anchor}"


def _open_reviews():
    held = Q(notifications__status=DeliveryStatus.HELD)
    return (
        Batch.objects.filter(closed_at=None)
        .select_related("created_by")
        .annotate(
            held_count=Count("notifications", filter=held, distinct=True),
            administration_count=Count(
                "notifications__challenge__administration", filter=held, distinct=True
            ),
            challenge_count=Count("notifications__challenge", filter=held, distinct=True),
        )
        .order_by("-created_at", "-id")
    )


def _figures_label(messages_count, administrations) -> str:
    return str(outbox.HeldFigures(messages_count, administrations, 0, ""))


def _list_page(request):
    page = Paginator(_open_reviews(), PER_PAGE).get_page(request.GET.get("page"))
    reviews = [
        {
            "batch": batch,
            "author": actor_label(batch.created_by or SYSTEM),
            "figures": _figures_label(batch.held_count, batch.administration_count),
            "challenges": batch.challenge_count,
            "url": _review_url(batch),
        }
        for batch in page
    ]
    return render(
        request,
        "backoffice/mails/held_list.html",
        {"title": _("E-mails retenus"), "reviews": reviews, "page_obj": page},
    )


def _confirmed(data) -> outbox.HeldFigures:
    """The figures the manager read on the page (a forged or missing one matches nothing)."""

    def number(name):
        value = data.get(name, "")
        return int(value) if value.isdigit() else -1

    return outbox.HeldFigures(
        messages=number("messages"),
        administrations=number("administrations"),
        challenges=number("challenges"),
        fingerprint=data.get("fingerprint", ""),
    )


def _closing(batch):
    """How the review was closed (its release or discard in the trail), for a closed review."""
    return (
        AuditEvent.objects.filter(
            subject=f"batch:{batch.pk}", kind__in=[AuditKind.MAIL_RELEASED, AuditKind.MAIL_DISCARDED]
        )
        .select_related("actor")
        .prefetch_related("personal_data")
        .order_by("-id")
        .first()
    )


def _touched(batch) -> dict:
    """Per audit kind (a message edited, dropped), the pks of the review's messages it concerns
    (the trail names a message `notification:<pk>`), in one query."""
    subjects = batch.notifications.annotate(
        key=Concat(Value("notification:"), Cast("pk", CharField()), output_field=CharField())
    ).values("key")
    touched = {AuditKind.MAIL_EDITED: set(), AuditKind.MAIL_DROPPED: set()}
    for kind, subject in AuditEvent.objects.filter(kind__in=touched, subject__in=subjects).values_list(
        "kind", "subject"
    ):
        touched[kind].add(int(subject.removeprefix("notification:")))
    return touched


def _review_page(request, batch, *, bound=None, errors=None, status=200):
    """`bound`: the edit form of one message sent back with its errors (what was typed kept).
    The messages dropped from the review are shown apart from those that will arrive."""
    notifications = list(
        batch.notifications.select_related("challenge__administration").order_by("challenge__name", "pk")
    )
    touched = _touched(batch)
    rows, dropped = [], []
    for notification in notifications:
        form = None
        if notification.status == DeliveryStatus.HELD:
            if bound is not None and bound[0] == notification.pk:
                form = bound[1]
            else:
                form = HeldMailForm(
                    initial={"subject": notification.subject, "body": notification.body},
                    prefix=f"mail-{notification.pk}",
                )
        row = {
            "mail": notification,
            "form": form,
            "held": notification.status == DeliveryStatus.HELD,
            "edited": notification.pk in touched[AuditKind.MAIL_EDITED],
        }
        was_dropped = (
            notification.status == DeliveryStatus.DISCARDED
            and notification.pk in touched[AuditKind.MAIL_DROPPED]
        )
        (dropped if was_dropped else rows).append(row)
    figures = outbox.held_figures(batch)
    challenges = {}
    for notification in notifications:
        challenges.setdefault(notification.challenge_id, notification.challenge)
    decisions = list(batch.audit_events.select_related("challenge", "actor").order_by("id"))
    return render(
        request,
        "backoffice/mails/review.html",
        {
            "title": batch.label,
            "batch": batch,
            "author": actor_label(batch.created_by or SYSTEM),
            "rows": rows,
            "dropped": dropped,
            "figures": figures,
            "figures_label": str(figures),
            "challenges": sorted(challenges.values(), key=lambda challenge: challenge.name),
            "decisions": decisions,
            "closing": _closing(batch) if batch.closed_at else None,
            "sender": settings.DEFAULT_FROM_EMAIL,
            "errors": errors or {},
        },
        status=status,
    )


def _batch(value) -> Batch:
    if not value or not value.isdigit():
        raise Http404
    return get_object_or_404(Batch.objects.select_related("created_by"), pk=value)


def _mail(batch, data) -> Notification:
    value = data.get("mail", "")
    if not value.isdigit():
        raise Http404
    return get_object_or_404(batch.notifications.select_related("challenge"), pk=value)


@manager_required
def held_mails(request):
    """Without ?lot: the open reviews. With it: that review's page, and its decisions (POST)."""
    if LOT not in request.GET:
        if request.method == "POST":
            raise Http404
        return _list_page(request)
    batch = _batch(request.GET.get(LOT))
    if request.method != "POST":
        return _review_page(request, batch)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        raise Http404
    return {"edit": _edit, "drop": _drop, "release": _release, "discard": _discard}[action](request, batch)


def _edit(request, batch):
    notification = _mail(batch, request.POST)
    form = HeldMailForm(request.POST, prefix=f"mail-{notification.pk}")
    if form.is_valid():
        try:
            outbox.edit_held(
                notification,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                by=request.user,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, problems in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("Le message à %(recipient)s est modifié ; il partira ainsi.")
                % {"recipient": notification.recipient_name or notification.recipient_email},
            )
            return redirect(_review_url(batch, f"#mail-{notification.pk}"))
    messages.error(request, _("Le message n’a pas été modifié : corrigez les champs signalés."))
    return _review_page(request, batch, bound=(notification.pk, form))


def _drop(request, batch):
    notification = _mail(batch, request.POST)
    if not request.POST.get("confirm"):
        messages.error(
            request,
            _("Le message n’a pas été retiré : cochez « Je confirme le retrait » pour le retirer."),
        )
        return _review_page(request, batch, errors={"drop": notification.pk})
    try:
        outbox.drop(notification, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _review_page(request, batch)
    messages.success(
        request,
        _("Le message à %(recipient)s est retiré du lot : il ne sera pas envoyé.")
        % {"recipient": notification.recipient_name or notification.recipient_email},
    )
    batch.refresh_from_db(fields=["closed_at"])
    if batch.closed_at:
        messages.info(request, _("Ce lot ne retient plus aucun e-mail : il est clos."))
        return redirect("backoffice:held_mails")
    return redirect(_review_url(batch, "#messages"))


def _decide(request, batch, decide, *, done, unconfirmed):
    if not request.POST.get("confirm"):
        messages.error(request, unconfirmed)
        return _review_page(request, batch, errors={request.POST.get("action"): True})
    try:
        count = decide(batch, by=request.user, confirmed=_confirmed(request.POST))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages) + " " + _("Rien n’a été envoyé ni abandonné."))
        batch.refresh_from_db()
        return _review_page(request, batch)
    messages.success(request, done(count))
    return redirect("backoffice:held_mails")


def _release(request, batch):
    return _decide(
        request,
        batch,
        outbox.release,
        done=lambda count: (
            ngettext(
                "%(count)d e-mail du lot « %(label)s » part à l’envoi.",
                "%(count)d e-mails du lot « %(label)s » partent à l’envoi.",
                count,
            )
            % {"count": count, "label": batch.label}
        ),
        unconfirmed=_("Rien n’a été envoyé : cochez la case de confirmation pour envoyer le lot."),
    )


def _discard(request, batch):
    return _decide(
        request,
        batch,
        outbox.discard,
        done=lambda count: (
            ngettext(
                "%(count)d e-mail du lot « %(label)s » est abandonné : il ne sera pas envoyé.",
                "%(count)d e-mails du lot « %(label)s » sont abandonnés : ils ne seront pas envoyés.",
                count,
            )
            % {"count": count, "label": batch.label}
        ),
        unconfirmed=_("Rien n’a été abandonné : cochez la case de confirmation pour abandonner le lot."),
    )
