"""The "certificate issued" e-mail to its holder, in the holder's language."""

from django.conf import settings
from django.urls import reverse

from apps.core.mail import mail_send_localized
from apps.courses.notifications import teacher_recipient

from .models import Certificate


def certificate_issued_notify(*, certificate_id: int) -> None:
    certificate = (
        Certificate.objects.select_related("teacher__user").filter(pk=certificate_id).first()
    )
    if certificate is None or certificate.status != Certificate.Status.VALID:
        return
    to, language = teacher_recipient(certificate.teacher)
    mail_send_localized(
        to=to,
        language=language,
        template="certificates/email/issued",
        context={
            "certificate": certificate,
            "teacher": certificate.teacher,
            "detail_url": settings.PUBLIC_BASE_URL.rstrip("/")
            + reverse("certificates:detail", args=[certificate.pk]),
        },
    )
