"""The DS sync's figures for `make bench` (bench/measure.py calls `bench_ds_sync`): a démarche of
N dossiers (the programme's real challenges, 2 EIG positions, a team member and an HR contact
each) served by DS on loopback (demarches/fake.py, in a process of its own so that its time and
memory are not the sync's), synced three times:

1. the first sync: every dossier created; its rate counts the sync's own time, the time spent
   waiting for DS's answers left out (`DsClient.waited`: the server executing the GraphQL query
   with graphql-core, and the loopback); the process's resident memory read at every page, so
   that a memory that grows with the démarche shows (a page at a time holds it flat);
2. the second sync: from the stored cursor, nothing to read, nothing written;
3. a full pass again (the cursor forgotten): every dossier read and found unchanged (its digest).

Run alone: `DATABASE_URL=… python bench/ds_sync.py 5000`.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROMOTION_NUMBER = 140  # far from the real ones and from the bench's synthetic promotions
DEMARCHE = 12345


def _resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def _sampler(memory: list):
    """The progress callback: the resident memory at each page."""
    return lambda _text: memory.append(_resident_mb())


def _serve(dossiers: int):
    server = subprocess.Popen(
        [sys.executable, "-m", "demarches.fake", str(dossiers)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    return server, server.stdout.readline().strip()


def bench_ds_sync(dossiers: int) -> dict:
    from demarches import fake as ds_server
    from demarches.client import DsClient
    from demarches.models import Demarche
    from demarches.sync import sync
    from lifecycle.actors import SYSTEM
    from lifecycle.models import AuditEvent, Challenge
    from lifecycle.promotions import configure_promotion

    server, url = _serve(dossiers)
    try:
        promotion = configure_promotion(
            number=PROMOTION_NUMBER, name="EIG bench DS", year=2018, call={}, by=SYSTEM
        )
        Demarche.objects.filter(number=DEMARCHE).delete()
        demarche = Demarche.objects.create(number=DEMARCHE, promotion=promotion, mapping=ds_server.mapping())

        passes = {}
        for name in ("first", "second", "full"):
            if name == "full":
                Demarche.objects.filter(pk=demarche.pk).update(cursor="")
            demarche.refresh_from_db()
            memory = []
            events_before = AuditEvent.objects.count()
            client = DsClient(url=f"{url}/api/v2/graphql", token=ds_server.TOKEN)
            started = time.perf_counter()
            report = sync(demarche, by=SYSTEM, client=client, progress=_sampler(memory))
            seconds = time.perf_counter() - started
            client.close()
            own = seconds - client.waited
            passes[name] = {
                "seconds": seconds,
                "ds_seconds": client.waited,
                "own_seconds": own,
                "per_second": dossiers / own if own else None,
                "requests": client.requests,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "refused": report.refused,
                "events_written": AuditEvent.objects.count() - events_before,
                "error": report.error,
                "memory_mb": [round(value, 1) for value in memory],
            }
        first = passes["first"]["memory_mb"]
        tenth = first[max(0, len(first) // 10 - 1)] if first else None
        return {
            "dossiers": dossiers,
            "challenges": Challenge.objects.filter(promotion=promotion).count(),
            "passes": passes,
            # Resident memory at a tenth of the pages, then at the last: flat when bounded.
            "memory_at_tenth_mb": tenth,
            "memory_at_end_mb": first[-1] if first else None,
        }
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    import json

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    figures = bench_ds_sync(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
    for values in figures["passes"].values():
        values["memory_mb"] = values["memory_mb"][:: max(1, len(values["memory_mb"]) // 10)]
    print(json.dumps(figures, indent=2))
