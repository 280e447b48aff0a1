"""Who acts on a case: a user, or the system itself (scheduled jobs)."""

import unicodedata

from django.utils.translation import gettext_lazy as _

from lifecycle import personal


class SystemActor:
    """The programme's own automation; it has every right and no user account."""

    pk = None
    is_authenticated = True
    is_superuser = False

    def __str__(self):
        return str(_("système"))


SYSTEM = SystemActor()


def programme_actor(username: str | None, *, act="cette commande"):
    """Who a command acts as: the programme manager `username`, else the system; LookupError
    (its French message) for an unknown account or one that is not a programme manager's."""
    if not username:
        return SYSTEM
    from django.contrib.auth import get_user_model

    from lifecycle import rules  # the rules read the actors

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise LookupError(f"Aucun utilisateur « {username} ».")
    if not rules.is_programme_manager(user):
        raise LookupError(f"« {username} » n’est pas chargé·e de programme : {act} lui est refusé.")
    return user


def _one_line(text: str) -> str:
    """A name as the trail and the e-mails show it: control characters (a line break typed in
    an account's name before names were checked) become spaces."""
    return " ".join("".join(" " if unicodedata.category(c) == "Cc" else c for c in text).split())


def actor_label(actor) -> str:
    if actor is SYSTEM:
        return str(SYSTEM)
    full_name, username = _one_line(actor.get_full_name()), _one_line(actor.get_username())
    return f"{full_name} ({username})" if full_name else username


# The system's name as the trail recorded it, in the language of the moment it acted.
SYSTEM_LABELS = {"système", "system"}


def shown_label(event) -> str:
    """Who made an audited event, as a page shows it: the system's name in the page's language
    (the trail keeps the label it recorded), a person's name as recorded: in the event itself
    before personal data was kept apart, beside it since ("donnée personnelle effacée" once
    erased; `lifecycle.personal.prefetch` reads a page's in one query)."""
    if event.actor_id is None and event.actor_label in SYSTEM_LABELS:
        return str(SYSTEM)
    return personal.actor_of(event)
