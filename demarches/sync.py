"""Syncing a démarche's dossiers into its promotion (`manage.py ds sync`, the scheduled job, the
démarche's page).

A pass reads the dossiers changed since the démarche's fixed `updatedSince`, a page of 100 at a
time from the last cursor reached. Each page is mapped (demarches/mapping.py), its attachments
downloaded and checked, then written in one transaction with the cursor that follows it: a page
that fails (an HTTP failure after the client's retries, any GraphQL error, partial data included)
writes nothing, and the next pass starts again from it. Within a page:

- a new dossier becomes a challenge in the state its DS state maps to, through the dossier's bulk
  creation, audited `ds_imported` with the dossier's number;
- a dossier already imported whose values are those of the last sync is unchanged (nothing written);
- a changed one is brought to DS's values through the dossier's edits, audited `ds_updated`, unless
  a decision of ours moved the challenge since the last sync: DS's values are then kept aside
  (`DsDossier.pending`) and reported for a manager (applied or dismissed from the démarche's page),
  never written over ours; a change of state on DS is reported alike (our states move only by
  `lifecycle.services.transition`);
- a dossier that cannot be imported (no name, an ambiguous administration, a text too long for the
  call, an attachment that is not a PDF, too large, or whose checksum differs) is refused with its
  reason, nothing of it written; the next pass tries it again (an expired attachment's URL is
  asked again at once, once).

The dossiers deleted on DS (`deletedDossiers`) are reported, their challenges kept (the trail).
"""

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from demarches import mapping as ds_mapping
from demarches.client import DownloadError, DsClient, DsError, checksum_of
from demarches.models import Demarche, DsDossier, LinkStatus, SyncRun, SyncStatus
from importing.administrations import Directory, MatchError, inferred_kind, supervising_ministry
from lifecycle import audit, clock, pitch_deck, rules
from lifecycle.dossier import edits
from lifecycle.dossier.edits import recording_dossier_changes
from lifecycle.enums import AdministrationKind, AuditKind, ChallengeState
from lifecycle.models import Administration, Challenge, TeamMember

K = AdministrationKind
# The first pass's `updatedSince`: before any EIG démarche (kept for every later pass).
FIRST_UPDATED_SINCE = dt.datetime(2016, 1, 1, tzinfo=dt.UTC)
PDF_TYPES = {"application/pdf"}


def check_manager(by):
    """The démarches are the programme's: a programme manager's acts (or the system's jobs)."""
    if not (rules.is_system(by) or rules.is_programme_manager(by)):
        raise PermissionDenied("Seul·e un·e chargé·e de programme gère les démarches.")


class SyncError(Exception):
    """A sync that could not start or stopped: the message says why, in French."""


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    reported: int = 0  # changed on DS after a decision, or whose state changed on DS
    deleted: int = 0
    pages: int = 0
    refusals: list[tuple[int, str]] = field(default_factory=list)
    error: str = ""
    dry_run: bool = False
    seconds_on_ds: float = 0.0
    # The démarche as DS described it, and the mapping checked against its champs (`mapping.check`:
    # what a dry run shows); None and [] when DS did not answer.
    described: dict | None = field(default=None, repr=False)
    lines: list = field(default_factory=list, repr=False)

    @property
    def refused(self) -> int:
        return len(self.refusals)

    @property
    def seen(self) -> int:
        return self.created + self.updated + self.unchanged + self.reported + self.refused

    def summary(self) -> str:
        head = "Essai à blanc, rien n’a été écrit : " if self.dry_run else ""
        text = (
            f"{head}{self.created} créé(s), {self.updated} mis à jour, {self.unchanged} inchangé(s), "
            f"{self.refused} refusé(s), {self.reported} signalé(s) à un·e chargé·e de programme, "
            f"{self.deleted} supprimé(s) sur DS ({self.pages} page(s))"
        )
        for number, reason in self.refusals:
            text += f"\n  dossier {number} refusé : {reason}"
        if self.error:
            text += f"\nInterrompue : {self.error}"
        return text


class _DryRun(Exception):
    """Raised at the end of a dry run to roll back everything it wrote."""


def digest_of(mapped: ds_mapping.Mapped) -> str:
    return hashlib.sha256(json.dumps(mapped.values(), sort_keys=True, default=str).encode()).hexdigest()


def subject_of(demarche: Demarche, number: int) -> str:
    return f"ds:{demarche.number}/{number}"


def reason_of(demarche: Demarche, number: int) -> str:
    return f"dossier n° {number} de la démarche démarches-simplifiées n° {demarche.number}"


@dataclass
class Item:
    """A dossier of the page on its way: mapped, then planned (its administration, its file)."""

    node: dict
    mapped: ds_mapping.Mapped
    digest: str
    link: DsDossier | None
    administration: Administration | None = None
    deck: bytes = b""
    deck_pages: int | None = None
    force_download: bool = False  # a manager's "apply": the file fetched again whatever its checksum


class Sync:
    def __init__(self, demarche: Demarche, *, by, client: DsClient, progress=None, dry_run=False, run=None):
        self.demarche, self.by, self.client, self.dry_run = demarche, by, client, dry_run
        self.progress: Callable[[str], None] = progress or (lambda text: None)
        self.report = SyncReport(dry_run=dry_run)
        self.sync_run = run  # its counts follow the pages, for the démarche's page
        self.promotion = demarche.promotion
        self.call = self.promotion.call
        self.profiles = ds_mapping.ProfileReader(self.call, demarche.mapping.get("profiles"))
        self.directory = Directory.from_database()
        self.max_slides = self.call.max_pitch_slides
        self.stored: list[str] = []

    # A page ---------------------------------------------------------------------------------

    def page(self, nodes: list[dict], *, cursor: str | None = None, retried: bool = False):
        """Map, plan and write one page in one transaction (with the cursor after it)."""
        links = {
            link.number: link
            for link in DsDossier.objects.filter(
                demarche=self.demarche, number__in=[node["number"] for node in nodes]
            ).select_related("challenge")
        }
        items, refusals = [], []
        for node in nodes:
            mapped = ds_mapping.map_dossier(node, self.demarche.mapping, self.profiles)
            item = Item(node, mapped, digest_of(mapped), links.get(mapped.number))
            if mapped.problems:
                refusals.append((item, " ; ".join(mapped.problems)))
            elif (
                item.link is not None
                and item.link.digest == item.digest
                and item.link.status != LinkStatus.REFUSED
            ):
                self.report.unchanged += 1
            else:
                items.append(item)
        items = self.plan(items, refusals)
        self.stored = []  # the pitch decks this page stores: deleted if it rolls back
        try:
            self._write_page(items, refusals, links, cursor)
        except Exception:
            storage = Challenge._meta.get_field("pitch_deck").storage
            for name in self.stored:
                storage.delete(name)
            raise

    def _write_page(self, items, refusals, links, cursor):
        with transaction.atomic():
            new = [item for item in items if item.link is None or item.link.challenge_id is None]
            self._create(new, refusals)
            for item in items:
                if item not in new:
                    self._update(item, refusals)
            self._refuse(refusals, links)
            if cursor and not self.dry_run:
                Demarche.objects.filter(pk=self.demarche.pk).update(cursor=cursor)
                self.demarche.cursor = cursor

    def plan(self, items: list[Item], refusals: list) -> list[Item]:
        """Each item's administration, name and attachment checked; the refused ones set aside."""
        names = self._names_taken([item.mapped.fields["name"] for item in items])
        planned, page_names = [], set()
        for item in items:
            mapped = item.mapped
            name = mapped.fields["name"]
            owner = names.get(name)
            challenge_id = item.link.challenge_id if item.link else None
            if (owner is not None and owner != challenge_id) or (challenge_id is None and name in page_names):
                refusals.append((item, f"un autre défi de la promotion s’appelle déjà « {name} »"))
                continue
            page_names.add(name)
            try:
                item.administration = self._administration(mapped)
                self._normalized(mapped)
                self._attachment(item)
            except (MatchError, ValidationError, DownloadError) as error:
                refusals.append((item, _message(error)))
                continue
            planned.append(item)
        return planned

    def _names_taken(self, names: list[str]) -> dict[str, int]:
        return dict(
            Challenge.objects.filter(promotion=self.promotion, name__in=names).values_list("name", "pk")
        )

    def _administration(self, mapped: ds_mapping.Mapped) -> Administration:
        """The administration the dossier names (by SIRET, name or acronym), else a new one
        (saved with the page; `importing.administrations` decides its kind as for a file)."""
        found = self.directory.match(mapped.administration, siret=mapped.siret)
        if found is not None:
            return found
        kind = inferred_kind(mapped.administration)
        ministry = None
        if kind == K.MINISTRY_OPERATOR:
            name = supervising_ministry(mapped.administration)
            ministry = self.directory.match(name) if name else None
            if name and ministry is None:
                ministry = Administration(name=name, kind=K.MINISTRY)
                self.directory.add(ministry)
            if ministry is None or ministry.kind != K.MINISTRY:
                kind, ministry = K.MINISTRY, None  # as the file import does: a manager corrects it
        administration = Administration(
            name=mapped.administration, siret=mapped.siret, kind=kind, ministry=ministry
        )
        administration.clean_fields(exclude=["ministry"])  # its kind and ministry are decided above
        self.directory.add(administration)
        return administration

    @staticmethod
    def _normalized(mapped: ds_mapping.Mapped):
        """What DS leaves empty, as our dossier holds it: an optional person not filled in is no
        person; a yes/no not answered, its field's default. (The rows' checks are the dossier's:
        `edits.create_challenges`, `set_team`, `set_people`.)"""
        for role, values in list(mapped.people.items()):
            if not any(values.values()):
                del mapped.people[role]
        for name, value in list(mapped.fields.items()):
            model_field = Challenge._meta.get_field(name)
            if value is None and not model_field.null:
                mapped.fields[name] = model_field.get_default()

    def _attachment(self, item: Item):
        """Download and check the pitch deck when it is new or changed; its URL expires (about an
        hour): a refused download asks DS for the dossier again (a new URL), once."""
        attachment = item.mapped.attachment
        known = item.link.attachment_checksum if item.link else ""
        if attachment is None or self.dry_run or (attachment.checksum == known and not item.force_download):
            return  # none, or the file imported already (DS's checksum unchanged)
        if attachment.content_type not in PDF_TYPES:
            raise ValidationError(
                f"présentation « {attachment.filename} » : un PDF est attendu "
                f"(reçu {attachment.content_type})"
            )
        if attachment.size > pitch_deck.MAX_BYTES:
            raise ValidationError(
                f"présentation « {attachment.filename} » : {pitch_deck.too_large_message()}"
            )
        try:
            content = self.client.download(attachment.url, max_bytes=pitch_deck.MAX_BYTES)
        except DownloadError:
            fresh = self.client.dossier(item.mapped.number)
            again = ds_mapping.map_dossier(fresh, self.demarche.mapping, self.profiles).attachment
            if again is None:
                raise
            content = self.client.download(again.url, max_bytes=pitch_deck.MAX_BYTES)
        if checksum_of(content) != attachment.checksum:
            raise ValidationError(
                f"présentation « {attachment.filename} » : somme de contrôle différente de celle de DS "
                "(fichier altéré ou incomplet)"
            )
        item.deck = content
        item.deck_pages = pitch_deck.count_slides(content, max_slides=self.max_slides)

    # Writing --------------------------------------------------------------------------------

    def _create(self, items: list[Item], refusals: list):
        """The new dossiers of the page, in bulk; those the dossier's checks refuse (the call's
        line limits among them) are set aside and the others created without them."""
        entries = [(item, self._new_challenge(item)) for item in items]
        while entries:
            try:
                challenges = edits.create_challenges([entry for _, entry in entries], by=self.by)
                break
            except edits.InvalidEntries as error:
                refusals.extend((entries[index][0], problem) for index, problem in error.problems.items())
                entries = [pair for index, pair in enumerate(entries) if index not in error.problems]
        else:
            return
        self.stored += [challenge.pitch_deck.name for challenge in challenges if challenge.pitch_deck]
        DsDossier.objects.bulk_create(
            [
                self._link(item, challenge, status=LinkStatus.IMPORTED)
                for (item, _), challenge in zip(entries, challenges, strict=True)
            ],
            update_conflicts=True,
            unique_fields=["demarche", "number"],
            update_fields=[
                "challenge",
                "status",
                "ds_state",
                "ds_updated_at",
                "digest",
                "synced_state",
                "problem",
                "pending",
                "attachment_checksum",
            ],
        )
        self.report.created += len(challenges)

    def _new_challenge(self, item: Item) -> edits.NewChallenge:
        mapped = item.mapped
        fields = {name: value for name, value in mapped.fields.items() if name != "name"}
        return edits.NewChallenge(
            promotion=self.promotion,
            administration=item.administration,
            name=mapped.fields["name"],
            fields=fields,
            profiles=mapped.profiles[: self.call.max_eigs_per_challenge],
            positions=mapped.positions[: self.call.max_eigs_per_challenge] if mapped.positions else None,
            team=mapped.team or [],
            people=mapped.people,
            pitch_deck=item.deck,
            pitch_deck_pages=item.deck_pages,
            state=mapped.state,
            audit_kind=AuditKind.DS_IMPORTED,
            audit_subject=subject_of(self.demarche, mapped.number),
            audit_reason=reason_of(self.demarche, mapped.number),
        )

    def _link(self, item: Item, challenge, *, status, problem="", pending=None) -> DsDossier:
        link = item.link or DsDossier(demarche=self.demarche, number=item.mapped.number)
        link.challenge = challenge
        link.status, link.problem, link.pending = status, problem, pending or {}
        link.ds_state = item.mapped.ds_state
        link.ds_updated_at = parse_datetime(item.mapped.updated_at)
        link.digest = item.digest
        link.synced_state = challenge.state if challenge is not None else ""
        if item.deck:  # the file written with these values
            link.attachment_checksum = item.mapped.attachment.checksum
        return link

    def _update(self, item: Item, refusals: list):
        """An imported dossier changed on DS: written through the dossier's edits when no decision
        of ours came since the last sync, else kept aside for a manager."""
        link, mapped = item.link, item.mapped
        challenge = link.challenge
        decided = challenge.state != link.synced_state
        state_changed = mapped.state != challenge.state and link.ds_state != mapped.ds_state
        if not (decided or state_changed):
            self.write(item, refusals)
            return
        if decided:
            problem = f"modifié sur DS après une décision (état ici : {challenge.get_state_display()})"
        else:
            problem = (
                f"état changé sur DS ({_ds_state(link.ds_state)} → {_ds_state(mapped.ds_state)}) : "
                "à décider ici"
            )
        synced_state = link.synced_state
        with transaction.atomic():
            audit.record(
                challenge,
                AuditKind.DS_UPDATED,
                by=self.by,
                subject=subject_of(self.demarche, mapped.number),
                reason=f"{reason_of(self.demarche, mapped.number)} : {problem} ; "
                + ("valeurs de DS en attente" if decided else "ses autres valeurs appliquées"),
            )
            pending = {"differences": differences(challenge, mapped)}
            self._link(
                item, challenge, status=LinkStatus.CHANGED_AFTER_DECISION, problem=problem, pending=pending
            )
            if decided:
                link.synced_state = synced_state  # until a manager applies or dismisses DS's values
            link.save()
        self.report.reported += 1
        if not decided:
            self.write(item, refusals, count=False)

    def write(self, item: Item, refusals: list, *, count=True):
        link, mapped = item.link, item.mapped
        new = [one for one in (item.administration, item.administration.ministry) if one and one.pk is None]
        try:
            with transaction.atomic():
                edits.save_new_administrations([item.administration])
                apply(self.demarche, link.challenge, mapped, item.administration, deck=item.deck, by=self.by)
                link.challenge.refresh_from_db()
                status = (
                    link.status if link.status == LinkStatus.CHANGED_AFTER_DECISION else LinkStatus.IMPORTED
                )
                self._link(item, link.challenge, status=status, problem=link.problem, pending=link.pending)
                link.save()
        except (ValidationError, PermissionDenied) as error:
            for administration in new:  # rolled back: not in the database any more
                administration.pk, administration._state.adding = None, True
            refusals.append((item, _message(error)))
            return
        if item.deck:
            self.stored.append(link.challenge.pitch_deck.name)
        if count:
            self.report.updated += 1

    def _refuse(self, refusals: list, links: dict):
        for item, reason in sorted(refusals, key=lambda refusal: refusal[0].mapped.number):
            number = item.mapped.number
            self.report.refusals.append((number, reason))
            link = links.get(number)
            if link is not None and link.challenge_id is not None:
                # An imported dossier whose new values are refused keeps its challenge as it was;
                # refused, it is read again at the next sync and listed for a manager.
                DsDossier.objects.filter(pk=link.pk).update(
                    status=LinkStatus.REFUSED, problem=reason, digest=""
                )
                continue
            DsDossier.objects.update_or_create(
                demarche=self.demarche,
                number=number,
                defaults={
                    "status": LinkStatus.REFUSED,
                    "problem": reason,
                    "ds_state": item.mapped.ds_state,
                    "ds_updated_at": parse_datetime(item.mapped.updated_at),
                    "digest": "",
                },
            )

    # The pass -------------------------------------------------------------------------------

    def run(self) -> SyncReport:
        demarche = self.demarche
        described = self.client.demarche(demarche.number)
        self.report.described = described
        if described["title"] != demarche.title and not self.dry_run:
            Demarche.objects.filter(pk=demarche.pk).update(title=described["title"][:300])
            demarche.title = described["title"][:300]
        self.report.lines = ds_mapping.check(demarche.mapping, described)
        blocking = ds_mapping.blocking(self.report.lines)
        if blocking:
            raise SyncError("La correspondance ne tient plus :\n" + "\n".join(blocking))
        if not (demarche.mapping.get("champs") or {}):
            raise SyncError(
                f"La démarche {demarche.number} n’a pas de correspondance : rien ne serait importé."
            )
        # The deletions first: a refused dossier deleted since is not asked for again.
        self._deleted()
        self._retry_refused()
        since = demarche.updated_since or FIRST_UPDATED_SINCE
        if demarche.updated_since is None and not self.dry_run:
            Demarche.objects.filter(pk=demarche.pk).update(updated_since=since)
            demarche.updated_since = since
        for page in self.client.dossier_pages(
            demarche.number, updated_since=since.isoformat(), after=demarche.cursor or None
        ):
            self.page(page.nodes, cursor=page.end_cursor)
            self.report.pages += 1
            if self.sync_run is not None:
                SyncRun.objects.filter(pk=self.sync_run.pk).update(**_counts(self.report))
            self.progress(
                f"Page {self.report.pages} : {len(page.nodes)} dossier(s) ; au total {self.report.seen} "
                f"({self.report.created} créé(s), {self.report.updated} mis à jour, "
                f"{self.report.refused} refusé(s))"
            )
        return self.report

    def _retry_refused(self):
        """The dossiers refused last time (a new one, or an update), each read again from DS; one
        DS no longer answers for stays refused, with DS's answer as its reason."""
        numbers = list(
            DsDossier.objects.filter(demarche=self.demarche, status=LinkStatus.REFUSED).values_list(
                "number", flat=True
            )
        )
        if not numbers:
            return
        self.progress(f"Dossiers refusés la dernière fois, essayés à nouveau : {len(numbers)}")
        nodes = []
        for number in numbers:
            try:
                nodes.append(self.client.dossier(number))
            except DsError as error:
                self.report.refusals.append((number, str(error)))
                DsDossier.objects.filter(demarche=self.demarche, number=number).update(problem=str(error))
        if nodes:
            self.page(nodes)

    def write_again(self, link: DsDossier) -> str:
        """One imported dossier read again from DS and written over ours (a manager's answer to
        DS's values kept aside): "" when written, else the reason it was refused."""
        node = self.client.dossier(link.number)
        mapped = ds_mapping.map_dossier(node, self.demarche.mapping, self.profiles)
        if mapped.problems:
            return " ; ".join(mapped.problems)
        item = Item(node, mapped, digest_of(mapped), link, force_download=True)
        refusals = []
        planned = self.plan([item], refusals)
        if planned:
            self.write(planned[0], refusals)
        return refusals[0][1] if refusals else ""

    def _deleted(self):
        demarche, latest = self.demarche, self.demarche.deleted_since
        since = demarche.deleted_since.isoformat() if demarche.deleted_since else None
        for page in self.client.deleted_pages(demarche.number, since=since):
            numbers = {node["number"]: node for node in page.nodes}
            with transaction.atomic():
                for link in DsDossier.objects.filter(demarche=demarche, number__in=numbers).exclude(
                    status=LinkStatus.DELETED
                ):
                    node = numbers[link.number]
                    link.status = LinkStatus.DELETED
                    when = parse_datetime(node["dateSupression"])
                    why = ds_mapping.DELETION_REASONS.get(node["reason"], node["reason"])
                    link.problem = f"supprimé sur DS le {timezone.localtime(when):%d/%m/%Y} ({why})"
                    link.save(update_fields=["status", "problem", "seen_at"])
                    if link.challenge_id:
                        audit.record(
                            link.challenge,
                            AuditKind.DS_UPDATED,
                            by=self.by,
                            subject=subject_of(demarche, link.number),
                            reason=f"{reason_of(demarche, link.number)} : {link.problem} ; le défi est gardé",
                        )
                    self.report.deleted += 1
                for node in page.nodes:
                    when = parse_datetime(node["dateSupression"])
                    latest = max(latest, when) if latest else when
                if latest and not self.dry_run:
                    Demarche.objects.filter(pk=demarche.pk).update(deleted_since=latest)


def _team_row(member: TeamMember) -> dict:
    return {name: getattr(member, name) for name in ds_mapping.COLUMNS["team"] if name}


def differences(challenge: Challenge, mapped: ds_mapping.Mapped) -> list[list[str]]:
    """What DS says that differs from the challenge: [label, ours, DS's], for a manager to read."""
    rows = []
    if mapped.state != challenge.state:
        rows.append(
            [
                "état",
                str(challenge.get_state_display()),
                f"{_ds_state(mapped.ds_state)} (ici : {ChallengeState(mapped.state).label})",
            ]
        )
    for name, value in mapped.fields.items():
        if differs(challenge, name, value):
            label = str(Challenge._meta.get_field(name).verbose_name)
            rows.append([label, _short(getattr(challenge, name)), _short(value)])
    return rows


def _ds_state(state: str) -> str:
    return ds_mapping.DS_STATE_LABELS.get(state, state)


def differs(challenge: Challenge, name: str, value) -> bool:
    """Whether DS's value of a field is not the challenge's (read as the field reads it: "12.5"
    is 12.50 €)."""
    model_field = Challenge._meta.get_field(name)
    try:
        value = model_field.to_python(value)
    except ValidationError:
        return True
    return getattr(challenge, name) != value


def _short(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 300 else text[:299] + "…"


def _message(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def apply(
    demarche: Demarche, challenge: Challenge, mapped: ds_mapping.Mapped, administration, *, deck=b"", by
):
    """Bring the challenge to the DS dossier's values through the dossier's edits, in one audited
    `ds_updated` event naming the dossier."""
    number = mapped.number
    with recording_dossier_changes(
        challenge,
        by=by,
        kind=AuditKind.DS_UPDATED,
        subject=subject_of(demarche, number),
        reason=reason_of(demarche, number),
    ) as locked:
        changes = {name: value for name, value in mapped.fields.items() if differs(locked, name, value)}
        if administration.pk != locked.administration_id:
            changes["administration"] = administration
        if changes:
            edits.update_dossier(locked, changes, by=by)
        positions = list(locked.eig_positions.order_by("rank"))
        if mapped.positions is not None:
            edits.set_positions(
                locked, mapped.positions[: locked.promotion.call.max_eigs_per_challenge], by=by
            )
        elif mapped.profiles and [position.profile for position in positions] != mapped.profiles:
            edits.set_profiles(locked, mapped.profiles[: locked.promotion.call.max_eigs_per_challenge], by=by)
        team = list(locked.team_members.order_by("id"))
        if mapped.team is not None and [_team_row(member) for member in team] != mapped.team:
            # Row by row in their order: a kept row keeps its id (its person's trail).
            rows = [{**row, "pk": member.pk} for row, member in zip(mapped.team, team, strict=False)]
            edits.set_team(locked, rows + mapped.team[len(rows) :], by=by)
        if mapped.people:
            edits.set_people(locked, mapped.people, by=by)
        if deck:
            edits.attach_pitch_deck(locked, ContentFile(deck, name="pitch.pdf"), by=by)


def sync(
    demarche: Demarche, *, by, client: DsClient | None = None, progress=None, dry_run=False
) -> SyncReport:
    """One pass over the démarche, recorded as a `SyncRun` and audited (`ds_synced`); a dry run
    does it all and rolls everything back (no attachment downloaded)."""
    check_manager(by)
    run = None if dry_run else _start(demarche, by=by)
    own_client = client is None
    try:
        client = client or DsClient()
    except DsError as error:
        if run is not None:
            _finish(demarche, run, SyncReport(error=str(error)), by=by)
        raise SyncError(str(error)) from error
    worker = Sync(demarche, by=by, client=client, progress=progress, dry_run=dry_run, run=run)
    report = worker.report
    try:
        if dry_run:
            try:
                with transaction.atomic():
                    worker.run()
                    raise _DryRun
            except _DryRun:
                pass
        else:
            worker.run()
    except (DsError, SyncError) as error:
        report.error = str(error)
    except Exception as error:
        # Not one of DS's answers: a bug or the database. The run says so, then the error goes on.
        report.error = f"erreur inattendue ({type(error).__name__}) : les pages précédentes sont gardées"
        if run is not None:
            _finish(demarche, run, report, by=by)
        raise
    finally:
        report.seconds_on_ds = client.waited
        if own_client:
            client.close()
    if run is not None:
        _finish(demarche, run, report, by=by)
    return report


# A run still "running" after this long was abandoned (its process stopped): another may start.
ABANDONED_AFTER = dt.timedelta(hours=2)


def _start(demarche: Demarche, *, by) -> SyncRun:
    """The run of a new pass; refused while another pass of the démarche runs (two would read the
    same cursor and write the same dossiers). The démarche's row is locked for the check."""
    with transaction.atomic():
        Demarche.objects.select_for_update().filter(pk=demarche.pk).first()
        now = clock.now()
        running = demarche.runs.filter(status=SyncStatus.RUNNING)
        running.filter(started_at__lt=now - ABANDONED_AFTER).update(
            status=SyncStatus.FAILED, finished_at=now, error="abandonnée : son processus s’est arrêté"
        )
        if running.exists():
            raise SyncError(f"Une synchronisation de la démarche {demarche.number} est déjà en cours.")
        return SyncRun.objects.create(
            demarche=demarche, started_at=now, status=SyncStatus.RUNNING, by=_user(by)
        )


def _user(by):
    return None if rules.is_system(by) else by


def _counts(report: SyncReport) -> dict:
    return {
        name: getattr(report, name)
        for name in ("pages", "created", "updated", "unchanged", "refused", "reported", "deleted")
    }


def _finish(demarche: Demarche, run: SyncRun, report: SyncReport, *, by):
    with transaction.atomic():
        run.finished_at = clock.now()
        run.status = SyncStatus.FAILED if report.error else SyncStatus.SUCCEEDED
        for name, value in _counts(report).items():
            setattr(run, name, value)
        run.refusals = [[number, reason] for number, reason in report.refusals]
        run.error = report.error
        run.save()
        if not report.error:
            Demarche.objects.filter(pk=demarche.pk).update(last_synced_at=run.finished_at)
        audit.record(
            None,
            AuditKind.DS_SYNCED,
            by=by,
            subject=f"demarche:{demarche.pk}",
            reason=report.summary().split("\n")[0],
        )
