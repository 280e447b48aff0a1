"""The programme's people, for programme managers: the list (filters, search, the invitations
still open), inviting someone, the invitations' history and their resending or revocation, and a
person's account page (deactivation, reactivation, their history). Objects are named by query
parameters (GET) or form fields (POST), never by the path. The work is `accounts.invitations`':
these views only call it and say what it answered."""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import invitations
from accounts.enums import INVITABLE_ROLES, InvitationStatus, Role
from accounts.models import Invitation
from backoffice import trail
from backoffice.views.audit import CHANGES_SHOWN
from lifecycle import calendar, clock, rules
from lifecycle.models import Administration, AuditEvent
from lifecycle.validators import validate_single_line
from web.access import manager_required
from web.forms import DsfrMixin

User = get_user_model()
PAGE_SIZE = 50
HISTORY_SIZE = 30
ACTIVE_CHOICES = [
    ("", gettext_lazy("Tous")),
    ("oui", gettext_lazy("Actifs")),
    ("non", gettext_lazy("Désactivés")),
]


def _id(value) -> int:
    """A query parameter or field that names an object: a number, else 404."""
    if not (value or "").isdigit():
        raise Http404
    return int(value)


def person_url(person) -> str:
    return f"{reverse('backoffice:person')}?{urlencode({'personne': person.pk})}"


def _back(request, default: str, source=None) -> str:
    wanted = (request.POST if source is None else source).get("next", "")
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure()):
        return wanted
    return default


# --- The list -----------------------------------------------------------------------------------


class PeopleFilter(DsfrMixin, forms.Form):
    q = forms.CharField(label=gettext_lazy("Rechercher (nom, identifiant ou e-mail)"), required=False)
    role = forms.ChoiceField(
        label=gettext_lazy("Rôle"), required=False, choices=[("", gettext_lazy("Tous")), *Role.choices]
    )
    actif = forms.ChoiceField(label=gettext_lazy("Compte"), required=False, choices=ACTIVE_CHOICES)

    def people(self):
        # By last name, else first name, else username, whatever their case.
        sort_name = Lower(
            Coalesce(NullIf("last_name", Value("")), NullIf("first_name", Value("")), "username")
        )
        queryset = User.objects.select_related("profile__administration").order_by(
            sort_name, "first_name", "username"
        )
        if not self.is_valid():
            return queryset
        for word in self.cleaned_data["q"].split():
            queryset = queryset.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(username__icontains=word)
                | Q(email__icontains=word)
            )
        if self.cleaned_data["role"]:
            queryset = queryset.filter(profile__role=self.cleaned_data["role"])
        if self.cleaned_data["actif"]:
            queryset = queryset.filter(is_active=self.cleaned_data["actif"] == "oui")
        return queryset


def _person_row(person) -> dict:
    profile = getattr(person, "profile", None)
    return {
        "person": person,
        "name": person.get_full_name(),
        "role": profile.get_role_display() if profile else "",
        "administration": profile.administration.name if profile and profile.administration else "",
        "url": person_url(person),
    }


def _invitation_row(invitation, now) -> dict:
    status = invitation.status_at(now)
    inviter = invitation.invited_by
    return {
        "invitation": invitation,
        "status": status,
        "status_label": status.label,
        "open": status in (InvitationStatus.PENDING, InvitationStatus.EXPIRED),
        "inviter": invitations.inviter_label(invitation),
        # Its link gives no role while its author no longer manages the programme: resend it.
        "inviter_gone": inviter is not None and not rules.is_programme_manager(inviter),
    }


def _invitations(queryset):
    return queryset.select_related("administration", "invited_by__profile", "user")


@manager_required
def people_list(request):
    filters = PeopleFilter(request.GET)
    page = Paginator(filters.people(), PAGE_SIZE).get_page(request.GET.get("page"))
    now = clock.now()
    open_invitations = _invitations(invitations.pending()).order_by("expires_at", "pk")
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "title": _("Personnes"),
        "filters": filters,
        "page_obj": page,
        "rows": [_person_row(person) for person in page],
        "query": query.urlencode(),
        "invitation_rows": [_invitation_row(invitation, now) for invitation in open_invitations],
        "next_url": request.get_full_path(),
    }
    return render(request, "backoffice/people/list.html", context)


# --- Inviting -----------------------------------------------------------------------------------


class InvitationForm(DsfrMixin, forms.Form):
    email = forms.EmailField(label=gettext_lazy("Adresse e-mail"), max_length=150)
    first_name = forms.CharField(
        label=gettext_lazy("Prénom"), max_length=150, required=False, validators=[validate_single_line]
    )
    last_name = forms.CharField(
        label=gettext_lazy("Nom"), max_length=150, required=False, validators=[validate_single_line]
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Rôle"),
        choices=[(role.value, role.label) for role in INVITABLE_ROLES],
    )
    administration = forms.ModelChoiceField(
        label=gettext_lazy("Administration"),
        queryset=Administration.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("— Aucune —"),
        help_text=gettext_lazy(
            "Pour un contact d’administration seulement : l’administration qu’il ou elle représente."
        ),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Langue de l’invitation"),
        choices=settings.LANGUAGES,
        initial="fr",
        widget=forms.RadioSelect,
        help_text=gettext_lazy("La langue de l’e-mail d’invitation et des messages suivants."),
    )


@manager_required
def invite(request):
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            invitation = invitations.invite(
                form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                administration=form.cleaned_data["administration"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                language=form.cleaned_data["language"],
                by=request.user,
            )
        except ValidationError as error:
            for message in form.add_domain_errors(error):
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _(
                    "L’invitation est envoyée à %(email)s. Son lien est valable %(days)d jours, "
                    "jusqu’au %(until)s, et ne sert qu’une fois."
                )
                % {
                    "email": invitation.email,
                    "days": invitations.VALIDITY_DAYS,
                    "until": calendar.label(invitation.expires_at),
                },
            )
            return redirect("backoffice:people")
    context = {"title": _("Inviter une personne"), "form": form, "days": invitations.VALIDITY_DAYS}
    return render(request, "backoffice/people/invite.html", context)


# --- The invitations ----------------------------------------------------------------------------


@manager_required
def invitation_list(request):
    """Every invitation, the newest first (?statut=… keeps those of one status); ?revoquer=<pk> is
    the confirmation page of a revocation. POST resends (action=renvoyer) or revokes
    (action=revoquer, with the box `confirmation` ticked) the invitation named by the field
    `invitation`."""
    if request.method == "POST":
        return _invitation_action(request)
    if "revoquer" in request.GET:
        return _revocation(request, get_object_or_404(Invitation, pk=_id(request.GET["revoquer"])))
    now = clock.now()
    wanted = request.GET.get("statut", "")
    rows = [_invitation_row(invitation, now) for invitation in _invitations(Invitation.objects.all())]
    if wanted in InvitationStatus.values:
        rows = [row for row in rows if row["status"] == wanted]
    context = {
        "title": _("Invitations"),
        "rows": rows,
        "statuses": InvitationStatus.choices,
        "wanted": wanted,
        "next_url": request.get_full_path(),
    }
    return render(request, "backoffice/people/invitations.html", context)


class ConfirmationForm(DsfrMixin, forms.Form):
    """A box to tick before an act that cannot be undone."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.describe()  # its help text tied to the box, before any error too


class RevocationForm(ConfirmationForm):
    confirmation = forms.BooleanField(
        label=gettext_lazy("Je confirme la révocation de cette invitation."),
        help_text=gettext_lazy(
            "Son lien ne fonctionnera plus et elle ne pourra pas être renvoyée : pour inviter de nouveau "
            "cette personne, il faudra une nouvelle invitation."
        ),
        error_messages={"required": gettext_lazy("Cochez la case pour confirmer la révocation.")},
    )


def _revocation(request, invitation, form=None):
    """The confirmation page of a revocation (?revoquer=<pk>&next=…); a closed invitation has none:
    back where one came from, saying why."""
    back = _back(request, _back(request, reverse("backoffice:people")), request.GET)
    row = _invitation_row(invitation, clock.now())
    if not row["open"]:
        try:
            invitations.check_open(invitation)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(back)
    query = urlencode({"revoquer": invitation.pk, "next": back})
    context = {
        "title": _("Révoquer l’invitation de %(email)s") % {"email": invitation.email},
        "row": row,
        "form": form or RevocationForm(),
        "action_url": f"{reverse('backoffice:invitations')}?{query}",
        "back": back,
    }
    return render(request, "backoffice/people/revoke.html", context)


def _invitation_action(request):
    invitation = get_object_or_404(Invitation, pk=_id(request.POST.get("invitation")))
    action = request.POST.get("action")
    if action not in ("renvoyer", "revoquer"):
        raise Http404
    if action == "revoquer":
        form = RevocationForm(request.POST)
        if not form.is_valid():
            return _revocation(request, invitation, form)
    try:
        if action == "renvoyer":
            invitation = invitations.resend(invitation, by=request.user)
            messages.success(
                request,
                _(
                    "L’invitation est envoyée à nouveau à %(email)s, avec un nouveau lien valable jusqu’au "
                    "%(until)s ; le lien précédent ne fonctionne plus."
                )
                % {"email": invitation.email, "until": calendar.label(invitation.expires_at)},
            )
        else:
            invitation = invitations.revoke(invitation, by=request.user)
            messages.success(
                request,
                _("L’invitation de %(email)s est révoquée : son lien ne fonctionne plus.")
                % {"email": invitation.email},
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(_back(request, reverse("backoffice:people")))


# --- A person's account -------------------------------------------------------------------------


class DeactivationForm(ConfirmationForm):
    confirmation = forms.BooleanField(
        label=gettext_lazy("Je confirme la désactivation de ce compte."),
        help_text=gettext_lazy(
            "La personne ne pourra plus se connecter ; son rôle, ses dossiers et son historique sont "
            "conservés."
        ),
        error_messages={"required": gettext_lazy("Cochez la case pour confirmer la désactivation.")},
    )


def _history(person) -> list[dict]:
    """The trail's latest events about the person's account and the invitation that created it,
    read as the audit page reads them (`backoffice.trail`)."""
    subjects = [f"user:{person.pk}"] + [
        f"invitation:{pk}" for pk in Invitation.objects.filter(user=person).values_list("pk", flat=True)
    ]
    events = AuditEvent.objects.filter(subject__in=subjects).order_by("-created_at", "-pk")[:HISTORY_SIZE]
    reader = trail.Reader(events)
    return [
        {"event": event, "title": reader.title(event), "changes": reader.changes(event)}
        for event in reader.events
    ]


def _person_invitations(person) -> list[dict]:
    mine = Q(user=person) | Q(email__iexact=person.email) if person.email else Q(user=person)
    now = clock.now()
    return [_invitation_row(invitation, now) for invitation in _invitations(Invitation.objects.filter(mine))]


def _refusal(request, person) -> str:
    """Why `request.user` may not switch this account, or ""."""
    if person.pk == request.user.pk:
        return _("C’est votre propre compte : un·e autre chargé·e de programme peut le désactiver.")
    if person.is_superuser and not request.user.is_superuser:
        return _(
            "Ce compte est celui d’un·e super-utilisateur·rice : seul·e un·e super-utilisateur·rice "
            "le désactive."
        )
    return ""


@manager_required
def person_page(request):
    """A person's account (?personne=<pk>; one's own without it): who they are, their role, their
    last sign-in, their history, and deactivating or reactivating the account. POST: the fields
    `personne` and `action` (desactiver, with the box `confirmation` ticked, or reactiver)."""
    source = request.POST if request.method == "POST" else request.GET
    wanted = source.get("personne")
    person = request.user if wanted is None else get_object_or_404(User, pk=_id(wanted))
    person = User.objects.select_related("profile__administration").get(pk=person.pk)
    form = DeactivationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("desactiver", "reactiver"):
            raise Http404
        try:
            if action == "reactiver":
                invitations.reactivate(person, by=request.user)
                messages.success(request, _("Le compte est réactivé : la personne peut se connecter."))
                return redirect(person_url(person))
            if form.is_valid():
                invitations.deactivate(person, by=request.user)
                messages.success(
                    request, _("Le compte est désactivé : la personne ne peut plus se connecter.")
                )
                return redirect(person_url(person))
        except PermissionDenied as refused:
            messages.error(request, str(refused) or _("Vous ne pouvez pas changer ce compte."))
            return redirect(person_url(person))
    context = {
        "title": person.get_full_name() or person.get_username(),
        "row": _person_row(person),
        "person": person,
        "form": form,
        "refusal": _refusal(request, person),
        "history": _history(person),
        "changes_shown": CHANGES_SHOWN,
        "action_url": person_url(person),
        "invitations": _person_invitations(person),
        "next_url": request.get_full_path(),
    }
    return render(request, "backoffice/people/person.html", context)
