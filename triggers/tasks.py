"""The django-q2 entry point of the periodic sync."""

from triggers import schedules


def sync():
    synced = schedules.sync_all()
    changed = [line for line in synced if line.action != str(schedules.UNCHANGED)]
    return f"{len(synced)} tâche(s) datée(s), {len(changed)} changée(s)"
