"""The teacher page's attestation sections: the teacher's applications and, while the
region's window is open, a way to apply (for staff: on the teacher's behalf); and the
teacher's category certificates with, for those who may take them, the way to the
category measures (without attestation, frozen, pre-pension, sanctions)."""

from django.utils import timezone

from . import selectors
from .selectors import special


def teacher_attestation_panel(request, teacher):
    applications = selectors.teacher_applications(teacher)
    cycle = selectors.open_cycle(teacher)
    can_apply = (
        cycle is not None
        and cycle.window_open(timezone.localdate())
        and not any(a.cycle_id == cycle.pk for a in applications)
        and request.user.has_perm("attestation.apply_for", teacher)
    )
    certificates = special.teacher_category_certificates(teacher)
    can_take_measures = bool(special.allowed_measures(request.user, teacher))
    if not (applications or can_apply or certificates or can_take_measures):
        return None
    return (
        "attestation/special/teacher_panel.html",
        {
            "teacher": teacher,
            "applications": applications,
            "cycle": cycle,
            "can_apply": can_apply,
            "on_behalf": teacher.user_id != request.user.pk,
            "certificates": certificates,
            "can_take_measures": can_take_measures,
        },
    )
