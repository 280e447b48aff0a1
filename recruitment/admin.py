from django.contrib import admin

from recruitment.models import RecruitmentClosure


@admin.register(RecruitmentClosure)
class RecruitmentClosureAdmin(admin.ModelAdmin):
    """Read only: written by the closing job."""

    list_display = ["call", "closes_at", "recorded_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
