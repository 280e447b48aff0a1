"""The EIG profiles a call seeks: a list per call (`SoughtProfile`), never a fixed enum."""

from django.utils.translation import gettext as _

from lifecycle.enums import DefaultProfile


def of_call(call) -> list:
    """The call's profiles in their order (read once per call object)."""
    cached = getattr(call, "_profiles_cache", None)
    if cached is None:
        cached = list(call.profiles.all()) if call.pk else []
        call._profiles_cache = cached
    return cached


def forget(call):
    call.__dict__.pop("_profiles_cache", None)


def choices(call) -> list[tuple[str, str]]:
    return [(profile.code, profile.label) for profile in of_call(call)]


def label_of(call, code: str) -> str:
    for profile in of_call(call):
        if profile.code == code:
            return profile.label
    return code or ""


def profile_problem(call, code: str) -> str:
    """Why `code` is not a profile of the call ("" when it is), naming those it accepts."""
    known = [profile.code for profile in of_call(call)]
    if code in known:
        return ""
    return _("Profil inconnu pour cet appel : « %(code)s » (profils de l’appel : %(known)s).") % {
        "code": code,
        "known": ", ".join(known) or _("aucun, à définir dans la configuration de l’appel"),
    }


def ensure_defaults(call):
    """A call without profiles gets those of the 2018 call (development, data science, design)."""
    from lifecycle.models import SoughtProfile

    if call.profiles.exists():
        return
    SoughtProfile.objects.bulk_create(
        SoughtProfile(call=call, code=profile.value, label=str(profile.label), rank=rank)
        for rank, profile in enumerate(DefaultProfile, start=1)
    )
    forget(call)


def new_call_gets_default_profiles(sender, instance, created, raw=False, **kwargs):
    """A new call offers the 2018 call's profiles until a manager (or an import) sets its own."""
    if created and not raw:
        ensure_defaults(instance)


def set_profiles(call, wanted: list[tuple[str, str]], *, by):
    """Make the call's list of profiles `wanted` [(code, label)], in order; audited. A profile
    still used by a position or a recruited EIG of the call cannot be removed."""
    from django.core.exceptions import ValidationError

    from lifecycle import configuration
    from lifecycle.models import EigPosition, Entrepreneur, SoughtProfile

    codes = [code for code, _label in wanted]
    if len(set(codes)) != len(codes):
        raise ValidationError(_("Chaque profil a un code distinct."))
    removed = call.profiles.exclude(code__in=codes)
    promotion = call.promotion_id
    for profile in removed:
        used = (
            EigPosition.objects.filter(challenge__promotion_id=promotion, profile=profile.code).exists()
            or Entrepreneur.objects.filter(challenge__promotion_id=promotion, profile=profile.code).exists()
        )
        if used:
            raise ValidationError(
                _("Le profil « %(label)s » est demandé par des défis de l’appel : il ne peut être retiré.")
                % {"label": profile.label}
            )
    for profile in removed:
        configuration.delete(profile, by=by)
    existing = {profile.code: profile for profile in call.profiles.all()}
    for rank, (code, label) in enumerate(wanted, start=1):
        profile = existing.get(code) or SoughtProfile(call=call, code=code)
        if profile.pk and profile.label == label and profile.rank == rank:
            continue
        profile.label, profile.rank = label, rank
        configuration.save(profile, by=by)
    forget(call)
