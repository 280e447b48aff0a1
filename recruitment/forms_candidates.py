"""The candidates' forms: sign-up, the public list's filters, the candidacy's parts (its identity,
declarations, CV, a motivation per challenge). The domain (`recruitment.candidacy`,
`recruitment.registration`) checks and writes; these forms read what was typed."""

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lifecycle import profiles
from recruitment import candidacy, registration
from web.forms import DsfrMixin


def _language_choices():
    """The site's languages, each named in its own language ("Français", "English")."""
    return list(settings.LANGUAGES)


class SignUpForm(DsfrMixin, forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    last_name = forms.CharField(label=_("Nom"), max_length=100)
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=150,
        help_text=_("Elle sera votre identifiant ; nous y envoyons le lien qui ouvre votre compte."),
    )
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    language = forms.ChoiceField(
        label=_("Langue des messages"),
        choices=_language_choices,
        initial="fr",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        elif first and cleaned.get("email"):
            person = registration.future_user(
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned["email"],
            )
            try:
                password_validation.validate_password(first, person)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ResendForm(DsfrMixin, forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail du compte"), max_length=150)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"


class FiltersForm(DsfrMixin, forms.Form):
    """The public list's filters (GET): a profile of the call, a place of the challenges."""

    profil = forms.ChoiceField(label=_("Profil recherché"), required=False)
    lieu = forms.ChoiceField(label=_("Lieu"), required=False)

    def __init__(self, *args, call, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profil"].choices = [("", _("Tous les profils")), *profiles.choices(call)]
        self.fields["lieu"].choices = [("", _("Tous les lieux")), *[(place, place) for place in places]]

    def value(self, name) -> str:
        return self.cleaned_data.get(name, "") if self.is_valid() else ""


class IdentityForm(DsfrMixin, forms.Form):
    """Who the candidate is and how to reach them; nothing required here (a draft is kept): what
    is missing is listed by `candidacy.problems`."""

    first_name = forms.CharField(label=_("Prénom"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Téléphone"), max_length=30, required=False, help_text=_("Par exemple : 06 12 34 56 78")
    )
    profile = forms.ChoiceField(label=_("Votre profil"), required=False)
    portfolio_url = forms.URLField(
        label=_("Portfolio ou site personnel"),
        required=False,
        assume_scheme="https",
        help_text=_("Une adresse complète, par exemple https://exemple.fr"),
    )
    code_url = forms.URLField(
        label=_("Code (GitHub, GitLab…)"),
        required=False,
        assume_scheme="https",
        help_text=_("Une adresse complète, par exemple https://github.com/identifiant"),
    )
    other_links = forms.CharField(
        label=_("Autres liens"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Un lien par ligne."),
    )
    language = forms.ChoiceField(
        label=_("Langue des messages"), choices=_language_choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = [("", _("Choisissez votre profil")), *profiles.choices(call)]
        for name, autocomplete in [
            ("first_name", "given-name"),
            ("last_name", "family-name"),
            ("phone", "tel"),
            ("portfolio_url", "url"),
        ]:
            self.fields[name].widget.attrs["autocomplete"] = autocomplete
        self.fields["phone"].widget.input_type = "tel"

    @classmethod
    def initial_of(cls, candidate) -> dict:
        return {name: getattr(candidate, name) for name in [*candidacy.IDENTITY_FIELDS, "language"]}


class DeclarationsForm(forms.Form):
    declarations = forms.MultipleChoiceField(
        label=_("Vos déclarations"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, call, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["declarations"].choices = [
            (str(rule.pk), rule.text) for rule in call.eligibility_rules.all()
        ]


class CvForm(forms.Form):
    cv = forms.FileField(
        label=_("Votre CV"),
        help_text=_("Un fichier PDF de 5 Mo et 10 pages au plus."),
        widget=forms.FileInput(attrs={"accept": ".pdf,application/pdf", "class": "fr-upload"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class MotivationForm(DsfrMixin, forms.Form):
    motivation = forms.CharField(
        label=_("Votre motivation pour ce défi"),
        max_length=candidacy.MOTIVATION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["motivation"].help_text = gettext(
            "Pourquoi ce défi, ce que vous y apporteriez : %(max)d caractères au plus. Vous pourrez "
            "la modifier jusqu’au dépôt de votre candidature."
        ) % {"max": candidacy.MOTIVATION_MAX}
