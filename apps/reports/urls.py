from django.urls import path, register_converter

from .views import dashboard, exports, plans, subscriptions


class ReportFormat:
    regex = "xlsx|csv|pdf"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ReportFormat, "report_format")

app_name = "reports"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("export.<report_format:fmt>", exports.export_create, name="export"),
    path("exports/<int:pk>/", exports.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", exports.export_download, name="export_download"),
    path("subscriptions/", subscriptions.subscription_list, name="subscriptions"),
    path(
        "subscriptions/<int:pk>/delete/",
        subscriptions.subscription_delete,
        name="subscription_delete",
    ),
    path("plans/", plans.plan_list, name="plans"),
]
