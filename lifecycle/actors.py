"""Who acts on a case: a user, or the system itself (scheduled jobs)."""

from django.utils.translation import gettext_lazy as _


class SystemActor:
    """The programme's own automation; it has every right and no user account."""

    pk = None
    is_authenticated = True
    is_superuser = False

    def __str__(self):
        return str(_("système"))


SYSTEM = SystemActor()


def actor_label(actor) -> str:
    if actor is SYSTEM:
        return str(SYSTEM)
    full_name = actor.get_full_name()
    return f"{full_name} ({actor.get_username()})" if full_name else actor.get_username()
