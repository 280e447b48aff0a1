"""Each step of the dossier: its forms, and the dossier edit it calls (`lifecycle.dossier.edits`).

A step writes nothing itself: the edits check the contact's rights, validate, write and audit.
"""

from django.core.exceptions import ValidationError
from django.forms import formset_factory

from lifecycle.dossier import edits
from lifecycle.dossier.rules import distinct_mentors_problem, same_person
from lifecycle.dossier.sections import PEOPLE, Kind, section
from lifecycle.enums import ContactRole, MentorRole
from lifecycle.models import PERSON_FIELDS, Challenge
from portal import forms


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

    def save(self, *, by) -> bool:
        """Call the step's edit; False (with the errors on the forms) when the edit refuses."""
        try:
            self.edit(by=by)
        except ValidationError as error:
            self.refused(error)
            return False
        return True

    def edit(self, *, by):
        raise NotImplementedError

    def refused(self, error):
        self.form.add_error(None, error.messages)

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

    def edit(self, *, by):
        edits.update_dossier(self.challenge, self.form.changes(), by=by)

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
            {
                "mission": p.mission,
                "profile": p.profile,
                "expertise": p.expertise,
                "pay_level": p.pay_level_id,
            }
            if (p := existing.get(rank))
            else {}
            for rank in range(1, self.max_rows + 1)
        ]
        formset_class = formset_factory(
            forms.EigPositionForm, extra=0, max_num=self.max_rows, validate_max=True
        )
        self.formset = formset_class(data, initial=initial, prefix="eig", form_kwargs={"call": call})

    def is_valid(self):
        return self.formset.is_valid()

    def edit(self, *, by):
        rows = [form.cleaned_data for form in self.formset.forms if not form.is_blank()]
        edits.set_positions(self.challenge, rows, by=by)

    def refused(self, error):
        self.formset.forms[0].add_error(None, error.messages)

    def context(self):
        call = self.challenge.promotion.call
        return {"formset": self.formset, "min_rows": call.min_eigs_per_challenge, "max_rows": self.max_rows}


class TeamStep(Step):
    template = "portal/steps/team.html"

    def build(self, data, files):
        self.formset = forms.TeamFormSet(data, instance=self.challenge, prefix="team")

    def is_valid(self):
        return self.formset.is_valid()

    def edit(self, *, by):
        rows = []
        for form in self.formset.forms:
            if form in self.formset.deleted_forms or not (form.instance.pk or form.has_changed()):
                continue
            row = {name: form.cleaned_data.get(name) for name in edits.TEAM_FIELDS}
            rows.append({"pk": form.instance.pk, **row})
        edits.set_team(self.challenge, rows, by=by)

    def refused(self, error):
        self.formset.forms[0].add_error(None, error.messages)

    def context(self):
        return {"formset": self.formset}


class ContactsStep(Step):
    """The two mentors (the form's legend says both are required) and the two contacts."""

    template = "portal/steps/contacts.html"

    def build(self, data, files):
        found = {("mentor", m.role): m for m in self.challenge.mentors.all()} | {
            ("contact", c.role): c for c in self.challenge.contacts.all()
        }
        self.people = []
        for prefix, model, role in PEOPLE:
            person = found.get((model, role))
            is_mentor = model == "mentor"
            fields = PERSON_FIELDS + (("function",) if is_mentor else ())
            initial = {name: getattr(person, name) for name in fields} if person else {}
            form = forms.PersonForm(data, prefix=prefix, initial=initial, with_function=is_mentor)
            if not is_mentor:
                form.required_when_filled = ("first_name", "last_name")
            title = (MentorRole if is_mentor else ContactRole)(role).label
            self.people.append({"prefix": prefix, "role": role, "title": title, "form": form})

    def _form(self, prefix):
        return next(person["form"] for person in self.people if person["prefix"] == prefix)

    def is_valid(self):
        if not all([person["form"].is_valid() for person in self.people]):
            return False
        operational, strategic = self._form("operational"), self._form("strategic")
        both = not operational.is_blank() and not strategic.is_blank()
        if both and same_person(operational.cleaned_data, strategic.cleaned_data):
            same_email = operational.cleaned_data["email"].lower() == strategic.cleaned_data["email"].lower()
            strategic.add_error("email" if same_email else "last_name", distinct_mentors_problem())
            return False
        return True

    def edit(self, *, by):
        edits.set_people(
            self.challenge,
            {
                person["role"]: None if person["form"].is_blank() else dict(person["form"].cleaned_data)
                for person in self.people
            },
            by=by,
        )

    def refused(self, error):
        self._form("strategic").add_error(None, error.messages)

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

    def edit(self, *, by):
        upload = self.form.cleaned_data.get("pitch_deck")
        if upload:
            edits.attach_pitch_deck(self.challenge, upload, by=by)

    def refused(self, error):
        self.form.add_error("pitch_deck", error.messages)

    def context(self):
        return {"form": self.form}


class ReviewStep(Step):
    template = "portal/steps/review.html"

    def build(self, data, files):
        pass

    def is_valid(self):
        return True

    def edit(self, *, by):
        pass


FIELD_STEPS = {
    "administration": AdministrativeStep,
    "description": DescriptionStep,
    "ressources": ResourcesStep,
    "financement": FinancingStep,
}
KIND_STEPS = {
    Kind.POSITIONS: PositionsStep,
    Kind.TEAM: TeamStep,
    Kind.PEOPLE: ContactsStep,
    Kind.PITCH_DECK: PitchDeckStep,
}


def step_class(slug: str):
    """The step of a section of the form, by its slug; the review after them."""
    if slug == "recapitulatif":
        return ReviewStep
    found = section(slug)
    return FIELD_STEPS[slug] if found.kind == Kind.FIELDS else KIND_STEPS[found.kind]
