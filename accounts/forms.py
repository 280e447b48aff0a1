"""The invited person's password: Django's new-password form (its validators, its French errors)."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _


class InvitationPasswordForm(SetPasswordForm):
    """Checked against the account the invitation will create (`invitations.future_user`), so that
    a password too close to the person's names or address is refused; never saved by itself:
    `invitations.accept` creates the account. The validators' errors go under the password, a
    mismatch under its confirmation (Django puts both under the confirmation)."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = _("Mot de passe")
        self.fields["new_password2"].label = _("Confirmation du mot de passe")
        for field in self.fields.values():
            field.widget = forms.PasswordInput(attrs={"autocomplete": "new-password", "class": "fr-input"})

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self)

    def save(self, commit=True):
        raise NotImplementedError("accounts.invitations.accept creates the account")
