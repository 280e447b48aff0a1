"""Creating, revoking and checking API tokens. A token's secret is made here, shown once to the
person who created it, and only its SHA-256 kept; creating and revoking one changes what a
person may do: both are audited."""

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from api.models import ApiToken, Scope
from lifecycle import audit, clock, rules
from lifecycle.enums import AuditKind

PREFIX = "eig_"
MAX_DAYS = 366  # a token expires within a year
DEFAULT_DAYS = 90


class TokenRefused(Exception):
    """A token that cannot be created: the message says why, in French."""


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def may_hold_tokens(user) -> bool:
    """The people an API serves: programme managers, administrations' contacts, auditors."""
    return rules.is_programme_manager(user) or rules.is_administration_contact(user) or rules.is_auditor(user)


def create(user, *, name: str, scope=Scope.READ, promotion=None, days=DEFAULT_DAYS) -> tuple[ApiToken, str]:
    """A new token of `user` and its secret (to show once)."""
    if not may_hold_tokens(user):
        raise TokenRefused(_("Votre rôle ne donne pas accès à l’API."))
    if scope == Scope.WRITE and not (
        rules.is_programme_manager(user) or rules.is_administration_contact(user)
    ):
        raise TokenRefused(_("Votre rôle ne permet qu’un jeton de lecture."))
    if not 1 <= days <= MAX_DAYS:
        raise TokenRefused(_("Un jeton dure de 1 à %(max)d jours.") % {"max": MAX_DAYS})
    name = " ".join(name.split())[:100]
    if not name:
        raise TokenRefused(_("Donnez un nom au jeton (à quoi il sert)."))
    secret = PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=secret[: len(PREFIX) + 6],
            digest=digest_of(secret),
            scope=scope,
            promotion=promotion,
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
        audit.record(
            None,
            AuditKind.API_TOKEN_CREATED,
            by=user,
            subject=f"apitoken:{token.pk}",
            reason=f"{token.prefix}… ({scope}, {promotion or 'toutes les promotions'}, {days} jours)",
        )
    return token, secret


def revoke(token: ApiToken, *, by) -> ApiToken:
    if token.user_id != by.pk and not rules.is_programme_manager(by):
        raise TokenRefused(_("Ce jeton n’est pas le vôtre."))
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = clock.now()
            token.save(update_fields=["revoked_at"])
            audit.record(
                None,
                AuditKind.API_TOKEN_REVOKED,
                by=by,
                subject=f"apitoken:{token.pk}",
                reason=f"{token.prefix}…",
            )
    return token


def active(secret: str) -> ApiToken | None:
    """The token of a secret, if it is valid now (not revoked, not expired, its person active and
    still allowed); its use recorded."""
    if not secret.startswith(PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user__profile", "promotion").filter(digest=digest_of(secret)).first()
    )
    now = clock.now()
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return None
    if not token.user.is_active or not may_hold_tokens(token.user):
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, use_count=F("use_count") + 1)
    return token
