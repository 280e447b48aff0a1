"""`role_changed` is sent by `accounts.services.set_role`, in its transaction, when a person's role
changes (sends: user, before, after, by): the work a person held in their former role follows
(the mentor tasks of a former manager go back to the team's queue)."""

from django.dispatch import Signal

role_changed = Signal()
