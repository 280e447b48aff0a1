from django.contrib import admin

from lifecycle.admin import AuditedAdmin, ReadOnlyAdmin
from recruitment.models import (
    Application,
    Candidate,
    CandidateCriterion,
    EligibilityRule,
    RecruitmentClosure,
)


@admin.register(RecruitmentClosure)
class RecruitmentClosureAdmin(ReadOnlyAdmin):
    """Read only: written by the closing job."""

    list_display = ["call", "closes_at", "recorded_at"]


# The candidates' call's rules: configuration rows, saved and audited like the call's.
@admin.register(EligibilityRule)
class EligibilityRuleAdmin(AuditedAdmin):
    list_display = ["text", "call", "rank"]
    list_filter = ["call"]
    ordering = ["call", "rank"]


@admin.register(CandidateCriterion)
class CandidateCriterionAdmin(AuditedAdmin):
    list_display = ["name", "call", "rank"]
    list_filter = ["call"]
    ordering = ["call", "rank"]


# Candidacies and applications: read only here, written by recruitment.candidacy and moves.
@admin.register(Candidate)
class CandidateAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "call", "profile", "submitted_at", "results_at", "erased_at"]
    list_filter = ["call", "profile"]
    exclude = ["cv"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "state", "origin", "state_changed_at"]
    list_filter = ["state", "origin", "challenge__promotion"]
    exclude = ["motivation"]
