"""Forgotten passwords: the reset e-mail is sent by the task queue, so that the page answers as
fast whether the address has an account or not (building and sending the e-mail would otherwise
tell, by the time it takes, that it has one)."""

import logging

from django.contrib.auth.forms import PasswordResetForm
from django.contrib.sites.shortcuts import get_current_site
from django.utils import translation

logger = logging.getLogger(__name__)


class QueuedPasswordResetForm(PasswordResetForm):
    def save(self, domain_override=None, use_https=False, request=None, **_options):
        from django_q.tasks import async_task  # django-q2 reads its settings on import

        arguments = (
            self.cleaned_data["email"],
            domain_override or get_current_site(request).domain,
            use_https,
            translation.get_language(),
        )
        try:
            async_task("accounts.passwords.send_password_reset", *arguments, group="accounts")
        except Exception:  # the broker is down: better slower than no e-mail at all
            logger.exception("Could not enqueue a password reset; sent at once")
            send_password_reset(*arguments)


def send_password_reset(email: str, domain: str, use_https: bool, language: str):
    """The task: Django's reset e-mail to the active accounts of this address, in the language
    of the page it was asked from (nothing when the address has no account)."""
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        with translation.override(language):
            form.save(domain_override=domain, use_https=use_https)
