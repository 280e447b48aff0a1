"""The programme managers' dashboard: pipeline, the call's dates, co-financing envelope, my
challenges, the cases without a move for some days (`?jours=`), tasks, failed e-mails, activity."""

from decimal import Decimal

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from backoffice import queries
from lifecycle.financing import format_euros
from lifecycle.models import Call, Promotion
from notifications import outbox
from notifications.enums import DeliveryStatus
from notifications.models import Batch, Notification
from web.access import manager_required

FAILED_SHOWN = 20
MAX_STALE_DAYS = 3650


def _stale_days(request) -> int:
    value = request.GET.get("jours", "")
    if value.isdigit() and 1 <= int(value) <= MAX_STALE_DAYS:
        return int(value)
    return queries.STALE_DAYS


def _failed_mails() -> dict:
    failed = Notification.objects.filter(status=DeliveryStatus.FAILED).select_related("challenge")
    return {
        "failed_mails": list(failed.order_by("-created_at", "-id")[:FAILED_SHOWN]),
        "failed_count": failed.count(),
    }


@manager_required
@require_POST
def retry_mails(request):
    """Send failed e-mails again: a manager's decision. One whose delivery is uncertain may reach
    its recipient twice: the manager says they know it."""
    ids = [value for value in request.POST.getlist("mails") if value.isdigit()]
    chosen = Notification.objects.filter(pk__in=ids, status=DeliveryStatus.FAILED)
    if not ids or not chosen.exists():
        messages.error(request, _("Choisissez au moins un e-mail en échec."))
    elif chosen.filter(uncertain=True).exists() and not request.POST.get("accept_duplicates"):
        messages.error(
            request,
            _(
                "Certains de ces e-mails ont peut-être déjà été reçus : cochez « J’accepte qu’un "
                "destinataire le reçoive deux fois » pour les renvoyer. Rien n’a été renvoyé."
            ),
        )
    else:
        count = outbox.retry(
            chosen, by=request.user, accept_duplicates=bool(request.POST.get("accept_duplicates"))
        )
        messages.success(
            request,
            ngettext(
                "%(count)d e-mail remis en file d’envoi.", "%(count)d e-mails remis en file d’envoi.", count
            )
            % {"count": count},
        )
    return redirect(reverse("backoffice:dashboard") + "#failed-mails")


@manager_required
def dashboard(request):
    promotions = list(Promotion.objects.all())  # latest first
    promotion = promotions[0] if promotions else None
    wanted = request.GET.get("promotion")
    if wanted:
        promotion = next((p for p in promotions if str(p.pk) == wanted), promotion)

    context = {
        "title": _("Tableau de bord"),
        "promotions": promotions,
        "promotion": promotion,
        "tasks": queries.my_tasks(request.user),
        "mine": queries.my_challenges(request.user),
        "stale_days": _stale_days(request),
        "activity": queries.recent_activity(),
        **_failed_mails(),
        "held_reviews": Batch.objects.filter(closed_at=None).count(),
    }
    if promotion is not None:
        call = Call.objects.filter(promotion=promotion).first()
        committed = queries.cofinancing_committed(promotion)
        envelope = call.cofinancing_envelope if call else Decimal("0")
        percent = int(committed * 100 / envelope) if envelope else 0
        context.update(
            call=call,
            pipeline=queries.pipeline(promotion),
            deadline=queries.next_deadline(call),
            dates=queries.call_timeline(call),
            stale=queries.stale_challenges(promotion, context["stale_days"]),
            cofinancing_funder=call.cofinancing_funder if call else "",
            cofinancing_committed=format_euros(committed),
            cofinancing_envelope=format_euros(envelope),
            cofinancing_left=format_euros(envelope - committed),
            cofinancing_percent=percent,
            cofinancing_bar=min(percent, 100),
        )
    return render(request, "backoffice/dashboard.html", context)
