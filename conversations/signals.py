"""The hook other apps plug into when a message is posted.

`message_posted` is sent inside the message's transaction, after its audit event is written (a
message between the programme and an administration only, not an internal note): challenge,
message, by, event. A receiver writes there what commits with it (the webhooks' outbox)."""

from django.dispatch import Signal

message_posted = Signal()
