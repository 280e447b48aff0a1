"""The webhooks' pages in a person's account."""

from django.urls import reverse

from tests.factories import administration_contact, user_with_role
from tests.webhooks.conftest import hook_for, submitted
from webhooks.models import Delivery, Webhook

LIST = reverse("webhooks:list")


def test_a_contact_registers_a_webhook_and_sees_its_secret_once(client, world, settings):
    contact = administration_contact(world["dinum"])
    client.force_login(contact)
    page = client.post(
        LIST,
        {
            "name": "SI de la DINUM",
            "url": "https://si.dinum.gouv.fr/eig",
            "on_moves": "on",
            "on_messages": "on",
        },
        follow=True,
    )
    html = page.content.decode()
    hook = Webhook.objects.get()
    assert page.redirect_chain == [(LIST, 302)]  # a reload does not register it again
    assert hook.secret in html and "copiez-le maintenant" in html
    assert (hook.owner, hook.administration, hook.event_types) == (
        contact,
        world["dinum"],
        ["challenge.moved", "message.posted"],
    )
    again = client.get(LIST).content.decode()
    assert hook.secret not in again and "SI de la DINUM" in again


def test_an_error_is_shown_on_its_field_nothing_saved(client, manager):
    client.force_login(manager)
    html = client.post(LIST, {"name": "Outil", "url": "pas une adresse", "on_moves": "on"}).content.decode()
    assert "Adresse invalide : donnez une URL complète (https://…)." in html
    assert not Webhook.objects.exists()


def test_others_are_refused_and_a_contact_sees_only_its_own(client, world, manager, receiver):
    client.force_login(user_with_role("auditor"))
    refused = client.get(LIST)
    assert refused.status_code == 403
    assert "Les webhooks sont réservés aux chargé·es de programme" in refused.content.decode()
    theirs = hook_for(manager, receiver)
    client.force_login(administration_contact(world["dinum"]))
    assert client.get(reverse("webhooks:detail", args=[theirs.pk])).status_code == 404
    assert "SI de suivi" not in client.get(LIST).content.decode()


def test_a_webhook_s_page_shows_its_deliveries_and_a_manager_replays_one_after_seeing_it(
    client, world, manager, receiver, django_capture_on_commit_callbacks
):
    from lifecycle import services as lifecycle

    hook = hook_for(manager, receiver)
    (challenge,) = submitted(world, name="Démarches accessibles")
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.transition(challenge, "preselect", by=manager, reason="Dossier solide")
    sent = Delivery.objects.get()
    client.force_login(manager)
    html = client.get(reverse("webhooks:detail", args=[hook.pk])).content.decode()
    assert str(sent.uid) in html and "Remis : 1" in html and "HTTP 200" in html

    replay_url = reverse("webhooks:replay", args=[hook.pk, sent.pk])
    confirm = client.get(replay_url).content.decode()
    assert "Démarches accessibles" in confirm and "Confirmer : envoyer de nouveau" in confirm
    assert Delivery.objects.count() == 1  # seeing is not sending
    with django_capture_on_commit_callbacks(execute=True):
        client.post(replay_url)
    assert Delivery.objects.count() == 2 and len(receiver.taken) == 2


def test_a_contact_cannot_replay_and_disabling_asks_a_confirmation(
    client, world, manager, receiver, django_capture_on_commit_callbacks
):
    from lifecycle import services as lifecycle

    contact = administration_contact(world["dinum"])
    hook = hook_for(contact, receiver)
    (challenge,) = submitted(world)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.transition(challenge, "preselect", by=manager, reason="Dossier solide")
    client.force_login(contact)
    sent = Delivery.objects.get()
    assert client.post(reverse("webhooks:replay", args=[hook.pk, sent.pk])).status_code == 403
    assert "Rejouer" not in client.get(reverse("webhooks:detail", args=[hook.pk])).content.decode()
    client.post(reverse("webhooks:disable", args=[hook.pk]))
    hook.refresh_from_db()
    assert hook.disabled_at is None
    client.post(reverse("webhooks:disable", args=[hook.pk]), {"confirm": "1"})
    hook.refresh_from_db()
    assert hook.disabled_at is not None
