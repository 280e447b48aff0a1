"""Django admin for the domain. Every change goes through lifecycle.services: the state is
read-only, transitions are admin actions, dossier edits are audited, the trail is read-only."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifecycle import audit, dossier, financing, pitch_deck, rules, services
from lifecycle.enums import AuditKind, TransitionName
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


class CallInline(admin.StackedInline):
    model = Call
    can_delete = False


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "year"]
    inlines = [CallInline]


@admin.register(Administration)
class AdministrationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "ministry", "pia_eligible"]
    list_filter = ["kind"]
    search_fields = ["name"]
    autocomplete_fields = ["ministry"]

    @admin.display(boolean=True, description=gettext_lazy("éligible au PIA"))
    def pia_eligible(self, administration):
        return administration.is_pia_eligible


class EigPositionInline(admin.TabularInline):
    model = EigPosition
    extra = 0
    max_num = 3


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0


class MentorInline(admin.TabularInline):
    model = Mentor
    extra = 0
    max_num = 2


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    max_num = 2


class EntrepreneurInline(admin.TabularInline):
    model = Entrepreneur
    extra = 0


class ChallengeForm(forms.ModelForm):
    class Meta:
        model = Challenge
        fields = ["promotion", *dossier.SCALAR_FIELDS, "partner_administrations"]

    def clean_pitch_deck(self):
        upload = self.cleaned_data.get("pitch_deck")
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            promotion = self.cleaned_data.get("promotion") or self.instance.promotion
            self._pitch_deck_pages = pitch_deck.count_slides(
                pitch_deck.read_upload(upload), max_slides=promotion.call.max_pitch_slides
            )
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
    return action


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    form = ChallengeForm
    list_display = ["name", "promotion", "administration", "state", "pia_requested", "manager"]
    list_filter = ["state", "promotion", "administration__kind", "pia_requested"]
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
    actions = [_transition_action(name) for name in TransitionName]

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

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or rules.can_edit_dossier(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return False  # a case is withdrawn, never deleted: its audit trail refers to it

    # Every save of the change form is audited, inlines included (the admin wraps the whole
    # change form in one transaction, so the event commits with the change).
    def save_model(self, request, obj, form, change):
        self._before = dossier.snapshot(Challenge.objects.get(pk=obj.pk)) if change else {}
        pages = getattr(form, "_pitch_deck_pages", None)
        if pages is not None:
            obj.pitch_deck_pages = pages
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        changes = dossier.diff(self._before, dossier.snapshot(Challenge.objects.get(pk=form.instance.pk)))
        if changes:
            kind = AuditKind.DOSSIER_CHANGED if change else AuditKind.CREATED
            audit.record(form.instance, kind, by=request.user, changes=changes)

    def apply_transition(self, request, queryset, name: TransitionName):
        if not rules.is_programme_manager(request.user):
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
        for challenge in queryset:
            try:
                services.transition(
                    challenge,
                    name,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    hold_mail=form.cleaned_data["hold_mail"],
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

    def has_view_permission(self, request, obj=None):
        return rules.can_view_audit_trail(request.user) or super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return rules.can_view_audit_trail(request.user) or super().has_module_permission(request)
