"""The "1000 leaders" programme in the Django admin. The programme itself (its names and
region) is set up here; intakes, candidates and their results change only through the
services on the site (statuses, decisions and the decision log), so they are read-only."""

from django.contrib import admin

from .models import Candidate, CandidateEvent, Intake, Programme, Stage, StageResult


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name_kk", "name_ru", "region"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, searched and filtered, never edited: every change goes through a service."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StageInline(ReadOnlyInline):
    model = Stage
    fields = ["order", "kind", "max_score", "rule", "pass_score", "top_n", "closed_at"]


@admin.register(Intake)
class IntakeAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "status", "application_opens", "application_closes", "capacity"]
    list_filter = ["status", "programme"]
    inlines = [StageInline]


class CandidateEventInline(ReadOnlyInline):
    model = CandidateEvent
    fields = ["at", "actor", "from_status", "to_status", "comment"]
    readonly_fields = ["at"]


class StageResultInline(ReadOnlyInline):
    model = StageResult
    fields = ["stage", "score", "rank", "passed", "source", "recorded_by", "recorded_at"]
    readonly_fields = ["rank", "passed", "recorded_at"]


@admin.register(Candidate)
class CandidateAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "intake", "status", "organization"]
    list_filter = ["intake", "status"]
    search_fields = ["teacher__iin", "teacher__last_name", "teacher__first_name"]
    list_select_related = ["teacher", "intake__programme", "organization"]
    raw_id_fields = ["teacher", "organization"]
    inlines = [StageResultInline, CandidateEventInline]
