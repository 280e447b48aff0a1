from django.contrib import admin

from lifecycle.admin import ReadOnlyAdmin
from recruitment.models import RecruitmentClosure


@admin.register(RecruitmentClosure)
class RecruitmentClosureAdmin(ReadOnlyAdmin):
    """Read only: written by the closing job."""

    list_display = ["call", "closes_at", "recorded_at"]
