"""The hooks other apps plug into when a challenge moves.

`transition_applied` is sent inside the transaction of the move, after the audit event is
written: a receiver writes there what must commit or roll back with the move (the notification
outbox). `transition_committed` is sent once the move is committed: a receiver starts work that
leaves the building (mail delivery, scheduled tasks, human tasks).

Both send: challenge, name (a TransitionName), by (a user or SYSTEM), event (the AuditEvent);
`transition_applied` also sends hold_mail (the actor asked to review the e-mails before they leave).
"""

from django.dispatch import Signal

transition_applied = Signal()
transition_committed = Signal()
