"""The hooks other apps plug into when a challenge moves.

`transition_applied` is sent inside the transaction of the move, after the audit event is
written: a receiver writes there what must commit or roll back with the move (the notification
outbox). `transition_committed` is sent once the move is committed: a receiver starts work that
leaves the building (mail delivery, human tasks). Receivers register no `on_commit` of their
own: the committed signal is the one path of after-commit work.

Both send: challenge, name (a TransitionName), by (a user or SYSTEM), event (the AuditEvent) and
options (a read-only mapping the caller of `transition` gave, e.g. {"hold_mail": True}).
The receivers are listed in `lifecycle.services.transition`'s docstring and pinned by a test.
"""

from django.dispatch import Signal

transition_applied = Signal()
transition_committed = Signal()

# What a bulk move (`services.transition_many`) enters around its receivers, so that an app that
# writes for each move may write for all of them at once: context-manager factories, called with
# the challenges moved and entered
# around the `transition_applied` of all its moves (in the transaction) and around their
# `transition_committed` (after it). The notifications' outbox registers its own (one existence
# query and one insert of the e-mails; one enqueue).
applied_together: list = []
committed_together: list = []

# A manager moved the last day of the corrections asked of an administration (inside the
# transaction of the change): challenge, by, event (the AuditEvent with both dates).
corrections_extended = Signal()
