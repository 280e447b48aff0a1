"""A candidate's sign-up and the verification of their address (/candidatures/inscription/…,
/candidatures/verification/<token>/); the work is `recruitment.registration`'s.

The sign-up answers the same whether the address has an account or not (the e-mail says which,
to its owner only). Sign-ups and requests for a new link are throttled per address and per
e-mail (`web.throttle`). The link's page asks for a click before it spends the link, so that a
mail client that opens links to check them does not use it up; the click signs the person in."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from recruitment import registration
from recruitment.forms_candidates import ResendForm, SignUpForm
from web import navigation, throttle

SIGN_UP_SCOPE = "candidate-sign-up"
RESEND_SCOPE = "candidate-verification"
SENT_TO = "candidates_sign_up_sent_to"


def _throttled(request, template, context):
    return render(request, template, context | {"throttled": throttle.too_many_message()}, status=429)


@never_cache
@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect(navigation.home_url(request.user))
    form = SignUpForm(request.POST or None)
    context = {"title": _("Créer mon compte de candidat·e"), "form": form, "days": registration.VALIDITY_DAYS}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not throttle.allow(request, SIGN_UP_SCOPE, data["email"]):
            return _throttled(request, "candidates/register.html", context)
        registration.register(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            password=data["password1"],
            language=data["language"],
        )
        request.session[SENT_TO] = data["email"]
        return redirect("candidates:registered")
    return render(request, "candidates/register.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def registered(request):
    """The same page whatever became of the sign-up; a new link may be asked for here."""
    form = ResendForm(request.POST or None, initial={"email": request.session.get(SENT_TO, "")})
    context = {
        "title": _("Vérifiez votre boîte e-mail"),
        "form": form,
        "sent_to": request.session.get(SENT_TO, ""),
        "days": registration.VALIDITY_DAYS,
    }
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not throttle.allow(request, RESEND_SCOPE, email):
            return _throttled(request, "candidates/registered.html", context)
        registration.resend(email, language=request.LANGUAGE_CODE)
        request.session[SENT_TO] = email
        messages.info(
            request,
            _(
                "Si un compte attend la confirmation de cette adresse, un nouveau lien vient de lui être "
                "envoyé."
            ),
        )
        return redirect("candidates:registered")
    return render(request, "candidates/registered.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request, token):
    reading = registration.read(token)
    context = {
        "title": _("Confirmer mon adresse"),
        "state": reading.state,
        "days": registration.VALIDITY_DAYS,
    }
    if reading.usable and request.method == "POST":
        try:
            user = registration.verify(token)
        except registration.LinkUnusable as unusable:  # used meanwhile
            reading = unusable.reading
        else:
            login(request, user, backend="accounts.backends.PasswordBackend")
            request.session.pop(SENT_TO, None)
            messages.success(
                request,
                _(
                    "Votre adresse est confirmée et votre compte ouvert. Votre identifiant est "
                    "« %(username)s »."
                )
                % {"username": user.get_username()},
            )
            return redirect("candidates:space")
    status = 200 if reading.usable else (404 if reading.state == registration.INVALID else 410)
    context |= {"state": reading.state, "resend_form": ResendForm()}
    return render(request, "candidates/verify.html", context, status=status)
