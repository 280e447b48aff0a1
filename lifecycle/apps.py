from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LifecycleConfig(AppConfig):
    name = "lifecycle"
    verbose_name = _("Cycle de vie des défis")

    def ready(self):
        from django.db.models.signals import post_save

        from lifecycle import (
            checks,  # noqa: F401  (registers the deployment checks)
            criteria,
            profiles,
        )
        from lifecycle.models import Call

        post_save.connect(
            profiles.new_call_gets_default_profiles, sender=Call, dispatch_uid="lifecycle.profiles"
        )
        post_save.connect(
            criteria.new_call_gets_default_criteria, sender=Call, dispatch_uid="lifecycle.criteria"
        )
        from triggers import schedules

        # The audit chain's head, published outside the database every day (lifecycle.anchoring).
        schedules.register_periodic(
            "audit: publish the head", "lifecycle.tasks.publish_audit_head", daily=True
        )
