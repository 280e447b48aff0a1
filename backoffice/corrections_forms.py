"""The forms of a request for corrections and of its extension (`lifecycle.corrections`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lifecycle import corrections


class RequestCorrectionsForm(forms.Form):
    sections = forms.MultipleChoiceField(
        label=_("Parties du dossier à rouvrir"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("L’administration ne pourra modifier que ces parties."),
    )
    what = forms.CharField(
        label=_("Ce qu’il faut corriger"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_(
            "Ce texte est cité dans l’e-mail envoyé à l’administration et enregistré dans l’historique."
        ),
    )
    due_on = forms.DateField(
        label=_("Date limite du dépôt corrigé"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "L’administration peut déposer le dossier corrigé jusqu’à ce jour à 23:59 (heure de Paris) "
            "incluse ; la date doit précéder le premier jour du jury."
        ),
    )
    hold_mail = forms.BooleanField(label=_("Retenir l’e-mail pour relecture"), required=False)
    confirm = forms.BooleanField(
        label=_("Je confirme : renvoyer le dossier à l’administration pour corrections"),
        error_messages={"required": _("Cochez « Je confirme » pour renvoyer le dossier.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sections"].choices = list(corrections.section_titles().items())


class ExtendCorrectionsForm(forms.Form):
    due_on = forms.DateField(
        label=_("Nouvelle date limite"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
