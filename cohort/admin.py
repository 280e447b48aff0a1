from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cohort import services
from cohort.models import Attendance, CohortCalendar, CohortSession


class CohortSessionForm(forms.ModelForm):
    class Meta:
        model = CohortSession
        fields = ["promotion", "title", "date", "start_time", "end_time", "place", "status", "change_reason"]

    def clean_date(self):
        date = self.cleaned_data["date"]
        if "date" in self.changed_data and (reason := services.non_working_reason(date)):
            raise forms.ValidationError(
                _("Ce jour n’est pas un jour ouvré (%(reason)s) : choisissez un autre jour.")
                % {"reason": reason}
            )
        return date


class AttendanceInline(admin.TabularInline):
    model = Attendance
    fields = ["entrepreneur", "mentor", "present", "note"]
    raw_id_fields = ["entrepreneur", "mentor"]
    extra = 0


@admin.action(
    description=gettext_lazy("Préparer la feuille de présence (EIG et mentors opérationnels)"),
    permissions=["change"],
)
def prepare_attendance_sheet(modeladmin, request, queryset):
    count = sum(len(services.attendance_sheet(session, by=request.user)) for session in queryset)
    modeladmin.message_user(request, _("%(count)d ligne(s) de présence.") % {"count": count})


@admin.action(description=gettext_lazy("Annuler les sessions choisies"), permissions=["change"])
def cancel_sessions(modeladmin, request, queryset):
    for session in queryset:
        services.cancel_session(session, by=request.user)
    modeladmin.message_user(request, _("%(count)d session(s) annulée(s).") % {"count": len(queryset)})


@admin.register(CohortSession)
class CohortSessionAdmin(admin.ModelAdmin):
    """Managers move, cancel or add a session here; each change is a new version of the event in
    the promotion's calendar feed, and the session's reminder follows (cohort.receivers)."""

    form = CohortSessionForm
    list_display = ["date", "start_time", "promotion", "title", "status", "change_reason"]
    list_filter = ["promotion", "status"]
    date_hierarchy = "date"
    readonly_fields = ["planned_on", "sequence", "updated_at"]
    inlines = [AttendanceInline]
    actions = [prepare_attendance_sheet, cancel_sessions]

    def save_model(self, request, obj, form, change):
        services.save_change(obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        """Attendance, marked in the inline: each row through `record_attendance` (audited)."""
        for row in formset.save(commit=False):
            person = row.entrepreneur or row.mentor
            services.record_attendance(
                row.session, person, by=request.user, present=row.present, note=row.note
            )
        formset.save_m2m()


@admin.register(CohortCalendar)
class CohortCalendarAdmin(admin.ModelAdmin):
    list_display = ["promotion", "subscription_url", "created_at"]
    readonly_fields = ["subscription_url", "created_at"]
    fields = ["promotion", "subscription_url", "created_at"]
    actions = ["renew"]

    # The address is a secret (whoever has it reads the sessions): shown to those who may renew
    # it, not to the auditors, who review the trail, not the cohort.
    def _secret_shown(self, request):
        return self.has_change_permission(request)

    def get_list_display(self, request):
        shown = self._secret_shown(request)
        return [name for name in self.list_display if shown or name != "subscription_url"]

    def get_fields(self, request, obj=None):
        shown = self._secret_shown(request)
        return [name for name in self.fields if shown or name != "subscription_url"]

    @admin.display(description=gettext_lazy("adresse d’abonnement (.ics)"))
    def subscription_url(self, calendar):
        return services.calendar_url(calendar.promotion) if calendar.pk else "-"

    @admin.action(
        description=gettext_lazy("Renouveler l’adresse secrète (l’ancienne ne répond plus)"),
        permissions=["change"],
    )
    def renew(self, request, queryset):
        for calendar in queryset:
            services.renew_token(calendar, by=request.user)
        self.message_user(request, _("%(count)d adresse(s) renouvelée(s).") % {"count": len(queryset)})
