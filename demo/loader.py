"""Loading the demo through the domain's functions only.

Promotion 3 gets the calendar of its call (2018, `data/promotion-3.yml`). Its 15 challenges of
`data/eig-defis-2017-2019.yml`, and two fictitious ones (a region and a university hospital,
marked « démo »), are imported in May 2018, filled in as complete dossiers through the dossier's
edits, then moved through `lifecycle.services.transition` at plausible moments of that year
(`clock.at`), along the paths the lifecycle's table of moves gives, so that every state is shown
and the audit trail is the real one of those moves. Between the invitations to pitch and the
selections, the jury of July 2018 sits through `jury.services` (members, sub-juries, conflicts of
interest, auditions, collective and general grids, closing): the selections rest on its grids.
From the publication of the challenges to their start, the candidates' call of September 2018
(`data/candidates-eig-3.yml`, demo.candidates) is replayed through recruitment's functions: the
candidates, their applications in every state, the mentors' preselection, the interviews, the
offers and answers, and the retention job of 2019. Promotions 1 and 2 are imported, completed,
from the same data. Two fictitious promotions are dated from the day of loading: one whose
candidates' call is open (`data/open-candidates-call.yml`), one whose call for challenges is open
(`data/open-call.yml`).

Loading is idempotent: once loaded, the demo only makes sure its accounts exist.
"""

import contextlib
import datetime as dt
import itertools
import random
import re
import secrets
import textwrap
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, partial
from pathlib import Path

import yaml
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from accounts import invitations
from accounts.enums import Role
from accounts.services import create_user
from conversations import services as conversations
from demo import candidates
from demo.candidates import CANDIDATES, CandidatesCall
from demo.pdfs import slides_pdf
from importing.readers import Record, read_records
from importing.writer import import_records
from jury import services as jury_services
from lifecycle import clock, configuration, corrections, criteria, financing, services, workflow
from lifecycle.actors import SYSTEM
from lifecycle.dossier import edits
from lifecycle.dossier.rules import MENTOR_FIELDS
from lifecycle.enums import ChallengeState, ContactRole, MentorRole, TransitionName
from lifecycle.models import Administration, AuditEvent, Challenge, Promotion
from lifecycle.models.challenge import LIMITED_TEXT_FIELDS, character_limit
from lifecycle.promotions import configure_promotion
from lifecycle.text import ascii_slug_part
from notifications import outbox
from notifications.enums import MessageEvent
from recruitment import teams

DATA = Path(__file__).resolve().parent / "data"
CHALLENGES_FILE = DATA / "eig-defis-2017-2019.yml"
PROMOTION_FILE = DATA / "promotion-3.yml"
OPEN_CALL_FILE = DATA / "open-call.yml"
OPEN_CANDIDATES_CALL_FILE = DATA / "open-candidates-call.yml"


@cache
def data() -> dict:
    return yaml.safe_load(PROMOTION_FILE.read_text(encoding="utf-8"))


def paris(text: str) -> dt.datetime:
    """ "2018-06-15 17:00", Paris time."""
    return timezone.make_aware(dt.datetime.strptime(text, "%Y-%m-%d %H:%M"))


def _call_fields() -> dict:
    fields = {}
    for name, value in data()["call"].items():
        if name.endswith("_at") or name == "submission_deadline":
            value = paris(value)
        elif name.endswith("_on"):
            value = dt.date.fromisoformat(value)
        elif isinstance(value, str) and re.fullmatch(r"[\d.]+", value):
            value = Decimal(value)
        fields[name] = value
    return fields


def _dates() -> dict:
    values = data()["dates"]
    return {
        "accounts_created_at": paris(values["accounts_created_at"]),
        "opened_at": paris(values["opened_at"]),
        "recruited_on": dt.date.fromisoformat(values["recruited_on"]),
        "mentors_confirmed_at": paris(values["mentors_confirmed_at"]),
        "history_imported_at": paris(values["history_imported_at"]),
        "first_sitting": dt.date.fromisoformat(values["first_sitting"]),
    }


class DemoConflict(Exception):
    """The database holds a promotion 3 that is not the demo's: the demo would mix with it."""


@dataclass
class DemoResult:
    loaded: bool
    manager: str
    password: str
    accounts: list[tuple[str, str]] = field(default_factory=list)  # (username, what for)
    challenges: int = 0
    events: int = 0
    open_call: object = None  # the promotion whose call takes dossiers now
    open_candidates_call: object = None  # the promotion whose candidates' call takes applications now
    webhook_secret: str = ""  # the secret of the manager's demo webhook, when this run registered it


def _marker() -> tuple[int, str]:
    """The demo is loaded once this challenge exists."""
    return data()["promotion"]["number"], data()["extra_challenges"][0]["title"]


def load(*, manager_username: str = "gestionnaire", password: str | None = None) -> DemoResult:
    """Load the demo once; afterwards only make sure its accounts exist (with this password)."""
    password = password or secrets.token_urlsafe(9)
    accounts = data()["accounts"]
    with transaction.atomic(), clock.at(_dates()["accounts_created_at"]):
        manager = create_user(
            manager_username,
            role=Role.PROGRAMME_MANAGER,
            by=SYSTEM,
            password=password,
            email=f"{manager_username}@example.gouv.fr",
            **accounts["manager"],
        )
        auditor = dict(accounts["auditor"])
        create_user(auditor.pop("username"), role=Role.AUDITOR, by=SYSTEM, password=password, **auditor)
        number, title = _marker()
        loaded = not Challenge.objects.filter(promotion__number=number, name=title).exists()
        if loaded:
            if Challenge.objects.filter(promotion__number=number).exists():
                raise DemoConflict(
                    f"La promotion {number} contient déjà des défis qui ne viennent pas de la démo : "
                    f"chargez la démo dans une base sans promotion {number}."
                )
            _load(manager, password)
        else:
            _contacts(password)  # already there: nothing changes, nothing is audited
            for entry in _jury_logins():
                _jury_account(entry, password)
            for entry in candidates.login_entries(candidates.eig3()["candidates"]):
                candidates.candidate_account(entry, password)
            candidates.mentor_account(candidates.eig3()["mentor"], number, password)
    # Its challenges published some days ago: the open candidates' call.
    with transaction.atomic():
        open_candidates_call = _load_open_candidates_call(manager, password)
    # A little earlier: webhooks that hear the open call's moves and messages below.
    with transaction.atomic(), clock.at(timezone.now() - dt.timedelta(hours=2, minutes=5)):
        webhook_secret = _load_webhooks(manager)
    # Two hours ago: the open call's dossier is filed, submitted and sent back since.
    with transaction.atomic(), clock.at(timezone.now() - dt.timedelta(hours=2)):
        open_call = _load_open_call(manager)
    # Now: the open call's dossiers filed on démarches-simplifiées, synced.
    _load_demarche(open_call, manager)
    recruited = candidates.eig3()
    return DemoResult(
        loaded=loaded,
        manager=manager_username,
        password=password,
        accounts=[(accounts["auditor"]["username"], "auditeur·rice du journal d’audit")]
        + [
            (contact["username"], f"contact de {contact['administration']}")
            for contact in accounts["contacts"]
        ]
        + [
            (entry["username"], f"membre du jury de l’{data()['promotion']['name']} (2018)")
            for entry in _jury_logins()
        ]
        + [
            (
                entry["username"],
                f"candidat·e de l’{data()['promotion']['name']} (2018), une proposition à accepter",
            )
            for entry in candidates.login_entries(recruited["candidates"])
        ]
        + [
            (
                recruited["mentor"]["username"],
                f"mentor opérationnel·le de « {recruited['mentor']['challenge']} », "
                "des candidatures à présélectionner",
            )
        ],
        challenges=Challenge.objects.count(),
        events=AuditEvent.objects.count(),
        open_call=open_call,
        open_candidates_call=open_candidates_call,
        webhook_secret=webhook_secret,
    )


def _load_open_call(manager):
    """The open call of a later, fictitious promotion, dated from today; created once (a second
    run leaves it as it is, dates included)."""
    values = yaml.safe_load(OPEN_CALL_FILE.read_text(encoding="utf-8"))
    promotion = values["promotion"]
    existing = Promotion.objects.filter(number=promotion["number"]).select_related("call").first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    call = _dated_call(values["call"], today)
    for entry in values.get("administrations", []):
        entry = dict(entry)
        administration = Administration.objects.filter(name=entry.pop("name")).first()
        if administration is not None:
            for name, value in entry.items():
                setattr(administration, name, value)
            configuration.save(administration, by=manager)
    _invite(values.get("invitations", []), manager)
    opened = configure_promotion(
        number=promotion["number"],
        name=promotion["name"],
        year=today.year + promotion.get("year_offset", 0),
        call=call,
        by=manager,
        profiles=[tuple(pair) for pair in values["profiles"]],
        pay_levels=[(name, Decimal(pay)) for name, pay in values["pay_levels"]],
    )
    _file_and_send_back(opened, values["dossier"], manager)
    return opened


# The demo's webhooks: the manager's to the receiver `make run` serves (settings.DEMO_WEBHOOK_URL),
# and a contact's to an address where nothing listens (its deliveries retried, their error shown).
DEMO_DEAD_WEBHOOK_URL = "http://127.0.0.1:8767/webhook"


def _load_webhooks(manager) -> str:
    """Register the demo's webhooks once (before the open call's dossier is filed, so that its
    moves and messages are delivered); the manager's secret, to hand to the receiver."""
    from django.conf import settings

    from webhooks import services as webhooks
    from webhooks.models import Webhook

    allowed = settings.WEBHOOKS_ALLOW_HTTP and settings.WEBHOOKS_ALLOW_PRIVATE
    if not allowed or Webhook.objects.filter(url=settings.DEMO_WEBHOOK_URL).exists():
        return ""  # a receiver on this machine only where allowed (development); registered once
    _hook, secret = webhooks.register(
        manager,
        name="Tableau de bord du programme (démo)",
        url=settings.DEMO_WEBHOOK_URL,
        on_moves=True,
        on_messages=True,
        on_jury_closed=True,
    )
    contact = get_user_model().objects.filter(username=data()["accounts"]["contacts"][0]["username"]).first()
    if contact is not None:
        webhooks.register(
            contact,
            name="Système d’information de la DINUM (démo, arrêté)",
            url=DEMO_DEAD_WEBHOOK_URL,
            on_moves=True,
            on_messages=True,
        )
    return secret


def _load_demarche(promotion, manager):
    """The open call's démarche on démarches-simplifiées (a DS of our own on loopback,
    demarches.fake, the one `make run` serves): its mapping, and a sync of its dossiers (one is
    refused: filed without its name), then one accepted on DS, reported for a manager. Once."""
    from demarches import fake, services
    from demarches.client import DsClient
    from demarches.models import Demarche
    from demarches.sync import sync

    if Demarche.objects.filter(number=fake.DEMO_DEMARCHE).exists():
        return
    demarche = services.add_demarche(fake.DEMO_DEMARCHE, promotion, by=manager, mapping=fake.mapping())
    served = fake.FakeDs(fake.demo_store(), demarche=fake.DEMO_DEMARCHE, title=fake.DEMO_TITLE)
    with (
        fake.running(served) as ds,
        DsClient(url=f"{ds.base_url}/api/v2/graphql", token=fake.TOKEN) as client,
    ):
        sync(demarche, by=manager, client=client)
        ds.store.change(103, state="accepte")
        sync(demarche, by=manager, client=client)


def _relative(value, today):
    """A moment given in days from `today` ({days: -12, time: "10:00"}, Paris time), or a day."""
    day = today + dt.timedelta(days=value["days"])
    if "time" in value:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.fromisoformat(value["time"])))
    return day


def _dated_call(values: dict, today) -> dict:
    """A call's values from the data, its moments and days counted from `today`."""
    call = {}
    for name, value in values.items():
        if isinstance(value, dict) and "days" in value:
            value = _relative(value, today)
        elif name.endswith("_time"):
            value = dt.time.fromisoformat(value)
        elif isinstance(value, str) and re.fullmatch(r"[\d.]+", value):
            value = Decimal(value)
        call[name] = value
    return call


def _load_open_candidates_call(manager, password):
    """The open candidates' call of a later, fictitious promotion, dated from today; created once
    (a second run leaves it as it is). Its challenges, selected by a jury the demo does not replay,
    are imported selected, completed and their mentors confirmed; the system publishes them at the
    opening (the move `open_recruitment`, its e-mails held in one review); candidates apply."""
    values = yaml.safe_load(OPEN_CANDIDATES_CALL_FILE.read_text(encoding="utf-8"))
    promotion = values["promotion"]
    existing = Promotion.objects.filter(number=promotion["number"]).select_related("call").first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    moment = partial(_relative, today=today)
    dates = {name: moment(value) for name, value in values["dates"].items()}
    with clock.at(dates["configured_at"]):
        opened = configure_promotion(
            number=promotion["number"],
            name=promotion["name"],
            year=today.year + promotion.get("year_offset", 0),
            call=_dated_call(values["call"], today),
            by=manager,
        )
    entries = values["challenges"]
    with clock.at(dates["imported_at"]):
        report = import_records(
            [Record(line, dict(entry)) for line, entry in enumerate(entries, start=1)], by=manager
        )
    challenges = [report.challenges[(promotion["number"], entry["title"])] for entry in entries]
    people = itertools.islice(_people(), 450, None)  # people no other promotion names
    for index, (challenge, entry) in enumerate(zip(challenges, entries, strict=True)):
        sitting = dates["imported_at"] + dt.timedelta(hours=1 + index)
        with clock.at(sitting - dt.timedelta(minutes=5)):
            edits.update_dossier(challenge, {"manager": manager}, by=manager)
        _complete_dossier(challenge, index, author=manager, people=people, facts=entry, sitting=sitting)
    for index, challenge in enumerate(challenges):
        with (
            clock.at(dates["mentors_confirmed_at"] + dt.timedelta(minutes=index)),
            edits.recording_dossier_changes(challenge, by=manager),
        ):
            _confirm_mentors(challenge, manager)
    opens_at = opened.call.recruitment_opens_at
    with contextlib.ExitStack() as acts:
        with clock.at(opens_at):
            review = acts.enter_context(
                outbox.review_of_act(by=SYSTEM, transition=TransitionName.OPEN_RECRUITMENT)
            )
        for index, challenge in enumerate(challenges):
            with clock.at(opens_at + dt.timedelta(minutes=index)):
                services.transition(
                    challenge,
                    TransitionName.OPEN_RECRUITMENT,
                    by=SYSTEM,
                    reason=values["opening_reason"],
                    options={outbox.HOLD_MAIL: review},
                )
        replay = CandidatesCall(
            opened.call,
            values.get("candidates", []),
            manager=manager,
            moment=moment,
            acts=acts,
            password=password,
        )
        for at, action in sorted(replay.steps(), key=lambda step: step[0]):
            with clock.at(at):
                action()
    _date_challenges_by_their_trail()
    return Promotion.objects.select_related("call").get(pk=opened.pk)


def _file_and_send_back(promotion, entry, manager):
    """A dossier of the open call, filed and submitted by its administration today, then sent back
    for corrections: the contact corrects it from the portal and submits it again."""
    administration = Administration.objects.get(name=entry["administration"])
    author = get_user_model().objects.get(username=entry["author"])
    now = clock.now()
    with clock.at(now):
        challenge = edits.create_challenge(
            promotion=promotion, administration=administration, name=entry["name"], by=author
        )
        edits.update_dossier(challenge, {"summary": entry["summary"], "manager": manager}, by=manager)
    sitting = now + dt.timedelta(minutes=1)
    _complete_dossier(
        challenge,
        1,
        author=author,
        # People promotion 3 does not name (it takes fewer than 200 of them).
        people=itertools.islice(_people(), 400, None),
        facts=entry,
        sitting=sitting,
        profiles=entry["profiles"],
    )
    with clock.at(sitting + dt.timedelta(minutes=60)):
        services.transition(
            challenge, TransitionName.SUBMIT, by=author, reason=data()["moves"]["submit"]["reason"]
        )
    asked = entry["corrections"]
    with clock.at(sitting + dt.timedelta(minutes=75)):
        corrections.request(
            challenge,
            sections=asked["sections"],
            what=asked["what"],
            due_on=timezone.localdate(now) + dt.timedelta(days=asked["days"]),
            by=manager,
        )


def _invite(entries, manager):
    """The invitations of the demo: pending from today, one revoked."""
    for entry in entries:
        entry = dict(entry)
        revoked = entry.pop("revoked", False)
        name = entry.pop("administration", None)
        administration = Administration.objects.get(name=name) if name else None
        invitation = invitations.invite(
            entry.pop("email"), administration=administration, by=manager, **entry
        )
        if revoked:
            invitations.revoke(invitation, by=manager)


def _load(manager, password):
    dates = _dates()
    promotion = data()["promotion"]
    configure_promotion(**promotion, call=_call_fields(), by=manager)
    records = read_records(CHALLENGES_FILE)
    own = [
        record
        for record in records
        if record.values and record.values.get("promotion") == promotion["number"]
    ]
    extra = [Record(line, dict(values)) for line, values in enumerate(data()["extra_challenges"], start=1)]
    with clock.at(dates["opened_at"]):
        report = import_records(own + extra, by=manager)
    with clock.at(dates["opened_at"] + dt.timedelta(minutes=15)):
        contacts = _contacts(password)
    challenges = sorted(report.challenges.values(), key=lambda challenge: challenge.pk)
    people = _people()
    with clock.at(dates["opened_at"] + dt.timedelta(minutes=30)):
        for challenge in challenges:
            edits.update_dossier(challenge, {"manager": manager}, by=manager)
    for index, challenge in enumerate(challenges):
        author = contacts.get(challenge.administration_id, manager)
        _complete_dossier(challenge, index, author=author, people=people)
    _replay(challenges, manager=manager, contacts=contacts, people=people, password=password)

    history = [record for record in records if record.values and record.values.get("promotion") in (1, 2)]
    for record in history:
        record.values["state"] = ChallengeState.COMPLETED
    with clock.at(dates["history_imported_at"]):
        import_records(history, by=manager)
    _date_challenges_by_their_trail()


def _contacts(password) -> dict[int, object]:
    """The administrations' contact accounts, by administration id."""
    contacts = {}
    for contact in data()["accounts"]["contacts"]:
        administration = Administration.objects.get(name=contact["administration"])
        contacts[administration.pk] = create_user(
            contact["username"],
            role=Role.ADMINISTRATION_CONTACT,
            by=SYSTEM,
            password=password,
            administration=administration,
            email=f"{contact['username']}@example.gouv.fr",
            first_name=contact["first_name"],
            last_name=contact["last_name"],
        )
    return contacts


def _people():
    """Fictitious people, each once, in a fixed order: first and last name, e-mail, phone."""
    names = data()["people"]
    pairs = list(itertools.product(names["first_names"], names["last_names"]))
    random.Random(2018).shuffle(pairs)
    for number, (first, last) in enumerate(pairs):
        email = f"{ascii_slug_part(first)}.{ascii_slug_part(last)}@example.gouv.fr"
        yield {
            "first_name": first,
            "last_name": last,
            "email": email,
            "phone": f"01 40 15 {number // 100:02d} {number % 100:02d}",
        }


# Filling in the dossier ----------------------------------------------------------------------


def _plain_text(markdown: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)  # links
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text, flags=re.S)
    text = re.sub(r"(?<!\w)_(.+?)_(?!\w)", r"\1", text, flags=re.S)
    paragraphs = []  # a paragraph, or an item of a list, per line
    for block in re.split(r"\n\s*\n", text):
        items = []
        for line in block.splitlines():
            bullet = re.match(r"\s*[*-]\s+", line)
            line = "– " + line[bullet.end() :].strip() if bullet else line.strip()
            if bullet or not items:
                items.append(line)
            elif line:
                items[-1] += " " + line
        paragraphs.extend(re.sub(r"\s+", " ", item).strip() for item in items if item.strip())
    return "\n".join(paragraphs)


def _sections(markdown: str) -> dict[str, str]:
    """The plain text under each heading of a description ("" for the text before any heading)."""
    sections, heading = {}, ""
    for line in markdown.splitlines():
        found = re.match(r"\s*#+\s*(.*)", line)
        if found:
            heading = found.group(1).strip()
            continue
        sections.setdefault(heading, []).append(line)
    return {heading: _plain_text("\n".join(lines)) for heading, lines in sections.items()}


def _fit(text: str, limit: int) -> str:
    """At most `limit` characters, cut after a whole sentence (or list item) when possible."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    ends = [match.end() for match in re.finditer(r"[.;!?…](?=\s)", cut)]
    if ends and ends[-1] > limit // 2:
        cut = cut[: ends[-1]]
        return cut[:-1].rstrip() + "." if cut.endswith(";") else cut
    return cut.rsplit(" ", 1)[0] + "…"


def _section(sections, start) -> str:
    return next((text for heading, text in sections.items() if heading.casefold().startswith(start)), "")


def _limit(challenge, field_name) -> int:
    """The call's limit for a limited answer, else the column's length."""
    if field_name in LIMITED_TEXT_FIELDS:
        return character_limit(challenge.promotion.call, field_name)
    return Challenge._meta.get_field(field_name).max_length


def _texts(challenge, profiles) -> dict:
    sections = _sections(challenge.public_description)
    intro = sections.get("", "") or challenge.summary
    name, administration = challenge.name, challenge.administration.name
    innovations = sorted({data()["profiles"][profile]["innovation"] for profile in profiles})
    texts = {
        "problem": _section(sections, "la problématique") or intro,
        "solution": _section(sections, "le défi") or intro,
        "expected_benefits": (
            f"{challenge.summary}. Pour les usagers : des démarches plus simples et une information "
            "plus fiable. Pour les agents : des outils ouverts, documentés, repris par l’équipe "
            "interne à la fin du défi. Pour l’État : des données ouvertes par défaut et une "
            "meilleure gouvernance des données de l’administration."
        ),
        "innovation_kinds": "Innovations mobilisées : "
        + ", ".join(innovations)
        + " ; ouverture des données et du code.",
        "progress": (
            "Phase pilote : le besoin est qualifié et un premier prototype interne existe. "
            "Technologies libres (Python, PostgreSQL), méthodes agiles."
        ),
        "technical_resources": (
            f"Postes de travail portables et droits d’administration pour les EIG ; accès aux bases "
            f"métier de {administration} ; forge logicielle publique (GitHub) ; serveurs de "
            "développement et d’hébergement ; une salle de travail pour l’équipe projet."
        ),
        "sustainability_actions": (
            f"Un agent reprend le pilotage de « {name} » à la fin des dix mois ; le code est publié "
            "sous licence libre et documenté ; les données produites sont ouvertes sur data.gouv.fr ; "
            "le service est présenté aux administrations qui ont les mêmes besoins."
        ),
        "obstacles": (
            "Accès aux données : conventions préparées avant l’arrivée des EIG. Sécurité des "
            "systèmes d’information : environnement de développement validé avec le RSSI. Adoption "
            "par les agents : les utilisateurs sont associés dès les premières semaines."
        ),
        "motivation": (
            f"{administration} veut faire entrer dans ses équipes des compétences numériques rares "
            "et de nouvelles méthodes de travail : itérations courtes, ouverture, travail avec les "
            "usagers. Le programme EIG et sa promotion offrent le cadre et le réseau pour y parvenir."
        ),
    }
    return {field_name: _fit(text, _limit(challenge, field_name)) for field_name, text in texts.items()}


def _financing(challenge, count) -> dict:
    """The stated employer cost near the call's estimate; what the call's rule pays of it if the
    administration is eligible."""
    estimate = financing.simulate(challenge, eig_count=count).estimated_employer_cost
    cost = (estimate / 500).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * 500
    if not financing.eligibility(challenge).eligible:
        return {"cofinancing_requested": False, "total_employer_cost": cost, "cofinancing_amount": None}
    amount = financing.expected_amount(challenge.promotion.call, cost)
    return {"cofinancing_requested": True, "total_employer_cost": cost, "cofinancing_amount": amount}


def _complete_dossier(challenge, index, *, author, people, facts=None, sitting=None, profiles=None):
    """Fill in the form in three sittings before the deadline, as an administration would (the
    facts and the first sitting default to promotion 3's)."""
    positions = list(challenge.eig_positions.order_by("rank"))
    profiles = profiles or [position.profile for position in positions]
    facts = facts or data()["dossiers"][challenge.name]
    functions = data()["people"]["functions"]
    if sitting is None:
        day = _dates()["first_sitting"] + dt.timedelta(days=index // 2)
        sitting = timezone.make_aware(dt.datetime.combine(day, dt.time(10 if index % 2 == 0 else 15)))

    with clock.at(sitting):
        edits.update_dossier(
            challenge,
            {
                **_texts(challenge, profiles),
                "address": facts["address"],
                "datasets": facts["datasets"],
                "datasets_accessible": facts["datasets_accessible"],
                "datasets_access_steps": facts.get("datasets_access_steps", ""),
                "attests_outside_walls": True,
                "attests_open_data_open_source": True,
                "attests_data_access": True,
                **_financing(challenge, len(profiles)),
            },
            by=author,
        )

    with clock.at(sitting + dt.timedelta(minutes=40)), edits.recording_dossier_changes(challenge, by=author):
        work = data()["profiles"]
        # A call with pay levels asks one per position: the first (the least experienced) here.
        pay_level = challenge.promotion.call.pay_levels.order_by("pk").first()
        edits.set_positions(
            challenge,
            [
                {
                    "profile": profile,
                    "mission": _fit(work[profile]["mission"].format(name=challenge.name), 600),
                    "expertise": work[profile]["expertise"],
                    "pay_level": pay_level,
                }
                for profile in profiles
            ],
            by=author,
        )
        team = [
            {
                "name": "{first_name} {last_name}".format(**next(people)),
                "function": ["Chef·fe de projet métier", "Responsable du système d’information"][number],
                "status": "Titulaire",
                "involvement_percent": [40, 20][number],
                "contribution": [
                    "Pilotage métier et lien avec les utilisateurs",
                    "Accès aux données et aux serveurs",
                ][number],
            }
            for number in range(1 + index % 2)
        ]
        edits.set_team(challenge, team, by=author)
        roles = [ContactRole.HR] + ([ContactRole.PIA_AGREEMENT] if challenge.cofinancing_requested else [])
        edits.set_people(
            challenge,
            {role: {**next(people), "function": functions[role][index % 3]} for role in MentorRole}
            | {role: next(people) for role in roles},
            by=author,
        )

    with clock.at(sitting + dt.timedelta(minutes=55)):
        deck = slides_pdf(challenge.name, _slides(challenge))
        edits.attach_pitch_deck(
            challenge, ContentFile(deck, name=f"pitch-{_slug(challenge.name)}.pdf"), by=author
        )


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", ascii_slug_part(name)).strip("-")


def _slides(challenge) -> list[tuple[str, list[str]]]:
    def lines(text, count=9):
        return textwrap.wrap(text.replace("\n", " "), 78)[:count]

    positions = challenge.eig_positions.order_by("rank")
    mentors = challenge.mentors.all()
    return [
        (
            challenge.name,
            [*lines(challenge.summary, 3), "", challenge.administration.name, str(challenge.promotion.call)],
        ),
        ("La problématique", lines(challenge.problem)),
        ("Le défi", lines(challenge.solution)),
        (
            "Les EIG recherchés",
            [f"EIG {position.rank} – {position.profile_label}" for position in positions],
        ),
        (
            "L’équipe",
            [f"{member.name}, {member.function}" for member in challenge.team_members.all()]
            + [f"{mentor.get_role_display()} : {mentor.full_name}" for mentor in mentors],
        ),
        ("Les données", lines(challenge.datasets)),
        ("L’impact attendu", lines(challenge.expected_benefits)),
        ("Pourquoi le programme EIG ?", lines(challenge.motivation)),
    ]


# Replaying the lifecycle ---------------------------------------------------------------------


def _fate(title) -> tuple[str, str | None]:
    fate = data()["fates"][title]
    return (fate["state"], fate.get("through")) if isinstance(fate, dict) else (fate, None)


def moment(name: str, index: int) -> dt.datetime:
    """When challenge n° `index` makes the move `name` (data: `moves` of promotion-3.yml)."""
    timing = data()["moves"][name]
    per_day = timing.get("per_day", 10_000)
    return (
        paris(timing["at"])
        + dt.timedelta(days=index // per_day)
        + dt.timedelta(minutes=timing["step_minutes"] * (index % per_day))
    )


def actor_of(name, challenge, *, manager, contacts):
    """Who makes a move, as the lifecycle's table says: the administration for its own moves,
    the system for the scheduled ones, the programme manager for the others."""
    move = workflow.move(name)
    if move.by_contact:
        return contacts.get(challenge.administration_id, manager)
    return SYSTEM if move.scheduled else manager


def _path(title) -> list:
    state, through = _fate(title)
    return workflow.path_to(state, through=through)


RECRUIT = "recruit"  # not a move: the EIGs recorded and the mentors confirmed, before the start
MESSAGE = "message"  # not a move: a message or a note of the case's conversation


def _post(challenge, number, *, manager, contacts):
    """Message n° `number` of the challenge's conversation (data: `conversations`)."""
    thread = next(item for item in data()["conversations"] if item["challenge"] == challenge.name)
    entry = thread["messages"][number]
    author = manager if entry["by"] == "manager" else contacts[challenge.administration_id]
    attachment = None
    if "attachment" in entry:
        attached = entry["attachment"]
        content = slides_pdf(attached["title"], [(title, lines) for title, lines in attached["slides"]])
        attachment = SimpleUploadedFile(attached["name"], content, content_type="application/pdf")
    post = conversations.post_note if entry.get("kind") == "note" else conversations.post_message
    post(challenge, by=author, body=entry["body"], attachment=attachment)


def _replay(challenges, *, manager, contacts, people, password):
    """Every move of every challenge, in the order of the calendar, each at its moment; the
    jury's steps between the invitations to pitch and the selections; before the winter, the
    recruited EIGs and the mentors' confirmations of those that will start."""
    confirmed_at = _dates()["mentors_confirmed_at"]
    steps = sorted(
        [
            (moment(name, index), index, name)
            for index, challenge in enumerate(challenges)
            for name in _path(challenge.name)
        ]
        + [
            (confirmed_at + dt.timedelta(minutes=index), index, RECRUIT)
            for index, challenge in enumerate(challenges)
            if TransitionName.START in _path(challenge.name)
            or challenge.name in candidates.eig3().get("ready_to_start", [])
        ]
    )
    by_name = {challenge.name: index for index, challenge in enumerate(challenges)}
    steps = sorted(
        steps
        + [
            (paris(str(entry["at"])), by_name[thread["challenge"]], MESSAGE, number)
            for thread in data().get("conversations", [])
            for number, entry in enumerate(thread["messages"])
        ],
        key=lambda step: step[:2],
    )
    current = dict(enumerate(challenges))
    with contextlib.ExitStack() as acts:
        sitting = _JurySitting(current, by_name, manager=manager, password=password, acts=acts)
        steps = sorted(
            steps + sitting.steps() + _candidates_steps(manager=manager, password=password, acts=acts),
            key=lambda step: step[:2],
        )
        _replay_steps(steps, current, acts, manager=manager, contacts=contacts, people=people)


def _replay_steps(steps, current, acts, *, manager, contacts, people):
    # The same move by the same person on the same day is one decision act (a bulk move): its
    # e-mails wait in one review for the manager to read (`outbox.review_of_act`).
    reviews = {}
    for at, index, name, *extra in steps:
        with clock.at(at):
            if name in (JURY, CANDIDATES):
                extra[0]()  # the jury's or the candidates' call's step itself
                continue
            challenge = current[index]
            if name == RECRUIT:
                _recruit(challenge, people, manager=manager)
                continue
            if name == MESSAGE:
                _post(challenge, extra[0], manager=manager, contacts=contacts)
                continue
            timing = data()["moves"][name]
            actor = actor_of(name, challenge, manager=manager, contacts=contacts)
            act = (name, timezone.localdate(at), getattr(actor, "pk", None))
            if act not in reviews:
                reviews[act] = acts.enter_context(outbox.review_of_act(by=actor, transition=name))
            hold = {outbox.HOLD_MAIL: reviews[act]}
            if name == TransitionName.REQUEST_CORRECTIONS:  # the sections and the last day too
                current[index] = corrections.request(
                    challenge,
                    sections=timing["sections"],
                    what=timing["reason"],
                    due_on=timing["due_on"],
                    by=manager,
                    options=hold,
                )
                continue
            current[index] = services.transition(
                challenge, name, by=actor, reason=timing["reason"], options=hold
            )


def _candidates_steps(*, manager, password, acts) -> list:
    """Promotion 3's candidates' call (data: candidates-eig-3.yml) as steps of the replay."""
    entry = candidates.eig3()
    call = Promotion.objects.select_related("call").get(number=entry["promotion"]).call
    replay = CandidatesCall(
        call,
        entry["candidates"],
        manager=manager,
        moment=candidates.paris,
        acts=acts,
        password=password,
        places=entry.get("places"),
        mentor=entry.get("mentor"),
        retention_at=entry.get("retention_run_at"),
    )
    return [(at, 0, CANDIDATES, action) for at, action in replay.steps()]


# The jury of July 2018 ----------------------------------------------------------------------

JURY = "jury"  # not a move: a step of the jury (jury.services), between the pitch and the selections


def _jury_data() -> dict:
    return data().get("jury") or {}


def _jury_logins() -> list[dict]:
    """The jury members who sign in to the demo, with its password (data: a `username`)."""
    return [entry for entry in _jury_data().get("members", []) if "username" in entry]


def _jury_account(entry, password):
    """A jury member's account: a demo login has the demo's password; another member's account
    is named after their address, as an accepted invitation names it, and has no password."""
    login = "username" in entry
    return create_user(
        entry["username"] if login else entry["email"].lower(),
        role=Role.JURY_MEMBER,
        by=SYSTEM,
        password=password if login else None,
        email=entry["email"],
        first_name=entry["first_name"],
        last_name=entry["last_name"],
    )


def _full_name(entry) -> str:
    return f"{entry['first_name']} {entry['last_name']}"


class _JurySitting:
    """The jury of promotion 3 (data: `jury`) as steps of the replay, each a call of
    `jury.services` at its moment: the members' accounts and seats (an existing jury member's
    account is seated at once), the sub-juries, the conflicts of interest, the auditions planned
    (their e-mails to the administrations go to the outbox), each collective grid at the end of
    its audition by the sub-jury's rapporteur, each member's general grid after their last
    audition, and the closing by the manager. Members are named by their full name in the data,
    challenges by their title."""

    def __init__(self, current, by_name, *, manager, password, acts):
        self.entry = _jury_data()
        # The planning of the auditions is one act: its e-mails wait in one review, like a move's.
        self.acts, self.review = acts, None
        self.current, self.by_name = current, by_name
        self.manager, self.password = manager, password
        self.members = {}  # full name -> JuryMember
        self.sub_juries = {}  # name -> SubJury
        self.heard_by = {  # challenge -> the data of the sub-jury that hears it
            slot["challenge"]: sub_jury
            for sub_jury in self.entry.get("sub_juries", [])
            for slot in sub_jury["slots"]
        }

    def challenge(self, title):
        return self.current[self.by_name[title]]

    @property
    def promotion(self):
        return Promotion.objects.select_related("call").get(number=data()["promotion"]["number"])

    @property
    def jury(self):
        return jury_services.jury_of(self.promotion)

    def steps(self) -> list:
        entry = self.entry
        if not entry:
            return []
        slot_length = dt.timedelta(minutes=entry["slot_minutes"])
        steps = []
        seated = paris(entry["seated_at"])
        for number, member in enumerate(entry["members"]):
            steps.append((seated + dt.timedelta(minutes=number), partial(self.seat, member)))
        formed = paris(entry["sub_juries_at"])
        for number, sub_jury in enumerate(entry["sub_juries"]):
            steps.append((formed + dt.timedelta(minutes=5 * number), partial(self.form, sub_jury)))
        for conflict in entry.get("conflicts", []):
            steps.append((paris(conflict["at"]), partial(self.conflict, conflict)))
        planned = paris(entry["planned_at"])
        slots = [(sub_jury, slot) for sub_jury in entry["sub_juries"] for slot in sub_jury["slots"]]
        last_audition = {}  # member -> when their last audition ends
        for number, (sub_jury, slot) in enumerate(slots):
            starts_at = paris(slot["starts_at"])
            steps.append((planned + dt.timedelta(minutes=5 * number), partial(self.plan, sub_jury, slot)))
            deliberation = starts_at + dt.timedelta(minutes=entry["grid_after_minutes"])
            steps.append((deliberation, partial(self.grid, slot)))
            for name in sub_jury["members"]:
                last_audition[name] = max(last_audition.get(name, starts_at), starts_at + slot_length)
        for revision in entry.get("revisions", []):
            steps.append((paris(revision["at"]), partial(self.revise, revision)))
        # Each member's general grid after their last audition, the sub-jury's members in turn.
        after = dt.timedelta(minutes=entry["general_grid_after_minutes"])
        general_grids, given = entry.get("general_grids", {}), set()
        for sub_jury in entry["sub_juries"]:
            for number, name in enumerate(sub_jury["members"]):
                if name in general_grids and name not in given:
                    given.add(name)
                    moment = last_audition[name] + after + dt.timedelta(minutes=3 * number)
                    steps.append((moment, partial(self.general_grid, name, general_grids[name])))
        steps.append((paris(entry["closed_at"]), self.close))
        return [(at, 0, JURY, action) for at, action in steps]

    def seat(self, entry):
        account = _jury_account(entry, self.password)
        self.members[_full_name(entry)] = jury_services.invite_member(
            self.jury,
            email=account.email,
            first_name=entry["first_name"],
            last_name=entry["last_name"],
            kind=entry["kind"],
            organisation=entry.get("organisation", ""),
            by=self.manager,
        )

    def form(self, entry):
        sub_jury = jury_services.create_sub_jury(self.jury, name=entry["name"], by=self.manager)
        members = [self.members[name] for name in entry["members"]]
        self.sub_juries[entry["name"]] = jury_services.set_members(sub_jury, members, by=self.manager)

    def conflict(self, entry):
        member = self.members[entry["member"]]
        by = member.user if entry["by"] == "member" else self.manager
        jury_services.declare_conflict(
            member, self.challenge(entry["challenge"]), reason=entry["reason"], by=by
        )

    def plan(self, sub_jury, entry):
        if self.review is None:
            self.review = self.acts.enter_context(
                outbox.review_of_act(by=self.manager, event=MessageEvent.PITCH_SLOT_PLANNED)
            )
        starts_at = paris(entry["starts_at"])
        jury_services.plan_slot(
            self.challenge(entry["challenge"]),
            sub_jury=self.sub_juries[sub_jury["name"]],
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=self.entry["slot_minutes"]),
            place=entry.get("place", ""),
            video_link=entry.get("video_link", ""),
            by=self.manager,
            hold=self.review,
        )

    def rapporteur(self, title):
        """The account of the member who writes the collective grid of the challenge `title`."""
        return self.members[self.heard_by[title]["rapporteur"]].user

    def grid(self, entry):
        title = entry["challenge"]
        marks = [  # one [score, comment] per criterion of the call, in their order
            jury_services.Mark(criterion.pk, value, comment)
            for criterion, (value, comment) in zip(
                criteria.of_call(self.promotion.call), entry["grid"], strict=True
            )
        ]
        jury_services.save_grid(self.challenge(title), marks, by=self.rapporteur(title))

    def revise(self, entry):
        """A score changed after the audition (`criterion`: its rank among the call's criteria)."""
        title = entry["challenge"]
        criterion = criteria.of_call(self.promotion.call)[entry["criterion"] - 1]
        jury_services.save_grid(
            self.challenge(title),
            [jury_services.Mark(criterion.pk, entry["value"], entry["comment"])],
            by=self.rapporteur(title),
        )

    def general_grid(self, name, verdicts):
        """`verdicts`: [challenge, favourable | unfavourable | favourite, preference, explanation]."""
        member = self.members[name]
        jury_services.save_general_grid(
            member,
            [
                jury_services.Verdict(
                    challenge_id=self.challenge(title).pk,
                    favourable=opinion in ("favourable", "favourite"),
                    preference=preference,
                    explanation=explanation,
                    favourite=opinion == "favourite",
                )
                for title, opinion, preference, explanation in verdicts
            ],
            by=member.user,
        )

    def close(self):
        jury_services.close(self.jury, by=self.manager)


def _recruit(challenge, people, *, manager):
    """The EIGs the autumn call recruited besides the candidates who accepted the challenge
    (recorded by hand, as before the platform; the accepted candidates become EIGs at its start),
    and both mentors confirmed: one audited change."""
    recruited_on = _dates()["recruited_on"]
    with edits.recording_dossier_changes(challenge, by=manager):
        _record_recruits(challenge, people, manager=manager, recruited_on=recruited_on)


def _record_recruits(challenge, people, *, manager, recruited_on):
    accepted = teams.accepted(challenge).count()
    for position in list(challenge.eig_positions.order_by("rank"))[accepted:]:
        person = next(people)
        edits.add_entrepreneur(
            challenge,
            by=manager,
            first_name=person["first_name"],
            last_name=person["last_name"],
            email=person["email"],
            profile=position.profile,
            recruited_on=recruited_on,
        )
    _confirm_mentors(challenge, manager)


def _confirm_mentors(challenge, manager):
    for mentor in challenge.mentors.order_by("role"):
        edits.confirm_mentor(
            challenge, mentor.role, by=manager, **{name: getattr(mentor, name) for name in MENTOR_FIELDS}
        )


def _date_challenges_by_their_trail():
    """Created and modified at the dates of their first and last audit events, not today's: the
    rows' own timestamps, which are not part of the dossier (nor of its audit)."""
    dates = AuditEvent.objects.values("challenge").annotate(first=Min("created_at"), last=Max("created_at"))
    for row in dates:
        if row["challenge"] is not None:
            Challenge.objects.filter(pk=row["challenge"]).update(
                created_at=row["first"], updated_at=row["last"]
            )
