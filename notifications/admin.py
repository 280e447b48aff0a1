from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lifecycle.admin import ChallengeAdmin
from lifecycle.models import Challenge
from notifications import outbox, placeholders
from notifications.enums import DeliveryStatus
from notifications.models import Batch, MessageTemplate, Notification


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["event", "language", "subject", "updated_at"]
    list_filter = ["language", "event"]
    readonly_fields = ["placeholders_help", "updated_at", "updated_by"]
    change_form_template = "admin/notifications/messagetemplate/change_form.html"

    @admin.display(description=gettext_lazy("variables possibles"))
    def placeholders_help(self, template):
        return "\n".join(f"{{{name}}} : {label}" for name, label in placeholders.PLACEHOLDERS.items())

    def save_model(self, request, obj, form, change):
        outbox.update_template(obj, subject=obj.subject, body=obj.body, by=request.user)

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("<int:pk>/preview/", preview, name="notifications_messagetemplate_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk):
        if not self.has_change_permission(request):  # a preview shows a real case: managers only
            raise PermissionDenied
        template = get_object_or_404(MessageTemplate, pk=pk)
        challenges = Challenge.objects.select_related("promotion", "administration").order_by("name")
        chosen = challenges.filter(pk=request.GET.get("challenge")).first() or challenges.first()
        subject, body = outbox.preview(template, chosen) if chosen else ("", "")
        return TemplateResponse(
            request,
            "admin/notifications/messagetemplate/preview.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Aperçu : %s") % template,
                "template": template,
                "challenges": challenges,
                "chosen": chosen,
                "subject": subject,
                "body": body,
                "opts": self.model._meta,
            },
        )


@admin.action(description=gettext_lazy("Relancer l’envoi des messages en échec"), permissions=["change"])
def retry_failed(modeladmin, request, queryset):
    """Failed messages whose delivery is certain to have failed; the uncertain ones are left for
    the dashboard, which asks the manager to accept that they may arrive twice."""
    count = outbox.retry(queryset, by=request.user)
    modeladmin.message_user(request, _("%(count)d message(s) remis en file d’envoi.") % {"count": count})
    uncertain = queryset.filter(status=DeliveryStatus.FAILED, uncertain=True).count()
    if uncertain:
        modeladmin.message_user(
            request,
            _(
                "%(count)d message(s) à la remise incertaine laissé(s) de côté : le destinataire a pu "
                "le recevoir. Relancez-le depuis le tableau de bord (« E-mails en échec »), qui "
                "demande de l’accepter."
            )
            % {"count": uncertain},
            messages.WARNING,
        )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "challenge",
        "event",
        "recipient_email",
        "recipient_role",
        "status",
        "attempts",
        "last_error",
    ]
    list_filter = ["status", "event", "batch"]
    search_fields = ["recipient_email", "subject", "challenge__name"]
    list_select_related = ["challenge"]
    actions = [retry_failed]
    fields = [
        "challenge",
        "event",
        "batch",
        "recipient_email",
        "recipient_name",
        "recipient_role",
        "language",
        "subject",
        "body",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
        "created_at",
    ]

    def get_fields(self, request, obj=None):
        """The attachment, when the message has one, under its body (shown, never editable)."""
        fields = list(self.fields)
        if obj is not None and obj.attachment_name:
            fields.insert(fields.index("body") + 1, "attachment_summary")
        return fields

    def get_readonly_fields(self, request, obj=None):
        editable = {"subject", "body"} if obj and obj.status == DeliveryStatus.HELD else set()
        return [name for name in self.get_fields(request, obj) if name not in editable]

    @admin.display(description=gettext_lazy("pièce jointe"))
    def attachment_summary(self, notification):
        if not notification.attachment_name:
            return ""
        return f"{notification.attachment_name} ({filesizeformat(notification.attachment_size)})"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Only a held message can be changed (its subject and body); saving another one, whose
        fields are all read-only, changes nothing."""
        if obj.status == DeliveryStatus.HELD:
            outbox.edit_held(obj, subject=obj.subject, body=obj.body, by=request.user)


@admin.action(description=gettext_lazy("Envoyer les messages retenus"), permissions=["change"])
def release_batches(modeladmin, request, queryset):
    count = sum(outbox.release(batch, by=request.user) for batch in queryset.filter(closed_at=None))
    modeladmin.message_user(request, _("%(count)d message(s) envoyé(s) en file.") % {"count": count})


@admin.action(description=gettext_lazy("Abandonner les messages retenus"), permissions=["change"])
def discard_batches(modeladmin, request, queryset):
    count = sum(outbox.discard(batch, by=request.user) for batch in queryset.filter(closed_at=None))
    modeladmin.message_user(
        request, _("%(count)d message(s) abandonné(s).") % {"count": count}, messages.WARNING
    )


class HeldNotificationInline(admin.TabularInline):
    model = Notification
    fields = ["challenge", "recipient_email", "subject", "status"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    """One decision act's held e-mails. Their review (every message as it will arrive, figures
    confirmed before the release) is the back office's page, linked from here."""

    list_display = ["label", "transition", "created_by", "created_at", "closed_at"]
    list_filter = ["transition"]
    actions = [release_batches, discard_batches]
    fields = ["label", "transition", "event", "created_by", "created_at", "closed_at", "review"]
    readonly_fields = fields
    inlines = [HeldNotificationInline]

    @admin.display(description=gettext_lazy("relecture"))
    def review(self, batch):
        return format_html(
            '<a href="{}?lot={}">{}</a>',
            reverse("backoffice:held_mails"),
            batch.pk,
            _("Relire ces e-mails dans l’espace de gestion"),
        )

    def has_add_permission(self, request):
        return False


class ChallengeNotificationInline(admin.TabularInline):
    """The case's e-mails, problems first: a contact without a valid address shows here."""

    model = Notification
    fields = ["created_at", "event", "recipient_role", "recipient_email", "status", "last_error"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = gettext_lazy("e-mails envoyés et problèmes d’adresse")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


ChallengeAdmin.inlines = [*ChallengeAdmin.inlines, ChallengeNotificationInline]
