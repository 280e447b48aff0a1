"""Who registers a webhook, for what, and the audit of each change."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.enums import Role
from lifecycle.enums import AuditKind
from lifecycle.models import AuditEvent
from tests.factories import administration_contact, user_with_role
from webhooks import services

URL = "https://si.exemple.gouv.fr/eig/webhook"


def test_a_manager_registers_a_webhook_its_secret_shown_once_and_audited(manager):
    hook, secret = services.register(manager, name="Tableau de bord", url=URL, on_messages=True)
    assert secret.startswith("whsec_") and len(secret) > 40 and secret not in repr(hook) + str(hook)
    assert (hook.administration, hook.event_types) == (None, ["challenge.moved", "message.posted"])
    event = AuditEvent.objects.get(kind=AuditKind.WEBHOOK_CREATED)
    assert (event.subject, event.actor_id) == (f"webhook:{hook.pk}", manager.pk)
    assert event.reason == f"{URL} (challenge.moved, message.posted; toutes les promotions)"
    assert secret not in event.reason


def test_a_contact_s_webhook_is_its_administration_s(world):
    contact = administration_contact(world["dinum"])
    hook, _secret = services.register(contact, name="SI DINUM", url=URL)
    assert hook.administration == world["dinum"]


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.CANDIDATE, Role.MENTOR])
def test_other_roles_register_none(db, role):
    with pytest.raises(PermissionDenied):
        services.register(user_with_role(role), name="x", url=URL)


@pytest.mark.parametrize(
    "url, allow_http, message",
    [
        ("pas une adresse", True, "Adresse invalide : donnez une URL complète (https://…)."),
        ("ftp://si.exemple.gouv.fr/", True, "Adresse invalide : donnez une URL complète (https://…)."),
        (
            "http://si.exemple.gouv.fr/",
            False,
            "L’adresse doit commencer par https:// : les envois contiennent des données du programme.",
        ),
        (
            "https://outil:motdepasse@si.exemple.gouv.fr/",
            True,
            "Pas d’identifiant ni de mot de passe dans l’adresse : les envois sont signés par le secret.",
        ),
    ],
)
def test_a_bad_address_is_refused_in_french(manager, settings, url, allow_http, message):
    settings.WEBHOOKS_ALLOW_HTTP = allow_http
    with pytest.raises(ValidationError) as refused:
        services.register(manager, name="x", url=url)
    assert refused.value.message_dict == {"url": [message]}


@pytest.mark.parametrize(
    "url, host",
    [
        ("https://127.0.0.1/hook", "127.0.0.1"),
        ("https://localhost:8443/hook", "localhost"),
        ("https://10.1.2.3/hook", "10.1.2.3"),
        ("https://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("https://[::1]/hook", "::1"),
    ],
    ids=["loopback", "localhost", "private", "link-local (the cloud's metadata)", "IPv6 loopback"],
)
def test_an_address_inside_the_network_is_refused(manager, settings, url, host):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(ValidationError) as refused:
        services.register(manager, name="x", url=url)
    assert refused.value.message_dict == {
        "url": [f"Adresse interne refusée : {host} mène au réseau du programme, pas à un service public."]
    }


def test_a_public_address_is_taken_where_inside_ones_are_refused(manager, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    hook, _secret = services.register(
        manager, name="x", url="https://193.51.24.1/hook"
    )  # an IP: no DNS asked
    assert hook.url == "https://193.51.24.1/hook"


def test_a_webhook_hears_at_least_one_event(manager):
    with pytest.raises(ValidationError) as refused:
        services.register(manager, name="x", url=URL, on_moves=False)
    assert refused.value.messages == ["Choisissez au moins un événement à recevoir."]


def test_disabling_is_the_owner_s_or_a_manager_s_and_audited_once(world, manager):
    contact = administration_contact(world["dinum"])
    other = administration_contact(world["dinum"])
    hook, _secret = services.register(contact, name="SI DINUM", url=URL)
    with pytest.raises(PermissionDenied):
        services.disable(hook, by=other)
    services.disable(hook, by=manager)
    services.disable(hook, by=contact)  # already disabled: nothing more recorded
    hook.refresh_from_db()
    assert hook.disabled_at is not None
    assert AuditEvent.objects.filter(kind=AuditKind.WEBHOOK_DISABLED).count() == 1


def test_the_time_outs_must_fit_in_the_workers_task(settings):
    from webhooks.checks import check_timeouts

    settings.WEBHOOKS_TIMEOUT = 10
    assert check_timeouts(None) == []
    settings.WEBHOOKS_TIMEOUT = 30
    (warning,) = check_timeouts(None)
    assert (warning.id, warning.msg) == (
        "webhooks.W001",
        "A webhooks task may last 180 s, beyond the workers' time-out (120 s).",
    )
