"""Courses: the PD catalogue, course runs, enrolment with seats and waitlists, attendance,
completion and the teacher's PD hours."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "apps.courses"
    verbose_name = _("Courses")

    def ready(self):
        from apps.teachers import panels

        from .panels import teacher_pd_panel

        panels.register(teacher_pd_panel)
