"""Hooks from django-allauth into the registry (allauth offers signals, not a service hook)."""

from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from .services import teacher_link_user


@receiver(email_confirmed)
def link_teacher_on_email_confirmed(sender, request, email_address, **kwargs):
    if email_address.primary or email_address.user.email == email_address.email:
        teacher_link_user(user=email_address.user)
