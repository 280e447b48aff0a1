from django import forms
from django.utils.translation import gettext_lazy as _

from mentoring.services import phone_problem


class MentorForm(forms.Form):
    """The details a confirmation asks for; the rules live in services.confirm_mentor."""

    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    last_name = forms.CharField(label=_("Nom"), max_length=100)
    function = forms.CharField(label=_("Fonction"), max_length=200)
    email = forms.EmailField(label=_("E-mail professionnel"))
    phone = forms.CharField(label=_("Téléphone professionnel"), max_length=30)

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        if problem := phone_problem(phone):
            raise forms.ValidationError(problem)
        return phone
