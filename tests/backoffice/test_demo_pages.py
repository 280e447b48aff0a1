"""Every back-office page renders on the demo (promotion 3, every state)."""

import io

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from lifecycle.models import Challenge


def test_every_page_renders_on_the_demo(client, db):
    call_command("demo", stdout=io.StringIO())
    client.force_login(get_user_model().objects.get(username="gestionnaire"))

    dashboard = client.get(reverse("backoffice:dashboard"))
    assert dashboard.status_code == 200
    listing = client.get(reverse("backoffice:challenges"))
    assert listing.status_code == 200
    for file_format in ("csv", "xlsx"):
        assert client.get(reverse("backoffice:challenges_export", args=[file_format])).status_code == 200
    for challenge in Challenge.objects.all():
        response = client.get(reverse("backoffice:challenge", args=[challenge.pk]))
        assert response.status_code == 200, challenge
        assert response.content.decode().count("<h1") == 1
