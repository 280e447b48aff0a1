"""`role_changed` is sent by `accounts.services.set_role`, in its transaction, when a person's role
changes (sends: user, before, after, by): the work a person held in their former role follows
(the mentor tasks of a former manager go back to the team's queue).

`invitation_accepted` is sent by `accounts.invitations.accept`, in its transaction, once the
account exists (sends: invitation, user): what the invitation was for follows the person (a jury
member's seat, `jury.receivers`)."""

from django.dispatch import Signal

role_changed = Signal()
invitation_accepted = Signal()
