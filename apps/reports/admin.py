"""The districts' PD plans in the Django admin, for superusers only: the regional
administrators set their districts' plans on the site's plan page (reports:plans). Both
go through the same services, so the plan's history records every change either way."""

from django.contrib import admin
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import PdPlan


@admin.register(PdPlan)
class PdPlanAdmin(SimpleHistoryAdmin):
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

    def delete_model(self, request, obj):
        services.pd_plan_delete(plan=obj, actor=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for plan in queryset.select_related("district"):
            services.pd_plan_delete(plan=plan, actor=request.user)
