"""Writing validated rows: promotions, administrations and challenges, in one transaction.

New challenges go through the domain's bulk creation (`lifecycle.dossier.edits.create_challenges`),
changed ones through the dossier's edits, so that the import audits exactly as the other
interfaces do.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from importing import readers, rows
from importing.rows import Row
from lifecycle import clock
from lifecycle import profiles as lifecycle_profiles
from lifecycle.dossier import edits
from lifecycle.enums import AdministrationKind
from lifecycle.models import Administration, Challenge, Promotion
from lifecycle.promotions import configure_promotion

K = AdministrationKind
BATCH_SIZE = 500  # rows created together
PROGRESS_THRESHOLD = 200  # rows; larger files report their progress every 10 %


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count <= 1 else plural}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    administrations_created: int = 0
    promotions_created: int = 0
    # The calls the import created, with the profiles it gave them [(code, label)]: for a manager
    # to check (a skill the file names may be a typo).
    new_calls: list[tuple[Promotion, list[tuple[str, str]]]] = field(default_factory=list)
    challenges: dict[tuple[int, str], Challenge] = field(default_factory=dict, repr=False)

    def summary(self) -> str:
        text = (
            f"{_plural(self.created, 'défi créé', 'défis créés')}, {self.updated} mis à jour, "
            f"{_plural(self.unchanged, 'inchangé', 'inchangés')} ; "
            f"{_plural(self.administrations_created, 'administration créée', 'administrations créées')}"
        )
        if self.promotions_created:
            text += f" ; {_plural(self.promotions_created, 'promotion créée', 'promotions créées')}"
        for promotion, profiles in self.new_calls:
            listed = ", ".join(f"{code} ({label})" for code, label in profiles)
            text += (
                f"\nPromotion {promotion.number} ({promotion.name}, appel {promotion.year}, "
                f"{promotion.call.duration_months} mois), profils à vérifier : "
                f"{listed or 'aucun, à définir dans la configuration de l’appel'}"
            )
        return text


def _new_administrations(rows: list[Row]) -> list[Administration]:
    """The administrations the validation decided to create, each once, in the order of the rows
    and each one's ministry before it."""
    ordered, seen = [], set()

    def add(administration):
        if administration.pk is not None or id(administration) in seen:
            return
        seen.add(id(administration))
        if administration.ministry is not None:
            add(administration.ministry)
        ordered.append(administration)

    for row in rows:
        add(row.target)
    return ordered


def _create_administrations(rows: list[Row], report: ImportReport):
    """Save the new administrations in as few statements as their ministries allow: an operator
    whose ministry is new waits for the next statement, which then knows its ministry's id."""
    pending = _new_administrations(rows)
    while pending:
        size = next(
            (
                index
                for index, administration in enumerate(pending)
                if index and administration.ministry is not None and administration.ministry.pk is None
            ),
            len(pending),
        )
        batch, pending = pending[:size], pending[size:]
        for administration in batch:
            if administration.ministry is not None:
                administration.ministry = administration.ministry  # its id, now that it has one
            administration.full_clean(validate_unique=False, validate_constraints=False)
        Administration.objects.bulk_create(batch)
        report.administrations_created += len(batch)


def _promotions(rows: list[Row], report: ImportReport, *, by) -> dict[int, Promotion]:
    """The rows' promotions. A new one (or one without its call) is configured from the file:
    its call's year is the year before the one its EIGs start (the file's `year`), its duration the
    file's (else a call's own default), its profiles those the file names."""
    plans = {row.plan.number: row.plan for row in rows}
    promotions = {}
    for number, plan in sorted(plans.items()):
        if plan.call is not None:
            promotions[number] = plan.existing
            continue
        known = plan.existing
        promotion = configure_promotion(
            number=number,
            name=known.name if known else f"EIG {number}",
            year=known.year if known else plan.year - 1,
            call={"duration_months": plan.duration_months} if plan.duration_months else {},
            by=by,
            # A file that names no skill leaves the new call the 2018 call's profiles.
            profiles=plan.profiles or None,
        )
        promotions[number] = promotion
        report.promotions_created += known is None
        report.new_calls.append((promotion, lifecycle_profiles.choices(promotion.call)))
    return promotions


def _create(items: list[tuple[Row, Promotion, Administration]], *, by) -> list[Challenge]:
    """Create the challenges of a batch of rows, through the domain's bulk creation (which owns
    their audit: a `created` event, or `imported` with the state a row gives)."""
    return edits.create_challenges(
        [
            edits.NewChallenge(
                promotion=promotion,
                administration=administration,
                name=row.title,
                fields={
                    "summary": row.summary,
                    "public_description": row.long_description,
                    "source_code_url": row.source_code_url,
                    "address": row.city,
                },
                profiles=row.profiles,
                state=row.state,
            )
            for row, promotion, administration in items
        ],
        by=by,
    )


def _update(challenge: Challenge, row: Row, administration, *, by) -> bool:
    """Bring the challenge's imported fields to the row's values; True if anything changed."""
    wanted = {
        "summary": row.summary,
        "public_description": row.long_description,
        "source_code_url": row.source_code_url,
    }
    changes = {name: value for name, value in wanted.items() if getattr(challenge, name) != value}
    if challenge.administration_id != administration.pk:
        changes["administration"] = administration
    positions = {position.rank: position for position in challenge.eig_positions.all()}
    # Positions are the row's only when it names skills; their missions are left as they are.
    positions_differ = (
        bool(row.profiles) and [positions[rank].profile for rank in sorted(positions)] != row.profiles
    )
    if changes:
        edits.update_dossier(challenge, changes, by=by)
    if positions_differ:
        edits.set_profiles(challenge, row.profiles, by=by)
    return bool(changes) or positions_differ


class _Progress:
    """Reports "Import : done/total (n %)" at each tenth of a large file, never more often."""

    def __init__(self, total: int, report: Callable[[str], None] | None):
        self.total, self.report, self.done, self.tenths = total, report, 0, 0
        self.active = report is not None and total > PROGRESS_THRESHOLD

    def advance(self, count: int):
        self.done += count
        if self.active and self.done * 10 // self.total > self.tenths:
            self.tenths = self.done * 10 // self.total
            self.report(f"Import : {self.done}/{self.total} ({self.done * 100 // self.total} %)")


def write(rows: list[Row], *, by, progress: Callable[[str], None] | None = None) -> ImportReport:
    """Create or update the rows' promotions, administrations and challenges, in one transaction."""
    report = ImportReport()
    # One import, one moment: its events and the imported states all carry the same time.
    with transaction.atomic(), clock.at(clock.now()):
        promotions = _promotions(rows, report, by=by)
        _create_administrations(rows, report)
        existing = {
            (challenge.promotion.number, challenge.name): challenge
            for challenge in Challenge.objects.filter(promotion__in=promotions.values())
            .select_related("promotion")
            .prefetch_related("eig_positions")
        }
        ticker = _Progress(len(rows), progress)
        size = min(BATCH_SIZE, max(1, -(-len(rows) // 10)))  # a tenth of the file at most
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            new = []
            for row in batch:
                administration = row.target
                challenge = existing.get(row.key)
                if challenge is None:
                    new.append((row, promotions[row.promotion], administration))
                    continue
                if _update(challenge, row, administration, by=by):
                    report.updated += 1
                else:
                    report.unchanged += 1
                report.challenges[row.key] = challenge
            for challenge, (row, _promotion, _administration) in zip(_create(new, by=by), new, strict=True):
                report.challenges[row.key] = challenge
                report.created += 1
            ticker.advance(len(batch))
    return report


def import_records(records: list[readers.Record], *, by, progress=None) -> ImportReport:
    # Validated in the transaction of the writing: the administrations and promotions the rows
    # are matched with are those the writing finds.
    with transaction.atomic():
        return write(rows.validate(records), by=by, progress=progress)


def import_file(path, *, by, progress=None) -> ImportReport:
    """Validate every row of the file, then write them all; raises ImportFileError or InvalidRows."""
    return import_records(readers.read_records(path), by=by, progress=progress)
