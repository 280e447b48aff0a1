"""Sign-in and password reset cannot be tried in a loop, and never tell whether an account exists."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories import programme_manager

PASSWORD = "un-mot-de-passe-solide-2018"


@pytest.fixture
def camille(db):
    user = programme_manager(username="camille", email="camille@data.gouv.fr")
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client, username, password, address="203.0.113.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_failures_lock_the_account_with_a_french_message_until_the_cool_off(client, camille):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _attempt in range(4):
            assert sign_in(client, "camille", "mauvais").status_code == 200
        assert sign_in(client, "camille", "mauvais").status_code == 429  # the fifth locks
        locked = sign_in(client, "camille", PASSWORD)  # even the right password
        assert locked.status_code == 429
        assert (
            "Trop de tentatives de connexion échouées : ce compte et cette adresse sont bloqués "
            "pendant 15 minutes." in locked.content.decode()
        )
        assert "_auth_user_id" not in client.session
        # From another address too: the account itself is locked.
        assert sign_in(client, "camille", PASSWORD, address="198.51.100.9").status_code == 429

    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        assert sign_in(client, "camille", PASSWORD).status_code == 302
        assert "_auth_user_id" in client.session


def test_five_failures_from_one_address_lock_the_address_for_every_account(client, camille):
    for number in range(5):
        sign_in(client, f"inconnu{number}", "mauvais", address="192.0.2.44")
    assert sign_in(client, "camille", PASSWORD, address="192.0.2.44").status_code == 429
    assert sign_in(client, "camille", PASSWORD, address="192.0.2.45").status_code == 302


def test_a_success_clears_the_failures(client, camille):
    for _attempt in range(4):
        sign_in(client, "camille", "mauvais")
    assert sign_in(client, "camille", PASSWORD).status_code == 302
    client.logout()
    for _attempt in range(4):
        sign_in(client, "camille", "mauvais")
    assert sign_in(client, "camille", PASSWORD).status_code == 302


def reset(client, email, address="203.0.113.7"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address, follow=True)


def test_the_reset_page_answers_the_same_whether_the_account_exists_or_not(client, camille):
    known, unknown = (
        reset(client, "camille@data.gouv.fr"),
        reset(client, "personne@data.gouv.fr", "203.0.113.8"),
    )

    assert known.redirect_chain == unknown.redirect_chain == [(reverse("password_reset_done"), 302)]
    strip = [line for line in known.content.decode().splitlines() if "csrf" not in line]
    assert strip == [line for line in unknown.content.decode().splitlines() if "csrf" not in line]
    assert [message.to for message in mail.outbox] == [["camille@data.gouv.fr"]]


def test_reset_requests_are_throttled_per_address_and_per_account_alike(client, camille):
    for number in range(5):
        reset(client, f"personne{number}@data.gouv.fr")
    throttled = reset(client, "camille@data.gouv.fr")
    assert throttled.redirect_chain == []
    assert "Trop de demandes depuis cette adresse ou pour ce compte : réessayez dans 60 minutes." in (
        throttled.content.decode()
    )
    assert mail.outbox == []
    # The same answer for an address nobody has: the throttle says nothing of the accounts.
    other = reset(client, "personne9@data.gouv.fr")
    assert "Trop de demandes" in other.content.decode()


# Behind a reverse proxy ---------------------------------------------------------------------------


@pytest.fixture
def behind_the_proxy(settings):
    """docs/deployment.md: the TLS proxy on this machine, DJANGO_TRUST_PROXY_HEADER=1."""
    settings.TRUST_PROXY_HEADER = True
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]


def through_the_proxy(client, username, password, forwarded_for):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_the_proxy_one_client_s_failures_lock_only_that_client(client, camille, behind_the_proxy):
    for number in range(5):
        through_the_proxy(client, f"inconnu{number}", "mauvais", "198.51.100.66")
    assert through_the_proxy(client, "camille", PASSWORD, "198.51.100.66").status_code == 429
    assert through_the_proxy(client, "camille", PASSWORD, "192.0.2.10").status_code == 302


def test_behind_the_proxy_a_client_cannot_choose_the_address_it_is_counted_under(
    client, camille, behind_the_proxy
):
    """The client writes what it likes on the left of X-Forwarded-For; the proxy appends the
    address it saw: that one counts."""
    for number in range(5):
        through_the_proxy(client, f"inconnu{number}", "mauvais", f"203.0.113.{number}, 198.51.100.66")
    assert through_the_proxy(client, "camille", PASSWORD, "192.0.2.10, 198.51.100.66").status_code == 429
    # Through a second proxy of ours (10.0.0.2), the same client is still that client.
    assert through_the_proxy(client, "camille", PASSWORD, "198.51.100.66, 10.0.0.2").status_code == 429


def test_without_a_trusted_proxy_the_header_is_ignored(client, camille):
    for number in range(5):
        sign_in_from = {"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": f"10.0.0.{number}"}
        client.post(reverse("login"), {"username": f"inconnu{number}", "password": "x"}, **sign_in_from)
    assert sign_in(client, "camille", PASSWORD).status_code == 429  # the same connection's address


def test_a_connection_from_elsewhere_than_the_proxies_is_not_believed(client, camille, behind_the_proxy):
    for number in range(5):
        client.post(
            reverse("login"),
            {"username": f"inconnu{number}", "password": "x"},
            REMOTE_ADDR="198.51.100.66",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        )
    assert sign_in(client, "camille", PASSWORD, address="198.51.100.66").status_code == 429


# The reset e-mail goes through the task queue -----------------------------------------------------


def test_the_reset_e_mail_is_sent_by_the_task_queue_not_by_the_page(client, camille, monkeypatch):
    from django_q.conf import Conf
    from django_q.models import OrmQ
    from django_q.signing import SignedPackage

    from accounts.passwords import send_password_reset

    monkeypatch.setattr(Conf, "SYNC", False)
    assert reset(client, "camille@data.gouv.fr").redirect_chain == [(reverse("password_reset_done"), 302)]
    assert mail.outbox == []
    (queued,) = OrmQ.objects.all()
    task = SignedPackage.loads(queued.payload)
    assert (task["func"], task["args"]) == (
        "accounts.passwords.send_password_reset",
        ("camille@data.gouv.fr", "testserver", False, "fr"),
    )

    send_password_reset(*task["args"])
    (message,) = mail.outbox
    assert message.to == ["camille@data.gouv.fr"]
    assert "http://testserver/compte/mot-de-passe/nouveau/" in message.body


def test_a_new_password_chosen_from_the_e_mail_is_audited(client, camille):
    from lifecycle.models import AuditEvent

    reset(client, "camille@data.gouv.fr")
    link = next(line for line in mail.outbox[0].body.splitlines() if "/nouveau/" in line)
    form_page = client.get(link, follow=True)
    new = "Un-nouveau-mot-de-passe-2019"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    camille.refresh_from_db()
    assert camille.check_password(new)
    event = AuditEvent.objects.get(subject=f"user:{camille.pk}")
    assert (event.kind, event.actor, event.changes) == (
        "account_changed",
        camille,
        {"password": [None, "set"]},
    )
