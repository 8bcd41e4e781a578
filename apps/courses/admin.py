"""The courses app in the Django admin: the catalogue is edited through the services (so
session days and waitlist promotion follow); enrolments, their history, attendance and
external PD change only through the services and are read-only here."""

from django.contrib import admin
from django.db import models

from . import services
from .models import (
    Attendance,
    Course,
    CourseRun,
    DistrictQuota,
    Enrolment,
    EnrolmentEvent,
    ExternalTraining,
    Provider,
    RunSession,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# A link typed without a scheme is taken as https.
HTTPS_LINKS = {models.URLField: {"assume_scheme": "https"}}


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, searched and filtered, never edited: every change goes through a service."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["code", "name_kk", "name_ru", "bin", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "bin", "name_kk", "name_ru"]
    filter_horizontal = ["staff"]
    formfield_overrides = HTTPS_LINKS
    readonly_fields = ["created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        services.provider_save(provider=obj, actor=request.user)


class CourseRunInline(ReadOnlyInline):
    model = CourseRun
    fields = ["code", "starts_on", "ends_on", "capacity", "cancelled_at", "completed_at"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title_ru", "provider", "hours", "format", "language", "is_active"]
    list_filter = ["is_active", "format", "language", "provider"]
    search_fields = ["title_kk", "title_ru", "title_en", "provider__code"]
    list_select_related = ["provider", "language"]
    autocomplete_fields = ["provider", "prerequisites"]
    filter_horizontal = ["target_subjects", "target_positions"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [CourseRunInline]

    def save_model(self, request, obj, form, change):
        # The subjects, positions and prerequisites follow in save_related.
        services.course_save(course=obj, actor=request.user)


class DistrictQuotaInline(admin.TabularInline):
    model = DistrictQuota
    extra = 0
    autocomplete_fields = ["district"]


class RunSessionInline(ReadOnlyInline):
    model = RunSession
    fields = ["date"]
    show_change_link = False


@admin.register(CourseRun)
class CourseRunAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "course",
        "starts_on",
        "ends_on",
        "enrolment_deadline",
        "capacity",
        "cancelled_at",
        "completed_at",
    ]
    list_filter = ["course__provider", "approval_required", "starts_on"]
    search_fields = ["code", "course__title_kk", "course__title_ru"]
    list_select_related = ["course"]
    date_hierarchy = "starts_on"
    autocomplete_fields = ["course", "trainer"]
    formfield_overrides = HTTPS_LINKS
    readonly_fields = ["cancelled_at", "completed_at", "created_at", "updated_at"]
    inlines = [DistrictQuotaInline, RunSessionInline]

    def save_model(self, request, obj, form, change):
        # The quotas come from the inline (saved next); run_save keeps the session days.
        services.run_save(run=obj, actor=request.user)


class EnrolmentEventInline(ReadOnlyInline):
    model = EnrolmentEvent
    fields = ["at", "from_status", "to_status", "actor", "comment"]
    show_change_link = False


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ["teacher", "run", "status", "district", "hours_credited", "completed_on"]
    list_filter = ["status", "run__course__provider", "district"]
    search_fields = ["teacher__iin", "teacher__search_text", "run__code"]
    list_select_related = ["teacher", "run__course", "district"]
    inlines = [EnrolmentEventInline]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ["session__date", "enrolment", "present", "marked_by", "marked_at"]
    list_filter = ["present", "session__date"]
    search_fields = ["enrolment__teacher__iin", "enrolment__run__code"]
    list_select_related = ["session", "enrolment__teacher", "enrolment__run__course", "marked_by"]


@admin.register(ExternalTraining)
class ExternalTrainingAdmin(ReadOnlyAdmin):
    """Read-only: uploaded by the teacher and reviewed by a methodologist on the site; the
    scan is private and opened through the site's permission-checked page."""

    list_display = ["title", "teacher", "hours", "ends_on", "status", "reviewed_by"]
    list_filter = ["status"]
    search_fields = ["title", "provider_name", "number", "teacher__iin", "teacher__search_text"]
    list_select_related = ["teacher", "reviewed_by"]
    exclude = ["file"]
