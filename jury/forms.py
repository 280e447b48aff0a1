"""The programme managers' forms of the jury (the members' own are in `jury.member_forms`): they
read what a manager typed; the views hand it to `jury.services`, which checks the rules.

Choices are built from lists the view has already read (members, challenges, sub-juries), so that
a page with many forms runs a fixed number of queries."""

import datetime as dt

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jury.enums import MemberKind
from lifecycle.validators import validate_single_line
from web.forms import DsfrMixin


def _by_pk(objects) -> dict[str, object]:
    return {str(item.pk): item for item in objects}


class InviteMemberForm(DsfrMixin, forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"), max_length=150)
    first_name = forms.CharField(label=_("Prénom"), max_length=150, validators=[validate_single_line])
    last_name = forms.CharField(label=_("Nom"), max_length=150, validators=[validate_single_line])
    kind = forms.ChoiceField(label=_("Profil"), choices=MemberKind.choices, widget=forms.RadioSelect)
    organisation = forms.CharField(
        label=_("Fonction et organisation"),
        max_length=300,
        required=False,
        validators=[validate_single_line],
        help_text=_("Par exemple : « Directrice des données, ministère de la Culture »."),
    )
    language = forms.ChoiceField(
        label=_("Langue de l’invitation"),
        choices=settings.LANGUAGES,
        initial="fr",
        widget=forms.RadioSelect,
        help_text=_("La langue de l’e-mail d’invitation et des messages suivants."),
    )


class SubJuryForm(DsfrMixin, forms.Form):
    name = forms.CharField(
        label=_("Nom du sous-jury"),
        max_length=100,
        validators=[validate_single_line],
        help_text=_("Par exemple : « Sous-jury 1 » ou « Sous-jury Santé »."),
    )


class SubJuryMembersForm(DsfrMixin, forms.Form):
    """The members of one sub-jury: a box per member of the jury (`choices`: [(member, label)])."""

    members = forms.MultipleChoiceField(
        label=_("Membres"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self._members = {str(member.pk): member for member, _label in choices}
        self.fields["members"].choices = [(str(member.pk), label) for member, label in choices]

    def chosen(self) -> list:
        return [self._members[pk] for pk in self.cleaned_data["members"]]


class SlotForm(DsfrMixin, forms.Form):
    """When and where a sub-jury hears a pitched challenge; the day and times are Paris time."""

    challenge = forms.ChoiceField(label=_("Défi"))
    sub_jury = forms.ChoiceField(label=_("Sous-jury"))
    day = forms.DateField(label=_("Jour"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    starts = forms.TimeField(
        label=_("Début (heure de Paris)"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends = forms.TimeField(
        label=_("Fin (heure de Paris)"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    place = forms.CharField(
        label=_("Salle"), max_length=200, required=False, validators=[validate_single_line]
    )
    video_link = forms.URLField(
        label=_("Lien de visioconférence"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("La salle, le lien, ou les deux."),
    )

    def __init__(self, *args, challenges, sub_juries, **kwargs):
        super().__init__(*args, **kwargs)
        self._challenges, self._sub_juries = _by_pk(challenges), _by_pk(sub_juries)
        self.fields["challenge"].choices = [("", _("— Choisir un défi —"))] + [
            (str(challenge.pk), f"{challenge.name} ({challenge.administration.name})")
            for challenge in challenges
        ]
        self.fields["sub_jury"].choices = [("", _("— Choisir un sous-jury —"))] + [
            (str(sub_jury.pk), sub_jury.name) for sub_jury in sub_juries
        ]

    @classmethod
    def initial_of(cls, slot) -> dict:
        start, end = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
        return {
            "challenge": str(slot.challenge_id),
            "sub_jury": str(slot.sub_jury_id),
            "day": start.date(),
            "starts": start.time().replace(second=0, microsecond=0),
            "ends": end.time().replace(second=0, microsecond=0),
            "place": slot.place,
            "video_link": slot.video_link,
        }

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("starts") and data.get("ends"):
            data["starts_at"] = timezone.make_aware(dt.datetime.combine(data["day"], data["starts"]))
            data["ends_at"] = timezone.make_aware(dt.datetime.combine(data["day"], data["ends"]))
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("ends", _("L’audition finit après son début."))
        return data

    @property
    def chosen_challenge(self):
        return self._challenges[self.cleaned_data["challenge"]]

    @property
    def chosen_sub_jury(self):
        return self._sub_juries[self.cleaned_data["sub_jury"]]


class CancelSlotForm(DsfrMixin, forms.Form):
    reason = forms.CharField(
        label=_("Motif de l’annulation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Il figure au journal d’audit ; l’administration reçoit l’annulation par e-mail."),
        error_messages={"required": _("Dites pourquoi l’audition est annulée.")},
    )


class ConflictForm(DsfrMixin, forms.Form):
    member = forms.ChoiceField(label=_("Membre du jury"))
    challenge = forms.ChoiceField(label=_("Défi"))
    reason = forms.CharField(
        label=_("Nature du conflit d’intérêts"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Par exemple : « a travaillé dans cette direction jusqu’en 2017 »."),
        error_messages={"required": _("Dites en quelques mots la nature du conflit d’intérêts.")},
    )

    def __init__(self, *args, members, challenges, **kwargs):
        super().__init__(*args, **kwargs)
        self._members, self._challenges = _by_pk(members), _by_pk(challenges)
        self.fields["member"].choices = [("", _("— Choisir un membre —"))] + [
            (str(member.pk), str(member)) for member in members
        ]
        self.fields["challenge"].choices = [("", _("— Choisir un défi —"))] + [
            (str(challenge.pk), f"{challenge.name} ({challenge.administration.name})")
            for challenge in challenges
        ]

    @property
    def chosen_member(self):
        return self._members[self.cleaned_data["member"]]

    @property
    def chosen_challenge(self):
        return self._challenges[self.cleaned_data["challenge"]]


class CloseJuryForm(DsfrMixin, forms.Form):
    confirmation = forms.BooleanField(
        label=_("Je confirme la clôture du jury."),
        help_text=_(
            "La clôture est définitive : plus aucune note, aucun avis, aucune audition, aucun membre ni "
            "aucun conflit d’intérêts ne change ensuite."
        ),
        error_messages={"required": _("Cochez la case pour confirmer la clôture du jury.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.describe()
