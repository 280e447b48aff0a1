"""The jury's rows, read-only in the admin: every change goes through `jury.services` (its pages)."""

from django.contrib import admin

from jury.models import Conflict, Jury, JuryMember, Opinion, PitchSlot, Score, SubJury
from lifecycle.admin import ReadOnlyAdmin


@admin.register(Jury)
class JuryAdmin(ReadOnlyAdmin):
    list_display = ["promotion", "closed_at", "closed_by"]


@admin.register(JuryMember)
class JuryMemberAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "email", "kind", "organisation", "jury"]
    list_filter = ["jury", "kind"]
    search_fields = ["first_name", "last_name", "email", "organisation"]


@admin.register(SubJury)
class SubJuryAdmin(ReadOnlyAdmin):
    list_display = ["name", "jury"]


@admin.register(PitchSlot)
class PitchSlotAdmin(ReadOnlyAdmin):
    list_display = ["challenge", "sub_jury", "starts_at", "ends_at", "place"]
    list_select_related = ["challenge", "sub_jury"]


@admin.register(Conflict)
class ConflictAdmin(ReadOnlyAdmin):
    list_display = ["member", "challenge", "declared_at", "declared_by"]
    list_select_related = ["member", "challenge", "declared_by"]


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdmin):
    list_display = ["challenge", "criterion", "value", "updated_at", "updated_by"]
    list_select_related = ["challenge", "criterion", "updated_by"]


@admin.register(Opinion)
class OpinionAdmin(ReadOnlyAdmin):
    list_display = ["member", "challenge", "favourable", "preference", "favourite"]
    list_select_related = ["member", "challenge"]
