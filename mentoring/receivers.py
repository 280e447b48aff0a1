from django.dispatch import receiver

from lifecycle.signals import transition_committed
from mentoring import services


@receiver(transition_committed, dispatch_uid="mentoring.follow_the_lifecycle")
def follow_the_lifecycle(sender, challenge, name, by, event, **kwargs):
    """After a committed move: a selection starts the mentor assignment, a withdrawal cancels it, a
    start (both mentors confirmed) closes what is left. The sweep catches up if this one failed."""
    services.follow(challenge)
