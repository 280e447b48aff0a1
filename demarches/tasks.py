"""The scheduled sync: every hour, each démarche whose sync is scheduled, as the system."""

import logging

from demarches.models import Demarche
from demarches.sync import SyncError, sync
from lifecycle.actors import SYSTEM

logger = logging.getLogger(__name__)


def sync_scheduled() -> dict[int, str]:
    """Sync every scheduled démarche; one that fails is recorded (its `SyncRun`) and the others go on."""
    results = {}
    for demarche in Demarche.objects.filter(scheduled=True).select_related("promotion__call"):
        try:
            report = sync(demarche, by=SYSTEM)
        except SyncError as error:  # a sync that could not start (no token, one already running)
            logger.warning("démarche %s : %s", demarche.number, error)
            results[demarche.number] = str(error)
            continue
        except Exception:  # recorded on its run; the other démarches go on
            logger.exception("démarche %s : la synchronisation a échoué", demarche.number)
            results[demarche.number] = "erreur inattendue"
            continue
        results[demarche.number] = report.summary()
    return results


def sync_one(demarche_pk: int, user_pk: int) -> str:
    """A sync asked from the démarche's page, run by a worker as the manager who asked."""
    from django.contrib.auth import get_user_model

    demarche = Demarche.objects.select_related("promotion__call").get(pk=demarche_pk)
    user = get_user_model().objects.filter(pk=user_pk, is_active=True).first()
    if user is None:  # never the system in the place of a person who asked
        return "La personne qui a demandé cette synchronisation n’a plus de compte actif."
    try:
        return sync(demarche, by=user).summary()
    except SyncError as error:
        return str(error)
