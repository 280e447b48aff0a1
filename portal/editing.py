"""Each step of the dossier: its forms, and how it saves them through the lifecycle's services.

Fields of the challenge go through `services.update_dossier`; child rows are saved inside
`services.recording_dossier_changes`, so that every change is audited.
"""

import contextlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from lifecycle import rules, services
from lifecycle.enums import ContactRole, MentorRole
from lifecycle.models import Challenge, Contact, EigPosition, Mentor
from portal import forms


@contextlib.contextmanager
def editing_rows(challenge, *, by):
    """Audit the block's changes to child rows; refuse them if the dossier is locked meanwhile."""
    with services.recording_dossier_changes(challenge, by=by):
        # recording_dossier_changes holds the challenge's row: its state cannot move under us.
        if not rules.can_edit_dossier(by, Challenge.objects.get(pk=challenge.pk)):
            raise services.DossierLocked(_("Ce dossier ne peut plus être modifié : il a été déposé."))
        yield


class Step:
    template = "portal/steps/fields.html"
    multipart = False

    def __init__(self, challenge, data=None, files=None):
        self.challenge = challenge
        self.build(data, files)

    def build(self, data, files):
        raise NotImplementedError

    def is_valid(self) -> bool:
        raise NotImplementedError

    def save(self, *, by):
        raise NotImplementedError

    def context(self) -> dict:
        return {}


class FieldsStep(Step):
    form_class = None

    def build(self, data, files):
        # A fresh copy: a ModelForm writes its values on its instance even when they are invalid.
        instance = Challenge.objects.select_related("promotion__call", "administration").get(
            pk=self.challenge.pk
        )
        self.form = self.form_class(data, instance=instance)

    def is_valid(self):
        return self.form.is_valid()

    def save(self, *, by):
        try:
            with transaction.atomic():
                services.update_dossier(self.form.instance, self.form.changes(), by=by)
                if self.form.many_to_many:
                    with editing_rows(self.challenge, by=by):
                        for name in self.form.many_to_many:
                            getattr(self.form.instance, name).set(self.form.cleaned_data[name])
        except ValidationError as error:
            self.form.add_error(None, error.messages)
            return False
        return True

    def context(self):
        return {"form": self.form}


class AdministrativeStep(FieldsStep):
    form_class = forms.AdministrativeForm


class DescriptionStep(FieldsStep):
    form_class = forms.DescriptionForm


class ResourcesStep(FieldsStep):
    form_class = forms.ResourcesForm
    template = "portal/steps/resources.html"

    def context(self):
        form = self.form
        return {
            "form": form,
            "main_fields": [form[name] for name in form.Meta.fields if name not in form.attestations],
            "attestation_fields": [form[name] for name in form.attestations],
        }


class FinancingStep(FieldsStep):
    form_class = forms.FinancingForm
    template = "portal/steps/financing.html"


class PositionsStep(Step):
    """2 or 3 EIGs: one row per EIG, ranks given in the order of the filled rows."""

    template = "portal/steps/positions.html"

    def build(self, data, files):
        call = self.challenge.promotion.call
        self.max_rows = call.max_eigs_per_challenge
        existing = {position.rank: position for position in self.challenge.eig_positions.all()}
        initial = [
            {"mission": p.mission, "profile": p.profile, "expertise": p.expertise}
            if (p := existing.get(rank))
            else {}
            for rank in range(1, self.max_rows + 1)
        ]
        formset_class = formset_factory(
            forms.EigPositionForm, extra=0, max_num=self.max_rows, validate_max=True
        )
        self.formset = formset_class(data, initial=initial, prefix="eig")

    def is_valid(self):
        return self.formset.is_valid()

    def save(self, *, by):
        rows = [form.cleaned_data for form in self.formset.forms if not form.is_blank()]
        with editing_rows(self.challenge, by=by):
            EigPosition.objects.filter(challenge=self.challenge, rank__gt=len(rows)).delete()
            for rank, row in enumerate(rows, start=1):
                position = EigPosition.objects.filter(challenge=self.challenge, rank=rank).first()
                position = position or EigPosition(challenge=self.challenge, rank=rank)
                position.mission = row["mission"]
                position.profile = row["profile"]
                position.expertise = row["expertise"]
                position.full_clean()
                position.save()
        return True

    def context(self):
        call = self.challenge.promotion.call
        return {"formset": self.formset, "min_rows": call.min_eigs_per_challenge, "max_rows": self.max_rows}


class TeamStep(Step):
    template = "portal/steps/team.html"

    def build(self, data, files):
        self.formset = forms.TeamFormSet(data, instance=self.challenge, prefix="team")

    def is_valid(self):
        return self.formset.is_valid()

    def save(self, *, by):
        with editing_rows(self.challenge, by=by):
            self.formset.save()
        return True

    def context(self):
        return {"formset": self.formset}


PEOPLE = [
    # (prefix, model, role, title, mentor?)
    ("operational", Mentor, MentorRole.OPERATIONAL, MentorRole.OPERATIONAL.label, True),
    ("strategic", Mentor, MentorRole.STRATEGIC, MentorRole.STRATEGIC.label, True),
    ("hr", Contact, ContactRole.HR, ContactRole.HR.label, False),
    ("pia_agreement", Contact, ContactRole.PIA_AGREEMENT, ContactRole.PIA_AGREEMENT.label, False),
]
PERSON_FIELDS = ("first_name", "last_name", "email", "phone")


class ContactsStep(Step):
    template = "portal/steps/contacts.html"

    def build(self, data, files):
        mentors = {mentor.role: mentor for mentor in self.challenge.mentors.all()}
        contacts = {contact.role: contact for contact in self.challenge.contacts.all()}
        self.people = []
        for prefix, model, role, title, is_mentor in PEOPLE:
            person = (mentors if is_mentor else contacts).get(role)
            fields = PERSON_FIELDS + (("function",) if is_mentor else ())
            initial = {name: getattr(person, name) for name in fields} if person else {}
            form = forms.PersonForm(data, prefix=prefix, initial=initial, with_function=is_mentor)
            if not is_mentor:
                form.required_when_filled = ("first_name", "last_name")
            self.people.append({"prefix": prefix, "model": model, "role": role, "title": title, "form": form})

    def is_valid(self):
        valid = all([person["form"].is_valid() for person in self.people])
        if not valid:
            return False
        operational, strategic = self.people[0]["form"], self.people[1]["form"]
        if not operational.is_blank() and not strategic.is_blank():
            same_email = operational.cleaned_data["email"].lower() == strategic.cleaned_data["email"].lower()
            same_name = all(
                operational.cleaned_data[name].strip().lower() == strategic.cleaned_data[name].strip().lower()
                for name in ("first_name", "last_name")
            )
            if same_email or same_name:
                strategic.add_error(
                    "email" if same_email else "last_name",
                    _("Les mentors opérationnel et stratégique doivent être deux personnes."),
                )
                return False
        return True

    def save(self, *, by):
        with editing_rows(self.challenge, by=by):
            for person in self.people:
                model, form = person["model"], person["form"]
                rows = model.objects.filter(challenge=self.challenge, role=person["role"])
                if form.is_blank():
                    rows.delete()
                    continue
                row = rows.first() or model(challenge=self.challenge, role=person["role"])
                for name, value in form.cleaned_data.items():
                    setattr(row, name, value)
                row.full_clean()
                row.save()
        return True

    def context(self):
        return {"people": self.people, "has_errors": any(person["form"].errors for person in self.people)}


class PitchDeckStep(Step):
    template = "portal/steps/pitch_deck.html"
    multipart = True

    def build(self, data, files):
        self.form = forms.PitchDeckForm(
            data, files, max_slides=self.challenge.promotion.call.max_pitch_slides
        )

    def is_valid(self):
        return self.form.is_valid()

    def save(self, *, by):
        upload = self.form.cleaned_data.get("pitch_deck")
        if not upload:
            return True
        try:
            services.attach_pitch_deck(self.challenge, upload, by=by)
        except ValidationError as error:
            self.form.add_error("pitch_deck", error.messages)
            return False
        return True

    def context(self):
        return {"form": self.form}


class ReviewStep(Step):
    template = "portal/steps/review.html"

    def build(self, data, files):
        pass

    def is_valid(self):
        return True

    def save(self, *, by):
        return True


STEP_CLASSES = {
    "administration": AdministrativeStep,
    "description": DescriptionStep,
    "missions": PositionsStep,
    "equipe": TeamStep,
    "ressources": ResourcesStep,
    "financement": FinancingStep,
    "contacts": ContactsStep,
    "presentation": PitchDeckStep,
    "recapitulatif": ReviewStep,
}
