"""Hooks of the scheduled jobs. `recruitment_closed` is sent once, when a call's closing is recorded
(sends: call, closure); the applications will hang their follow-up work on it."""

from django.dispatch import Signal

recruitment_closed = Signal()
