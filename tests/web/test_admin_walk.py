"""Every page and every action of the Django admin, as every role: the admin asks the same rules
as the back office, and every change it makes is audited with its real author."""

import datetime as dt

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from cohort import services as cohort
from cohort.models import CohortCalendar, CohortSession
from jury import services as jury_services
from jury.models import Opinion
from lifecycle import services
from lifecycle.enums import ChallengeState
from lifecycle.models import AuditEvent, Call, Challenge
from notifications import outbox
from notifications.models import Batch, MessageTemplate, Notification
from recruitment.models import RecruitmentClosure
from tests.factories import (
    AdministrationFactory,
    ChallengeFactory,
    EntrepreneurFactory,
    complete_candidate,
    heard,
    jury_member,
    open_candidates_call,
    programme_manager,
    recruiting_challenge,
    user_with_role,
)
from tests.html_forms import form_data

ROLES = [
    Role.PROGRAMME_MANAGER,
    Role.AUDITOR,
    Role.ADMINISTRATION_CONTACT,
    Role.JURY_MEMBER,
    Role.MENTOR,
    Role.CANDIDATE,
]
# What each role may see of the admin: managers change the programme's models, auditors read
# them; nobody else enters the admin.
PROGRAMME_MODELS = {
    "auth.user",
    "accounts.profile",
    "lifecycle.promotion",
    "lifecycle.administration",
    "lifecycle.challenge",
    "lifecycle.auditevent",
    "notifications.messagetemplate",
    "notifications.notification",
    "notifications.batch",
    "recruitment.recruitmentclosure",
    "cohort.cohortsession",
    "cohort.cohortcalendar",
}
# The jury's rows are read in the admin by managers and auditors alike, changed by nobody there
# (jury.services, through the jury's pages, is their only writer).
JURY_MODELS = {
    "jury.jury",
    "jury.jurymember",
    "jury.subjury",
    "jury.pitchslot",
    "jury.conflict",
    "jury.score",
    "jury.opinion",
}
PROGRAMME_MODELS |= JURY_MODELS
# The candidates' call: its rules are configuration; candidacies are read by managers only (their
# personal data), and changed by nobody in the admin (recruitment.candidacy and moves write them).
CANDIDACY_MODELS = {"recruitment.candidate", "recruitment.application"}
PROGRAMME_MODELS |= {"recruitment.eligibilityrule", "recruitment.candidatecriterion"} | CANDIDACY_MODELS
AUDITOR_READS = PROGRAMME_MODELS - {"auth.user", "accounts.profile"} - CANDIDACY_MODELS


@pytest.fixture
def world(db, django_capture_on_commit_callbacks):
    """One row of every model the admin shows."""
    manager = programme_manager(username="gestionnaire")
    challenge = ChallengeFactory(state=ChallengeState.SUBMITTED, name="Datafin", manager=manager)
    running = ChallengeFactory(state=ChallengeState.RUNNING, promotion=challenge.promotion, name="Signaux")
    EntrepreneurFactory(challenge=running)
    Call.objects.filter(promotion=challenge.promotion).update(
        starts_on=dt.date(2030, 1, 14),
        submission_deadline=timezone.now().replace(microsecond=0) + dt.timedelta(days=30),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(
            challenge, "preselect", by=manager, reason="Bon dossier", options={outbox.HOLD_MAIL: True}
        )
    Notification.objects.filter(pk=Notification.objects.first().pk).update(status="failed")
    session = cohort.add_session(challenge.promotion, by=manager, date=dt.date(2030, 1, 15))
    CohortCalendar.objects.get_or_create(promotion=challenge.promotion)
    RecruitmentClosure.objects.create(
        call=challenge.promotion.call, closes_at=timezone.now(), recorded_at=timezone.now()
    )
    pitched = ChallengeFactory(state=ChallengeState.PITCHED, promotion=challenge.promotion, name="Jury")
    slot = heard(pitched)
    member = jury_member(slot.sub_jury.jury)
    conflict = jury_services.declare_conflict(member, challenge, reason="Ancien poste.", by=manager)
    opinion = Opinion.objects.create(
        member=member,
        challenge=pitched,
        favourable=True,
        preference=1,
        explanation="Oui.",
        updated_at=slot.ends_at,
    )
    call = open_candidates_call(challenge.promotion)
    candidate = complete_candidate(call, challenges=[recruiting_challenge(call)])
    return {
        "recruitment.eligibilityrule": call.eligibility_rules.first(),
        "recruitment.candidatecriterion": call.candidate_criteria.first(),
        "recruitment.candidate": candidate,
        "recruitment.application": candidate.applications.get(),
        "jury.jury": slot.sub_jury.jury,
        "jury.jurymember": member,
        "jury.subjury": slot.sub_jury,
        "jury.pitchslot": slot,
        "jury.conflict": conflict,
        "jury.score": pitched.jury_scores.first(),
        "jury.opinion": opinion,
        "manager": manager,
        "lifecycle.challenge": challenge,
        "lifecycle.promotion": challenge.promotion,
        "lifecycle.administration": challenge.administration,
        "lifecycle.auditevent": AuditEvent.objects.first(),
        "auth.user": manager,
        "accounts.profile": manager.profile,
        "notifications.messagetemplate": MessageTemplate.objects.first(),
        "notifications.notification": Notification.objects.first(),
        "notifications.batch": Batch.objects.get(),
        "recruitment.recruitmentclosure": RecruitmentClosure.objects.get(),
        "cohort.cohortsession": session,
        "cohort.cohortcalendar": CohortCalendar.objects.get(),
    }


def person(role):
    administration = AdministrationFactory() if role == Role.ADMINISTRATION_CONTACT else None
    return user_with_role(role, administration=administration, username=f"un-{role}")


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_page_answers_each_role_as_the_rules_say(client, world, role):
    client.force_login(person(role))
    for model in admin.site._registry:
        label = model._meta.label_lower
        changelist = client.get(admin_url(model, "changelist"))
        if role not in (Role.PROGRAMME_MANAGER, Role.AUDITOR):
            assert changelist.status_code == 302 and "/admin/login/" in changelist["Location"], label
            continue
        readable = label in (PROGRAMME_MODELS if role == Role.PROGRAMME_MANAGER else AUDITOR_READS)
        assert changelist.status_code == (200 if readable else 403), (role, label)
        instance = world.get(label)
        if instance is None:
            continue
        page = client.get(admin_url(model, "change", instance.pk))
        assert page.status_code == (200 if readable else 403), (role, label)
        if (role == Role.AUDITOR or label in JURY_MODELS | CANDIDACY_MODELS) and readable:
            assert 'name="_save"' not in page.content.decode(), label  # read only
            assert client.post(admin_url(model, "change", instance.pk), {}).status_code == 403, label


def test_an_auditor_is_offered_no_action_and_posting_one_changes_nothing(client, world):
    auditor = person(Role.AUDITOR)
    client.force_login(auditor)
    request = RequestFactory().get("/admin/")
    request.user = auditor
    before = (AuditEvent.objects.count(), list(Challenge.objects.values_list("state", flat=True)))
    for model, model_admin in admin.site._registry.items():
        if model._meta.label_lower not in AUDITOR_READS:
            continue
        assert list(model_admin.get_actions(request)) == [], model._meta.label
        instance = world.get(model._meta.label_lower)
        for action in model_admin.actions or []:
            name = action if isinstance(action, str) else action.__name__
            client.post(
                admin_url(model, "changelist"),
                {"action": name, "_selected_action": [instance.pk], "apply": "1"},
            )
    assert (AuditEvent.objects.count(), list(Challenge.objects.values_list("state", flat=True))) == before
    assert Batch.objects.get().closed_at is None
    preview = reverse(
        "admin:notifications_messagetemplate_preview", args=[world["notifications.messagetemplate"].pk]
    )
    assert client.get(preview).status_code == 403  # it shows a real case: managers only


@pytest.mark.parametrize(
    ("label", "action", "kind"),
    [
        ("lifecycle.challenge", "transition_pitch", "transition"),
        ("notifications.notification", "retry_failed", "mail_retried"),
        ("notifications.batch", "release_batches", "mail_released"),
        ("notifications.batch", "discard_batches", "mail_discarded"),
        ("cohort.cohortsession", "cancel_sessions", "session_changed"),
        ("cohort.cohortsession", "prepare_attendance_sheet", "attendance_recorded"),
        ("cohort.cohortcalendar", "renew", "calendar_renewed"),
    ],
)
def test_every_admin_action_of_a_manager_is_audited_with_the_manager_as_its_author(
    client, world, label, action, kind, django_capture_on_commit_callbacks
):
    manager = world["manager"]
    client.force_login(manager)
    instance = world[label]
    last = AuditEvent.objects.order_by("-id").first().pk
    model = type(instance)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            admin_url(model, "changelist"),
            {
                "action": action,
                "_selected_action": [instance.pk],
                "apply": "1",
                "reason": "Jury du 2 juillet",
            },
        )
    assert response.status_code in (200, 302)
    events = list(AuditEvent.objects.filter(pk__gt=last))
    assert events, (label, action)
    assert {(event.kind, event.actor_id) for event in events} == {(kind, manager.pk)}


def test_changing_a_call_in_the_admin_is_audited_with_its_old_and_new_values(client, world):
    client.force_login(world["manager"])
    promotion = world["lifecycle.promotion"]
    url = admin_url(type(promotion), "change", promotion.pk)
    data = form_data(client.get(url).content.decode(), "promotion_form")
    data["call-0-max_pitch_slides"] = "15"
    assert client.post(url, data).status_code == 302

    event = AuditEvent.objects.filter(kind="settings_changed").order_by("-id").first()
    assert (event.actor, event.subject, event.changes) == (
        world["manager"],
        f"call:{promotion.call.pk}",
        {"max_pitch_slides": [12, 15]},
    )
    assert CohortSession.objects.exists()


def test_the_calendar_s_secret_address_is_shown_to_managers_not_to_auditors(client, world):
    calendar = world["cohort.cohortcalendar"]
    for role, shown in ((Role.PROGRAMME_MANAGER, True), (Role.AUDITOR, False)):
        client.force_login(person(role))
        for url in (
            admin_url(CohortCalendar, "changelist"),
            admin_url(CohortCalendar, "change", calendar.pk),
        ):
            page = client.get(url).content.decode()
            assert (calendar.token in page) is shown, (role, url)
