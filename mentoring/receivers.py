from django.dispatch import receiver

from accounts.enums import Role
from accounts.signals import role_changed
from lifecycle import workflow
from lifecycle.signals import transition_committed
from mentoring import services


@receiver(transition_committed, dispatch_uid="mentoring.follow_the_lifecycle")
def follow_the_lifecycle(sender, challenge, name, by, event, options, **kwargs):
    """After a committed move that concerns the mentors (`workflow.Move.concerns_mentoring`): a
    selection starts the mentor assignment, a withdrawal cancels it, a start (both mentors
    confirmed) closes what is left. The sweep catches up if this one failed."""
    if workflow.move(name).concerns_mentoring:
        services.follow(challenge)


@receiver(role_changed, dispatch_uid="mentoring.release_the_tasks_of_a_former_manager")
def release_the_tasks_of_a_former_manager(sender, user, before, after, by, **kwargs):
    """A manager who leaves the role gives their confirmation tasks back to the team's queue."""
    if before == Role.PROGRAMME_MANAGER and after != Role.PROGRAMME_MANAGER:
        services.release_tasks_of(user)
