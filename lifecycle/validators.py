"""Validators of the domain's fields (the models use them, so every form and import does)."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PHONE_MESSAGE = _("Saisissez un numéro de téléphone valide (10 chiffres au moins).")


def validate_phone(phone: str):
    """A professional phone number: digits, spaces, dots, dashes, brackets, an optional leading
    +; 10 to 15 digits."""
    digits = re.sub(r"\D", "", phone)
    if not re.fullmatch(r"\+?[\d\s.()-]+", phone) or not 10 <= len(digits) <= 15:
        raise ValidationError(PHONE_MESSAGE, code="phone")


def control_characters(text: str) -> list[str]:
    """The control characters of a text (line breaks, tabs, NUL…), named for a message."""
    return sorted({f"U+{ord(char):04X}" for char in text if unicodedata.category(char) == "Cc"})


def validate_single_line(text: str):
    """A name or a subject: one line, no control character (a line break in a name would break
    the e-mails that carry it, and forge their headers)."""
    found = control_characters(text or "")
    if found:
        raise ValidationError(
            _("Ce texte doit tenir sur une ligne, sans caractère de contrôle (trouvé : %(chars)s)."),
            code="control_character",
            params={"chars": ", ".join(found)},
        )
