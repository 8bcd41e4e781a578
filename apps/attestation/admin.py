"""Attestation in the Django admin. A cycle's dates, topic and rules are edited here; its
status and creation (which seeds the default rules) go through the services on the site.
Applications, their history and versions, portfolio files, observations, test results,
commissions and everything they decide, orders, certificates, appeals and the special
paths change only through the services and are read-only here."""

from django.contrib import admin

from .models import (
    Appeal,
    AppealEvent,
    Application,
    ApplicationEvent,
    ApplicationVersion,
    AttestationCycle,
    CategoryCertificate,
    CategoryFreeze,
    CategoryGrant,
    CategoryRule,
    Commission,
    CommissionMember,
    CommissionSession,
    Decision,
    EvidenceItem,
    LessonObservation,
    ObservationCriterion,
    Order,
    ReviewCriterion,
    Sanction,
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


class ReviewCriterionInline(admin.TabularInline):
    model = ReviewCriterion
    extra = 0
    fields = ["order", "code", "title_kk", "title_ru", "guidance_kk", "guidance_ru", "max_points"]


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
    inlines = [CategoryRuleInline, ObservationCriterionInline, ReviewCriterionInline]

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
class CategoryFreezeAdmin(ReadOnlyAdmin):
    list_display = ["teacher", "reason", "starts_on", "returned_on", "kept_until"]
    list_filter = ["reason"]
    search_fields = ["teacher__iin", "teacher__search_text"]
    list_select_related = ["teacher"]


class CommissionMemberInline(ReadOnlyInline):
    model = CommissionMember
    fields = ["full_name", "role", "position", "organization", "experience_years", "user"]


@admin.register(Commission)
class CommissionAdmin(ReadOnlyAdmin):
    list_display = ["name_ru", "level", "cycle", "status", "formed_on"]
    list_filter = ["level", "status", "cycle"]
    search_fields = ["name_kk", "name_ru"]
    list_select_related = ["cycle"]
    inlines = [CommissionMemberInline]


@admin.register(CommissionSession)
class CommissionSessionAdmin(ReadOnlyAdmin):
    list_display = ["commission", "starts_at", "status", "protocol_number"]
    list_filter = ["status"]
    search_fields = ["protocol_number", "commission__name_ru"]
    list_select_related = ["commission"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = [
        "application",
        "outcome",
        "assigned_category",
        "decided_on",
        "order",
        "revised_at",
    ]
    list_filter = ["outcome"]
    search_fields = ["application__teacher__iin", "application__teacher__search_text"]
    list_select_related = ["application__teacher", "application__claimed_category"]
    raw_id_fields = ["application", "session", "item", "order"]


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "dated", "issuing_body_ru", "cycle"]
    search_fields = ["number", "issuing_body_ru", "issuing_body_kk"]
    list_select_related = ["cycle"]
    date_hierarchy = "dated"


@admin.register(CategoryCertificate)
class CategoryCertificateAdmin(ReadOnlyAdmin):
    list_display = ["register_number", "holder_name", "category_ru", "valid_until", "status"]
    list_filter = ["status"]
    search_fields = ["register_number", "code", "holder_iin", "holder_name"]
    date_hierarchy = "issued_on"


class AppealEventInline(ReadOnlyInline):
    model = AppealEvent
    fields = ["at", "from_status", "to_status", "actor", "comment"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ["application", "status", "review_level", "due_on"]
    list_filter = ["status", "review_level"]
    search_fields = ["application__teacher__iin", "application__teacher__search_text"]
    list_select_related = ["application__teacher", "application__claimed_category"]
    inlines = [AppealEventInline]


@admin.register(CategoryGrant)
class CategoryGrantAdmin(ReadOnlyAdmin):
    list_display = ["teacher", "ground", "category", "awarded_on", "valid_until"]
    list_filter = ["ground"]
    search_fields = ["teacher__iin", "teacher__search_text"]
    list_select_related = ["teacher", "category"]


@admin.register(Sanction)
class SanctionAdmin(ReadOnlyAdmin):
    list_display = ["teacher", "kind", "imposed_on", "barred_until", "category_after"]
    list_filter = ["kind"]
    search_fields = ["teacher__iin", "teacher__search_text"]
    list_select_related = ["teacher", "category_after"]
