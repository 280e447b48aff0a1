"""Django admin for the domain. Every change goes through the domain's functions: the state is
read-only and moves through `services.transition` (admin actions), the dossier's fields and rows
are saved through `lifecycle.dossier.edits` (audited, one event per save), the trail is read-only.
Who sees and does what is asked of the rules (`lifecycle.rules`)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifecycle import configuration, financing, pitch_deck, profiles, rules, services, workflow
from lifecycle.dossier import edits
from lifecycle.dossier.rules import distinct_mentors_problem, same_person
from lifecycle.enums import TransitionName
from lifecycle.models import (
    Administration,
    AuditEvent,
    Call,
    Challenge,
    Contact,
    EigPosition,
    Entrepreneur,
    Mentor,
    Promotion,
    TeamMember,
)
from lifecycle.models.promotion import MAX_EIGS_PER_CHALLENGE
from notifications import outbox


class AuditedAdmin(admin.ModelAdmin):
    """A configuration row (and its inlines) saved through `lifecycle.configuration.save`:
    audited with its old and new values and its real author."""

    def save_model(self, request, obj, form, change):
        configuration.save(obj, by=request.user, validate=False)  # the form has validated it

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            configuration.save(instance, by=request.user, validate=False)
        formset.save_m2m()


class CallInline(admin.StackedInline):
    model = Call
    can_delete = False


@admin.register(Promotion)
class PromotionAdmin(AuditedAdmin):
    list_display = ["name", "number", "year"]
    inlines = [CallInline]


@admin.register(Administration)
class AdministrationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "ministry", "siret", "acronyms"]
    list_filter = ["kind"]
    search_fields = ["name", "acronyms", "siret"]
    autocomplete_fields = ["ministry"]


class EigPositionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if form not in self.deleted_forms and (form.instance.pk or form.has_changed())
        ]
        call = self.instance.promotion.call if self.instance.promotion_id else None
        if call and len(kept) > call.max_eigs_per_challenge:
            raise forms.ValidationError(
                _("Le défi demande au plus %(max)d EIG.") % {"max": call.max_eigs_per_challenge}
            )


class CallProfilesInline(admin.TabularInline):
    """Rows whose profile is one of the case's call's (a list per call, not an enum)."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None and obj.promotion_id:
            call = obj.promotion.call
            formset.form.base_fields["profile"] = forms.ChoiceField(
                label=_("profil"), choices=[("", "—"), *profiles.choices(call)]
            )
            if "pay_level" in formset.form.base_fields:
                formset.form.base_fields["pay_level"].queryset = call.pay_levels.all()
        return formset


class EigPositionInline(CallProfilesInline):
    model = EigPosition
    formset = EigPositionFormSet
    extra = 0
    max_num = MAX_EIGS_PER_CHALLENGE


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0


class MentorFormSet(forms.BaseInlineFormSet):
    """The two mentors are two people (`dossier.rules.same_person`), as everywhere else."""

    def clean(self):
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form not in self.deleted_forms
            and form.cleaned_data
            and (form.instance.pk or form.has_changed())
        ]
        if len(kept) == 2 and same_person(*kept):
            raise forms.ValidationError(distinct_mentors_problem())


class MentorInline(admin.TabularInline):
    model = Mentor
    formset = MentorFormSet
    extra = 0
    max_num = 2
    readonly_fields = ["confirmed_at"]  # confirmed by the mentor assignment's tasks


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    max_num = 2


class EntrepreneurInline(CallProfilesInline):
    model = Entrepreneur
    extra = 0


class ChallengeForm(forms.ModelForm):
    class Meta:
        model = Challenge
        fields = ["promotion", *sorted(edits.EDITABLE_FIELDS), "pitch_deck"]

    def clean_pitch_deck(self):
        upload = self.cleaned_data.get("pitch_deck")
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            promotion = self.cleaned_data.get("promotion") or self.instance.promotion
            pitch_deck.count_slides(
                pitch_deck.read_upload(upload), max_slides=promotion.call.max_pitch_slides
            )
            upload.seek(0)
        return upload


class TransitionForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Motif"), widget=forms.Textarea, required=False)
    hold_mail = forms.BooleanField(
        label=gettext_lazy("Retenir les e-mails dans la boîte d’envoi pour les relire avant l’envoi"),
        required=False,
    )


def _transition_action(name: TransitionName):
    def action(modeladmin, request, queryset):
        return modeladmin.apply_transition(request, queryset, name)

    action.__name__ = f"transition_{name.value}"
    action.short_description = name.label
    action.allowed_permissions = ("move",)
    return action


def _rows(formset) -> list[dict]:
    """The rows an inline formset keeps, in order, as values for an edit ("pk" for existing ones)."""
    rows = []
    for form in formset.forms:
        if form in formset.deleted_forms or not (form.instance.pk or form.has_changed()):
            continue
        values = {
            name: value
            for name, value in form.cleaned_data.items()
            if name not in ("id", "challenge", "DELETE")
        }
        rows.append({"pk": form.instance.pk, **values})
    return rows


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    form = ChallengeForm
    list_display = ["name", "promotion", "administration", "state", "cofinancing_requested", "manager"]
    list_filter = ["state", "promotion", "administration__kind", "cofinancing_requested"]
    search_fields = ["name", "administration__name"]
    list_select_related = ["promotion", "administration", "manager"]
    readonly_fields = [
        "state",
        "state_changed_at",
        "pitch_deck_pages",
        "financial_simulation",
        "created_at",
        "updated_at",
    ]
    autocomplete_fields = ["administration", "administrative_carrier", "partner_administrations"]
    inlines = [EigPositionInline, TeamMemberInline, MentorInline, ContactInline, EntrepreneurInline]
    actions = [_transition_action(move.name) for move in workflow.bare_moves()]

    @admin.display(description=gettext_lazy("simulation financière"))
    def financial_simulation(self, challenge):
        if challenge.pk is None:
            return "-"
        return "\n".join(financing.describe(challenge))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        challenge = self.get_object(request, object_id)
        options = services.transition_options(challenge, by=request.user) if challenge else []
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "transition_options": options}
        )

    def get_readonly_fields(self, request, obj=None):
        # A case stays in its promotion: its dossier follows that promotion's call.
        return [*self.readonly_fields, "promotion"] if obj else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or rules.can_edit_dossier(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return False  # a case is withdrawn, never deleted: its audit trail refers to it

    def has_move_permission(self, request):
        return request.user.has_perm("lifecycle.move_challenge")

    # The admin wraps the whole change form in one transaction; the dossier's edits save the
    # form and its inlines, audited as one event.
    def save_model(self, request, obj, form, change):
        if not change:
            created = edits.create_challenge(
                promotion=form.cleaned_data["promotion"],
                administration=form.cleaned_data["administration"],
                name=form.cleaned_data["name"],
                by=request.user,
            )
            obj.pk, obj.created_at = created.pk, created.created_at

    def save_related(self, request, form, formsets, change):
        challenge, by = form.instance, request.user
        with edits.recording_dossier_changes(challenge, by=by):
            changes = {
                name: form.cleaned_data[name] for name in form.changed_data if name in edits.EDITABLE_FIELDS
            }
            if changes:
                edits.update_dossier(challenge, changes, by=by)
            upload = form.cleaned_data.get("pitch_deck")
            if "pitch_deck" in form.changed_data and upload and hasattr(upload, "content_type"):
                edits.attach_pitch_deck(challenge, upload, by=by)
            for formset in formsets:
                self._save_rows(challenge, formset, by=by)
                # What the admin's history message reads (the audit trail holds the details).
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        challenge.refresh_from_db()

    def _save_rows(self, challenge, formset, *, by):
        rows = _rows(formset)
        if formset.model is EigPosition:
            rows.sort(key=lambda row: row.get("rank") or 0)
            edits.set_positions(challenge, rows, by=by)
        elif formset.model is TeamMember:
            edits.set_team(challenge, rows, by=by)
        elif formset.model in (Mentor, Contact):
            kept = {row["role"]: row for row in rows}
            gone = {form.instance.role for form in formset.forms if form.instance.pk} - set(kept)
            edits.set_people(challenge, {**dict.fromkeys(gone), **kept}, by=by)
        elif formset.model is Entrepreneur:
            edits.set_entrepreneurs(challenge, rows, by=by)

    def apply_transition(self, request, queryset, name: TransitionName):
        if not self.has_move_permission(request):
            raise PermissionDenied
        form = TransitionForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return TemplateResponse(
                request,
                "admin/lifecycle/challenge/transition.html",
                {
                    **self.admin_site.each_context(request),
                    "title": name.label,
                    "challenges": queryset,
                    "form": form,
                    "action": f"transition_{name.value}",
                    "opts": self.model._meta,
                },
            )
        moved = 0
        # One decision act: its held e-mails wait in one review of their own.
        with outbox.review_of_act(
            by=request.user, transition=name, hold=form.cleaned_data["hold_mail"]
        ) as review:
            for challenge in queryset:
                try:
                    services.transition(
                        challenge,
                        name,
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                        options={outbox.HOLD_MAIL: review or False},
                    )
                    moved += 1
                except services.TransitionRefused as refusal:
                    self.message_user(request, f"{challenge} : {refusal}", messages.ERROR)
        if moved:
            self.message_user(
                request,
                _("%(count)d défi(s) : « %(action)s » effectué.") % {"count": moved, "action": name.label},
                messages.SUCCESS,
            )
        return None


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "challenge", "kind", "actor_label", "from_state", "to_state"]
    list_filter = ["kind", "transition"]
    search_fields = ["challenge__name", "actor_label", "reason"]
    date_hierarchy = "created_at"
    list_select_related = ["challenge"]
