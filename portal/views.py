"""Placeholder: the administrations' portal is being written."""

from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("")


dossier_list = dossier_create = dossier_detail = dossier_step = dossier_submit = pitch_deck = _todo
