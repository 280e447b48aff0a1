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
