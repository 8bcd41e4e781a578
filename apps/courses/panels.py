"""The teacher page's PD section: hours, course enrolments, certificates, external PD."""

from . import selectors


def teacher_pd_panel(request, teacher):
    since = selectors.pd_period_start()
    hours_all = selectors.pd_hours(teacher_ids=[teacher.pk])[teacher.pk]
    hours_period = selectors.pd_hours(teacher_ids=[teacher.pk], since=since)[teacher.pk]
    return (
        "courses/includes/teacher_pd_panel.html",
        {
            "teacher": teacher,
            "hours_all": hours_all,
            "hours_period": hours_period,
            "period_start": since,
            "enrolments": selectors.teacher_enrolments(teacher=teacher),
            "external": selectors.teacher_external_trainings(teacher=teacher),
            "can_upload": teacher.user_id == request.user.pk
            and request.user.has_perm("courses.add_external_training"),
        },
    )
