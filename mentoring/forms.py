from django import forms

from lifecycle.models import Mentor


class MentorForm(forms.Form):
    """The details a confirmation asks for: the fields of the mentor, all required here; the
    rules (validators, two distinct mentors) are the model's and `edits.confirm_mentor`'s."""

    first_name = Mentor._meta.get_field("first_name").formfield()
    last_name = Mentor._meta.get_field("last_name").formfield()
    function = Mentor._meta.get_field("function").formfield(required=True)
    email = Mentor._meta.get_field("email").formfield(required=True)
    phone = Mentor._meta.get_field("phone").formfield(required=True)
