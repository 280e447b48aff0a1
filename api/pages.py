"""A person's API tokens, in their account (/compte/jetons/): the list (name, scope, promotion,
expiry, last use, count), a new token (its secret shown once, on the page that creates it) and
its revocation. `api.tokens` checks and audits."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from api import tokens
from api.models import ApiToken, Scope
from lifecycle.models import Promotion
from web.forms import DsfrMixin


class TokenForm(DsfrMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Nom (à quoi il sert)"), max_length=100)
    scope = forms.ChoiceField(label=gettext_lazy("Droits"), choices=Scope.choices)
    promotion = forms.ModelChoiceField(
        label=gettext_lazy("Promotion"),
        queryset=Promotion.objects.order_by("-number"),
        required=False,
        empty_label=gettext_lazy("Toutes les promotions"),
    )
    days = forms.IntegerField(
        label=gettext_lazy("Durée (jours)"),
        min_value=1,
        max_value=tokens.MAX_DAYS,
        initial=tokens.DEFAULT_DAYS,
    )


# The secret of the token just created, kept in the session until the page after the redirect
# shows it (a reload then neither creates a token again nor shows the secret twice).
JUST_CREATED = "api-token-just-created"


@login_required
def token_list(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = tokens.create(
                request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                promotion=form.cleaned_data["promotion"],
                days=form.cleaned_data["days"],
            )
        except tokens.TokenRefused as refused:
            form.add_error(None, str(refused))
        else:
            request.session[JUST_CREATED] = secret
            return redirect("api_tokens")
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "secret": request.session.pop(JUST_CREATED, None) if request.method == "GET" else None,
            "allowed": tokens.may_hold_tokens(request.user),
            "tokens": ApiToken.objects.filter(user=request.user).select_related("promotion"),
        },
    )


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    tokens.revoke(token, by=request.user)
    messages.success(
        request, _("Jeton « %(name)s » révoqué : il ne donne plus accès à l’API.") % {"name": token.name}
    )
    return redirect("api_tokens")
