"""The e-mails of the thread, as a real SMTP server receives them."""

from django.urls import reverse

from tests.conversations.conftest import signed_in
from tests.factories import administration_contact


def test_a_managers_message_reaches_the_contacts_and_a_contacts_reaches_the_manager(
    challenge, manager_client, contact_client, contact, smtp_server, django_capture_on_commit_callbacks
):
    colleague = administration_contact(
        challenge.administration, username="contact-2", email="b@dinum.gouv.fr"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse("conversations:backoffice_post", args=[challenge.pk]),
            {"body": "Pouvez-vous préciser le budget ?", "destination": "administration"},
        )
    assert response.status_code == 302
    assert sorted(address for envelope in smtp_server.envelopes for address in envelope.rcpt_tos) == [
        colleague.email,
        contact.email,
    ]
    assert set(smtp_server.header("Subject")) == {"[EIG] Nouveau message sur le dossier « Défi Hopkins »"}
    assert "Pouvez-vous préciser le budget ?" in smtp_server.messages[0].get_body().get_content()

    with django_capture_on_commit_callbacks(execute=True):
        contact_client.post(
            reverse("conversations:portal_post", args=[challenge.pk]), {"body": "Le budget est de 150 k€."}
        )
    assert smtp_server.envelopes[2].rcpt_tos == ["claude.etalab@beta.gouv.fr"]
    assert smtp_server.header("Subject")[2] == (
        "[EIG] Message de Direction interministérielle du numérique sur « Défi Hopkins »"
    )
    text = smtp_server.messages[2].get_body().get_content()
    assert "Le budget est de 150 k€." in text
    assert f"http://127.0.0.1:8000/gestion/defis/{challenge.pk}/#messages" in text


def test_a_note_sends_no_e_mail_to_anyone(
    challenge, manager_client, contact, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        manager_client.post(
            reverse("conversations:backoffice_post", args=[challenge.pk]),
            {"body": "L’administration tarde à répondre.", "destination": "note"},
        )
    assert callbacks == []
    assert smtp_server.envelopes == []
    assert not challenge.notifications.exists()


def test_without_a_manager_the_team_address_receives_the_contacts_message(
    challenge, contact, settings, smtp_server, django_capture_on_commit_callbacks
):
    settings.NOTIFICATIONS_TEAM_EMAIL = "equipe-eig@beta.gouv.fr"
    challenge.manager = None
    challenge.save(update_fields=["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(contact).post(
            reverse("conversations:portal_post", args=[challenge.pk]), {"body": "Bonjour"}
        )
    assert [envelope.rcpt_tos for envelope in smtp_server.envelopes] == [["equipe-eig@beta.gouv.fr"]]
