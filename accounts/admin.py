"""People in the Django admin. A role is given or changed only through `accounts.services.set_role`:
the user forms carry the role, and saving them calls it (audited); superuser status and Django
permissions are shown to superusers only, since the rules grant every right."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.enums import Role
from accounts.models import Profile
from lifecycle.models import Administration
from lifecycle.validators import validate_single_line

User = get_user_model()


def role_field():
    return forms.ChoiceField(label=_("Rôle"), choices=Role.choices)


def administration_field():
    return forms.ModelChoiceField(
        label=_("Administration"),
        queryset=Administration.objects.order_by("name"),
        required=False,
        help_text=_("Pour un contact d’administration seulement."),
    )


class RoleFormMixin:
    """The role of a person and, for an administration's contact, its administration; names on
    one line (they go into e-mails' headers and the audit trail)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            if name in self.fields:
                self.fields[name].validators.append(validate_single_line)
        profile = Profile.objects.filter(user=self.instance).first() if self.instance.pk else None
        if profile:
            self.fields["role"].initial = profile.role
            self.fields["administration"].initial = profile.administration_id

    def clean(self):
        cleaned = super().clean()
        role, administration = cleaned.get("role"), cleaned.get("administration")
        if role == Role.ADMINISTRATION_CONTACT and administration is None:
            self.add_error(
                "administration", _("Un contact d’administration doit être rattaché à une administration.")
            )
        if role and role != Role.ADMINISTRATION_CONTACT and administration is not None:
            self.add_error(
                "administration", _("Seul un contact d’administration est rattaché à une administration.")
            )
        return cleaned


class PersonCreationForm(RoleFormMixin, UserCreationForm):
    role = role_field()
    administration = administration_field()

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "email", "first_name", "last_name"]


class PersonChangeForm(RoleFormMixin, UserChangeForm):
    role = role_field()
    administration = administration_field()

    class Meta(UserChangeForm.Meta):
        model = User


PERSON_FIELDSETS = (
    (None, {"fields": ("username", "password")}),
    (_("Identité"), {"fields": ("first_name", "last_name", "email")}),
    (_("Rôle dans le programme"), {"fields": ("role", "administration")}),
    (_("Compte"), {"fields": ("is_active", "last_login", "date_joined")}),
)
# Staff status and groups follow the role (set_role): no box to contradict it.
SUPERUSER_FIELDSETS = ((_("Droits Django (super-utilisateurs)"), {"fields": ("is_superuser",)}),)


admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    form = PersonChangeForm
    add_form = PersonCreationForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "email",
                    "first_name",
                    "last_name",
                    "role",
                    "administration",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = ["username", "email", "first_name", "last_name", "role", "is_active", "last_login"]
    list_filter = ["profile__role", "is_active"]
    list_select_related = ["profile"]
    readonly_fields = ["last_login", "date_joined"]

    @admin.display(description=_("rôle"), ordering="profile__role")
    def role(self, user):
        profile = getattr(user, "profile", None)
        return profile.get_role_display() if profile else "—"

    def has_change_permission(self, request, obj=None):
        """A superuser's account (password, role, activity) is changed by a superuser only."""
        allowed = super().has_change_permission(request, obj)
        return allowed and not (obj is not None and obj.is_superuser and not request.user.is_superuser)

    def user_change_password(self, request, id, form_url=""):
        """Django's page, refused for a colleague's account (accounts.rules), and audited."""
        person = self.get_object(request, unquote(id))
        if person is not None and not request.user.has_perm("accounts.set_password", person):
            raise PermissionDenied
        with transaction.atomic():
            before = person.password if person is not None else None
            response = super().user_change_password(request, id, form_url)
            if person is not None and request.method == "POST":
                person.refresh_from_db(fields=["password"])
                if person.password != before:
                    services.record_password_set(person, by=request.user)
        return response

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        return PERSON_FIELDSETS + (SUPERUSER_FIELDSETS if request.user.is_superuser else ())

    def save_model(self, request, obj, form, change):
        previous = User.objects.filter(pk=obj.pk).first() if change else None
        before = services.account_values(previous) if previous else {}
        super().save_model(request, obj, form, change)
        # In the admin's transaction: the changes and their audit events commit with the account.
        services.record_account_change(obj, before, by=request.user)
        services.set_role(
            obj,
            form.cleaned_data["role"],
            by=request.user,
            administration=form.cleaned_data["administration"],
        )


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    """The message language of a person; the role is changed on the person's page."""

    list_display = ["user", "role", "administration", "language"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "administration__name"]
    fields = ["user", "role", "administration", "language"]
    readonly_fields = ["user", "role", "administration"]

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if "language" in form.changed_data:
                services.record_account_change(
                    obj.user, {"language": form.initial.get("language")}, by=request.user, fields=["language"]
                )

    def has_add_permission(self, request):
        return False  # a profile comes with its person (the user's page)
