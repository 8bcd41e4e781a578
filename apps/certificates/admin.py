"""Admin: certificates and their downloads, to look at only; every change goes through the
services (revoke, re-issue) from the certificate's page."""

from django.contrib import admin

from .models import Certificate, CertificateBatch, CertificateEvent


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CertificateEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CertificateEvent
    fields = readonly_fields = ("at", "action", "actor", "comment")
    extra = 0


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("register_number", "holder_name", "course_title_ru", "status", "issued_on")
    list_filter = ("status", "year", "provider")
    search_fields = ("=register_number", "=code", "holder_name", "=holder_iin")
    date_hierarchy = "issued_on"
    inlines = [CertificateEventInline]


@admin.register(CertificateBatch)
class CertificateBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("pk", "run", "format", "status", "processed_rows", "total_rows", "created_at")
    list_filter = ("status", "format")
    list_select_related = ("run__course",)
