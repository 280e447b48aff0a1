"""Signing in with a password, and nothing else: rights are the rules' (lifecycle.rules and each
app's rules.py). Django's group and per-user permissions grant nothing here, so a permission row
left by an older version or added by hand cannot outlive a change of role. Superusers keep every
right (Django's `PermissionsMixin` grants it before asking the backends)."""

from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def has_perm(self, user_obj, perm, obj=None):
        return False

    def has_module_perms(self, user_obj, app_label):
        return False
