"""Inviting people by e-mail, and their accounts' activity: the one place that does it.

A programme manager (or the system) invites someone to a role (`invite`); the invitation's link
lets that person choose a password, which creates their account with the role (`accept`). A link
is `<invitation's pk>.<secret>` signed with the site's key; the invitation keeps only the
secret's SHA-256. Sending it again (`resend`) makes a new secret, so the older link stops working;
`revoke` closes the invitation. A link is good for `VALIDITY` from its last sending, once.

Every act is audited through `lifecycle.audit` (subject "invitation:<pk>" or "user:<pk>"; never
the secret nor the password; the address and the inviter's name kept apart from the chain as the
invitation's and the inviter's personal data, docs/personal-data.md) in its transaction, and
each checks that `by` is a programme manager or the system (PermissionDenied otherwise) —
except `accept`, whose authority is the link itself and the inviter's, read again at that
moment: an invitation whose author no longer manages the programme gives no role.

The e-mail leaves after the commit, through the task queue (`send_invitation`): the task makes
the secret and writes its digest, so that the secret is never in the database nor in the queue's
arguments; a task of an older sending sends nothing.

`deactivate` and `reactivate` switch a person's `is_active`: a deactivated person cannot sign in
(their open sessions end at their next request) and nothing of theirs is deleted.
"""

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts import services, signals
from accounts.enums import INVITABLE_ROLES, InvitationStatus, LinkState, Role
from accounts.models import Invitation
from lifecycle import audit, calendar, clock, rules
from lifecycle.actors import SYSTEM, actor_label
from lifecycle.enums import AuditKind

logger = logging.getLogger(__name__)

VALIDITY = dt.timedelta(days=7)
VALIDITY_DAYS = VALIDITY.days
SALT = "accounts.invitation"

User = get_user_model()


def _check_manager(by):
    if not (rules.is_system(by) or rules.is_programme_manager(by)):
        raise PermissionDenied(
            _("Seul·e un·e chargé·e de programme invite des personnes et gère leurs comptes.")
        )


def _moment(value) -> str | None:
    return value.astimezone(dt.UTC).isoformat() if value else None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def pending():
    """The invitations still open: neither accepted nor revoked (an expired one can be resent)."""
    return Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True)


def account_for(email: str):
    """The account this address already has (as its e-mail or as its username), if any."""
    return User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).order_by("pk").first()


def _record(invitation, kind, *, by, changes):
    """The subject names the invitation (its address is the person's data, never in the event)."""
    audit.record(None, kind, by=by, subject=f"invitation:{invitation.pk}", changes=changes)


def _inviter(invitation):
    """Who invited, as the trail keeps it: their name apart, as theirs."""
    if invitation.invited_by_id is None:
        return actor_label(SYSTEM)
    return audit.Personal(f"user:{invitation.invited_by_id}", actor_label(invitation.invited_by))


# --- Managers' acts ---------------------------------------------------------------------------


def _check_invitable(email, now, *, besides=None):
    """Refused (ValidationError on "email") when the address has an account (active or not) or an
    invitation still pending other than `besides`: the rule of inviting, and of sending again."""
    existing = account_for(email)
    if existing is not None:
        raise ValidationError({"email": _account_exists_message(existing)})
    others = pending().filter(email__iexact=email, expires_at__gt=now)
    if besides is not None:
        others = others.exclude(pk=besides.pk)
    already = others.first()
    if already is not None:
        raise ValidationError(
            {
                "email": _(
                    "Une invitation est déjà en attente pour cette adresse (envoyée par %(inviter)s, "
                    "valable jusqu’au %(until)s) : renvoyez-la ou révoquez-la depuis la liste des "
                    "personnes."
                )
                % {"inviter": inviter_label(already), "until": calendar.label(already.expires_at)}
            }
        )


@transaction.atomic
def invite(
    email: str,
    *,
    role,
    by,
    administration=None,
    first_name: str = "",
    last_name: str = "",
    language: str = "fr",
) -> Invitation:
    """Invite the person at `email` to `role` (an administration's contact: for `administration`).

    Refused (ValidationError on "email") when the address already has an account, active or
    deactivated (reactivate it instead), or an invitation still pending (resend or revoke it: a
    colleague's invitation is never replaced silently); an expired one does not count. Writes the
    invitation, valid for `VALIDITY`, audits it (`invitation_sent`) and sends its e-mail after the
    commit."""
    _check_manager(by)
    email = User.objects.normalize_email(email.strip())
    now = clock.now()
    invitation = Invitation(
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        role=role,
        administration=administration,
        language=language,
        invited_by=None if by is SYSTEM else by,
        created_at=now,
        expires_at=now + VALIDITY,
        sent_count=1,
        last_sent_at=now,
    )
    invitation.full_clean(exclude=["invited_by", "user"])
    if Role(role) not in INVITABLE_ROLES:
        raise ValidationError({"role": _("On n’invite pas à ce rôle.")})
    _check_invitable(email, now)
    invitation.save()
    _record(
        invitation,
        AuditKind.INVITATION_SENT,
        by=by,
        changes={
            "email": [None, audit.Personal(f"invitation:{invitation.pk}", invitation.email)],
            "role": [None, invitation.role],
            "administration": [None, str(administration) if administration else None],
            "language": [None, invitation.language],
            "expires_at": [None, _moment(invitation.expires_at)],
            "sent_count": [None, 1],
        },
    )
    send_on_commit(invitation)
    return invitation


def _account_exists_message(user) -> str:
    if user.is_active:
        return _(
            "Un compte actif existe déjà pour cette adresse (identifiant « %(username)s ») : cette "
            "personne peut se connecter, inutile de l’inviter."
        ) % {"username": user.get_username()}
    return _(
        "Un compte désactivé existe pour cette adresse (identifiant « %(username)s ») : "
        "réactivez-le depuis la liste des personnes plutôt que de l’inviter."
    ) % {"username": user.get_username()}


def _locked(invitation) -> Invitation:
    return Invitation.objects.select_for_update().get(pk=invitation.pk)


def check_open(invitation):
    """ValidationError (saying why) unless the invitation is pending or expired: resent, revoked."""
    status = invitation.status_at(clock.now())
    if status == InvitationStatus.ACCEPTED:
        raise ValidationError(_("Cette invitation a déjà été acceptée."))
    if status == InvitationStatus.REVOKED:
        raise ValidationError(_("Cette invitation a été révoquée."))


@transaction.atomic
def resend(invitation, *, by) -> Invitation:
    """Send a pending (or expired) invitation again: a new link valid for `VALIDITY` from now, the
    former one stops working at once; `by` becomes the inviter (the one the person asks).
    Audited (`invitation_sent`); the e-mail leaves after the commit."""
    _check_manager(by)
    invitation = _locked(invitation)
    check_open(invitation)
    now = clock.now()
    _check_invitable(invitation.email, now, besides=invitation)
    before = (invitation.expires_at, invitation.sent_count, _inviter(invitation))
    invitation.expires_at = now + VALIDITY
    invitation.sent_count += 1
    invitation.last_sent_at = now
    invitation.token_hash = ""  # the former link is dead before the new one is made
    invitation.invited_by = None if by is SYSTEM else by
    invitation.save(update_fields=["expires_at", "sent_count", "last_sent_at", "token_hash", "invited_by"])
    changes = {
        "expires_at": [_moment(before[0]), _moment(invitation.expires_at)],
        "sent_count": [before[1], invitation.sent_count],
    }
    if before[2] != _inviter(invitation):
        changes["invited_by"] = [before[2], _inviter(invitation)]
    _record(invitation, AuditKind.INVITATION_SENT, by=by, changes=changes)
    send_on_commit(invitation)
    return invitation


@transaction.atomic
def revoke(invitation, *, by) -> Invitation:
    """Close a pending (or expired) invitation: its link then says it was revoked. Audited
    (`invitation_revoked`)."""
    _check_manager(by)
    invitation = _locked(invitation)
    check_open(invitation)
    invitation.revoked_at = clock.now()
    invitation.token_hash = ""
    invitation.save(update_fields=["revoked_at", "token_hash"])
    _record(
        invitation,
        AuditKind.INVITATION_REVOKED,
        by=by,
        changes={"revoked_at": [None, _moment(invitation.revoked_at)]},
    )
    return invitation


def _check_account_change(user, *, by):
    _check_manager(by)
    if by is not SYSTEM and user.pk == by.pk:
        raise PermissionDenied(_("Vous ne pouvez pas désactiver ni réactiver votre propre compte."))
    if user.is_superuser and not (rules.is_system(by) or by.is_superuser):
        raise PermissionDenied(
            _(
                "Seul·e un·e super-utilisateur·rice désactive ou réactive le compte "
                "d’un·e super-utilisateur·rice."
            )
        )


@transaction.atomic
def _set_active(user, active: bool, *, by) -> dict:
    _check_account_change(user, by=by)
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = services.account_values(locked)
    locked.is_active = active
    locked.save(update_fields=["is_active"])
    user.is_active = active
    return services.record_account_change(locked, before, by=by)


def deactivate(user, *, by) -> dict:
    """Switch a person's account off: they cannot sign in any more, their open sessions end at
    their next request (Django's backend refuses an inactive account), their role, history and
    the trail's events stay. Never one's own account; a superuser's by a superuser only. Audited
    (`account_changed`, is_active True → False); returns the changes (none if already off)."""
    return _set_active(user, False, by=by)


def reactivate(user, *, by) -> dict:
    """Switch a deactivated account on again, with the role it had. Audited as `deactivate`."""
    return _set_active(user, True, by=by)


# --- The link ---------------------------------------------------------------------------------


def make_token(invitation, secret: str) -> str:
    return signing.Signer(salt=SALT).sign(f"{invitation.pk}.{secret}")


def link(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("accept_invitation", kwargs={"token": token})


@dataclass
class Reading:
    """What a link is worth now: its state and, for a link this site made, its invitation."""

    state: LinkState
    invitation: Invitation | None = None

    @property
    def usable(self) -> bool:
        return self.state == LinkState.VALID


def read(token: str, *, lock: bool = False) -> Reading:
    """The state of the link `token`. A link whose signature fails names nothing (so that nobody
    learns of an invitation, or its author, by trying numbers); a genuine one is said accepted,
    revoked, expired, replaced by a later sending, or left by an inviter who no longer manages the
    programme, in that order."""
    try:
        pk, _dot, secret = signing.Signer(salt=SALT).unsign(token).partition(".")
    except signing.BadSignature:
        return Reading(LinkState.INVALID)
    if not pk.isdigit():
        return Reading(LinkState.INVALID)
    # Only the invitation's row is locked (PostgreSQL locks no nullable side of a join).
    queryset = Invitation.objects.select_for_update(of=("self",)) if lock else Invitation.objects.all()
    invitation = queryset.select_related("invited_by", "administration").filter(pk=int(pk)).first()
    if invitation is None:
        return Reading(LinkState.INVALID)
    status = invitation.status_at(clock.now())
    if status != InvitationStatus.PENDING:
        return Reading(LinkState(status.value), invitation)
    if not (invitation.token_hash and hmac.compare_digest(invitation.token_hash, _digest(secret))):
        return Reading(LinkState.REPLACED, invitation)
    if invitation.invited_by is not None and not rules.is_programme_manager(invitation.invited_by):
        return Reading(LinkState.INVITER_GONE, invitation)
    if account_for(invitation.email) is not None:
        return Reading(LinkState.ACCOUNT_EXISTS, invitation)
    return Reading(LinkState.VALID, invitation)


class LinkUnusable(Exception):
    def __init__(self, reading: Reading):
        super().__init__(reading.state)
        self.reading = reading


def future_user(invitation):
    """The account the invitation will create, unsaved: the password validators compare the
    password with its names."""
    return User(
        username=invitation.email.lower(),
        email=invitation.email,
        first_name=invitation.first_name,
        last_name=invitation.last_name,
    )


@transaction.atomic
def accept(token: str, *, password: str):
    """Accept the invitation of the link `token`, choosing `password`.

    In order: lock the invitation and read the link again (LinkUnusable unless it is usable);
    check the password against Django's validators (ValidationError); create the account (the
    address as username) with the role given by the inviter (`services.create_user`, audited
    `role_changed`) and the invitation's language; audit the account's creation (by the person)
    and the acceptance (`invitation_used`); close the invitation (its link is spent). Returns the
    new account, for the page to sign the person in."""
    reading = read(token, lock=True)
    if not reading.usable:
        raise LinkUnusable(reading)
    invitation = reading.invitation
    password_validation.validate_password(password, future_user(invitation))
    person = future_user(invitation)
    user = services.create_user(
        person.username,
        role=invitation.role,
        by=invitation.invited_by or SYSTEM,
        password=password,
        email=person.email,
        administration=invitation.administration,
        first_name=person.first_name,
        last_name=person.last_name,
    )
    services.record_account_change(user, {}, by=user)
    if invitation.language != user.profile.language:
        before = {"language": user.profile.language}
        user.profile.language = invitation.language
        user.profile.save(update_fields=["language"])
        services.record_account_change(user, before, by=user, fields=["language"])
    invitation.accepted_at = clock.now()
    invitation.user = user
    invitation.token_hash = ""
    invitation.save(update_fields=["accepted_at", "user", "token_hash"])
    _record(
        invitation,
        AuditKind.INVITATION_ACCEPTED,
        by=user,
        changes={"accepted_at": [None, _moment(invitation.accepted_at)], "user": [None, f"user:{user.pk}"]},
    )
    signals.invitation_accepted.send(sender=Invitation, invitation=invitation, user=user)
    return user


# --- Whom to ask ------------------------------------------------------------------------------


def inviter_label(invitation) -> str:
    return actor_label(invitation.invited_by) if invitation.invited_by else actor_label(SYSTEM)


def whom_to_ask(invitation) -> tuple[str, str]:
    """Whom the invited person writes to, and at which address: the inviter while they manage the
    programme, else the programme's team."""
    inviter = invitation.invited_by
    if inviter is not None and inviter.email and rules.is_programme_manager(inviter):
        return inviter_label(invitation), inviter.email
    return _("l’équipe du programme"), settings.NOTIFICATIONS_TEAM_EMAIL


# --- The e-mail, through the task queue -------------------------------------------------------


def send_on_commit(invitation):
    pk, sending = invitation.pk, invitation.sent_count
    transaction.on_commit(lambda: enqueue(pk, sending))


def enqueue(invitation_pk: int, sending: int):
    from django_q.tasks import async_task  # django-q2 reads its settings on import

    try:
        async_task(
            "accounts.invitations.send_invitation",
            invitation_pk,
            sending,
            task_name=f"invitation-{invitation_pk}-{sending}",
            group="accounts",
        )
    except Exception:  # the broker is down: better slower than no e-mail at all
        logger.exception("Could not enqueue invitation %s; sent at once", invitation_pk)
        send_invitation(invitation_pk, sending)


def send_invitation(invitation_pk: int, sending: int) -> str:
    """The task: make the link of the invitation's `sending`-th sending (its secret's digest
    written), then send the e-mail in the invitation's language. Sends nothing ("skipped") for an
    invitation accepted, revoked or sent again since."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("invited_by", "administration")
            .filter(pk=invitation_pk)
            .first()
        )
        if invitation is None or invitation.sent_count != sending:
            return "skipped"
        if invitation.accepted_at or invitation.revoked_at:
            return "skipped"
        secret = secrets.token_urlsafe(32)
        invitation.token_hash = _digest(secret)
        invitation.save(update_fields=["token_hash"])
    token = make_token(invitation, secret)
    with translation.override(invitation.language):
        context = {
            "invitation": invitation,
            "link": link(token),
            "inviter": inviter_label(invitation),
            "contact": whom_to_ask(invitation)[1],
            "role": invitation.get_role_display(),
            "until": calendar.label(invitation.expires_at),
            "days": VALIDITY_DAYS,
            "username": invitation.email.lower(),
        }
        subject = " ".join(render_to_string("accounts/invitation_subject.txt", context).split())
        body = render_to_string("accounts/invitation_email.txt", context)
    EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.email],
        headers={"Content-Language": invitation.language},
    ).send()
    return "sent"
