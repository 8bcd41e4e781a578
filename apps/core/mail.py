"""E-mail to one person in their own language (Kazakh, Russian or English)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def mail_send_localized(*, to: str, language: str, template: str, context: dict) -> None:
    """Render `<template>_subject.txt` and `<template>.txt` in `language` and send them."""
    if not to:
        return
    codes = {code for code, _ in settings.LANGUAGES}
    with translation.override(language if language in codes else settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}.txt", context)
    send_mail(subject, body, None, [to])
