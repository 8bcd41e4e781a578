from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import Position, QualificationCategory, Subject, Teacher


@admin.register(QualificationCategory)
class QualificationCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_kk", "name_ru", "track", "rank", "validity_years"]
    list_filter = ["track"]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_kk", "name_ru", "staff_group"]
    list_filter = ["staff_group"]


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name_kk", "name_ru"]
    search_fields = ["code", "name_kk", "name_ru"]


class TeacherAdminForm(forms.ModelForm):
    class Meta:
        model = Teacher
        fields = [*services.EDITABLE_FIELDS, "subjects", "user"]

    def _post_clean(self):
        super()._post_clean()
        # The admin applies the registry's rules (services.teacher_clean) like the pages do.
        try:
            services.teacher_clean(teacher=self.instance)
        except ValidationError as exc:
            self._update_errors(exc)


@admin.register(Teacher)
class TeacherAdmin(SimpleHistoryAdmin):
    form = TeacherAdminForm
    list_display = ["iin", "last_name", "first_name", "organization", "position", "category"]
    list_filter = ["category", "position"]
    search_fields = ["iin", "search_text"]
    list_select_related = ["organization", "position", "category"]
    autocomplete_fields = ["organization", "user"]
    filter_horizontal = ["subjects"]
    readonly_fields = ["created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        obj._change_reason = "admin"
        super().save_model(request, obj, form, change)
