from django.dispatch import receiver

from lifecycle.enums import TransitionName
from lifecycle.signals import transition_applied, transition_committed
from recruitment import services, teams


@receiver(transition_committed, dispatch_uid="recruitment.publish_when_selected")
def publish_when_selected(sender, challenge, name, by, event, options, **kwargs):
    """A challenge selected while the candidates' call is open is published to candidates at
    once (selected → recruiting, by the system); one selected before the opening waits for the
    opening's job. The move's options (held e-mails) go with it."""
    if name == TransitionName.SELECT:
        services.publish_if_open(challenge, options=options)


@receiver(transition_applied, dispatch_uid="recruitment.enrol_the_team")
def enrol_the_team(sender, challenge, name, by, event, options, **kwargs):
    """When a challenge starts, the candidates who accepted it become its recruited EIGs (in the
    move's transaction): the cohort sessions and their attendance follow them from then on."""
    if name == TransitionName.START:
        teams.enrol(challenge, by=by)
