"""Placeholder: being written."""

from django.http import HttpResponse


def _todo(request, *args, **kwargs):
    return HttpResponse("")


dashboard = challenge_list = challenge_export = bulk_transition = challenge_detail = _todo
challenge_transition = pitch_deck = _todo
