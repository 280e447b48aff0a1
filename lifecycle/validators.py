"""Validators of the domain's fields (the models use them, so every form and import does)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PHONE_MESSAGE = _("Saisissez un numéro de téléphone valide (10 chiffres au moins).")


def validate_phone(phone: str):
    """A professional phone number: digits, spaces, dots, dashes, brackets, an optional leading
    +; 10 to 15 digits."""
    digits = re.sub(r"\D", "", phone)
    if not re.fullmatch(r"\+?[\d\s.()-]+", phone) or not 10 <= len(digits) <= 15:
        raise ValidationError(PHONE_MESSAGE, code="phone")
