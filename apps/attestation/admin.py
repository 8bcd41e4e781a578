"""Attestation in the Django admin. A cycle's dates, topic and rules are edited here; its
status and creation (which seeds the default rules) go through the services on the site.
Applications, their history and versions, portfolio files, observations and test results
change only through the services and are read-only here."""

from django.contrib import admin

from .models import (
    Application,
    ApplicationEvent,
    ApplicationVersion,
    AttestationCycle,
    CategoryFreeze,
    CategoryRule,
    EvidenceItem,
    LessonObservation,
    ObservationCriterion,
    TestResult,
    TestResultImport,
    TestResultImportError,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, searched and filtered, never edited: every change goes through a service."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CategoryRuleInline(admin.StackedInline):
    model = CategoryRule
    extra = 0
    can_delete = False
    filter_horizontal = ["from_categories"]

    def has_add_permission(self, request, obj=None):
        return False


class ObservationCriterionInline(admin.TabularInline):
    model = ObservationCriterion
    extra = 0
    fields = ["order", "code", "title_kk", "title_ru"]


@admin.register(AttestationCycle)
class AttestationCycleAdmin(admin.ModelAdmin):
    list_display = [
        "school_year",
        "region",
        "status",
        "application_opens",
        "application_closes",
        "review_starts",
        "review_ends",
    ]
    list_filter = ["status", "region"]
    search_fields = ["school_year"]
    list_select_related = ["region"]
    readonly_fields = ["region", "status", "created_at", "updated_at"]
    inlines = [CategoryRuleInline, ObservationCriterionInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ApplicationEventInline(ReadOnlyInline):
    model = ApplicationEvent
    fields = ["at", "from_status", "to_status", "actor", "version", "comment"]


class ApplicationVersionInline(ReadOnlyInline):
    model = ApplicationVersion
    fields = ["number", "submitted_at", "submitted_by"]


class EvidenceItemInline(ReadOnlyInline):
    model = EvidenceItem
    fields = ["criterion", "title", "file_type", "file_size", "submitted_in", "removed_at"]
    show_change_link = True


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = [
        "teacher",
        "cycle",
        "claimed_category",
        "status",
        "organization",
        "submitted_at",
        "accept_due_on",
    ]
    list_filter = ["status", "cycle", "level", "claimed_category"]
    search_fields = ["teacher__iin", "teacher__search_text"]
    list_select_related = ["teacher", "cycle", "claimed_category", "organization"]
    date_hierarchy = "submitted_at"
    exclude = ["essay_text"]
    inlines = [EvidenceItemInline, ApplicationVersionInline, ApplicationEventInline]


@admin.register(EvidenceItem)
class EvidenceItemAdmin(ReadOnlyAdmin):
    """The file is private: it opens through the site's permission-checked page."""

    list_display = ["title", "criterion", "application", "file_type", "file_size", "removed_at"]
    list_filter = ["criterion", "file_type"]
    search_fields = ["title", "application__teacher__iin", "application__teacher__search_text"]
    list_select_related = ["application__teacher", "application__claimed_category"]
    exclude = ["file"]


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(ReadOnlyAdmin):
    list_display = ["application", "from_status", "to_status", "actor", "at"]
    list_filter = ["to_status"]
    search_fields = ["application__teacher__iin", "application__teacher__search_text"]
    list_select_related = ["application__teacher", "application__claimed_category", "actor"]
    date_hierarchy = "at"


@admin.register(TestResult)
class TestResultAdmin(ReadOnlyAdmin):
    list_display = ["certificate_number", "teacher", "taken_on", "score", "max_score", "source"]
    list_filter = ["source", "language", "taken_on"]
    search_fields = ["certificate_number", "teacher__iin", "teacher__search_text"]
    list_select_related = ["teacher"]
    date_hierarchy = "taken_on"


class TestResultImportErrorInline(ReadOnlyInline):
    model = TestResultImportError
    fields = ["row_number", "column", "message"]


@admin.register(TestResultImport)
class TestResultImportAdmin(ReadOnlyAdmin):
    list_display = [
        "original_name",
        "status",
        "created_rows",
        "unchanged_rows",
        "rejected_rows",
        "created_by",
        "created_at",
    ]
    list_filter = ["status"]
    list_select_related = ["created_by"]
    exclude = ["file"]
    inlines = [TestResultImportErrorInline]


@admin.register(LessonObservation)
class LessonObservationAdmin(ReadOnlyAdmin):
    list_display = [
        "teacher",
        "observed_on",
        "topic",
        "observer",
        "observer_is_commission_member",
        "cycle",
    ]
    list_filter = ["cycle", "observer_is_commission_member"]
    search_fields = ["topic", "teacher__iin", "teacher__search_text"]
    list_select_related = ["teacher", "observer", "cycle"]
    date_hierarchy = "observed_on"


@admin.register(CategoryFreeze)
class CategoryFreezeAdmin(admin.ModelAdmin):
    """Recorded here by the region's staff: the checklist reads it."""

    list_display = ["teacher", "reason", "starts_on", "returned_on"]
    list_filter = ["reason"]
    search_fields = ["teacher__iin", "teacher__search_text"]
    list_select_related = ["teacher"]
    autocomplete_fields = ["teacher"]
    readonly_fields = ["created_by", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
