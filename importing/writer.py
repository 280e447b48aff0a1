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
from lifecycle.dossier import edits
from lifecycle.enums import AdministrationKind
from lifecycle.models import Administration, Call, Challenge, Promotion
from lifecycle.promotions import configure_promotion
from lifecycle.text import normalized

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
    challenges: dict[tuple[int, str], Challenge] = field(default_factory=dict, repr=False)

    def summary(self) -> str:
        text = (
            f"{_plural(self.created, 'défi créé', 'défis créés')}, {self.updated} mis à jour, "
            f"{_plural(self.unchanged, 'inchangé', 'inchangés')} ; "
            f"{_plural(self.administrations_created, 'administration créée', 'administrations créées')}"
        )
        if self.promotions_created:
            text += f" ; {_plural(self.promotions_created, 'promotion créée', 'promotions créées')}"
        return text


class _Administrations:
    """The administrations by normalized name, loaded once, created on first need."""

    def __init__(self, report: ImportReport):
        self.report = report
        self.by_name = {normalized(admin.name): admin for admin in Administration.objects.all()}

    def get(self, name, *, kind, ministry="", website="") -> Administration:
        found = self.by_name.get(normalized(name))
        if found is not None:
            return found
        administration = Administration(
            name=name,
            kind=kind,
            ministry=self.get(ministry, kind=K.MINISTRY) if ministry else None,
            website=website,
        )
        administration.full_clean(validate_unique=False, validate_constraints=False)
        administration.save()
        self.by_name[normalized(name)] = administration
        self.report.administrations_created += 1
        return administration


def _promotions(rows: list[Row], report: ImportReport, *, by) -> dict[int, Promotion]:
    """The rows' promotions; a new one (or one without its call) is configured from its first row."""
    numbers = {row.promotion for row in rows}
    promotions = {promotion.number: promotion for promotion in Promotion.objects.filter(number__in=numbers)}
    with_call = set(
        Call.objects.filter(promotion__number__in=numbers).values_list("promotion__number", flat=True)
    )
    for number in sorted(numbers):
        if number in with_call:
            continue
        first = next(row for row in rows if row.promotion == number and (row.year or number in promotions))
        known = promotions.get(number)
        promotions[number] = configure_promotion(
            number=number,
            name=known.name if known else f"EIG {number}",
            # The file's year is the year the EIGs start; the promotion's year is its call's.
            year=known.year if known else first.year - 1,
            call={"duration_months": first.duration_months or 10},
            by=by,
        )
        report.promotions_created += known is None
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
        edits.set_positions(
            challenge,
            [
                {
                    "mission": positions[rank].mission if rank in positions else "",
                    "expertise": positions[rank].expertise if rank in positions else "",
                    "profile": profile,
                }
                for rank, profile in enumerate(row.profiles, start=1)
            ],
            by=by,
        )
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
        administrations = _Administrations(report)
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
                administration = administrations.get(
                    row.administration,
                    kind=row.administration_kind,
                    ministry=row.ministry,
                    website=row.administration_website,
                )
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
    return write(rows.validate(records), by=by, progress=progress)


def import_file(path, *, by, progress=None) -> ImportReport:
    """Validate every row of the file, then write them all; raises ImportFileError or InvalidRows."""
    return import_records(readers.read_records(path), by=by, progress=progress)
