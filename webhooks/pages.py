"""The webhooks' pages, in a person's account (/compte/webhooks/): the list (a manager sees every
webhook), a new webhook (its secret shown once), and a webhook's deliveries with their status and
last error, each replayable by a manager; a webhook disabled. `webhooks.services` checks and
audits."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from lifecycle import rules
from lifecycle.models import Promotion
from web.forms import DsfrMixin
from webhooks import rules as webhook_rules
from webhooks import services
from webhooks.enums import DeliveryStatus, EventType
from webhooks.models import Delivery

SHOWN_DELIVERIES = 50


class WebhookForm(DsfrMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Nom (à quoi il sert)"), max_length=100)
    url = forms.CharField(
        label=gettext_lazy("Adresse (URL) qui reçoit les envois"),
        max_length=500,
        help_text=gettext_lazy("Une requête POST en JSON, signée, à chaque événement choisi."),
    )
    promotion = forms.ModelChoiceField(
        label=gettext_lazy("Promotion"),
        queryset=Promotion.objects.order_by("-number"),
        required=False,
        empty_label=gettext_lazy("Toutes les promotions"),
    )
    on_moves = forms.BooleanField(label=EventType.MOVE.label, required=False, initial=True)
    on_messages = forms.BooleanField(label=EventType.MESSAGE.label, required=False)
    on_jury_closed = forms.BooleanField(label=EventType.JURY_CLOSED.label, required=False)


def _allowed(request):
    if not webhook_rules.may_register(request.user):
        raise PermissionDenied(
            _("Les webhooks sont réservés aux chargé·es de programme et aux contacts des administrations.")
        )


# The secret of the webhook just registered, kept in the session until the page after the
# redirect shows it (a reload then neither registers it again nor shows the secret twice).
JUST_REGISTERED = "webhooks-just-registered"


@login_required
def webhook_list(request):
    _allowed(request)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = services.register(request.user, **form.cleaned_data)
        except ValidationError as refused:
            if hasattr(refused, "error_dict"):
                for field, errors in refused.error_dict.items():
                    form.add_error(field, errors)
            else:
                form.add_error(None, refused.messages)
        else:
            request.session[JUST_REGISTERED] = {"pk": created.pk, "secret": secret}
            return redirect("webhooks:list")
    hooks = services.visible_to(request.user)
    shown = request.session.pop(JUST_REGISTERED, None) if request.method == "GET" else None
    created = hooks.filter(pk=shown["pk"]).first() if shown else None
    return render(
        request,
        "webhooks/list.html",
        {
            "form": form,
            "secret": shown["secret"] if created else None,
            "created": created,
            "webhooks": hooks,
            "manager": rules.is_programme_manager(request.user),
        },
    )


def _webhook(request, pk):
    _allowed(request)
    return get_object_or_404(services.visible_to(request.user), pk=pk)


@login_required
def webhook_detail(request, pk):
    hook = _webhook(request, pk)
    deliveries = hook.deliveries.select_related("replay_of").order_by("-id")
    status = request.GET.get("etat", "")
    if status in DeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    return render(
        request,
        "webhooks/detail.html",
        {
            "webhook": hook,
            "deliveries": deliveries[:SHOWN_DELIVERIES],
            "shown": SHOWN_DELIVERIES,
            "statuses": DeliveryStatus.choices,
            "status": status,
            "counts": services.status_counts(hook),
            "replays": webhook_rules.may_replay(request.user),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def webhook_disable(request, pk):
    hook = _webhook(request, pk)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("Cochez la confirmation pour désactiver le webhook."))
        return redirect("webhooks:detail", pk=hook.pk)
    services.disable(hook, by=request.user)
    messages.success(
        request, _("Webhook « %(name)s » désactivé : plus rien n’est envoyé.") % {"name": hook.name}
    )
    return redirect("webhooks:detail", pk=hook.pk)


@login_required
def delivery_replay(request, pk, delivery_pk):
    """What would be sent again, then, confirmed, a new delivery of it."""
    hook = _webhook(request, pk)
    if not webhook_rules.may_replay(request.user):
        raise PermissionDenied(_("Seul·es les chargé·es de programme peuvent rejouer un envoi."))
    delivery = get_object_or_404(
        Delivery.objects.select_related("webhook__owner__profile", "audit_event"),
        pk=delivery_pk,
        webhook=hook,
    )
    if request.method != "POST":
        return render(
            request,
            "webhooks/replay.html",
            {
                "webhook": hook,
                "delivery": delivery,
                "body": json.dumps(json.loads(delivery.body), indent=2, ensure_ascii=False),
            },
        )
    try:
        replay = services.replay(delivery, by=request.user)
    except (PermissionDenied, ValidationError) as refused:
        messages.error(request, " ".join(getattr(refused, "messages", [str(refused)])))
    else:
        messages.success(
            request,
            _("Envoi rejoué : un nouvel envoi (%(uid)s) part vers l’adresse du webhook.")
            % {"uid": replay.uid},
        )
    return redirect("webhooks:detail", pk=hook.pk)
