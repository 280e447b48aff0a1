from django.dispatch import receiver

from lifecycle.enums import TransitionName
from lifecycle.signals import transition_committed
from mentoring import services

# The moves that enter or leave the states where mentors are awaited; the others cannot change
# the assignment (and the sweep checks every case anyway).
MOVES_THAT_MATTER = {
    TransitionName.SELECT,
    TransitionName.OPEN_RECRUITMENT,
    TransitionName.START,
    TransitionName.WITHDRAW,
}


@receiver(transition_committed, dispatch_uid="mentoring.follow_the_lifecycle")
def follow_the_lifecycle(sender, challenge, name, by, event, **kwargs):
    """After a committed move: a selection starts the mentor assignment, a withdrawal cancels it, a
    start (both mentors confirmed) closes what is left. The sweep catches up if this one failed."""
    if name in MOVES_THAT_MATTER:
        services.follow(challenge)
