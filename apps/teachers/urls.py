from django.urls import path, register_converter

from . import views
from .imports import views as import_views


class SpreadsheetFormat:
    regex = "csv|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(SpreadsheetFormat, "sheet")

app_name = "teachers"
urlpatterns = [
    path("", views.teacher_list, name="list"),
    path("new/", views.teacher_create, name="create"),
    path("me/", views.my_record, name="me"),
    path("<int:pk>/", views.teacher_detail, name="detail"),
    path("<int:pk>/edit/", views.teacher_update, name="update"),
    path("export.<sheet:fmt>", views.teacher_export, name="export"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("imports/", import_views.import_list, name="import_list"),
    path("imports/new/", import_views.import_upload, name="import_upload"),
    path("imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("imports/<int:pk>/apply/", import_views.import_apply, name="import_apply"),
    path("imports/<int:pk>/errors.<sheet:fmt>", import_views.import_errors, name="import_errors"),
]
