"""The hook other apps plug into when the jury closes.

`jury_closed` is sent inside the closing's transaction, after its audit event is written: jury,
by, event. A receiver writes there what commits with it (the webhooks' outbox)."""

from django.dispatch import Signal

jury_closed = Signal()
