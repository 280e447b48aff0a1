"""A candidate's own account: signing up with an e-mail address verified by a link.

`register` creates an inactive account with the candidate's role (`accounts.services.set_role`,
audited `role_changed`) and sends it a verification link; an address that already has an
account gets an e-mail saying so instead, and the caller cannot tell the two apart (same answer,
the same password hashing, the e-mail sent by the task queue). `resend` sends a new link to an
account still waiting for its verification, and nothing otherwise.

A link is `<user pk>.<state>` signed with a timestamp (`TimestampSigner`, salt `SALT`), valid
`VALIDITY` from its sending; `state` is a digest of the account's password, activity, last
sign-in and address, so the link is spent once the account is active (single use) and dies if
any of them changes. `verify` activates the account, audited `candidate_registered` (by
reference, "user:<pk>", no personal value). The link is made by the e-mail's task, never kept.
"""

import datetime as dt
import hmac
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac

from accounts import services
from accounts.enums import Role
from accounts.invitations import account_for
from lifecycle import audit, calendar, clock, rules
from lifecycle.actors import SYSTEM
from lifecycle.enums import AuditKind

logger = logging.getLogger(__name__)

VALIDITY = dt.timedelta(days=3)
VALIDITY_DAYS = VALIDITY.days
SALT = "recruitment.registration"
# What the e-mail's task writes: a verification link, or "this address already has an account".
VERIFY, ACCOUNT_EXISTS = "verify", "account_exists"
# The states of a link, as its page says them.
VALID, INVALID, EXPIRED, USED = "valid", "invalid", "expired", "used"

User = get_user_model()


def _state(user) -> str:
    value = f"{user.pk}|{user.password}|{user.is_active}|{user.last_login}|{user.email}"
    return salted_hmac(SALT, value).hexdigest()[:32]


def make_token(user) -> str:
    return signing.TimestampSigner(salt=SALT).sign(f"{user.pk}.{_state(user)}")


def link(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("candidates:verify", kwargs={"token": token})


def awaiting_verification(user) -> bool:
    """An account made by the sign-up whose address is not verified yet: inactive, never signed
    in, a candidate's."""
    return (
        user is not None
        and not user.is_active
        and user.last_login is None
        and rules.role_of(user) == Role.CANDIDATE
    )


def future_user(*, first_name: str, last_name: str, email: str):
    """The account the sign-up will create, unsaved: the password validators compare the
    password with its names and address."""
    email = User.objects.normalize_email(email.strip())
    return User(
        username=email.lower(),
        email=email,
        first_name=first_name.strip()[:150],
        last_name=last_name.strip()[:150],
    )


@transaction.atomic
def register(*, first_name: str, last_name: str, email: str, password: str, language: str = "fr"):
    """Sign a candidate up: an inactive account (the address as username) with the candidate's
    role and `language` for its messages, and its verification link sent after the commit.

    For an address that already has an account (active or not), nothing is created: that
    account's address is told so (with a new link if it still awaits its verification). The
    password is hashed either way, so the time taken says nothing. Returns the new account, or
    None; the page answers the same in both cases. The password is checked by the caller
    (Django's validators, `future_user`)."""
    person = future_user(first_name=first_name, last_name=last_name, email=email)
    language = language if language in dict(settings.LANGUAGES) else "fr"
    existing = account_for(person.email)
    if existing is None:
        person.is_active = False
        person.set_password(password)
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError:  # the same address signed up at the same moment
            existing = account_for(person.email)
    else:
        make_password(password)
    if existing is not None:
        send_on_commit(ACCOUNT_EXISTS, existing.pk, language)
        return None
    profile = services.set_role(person, Role.CANDIDATE, by=SYSTEM)
    if profile.language != language:
        profile.language = language
        profile.save(update_fields=["language"])
    send_on_commit(VERIFY, person.pk, language)
    return person


def resend(email: str, *, language: str = "fr") -> None:
    """Send a new verification link to the account of `email` if it still awaits its
    verification; nothing otherwise (the page answers the same)."""
    user = account_for(User.objects.normalize_email(email.strip()))
    if awaiting_verification(user):
        send_on_commit(VERIFY, user.pk, language)


@dataclass
class Reading:
    """What a verification link is worth now: its state and, for a genuine one, its account."""

    state: str
    user: object = None

    @property
    def usable(self) -> bool:
        return self.state == VALID


def read(token: str, *, lock: bool = False) -> Reading:
    """The state of the link `token`: VALID, EXPIRED (older than `VALIDITY`), USED (the account
    is active) or INVALID (forged, cut, or the account changed since)."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        value = signer.unsign(token, max_age=VALIDITY)
    except signing.SignatureExpired:
        return Reading(EXPIRED)
    except signing.BadSignature:
        return Reading(INVALID)
    pk, _dot, state = value.partition(".")
    if not pk.isdigit():
        return Reading(INVALID)
    queryset = User.objects.select_for_update() if lock else User.objects.all()
    user = queryset.filter(pk=int(pk)).first()
    if user is None:
        return Reading(INVALID)
    if user.is_active or user.last_login is not None:
        return Reading(USED, user)
    if not (awaiting_verification(user) and hmac.compare_digest(state, _state(user))):
        return Reading(INVALID)
    return Reading(VALID, user)


class LinkUnusable(Exception):
    def __init__(self, reading: Reading):
        super().__init__(reading.state)
        self.reading = reading


@transaction.atomic
def verify(token: str):
    """Use the link `token`: the account becomes active (the link is spent), audited
    `candidate_registered` by the person. Returns the account, for the page to sign them in;
    LinkUnusable otherwise."""
    reading = read(token, lock=True)
    if not reading.usable:
        raise LinkUnusable(reading)
    user = reading.user
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit.record(None, AuditKind.CANDIDATE_REGISTERED, by=user, subject=f"user:{user.pk}")
    return user


# --- The e-mails, through the task queue --------------------------------------------------------


def send_on_commit(kind: str, user_pk: int, language: str):
    transaction.on_commit(lambda: enqueue(kind, user_pk, language))


def enqueue(kind: str, user_pk: int, language: str):
    from django_q.tasks import async_task  # django-q2 reads its settings on import

    try:
        async_task("recruitment.registration.send_message", kind, user_pk, language, group="recruitment")
    except Exception:  # the broker is down: better slower than no e-mail at all
        logger.exception("Could not enqueue a candidate's %s e-mail; sent at once", kind)
        send_message(kind, user_pk, language)


def send_message(kind: str, user_pk: int, language: str) -> str:
    """The task: the verification link (made now, never stored), or the e-mail that tells an
    address it already has an account (with a new link if it still awaits its verification),
    in the language of the page it was asked from. "skipped" when there is nothing to send."""
    user = User.objects.filter(pk=user_pk).first()
    if user is None or not user.email:
        return "skipped"
    awaiting = awaiting_verification(user)
    if kind == VERIFY and not awaiting:
        return "skipped"
    base = settings.SITE_URL.rstrip("/")
    with translation.override(language):
        context = {
            "user": user,
            "link": link(make_token(user)) if awaiting else "",
            "days": VALIDITY_DAYS,
            "until": calendar.label(clock.now() + VALIDITY),
            "username": user.get_username(),
            "login_url": base + reverse("login"),
            "password_reset_url": base + reverse("password_reset"),
            "challenges_url": base + reverse("candidates:challenges"),
            "team": settings.NOTIFICATIONS_TEAM_EMAIL,
        }
        name = "verification" if kind == VERIFY else "account_exists"
        subject = " ".join(render_to_string(f"candidates/emails/{name}_subject.txt", context).split())
        body = render_to_string(f"candidates/emails/{name}.txt", context)
    EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Content-Language": language},
    ).send()
    return "sent"
