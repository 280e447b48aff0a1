"""The demo's candidates' calls, through recruitment's functions only.

`CandidatesCall` turns a call's candidates (data: `data/candidates-eig-3.yml` for promotion 3,
`candidates` of `data/open-candidates-call.yml` for the open one) into dated steps, each a call of
the domain at its moment (`clock.at`, by demo.loader): the candidate's account, their candidacy
(identity, profile, links, declarations), their CV (a real PDF, `pdfs.cv_pdf`), their choices with
a motivation each, the submission; then each application's steps: the grids and comments of the
mentor or the manager (`recruitment.assessment`), the moves (`recruitment.moves.transition`), the
interviews (`schedule_interview`), the ranks (`set_rank`), an offer of a challenge the candidate
did not apply to (`offer_elsewhere`). Promotion 3's call has the operational mentor's login and
the daily retention job of 2019 (`recruitment.retention.run`).

The e-mails to candidates wait in held reviews, one per decision act (the same message, the same
person, the same day), as the replayed moves' do (`notifications.outbox.review_of_act`).
"""

import datetime as dt
import re
from functools import cache, partial
from pathlib import Path

import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.enums import Role
from accounts.services import create_user
from demo.pdfs import cv_pdf
from lifecycle import clock
from lifecycle.actors import SYSTEM
from lifecycle.enums import MentorRole
from lifecycle.models import Challenge, Mentor
from lifecycle.text import ascii_slug_part
from notifications import outbox
from notifications.enums import MessageEvent
from recruitment import assessment, candidacy, moves, retention, workflow
from recruitment.enums import ApplicationMoveName, Origin
from recruitment.models import Application, Candidate

DATA = Path(__file__).resolve().parent / "data"
EIG3_FILE = DATA / "candidates-eig-3.yml"
CANDIDATES = "candidates"  # not a move: a step of a candidates' call, in the replay's order
CANDIDATE_MOVES = {ApplicationMoveName.ACCEPT, ApplicationMoveName.DECLINE, ApplicationMoveName.WITHDRAW}


@cache
def eig3() -> dict:
    return yaml.safe_load(EIG3_FILE.read_text(encoding="utf-8"))


def paris(value) -> dt.datetime:
    """ "2018-10-17 14:10", Paris time."""
    return timezone.make_aware(dt.datetime.strptime(str(value), "%Y-%m-%d %H:%M"))


def login_entries(entries) -> list[dict]:
    """The candidates who sign in to the demo, with its password (data: a `username`)."""
    return [entry for entry in entries if "username" in entry]


def candidate_account(entry, password=None):
    """A candidate's account: a demo login has the demo's password; another candidate's account is
    named after their address, as the sign-up names it, and has no password."""
    login = "username" in entry
    return create_user(
        entry["username"] if login else entry["email"].lower(),
        role=Role.CANDIDATE,
        by=SYSTEM,
        password=password if login else None,
        email=entry["email"],
        first_name=entry["first_name"],
        last_name=entry["last_name"],
    )


def mentor_account(entry, promotion_number, password):
    """The mentor's login: the account of the challenge's operational mentor (the e-mail of its
    `Mentor` row, as an invited mentor signs in); None while the challenge has no such row."""
    row = Mentor.objects.filter(
        challenge__promotion__number=promotion_number,
        challenge__name=entry["challenge"],
        role=MentorRole.OPERATIONAL,
    ).first()
    if row is None or not row.email:
        return None
    return create_user(
        entry["username"],
        role=Role.MENTOR,
        by=SYSTEM,
        password=password,
        email=row.email,
        first_name=row.first_name,
        last_name=row.last_name,
    )


def _cv(entry) -> SimpleUploadedFile:
    content = cv_pdf(
        f"{entry['first_name']} {entry['last_name']}",
        entry["cv"]["headline"],
        [(heading, lines) for heading, lines in entry["cv"]["sections"]],
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_slug_part(f"{entry['first_name']} {entry['last_name']}"))
    return SimpleUploadedFile(f"cv-{slug.strip('-')}.pdf", content, content_type="application/pdf")


class CandidatesCall:
    """The candidates of `call` as dated steps [(moment, action)]: `moment` reads the data's
    moments; `acts` (an ExitStack) keeps the held reviews open until the replay ends."""

    def __init__(
        self, call, entries, *, manager, moment, acts, password, places=None, mentor=None, retention_at=None
    ):
        self.call, self.entries = call, entries
        self.retention_at = retention_at
        self.manager, self.moment, self.acts, self.password = manager, moment, acts, password
        self.places = places or {}
        self.mentor_entry, self.mentor = mentor, None
        self.users = {}  # e-mail -> account
        self.candidates = {}  # e-mail -> Candidate pk
        self.reviews = {}  # (message, day, actor) -> Batch

    # The steps ------------------------------------------------------------------------------

    def steps(self) -> list[tuple[dt.datetime, object]]:
        steps = []
        if self.mentor_entry:
            steps.append((self.moment(self.mentor_entry["invited_at"]), self.invite_mentor))
        if self.retention_at:
            steps.append((self.moment(self.retention_at), retention.run))
        for entry in self.entries:
            registered = self.moment(entry["registered_at"])
            steps += [
                (registered, partial(self.register, entry)),
                (registered + dt.timedelta(minutes=2), partial(self.identify, entry)),
                (registered + dt.timedelta(minutes=6), partial(self.attach_cv, entry)),
            ]
            chosen = [item for item in entry["applications"] if item.get("origin") != Origin.PROGRAMME]
            for number, item in enumerate(chosen):
                at = registered + dt.timedelta(minutes=12 + 7 * number)
                steps.append((at, partial(self.choose, entry, item)))
            if entry.get("submitted_at"):
                submitted = self.moment(entry["submitted_at"])
                if submitted <= registered + dt.timedelta(minutes=12 + 7 * len(chosen)):
                    raise ValueError(f"{entry['email']}: submitted before the last choice")
                steps.append((submitted, partial(self.submit, entry)))
            for item in entry["applications"]:
                for step in item.get("steps", []):
                    steps.append((self.moment(step["at"]), partial(self.act, entry, item, step)))
        return steps

    # The candidate's own steps ----------------------------------------------------------------

    def user(self, entry):
        return self.users[entry["email"]]

    def candidate(self, entry) -> Candidate:
        return Candidate.objects.select_related("call").get(pk=self.candidates[entry["email"]])

    def challenge(self, name) -> Challenge:
        return Challenge.objects.get(promotion_id=self.call.promotion_id, name=name)

    def application(self, entry, item) -> Application:
        return Application.objects.select_related("candidate", "challenge").get(
            candidate_id=self.candidates[entry["email"]], challenge__name=item["challenge"]
        )

    def register(self, entry):
        self.users[entry["email"]] = candidate_account(entry, self.password)

    def identify(self, entry):
        user = self.user(entry)
        candidate = candidacy.candidacy_for(self.call, user)
        self.candidates[entry["email"]] = candidate.pk
        left_out = set(entry.get("not_declared", []))
        declared = [rule.pk for rule in self.call.eligibility_rules.all() if rule.rank not in left_out]
        # The e-mail is the account's (the candidacy takes it at its creation).
        values = {name: entry.get(name, "") for name in candidacy.IDENTITY_FIELDS}
        candidacy.update(
            candidate,
            {**values, "declarations": declared, "language": entry.get("language", "fr")},
            by=user,
        )

    def attach_cv(self, entry):
        candidacy.attach_cv(self.candidate(entry), _cv(entry), by=self.user(entry))

    def choose(self, entry, item):
        candidacy.choose(
            self.candidate(entry), self.challenge(item["challenge"]), item["motivation"], by=self.user(entry)
        )

    def submit(self, entry):
        user = self.user(entry)
        hold = self.hold(MessageEvent.APPLICATION_RECEIVED, user)
        candidacy.submit(self.candidate(entry), by=user, options={outbox.HOLD_MAIL: hold})

    # The decisions on an application ------------------------------------------------------------

    def actor(self, entry, step, move=None):
        by = step.get("by") or ("candidate" if move in CANDIDATE_MOVES else "manager")
        return {"candidate": self.user(entry), "mentor": self.mentor, "manager": self.manager}[by]

    def hold(self, event, actor):
        """The review of this act: the same message by the same person on the same day."""
        key = (str(event), timezone.localdate(clock.now()), getattr(actor, "pk", None))
        if key not in self.reviews:
            self.reviews[key] = self.acts.enter_context(outbox.review_of_act(by=actor, event=event))
        return self.reviews[key]

    def act(self, entry, item, step):
        if "offer_elsewhere" in step:
            candidate, challenge = self.candidate(entry), self.challenge(item["challenge"])
            hold = self.hold(MessageEvent.OFFER_MADE, self.manager)
            moves.offer_elsewhere(
                candidate,
                challenge,
                by=self.manager,
                reason=step["offer_elsewhere"],
                options={outbox.HOLD_MAIL: hold},
            )
            return
        application = self.application(entry, item)
        move = ApplicationMoveName(step["move"]) if "move" in step else None
        by = self.actor(entry, step, move)
        if "grid" in step:
            criteria = list(self.call.candidate_criteria.all())
            assessment.save_grid(
                application,
                {criterion.pk: value for criterion, value in zip(criteria, step["grid"], strict=True)},
                by=by,
            )
        if "comment" in step:
            assessment.comment(application, step["comment"], by=by)
        if "interview" in step:
            interview = step["interview"]
            moves.schedule_interview(
                application,
                at=self.moment(interview["at"]),
                place=self.places.get(interview["place"], interview["place"]),
                minutes=interview.get("minutes", 45),
                by=by,
                options={outbox.HOLD_MAIL: self.hold(MessageEvent.INTERVIEW_INVITATION, by)},
            )
        if "rank" in step:
            moves.set_rank(application, step["rank"], by=by)
        if move is not None:
            message = workflow.move(move).message
            options = {outbox.HOLD_MAIL: self.hold(message, by)} if message else None
            moves.transition(application, move, by=by, reason=step.get("reason", ""), options=options)

    def invite_mentor(self):
        self.mentor = mentor_account(self.mentor_entry, self.call.promotion.number, self.password)
