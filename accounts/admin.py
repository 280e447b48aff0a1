from django.contrib import admin

from accounts.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "administration"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "administration__name"]
    autocomplete_fields = ["user", "administration"]
