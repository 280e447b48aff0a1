"""The jury follows the people it invited: an accepted invitation seats its account."""

from django.dispatch import receiver

from accounts.signals import invitation_accepted
from jury import services


@receiver(invitation_accepted, dispatch_uid="jury.seat_accepted_invitation")
def seat_accepted_invitation(sender, invitation, user, **kwargs):
    services.seat_accepted_invitation(invitation, user)
