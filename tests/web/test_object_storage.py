"""Uploads and the published audit heads on S3-compatible object storage (django-storages),
against a real S3 server on loopback: moto's (MinIO is in none of the registries this project
installs from)."""

import json
import socket
import uuid
from types import SimpleNamespace

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from demo.pdfs import blank_pdf
from lifecycle import anchoring, services
from lifecycle.dossier import edits
from tests.factories import ChallengeFactory, administration_contact, programme_manager


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def s3(settings):
    from moto.server import ThreadedMotoServer  # a heavy import, for these tests only

    bucket = f"eig-depot-{uuid.uuid4().hex[:8]}"  # moto keeps its buckets for the whole process
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="eig",
        aws_secret_access_key="secret",
        region_name="eu-west-3",
    )
    client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": endpoint,
                "region_name": "eu-west-3",
                "access_key": "eig",
                "secret_key": "secret",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    yield SimpleNamespace(client=client, bucket=bucket)
    server.stop()


def keys(s3, prefix=""):
    listing = s3.client.list_objects_v2(Bucket=s3.bucket, Prefix=prefix)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_a_pitch_deck_lives_in_the_bucket_is_served_through_the_permission_check_and_replaced(
    s3, client, db, django_capture_on_commit_callbacks
):
    challenge = ChallengeFactory(pitch_deck=None, pitch_deck_pages=None)
    contact = administration_contact(challenge.administration)
    with django_capture_on_commit_callbacks(execute=True):
        edits.attach_pitch_deck(challenge, SimpleUploadedFile("pitch.pdf", blank_pdf(3)), by=contact)
    [first] = keys(s3, "pitch-decks/")
    client.force_login(contact)
    response = client.get(reverse("portal:pitch_deck", args=[challenge.pk]))
    assert b"".join(response.streaming_content) == blank_pdf(3)

    with django_capture_on_commit_callbacks(execute=True):
        edits.attach_pitch_deck(challenge, SimpleUploadedFile("v2.pdf", blank_pdf(4)), by=contact)

    [second] = keys(s3, "pitch-decks/")
    assert second != first  # the replaced deck is gone from the bucket
    assert s3.client.get_object(Bucket=s3.bucket, Key=second)["Body"].read() == blank_pdf(4)


def test_the_audit_head_can_be_published_to_the_bucket(s3, settings, db):
    settings.AUDIT_ANCHOR_LOCATION = f"s3://{s3.bucket}/tetes-du-journal"
    challenge = ChallengeFactory(state="submitted")
    services.transition(challenge, "preselect", by=programme_manager(), reason="Bon dossier")

    published = anchoring.publish_head()

    [key] = keys(s3, "tetes-du-journal/")
    record = json.loads(s3.client.get_object(Bucket=s3.bucket, Key=key)["Body"].read())
    assert (
        (record["length"], record["last_hash"])
        == (published.length, published.last_hash)
        == (1, published.last_hash)
    )
