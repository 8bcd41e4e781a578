"""The districts' PD plans in the Django admin, set by superusers (the regional HR's
figures; no page of the site changes them)."""

from django.contrib import admin

from . import services
from .models import PdPlan


@admin.register(PdPlan)
class PdPlanAdmin(admin.ModelAdmin):
    list_display = ["year", "district", "planned_teachers", "created_by", "updated_at"]
    list_filter = ["year", "district"]
    list_select_related = ["district", "created_by"]
    fields = ["year", "district", "planned_teachers", "created_by", "created_at", "updated_at"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    ordering = ["-year", "district__kato"]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        services.pd_plan_save(plan=obj, actor=request.user)
