"""The teacher page's attestation section: the teacher's applications and, while the
region's window is open, a way to apply (for staff: on the teacher's behalf)."""

from django.utils import timezone

from . import selectors


def teacher_attestation_panel(request, teacher):
    applications = selectors.teacher_applications(teacher)
    cycle = selectors.open_cycle(teacher)
    can_apply = (
        cycle is not None
        and cycle.window_open(timezone.localdate())
        and not any(a.cycle_id == cycle.pk for a in applications)
        and request.user.has_perm("attestation.apply_for", teacher)
    )
    if not applications and not can_apply:
        return None
    return (
        "attestation/includes/teacher_panel.html",
        {
            "teacher": teacher,
            "applications": applications,
            "cycle": cycle,
            "can_apply": can_apply,
            "on_behalf": teacher.user_id != request.user.pk,
        },
    )
