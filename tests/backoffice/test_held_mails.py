"""The held e-mails' pages: the open reviews, a review with every message as it will arrive, and
its decisions (edit, drop, release with the figures confirmed, discard), each audited."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from lifecycle import services
from lifecycle.enums import AuditKind, ChallengeState
from lifecycle.models import AuditEvent
from notifications import outbox
from notifications.enums import DeliveryStatus
from notifications.models import Batch
from tests.factories import AdministrationFactory, ChallengeFactory, administration_contact
from tests.html_forms import form_data

S = ChallengeState
LIST = reverse("backoffice:held_mails")


def review_url(batch):
    return f"{LIST}?lot={batch.pk}"


@pytest.fixture
def held(manager, django_capture_on_commit_callbacks):
    """Two decisions whose e-mails are held: a preselection of one case, a bulk rejection of two."""
    dinum = AdministrationFactory(name="DINUM")
    administration_contact(
        dinum, username="contact-dinum", email="contact@numerique.gouv.fr", first_name="Lou"
    )
    alpha = ChallengeFactory(state=S.SUBMITTED, name="Alpha", administration=dinum)
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(
            alpha, "preselect", by=manager, reason="Impact fort", options={outbox.HOLD_MAIL: True}
        )
    rejected = [ChallengeFactory(state=S.SUBMITTED, name=name) for name in ("Bravo", "Charlie")]
    with (
        django_capture_on_commit_callbacks(execute=True),
        outbox.review_of_act(by=manager, transition="reject") as bulk,
    ):
        for challenge in rejected:
            services.transition(
                challenge, "reject", by=manager, reason="Hors périmètre", options={outbox.HOLD_MAIL: bulk}
            )
    single = Batch.objects.exclude(pk=bulk.pk).get()
    return {"single": single, "bulk": Batch.objects.get(pk=bulk.pk), "alpha": alpha}


def test_the_list_shows_each_open_review_with_its_figures(manager_client, held):
    html = manager_client.get(LIST).content.decode()
    assert "2 relectures en attente" in html
    single, bulk = held["single"], held["bulk"]
    assert f'<a href="{review_url(single)}">{single.label}</a>' in html
    assert f'<a href="{review_url(bulk)}">{bulk.label}</a>' in html
    assert bulk.label.startswith("Ne pas présélectionner — 2 défis — ")
    assert "<td>4 e-mails à 1 administration</td>" in html  # 2 mentors and the team
    assert "<td>6 e-mails à 2 administrations</td>" in html
    assert "<td>Claude Etalab (gestionnaire)</td>" in html


def test_the_review_shows_every_message_as_it_will_arrive(manager_client, held):
    single = held["single"]
    html = manager_client.get(review_url(single)).content.decode()
    contact = single.notifications.get(recipient_email="contact@numerique.gouv.fr")
    assert "Décision : « Présélectionner », par Claude Etalab (gestionnaire), le " in html
    assert "Ce lot retient 4 e-mails à 1 administration, pour 1 défi." in html
    assert f'<strong>Objet :</strong> <span id="mail-subject-{contact.pk}">{contact.subject}</span>' in html
    assert (
        f"<strong>À :</strong> {contact.recipient_name}, Contact de l’administration, "
        "&lt;contact@numerique.gouv.fr&gt;" in html
    )
    assert (
        "<strong>À :</strong> Alix Durand, Mentor opérationnel, &lt;alix.durand@example.gouv.fr&gt;" in html
    )
    assert "<strong>De :</strong> Programme EIG &lt;entrepreneur-interet-general@data.gouv.fr&gt;" in html
    body = html.split(f'id="mail-body-{contact.pk}" style="white-space: pre-wrap;">')[1].split("</div>")[0]
    assert body == escape(contact.body)  # exactly the text that leaves, line breaks kept
    assert "Impact fort" in body
    assert f'href="{reverse("backoffice:challenge", args=[held["alpha"].pk])}">Alpha</a>' in html
    assert "Je confirme l’envoi de 4 e-mails à 1 administration, tels que relus ci-dessus" in html
    assert "Je confirme l’abandon de 4 e-mails à 1 administration : aucun ne sera envoyé" in html


def test_an_unknown_review_is_404(manager_client, held):
    assert manager_client.get(f"{LIST}?lot=999999").status_code == 404
    assert manager_client.get(f"{LIST}?lot=abc").status_code == 404


def test_a_message_edited_on_the_page_is_audited_and_a_bad_subject_kept_with_its_error(
    manager_client, manager, held
):
    single = held["single"]
    mail = single.notifications.order_by("pk").first()
    url = review_url(single)
    data = form_data(manager_client.get(url).content.decode(), f"edit-{mail.pk}")
    data[f"mail-{mail.pk}-body"] = mail.body.replace("Impact fort", "Impact fort, équipe solide")

    response = manager_client.post(url, data, follow=True)

    assert response.redirect_chain == [(f"{url}#mail-{mail.pk}", 302)]
    mail.refresh_from_db()
    assert "Impact fort, équipe solide" in mail.body
    event = AuditEvent.objects.get(kind=AuditKind.MAIL_EDITED)
    assert (event.actor, event.subject) == (manager, f"notification:{mail.pk}")

    data[f"mail-{mail.pk}-subject"] = "Objet\nBcc: tout-le-monde@example.org"
    refused = manager_client.post(url, data)
    html = refused.content.decode()
    assert "Le message n’a pas été modifié : corrigez les champs signalés." in html
    assert "Bcc: tout-le-monde@example.org" in html  # what was typed is shown again
    mail.refresh_from_db()
    assert "Bcc" not in mail.subject


def test_a_message_dropped_on_the_page_needs_its_confirmation_and_is_audited(manager_client, held):
    single = held["single"]
    mail = single.notifications.get(recipient_role="Mentor stratégique")
    url = review_url(single)
    refused = manager_client.post(url, {"action": "drop", "mail": mail.pk})
    assert "cochez « Je confirme le retrait »" in refused.content.decode()
    mail.refresh_from_db()
    assert mail.status == DeliveryStatus.HELD

    response = manager_client.post(url, {"action": "drop", "mail": mail.pk, "confirm": "1"}, follow=True)
    assert "est retiré du lot : il ne sera pas envoyé." in response.content.decode()
    mail.refresh_from_db()
    assert mail.status == DeliveryStatus.DISCARDED
    assert AuditEvent.objects.filter(kind=AuditKind.MAIL_DROPPED, subject=f"notification:{mail.pk}").exists()
    assert "Ce lot retient 3 e-mails à 1 administration" in response.content.decode()

    other = held["bulk"].notifications.first()
    assert manager_client.post(url, {"action": "drop", "mail": other.pk, "confirm": "1"}).status_code == 404


def test_a_release_whose_figures_changed_meanwhile_is_refused(manager_client, manager, held):
    single = held["single"]
    url = review_url(single)
    data = form_data(manager_client.get(url).content.decode(), "release")
    assert (data["messages"], data["administrations"]) == ("4", "1")
    outbox.drop(single.notifications.first(), by=manager)  # someone else, meanwhile

    response = manager_client.post(url, {**data, "confirm": "1"})

    html = response.content.decode()
    assert "Le lot a changé depuis que vous l’avez relu" in html
    assert "il retient maintenant 3 e-mails à 1 administration." in html
    assert "Je confirme l’envoi de 3 e-mails à 1 administration" in html  # the new figures to confirm
    assert single.notifications.filter(status=DeliveryStatus.HELD).count() == 3
    assert not AuditEvent.objects.filter(kind=AuditKind.MAIL_RELEASED).exists()


def test_a_release_needs_its_box_ticked(manager_client, held):
    url = review_url(held["single"])
    data = form_data(manager_client.get(url).content.decode(), "release")
    response = manager_client.post(url, data)
    assert (
        "Rien n’a été envoyé : cochez la case de confirmation pour envoyer le lot."
        in response.content.decode()
    )
    assert held["single"].notifications.filter(status=DeliveryStatus.HELD).count() == 4


def test_one_review_released_from_its_page_the_other_stays_held(
    manager_client, held, smtp_server, django_capture_on_commit_callbacks
):
    single, bulk = held["single"], held["bulk"]
    url = review_url(bulk)
    data = form_data(manager_client.get(url).content.decode(), "release")
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url, {**data, "confirm": "1"}, follow=True)

    assert response.redirect_chain == [(LIST, 302)]
    assert "6 e-mails du lot « Ne pas présélectionner — 2 défis — " in response.content.decode()
    subjects = smtp_server.header("Subject")
    assert len(subjects) == 6
    assert all("n’est pas présélectionné" in subject for subject in subjects)
    assert not any("Alpha" in subject for subject in subjects)
    assert single.notifications.filter(status=DeliveryStatus.HELD).count() == 4
    single.refresh_from_db()
    assert single.closed_at is None
    event = AuditEvent.objects.get(kind=AuditKind.MAIL_RELEASED)
    assert (event.subject, event.changes["messages"]) == (f"batch:{bulk.pk}", [None, 6])
    html = manager_client.get(LIST).content.decode()
    assert "1 relecture en attente" in html and bulk.label not in html
    assert "Ce lot a été envoyé le " in manager_client.get(url).content.decode()


def test_a_review_discarded_from_its_page_sends_nothing(
    manager_client, held, smtp_server, django_capture_on_commit_callbacks
):
    url = review_url(held["single"])
    data = form_data(manager_client.get(url).content.decode(), "discard")
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url, {**data, "confirm": "1"}, follow=True)
    assert "4 e-mails du lot « Présélectionner — Alpha — " in response.content.decode()
    assert smtp_server.envelopes == []
    assert AuditEvent.objects.filter(kind=AuditKind.MAIL_DISCARDED).count() == 1
    assert held["single"].notifications.filter(status=DeliveryStatus.DISCARDED).count() == 4


def test_the_menu_leads_to_the_held_reviews(manager_client, held):
    html = manager_client.get(reverse("backoffice:dashboard")).content.decode()
    assert f'href="{LIST}"' in html


def test_a_dropped_message_is_shown_apart_and_an_edited_one_marked(manager_client, manager, held):
    single = held["single"]
    url = review_url(single)
    dropped = single.notifications.get(recipient_role="Mentor stratégique")
    edited = single.notifications.get(recipient_email="contact@numerique.gouv.fr")
    outbox.drop(dropped, by=manager)
    outbox.edit_held(edited, subject=edited.subject, body=edited.body + "\nÀ bientôt.", by=manager)
    unchanged = single.notifications.exclude(pk__in=[dropped.pk, edited.pk]).first()
    outbox.edit_held(unchanged, subject=unchanged.subject, body=unchanged.body, by=manager)  # no change

    html = manager_client.get(url).content.decode()
    arriving, apart = html.split('id="dropped-mails"')
    arriving = arriving.split('id="messages-title"')[1]
    assert f'id="mail-{dropped.pk}"' not in arriving
    assert f'id="mail-body-{dropped.pk}"' not in arriving
    assert "1 message retiré du lot : il ne sera pas envoyé</summary>" in apart
    assert f'id="mail-{dropped.pk}"' in apart and "Retiré du lot par Claude Etalab" in apart
    assert '<details class="fr-mt-2w" id="dropped-mails">' in html  # collapsed
    for mail in (edited, unchanged):
        assert f'id="mail-{mail.pk}"' in arriving
    assert f'id="mail-edited-{edited.pk}">modifié</span>' in arriving
    assert f'id="mail-edited-{unchanged.pk}"' not in html
    assert html.count(">modifié</span>") == 1
    assert "Ce lot retient 3 e-mails à 1 administration" in html


def test_a_review_whose_messages_were_all_dropped_says_none_will_leave(manager_client, manager, held):
    single = held["single"]
    for mail in single.notifications.filter(status=DeliveryStatus.HELD):
        outbox.drop(mail, by=manager)
    html = manager_client.get(review_url(single)).content.decode()
    assert "Aucun message de ce lot ne partira : tous en ont été retirés." in html
    assert "4 messages retirés du lot : ils ne seront pas envoyés</summary>" in html
