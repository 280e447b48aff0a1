"""The programme managers' dashboard: pipeline, next date of the call, PIA envelope, tasks, activity."""

from decimal import Decimal

from django.shortcuts import render
from django.utils.translation import gettext as _

from backoffice import queries
from lifecycle.financing import format_euros
from lifecycle.models import Call, Promotion
from web.access import manager_required


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
        "activity": queries.recent_activity(),
    }
    if promotion is not None:
        call = Call.objects.filter(promotion=promotion).first()
        committed = queries.pia_committed(promotion)
        envelope = call.pia_envelope if call else Decimal("0")
        percent = int(committed * 100 / envelope) if envelope else 0
        context.update(
            call=call,
            pipeline=queries.pipeline(promotion),
            deadline=queries.next_deadline(call),
            pia_committed=format_euros(committed),
            pia_envelope=format_euros(envelope),
            pia_left=format_euros(envelope - committed),
            pia_percent=percent,
            pia_bar=min(percent, 100),
        )
    return render(request, "backoffice/dashboard.html", context)
