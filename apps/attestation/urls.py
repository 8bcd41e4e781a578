from django.urls import path

from .views import applications, cycles, observations, queue, results

app_name = "attestation"

urlpatterns = [
    # A teacher's applications and portfolio (views/applications.py).
    path("", applications.my_applications, name="my_applications"),
    path("apply/", applications.application_start, name="application_start"),
    path("applications/<int:pk>/", applications.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", applications.application_edit, name="application_edit"),
    path(
        "applications/<int:pk>/checklist/",
        applications.application_checklist,
        name="application_checklist",
    ),
    path("applications/<int:pk>/evidence/new/", applications.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/remove/", applications.evidence_remove, name="evidence_remove"),
    path("evidence/<int:pk>/file/", applications.evidence_file, name="evidence_file"),
    path(
        "applications/<int:pk>/submit/", applications.application_submit, name="application_submit"
    ),
    path(
        "applications/<int:pk>/versions/<int:number>/",
        applications.application_version,
        name="application_version",
    ),
    # The staff queue and answers (views/queue.py).
    path("queue/", queue.queue, name="queue"),
    path("queue/accept/", queue.queue_bulk_accept, name="queue_bulk_accept"),
    path("applications/<int:pk>/answer/", queue.application_answer, name="application_answer"),
    # Cycles and their rules (views/cycles.py).
    path("cycles/", cycles.cycle_list, name="cycle_list"),
    path("cycles/new/", cycles.cycle_create, name="cycle_create"),
    path("cycles/<int:pk>/", cycles.cycle_detail, name="cycle_detail"),
    path("cycles/<int:pk>/edit/", cycles.cycle_update, name="cycle_update"),
    path("cycles/<int:pk>/status/", cycles.cycle_status, name="cycle_status"),
    # Knowledge-test results (views/results.py).
    path("test-results/", results.test_result_list, name="test_result_list"),
    path("test-results/new/", results.test_result_create, name="test_result_create"),
    path("test-results/import/", results.test_result_import, name="test_result_import"),
    path(
        "test-results/import/<int:pk>/",
        results.test_result_import_detail,
        name="test_result_import_detail",
    ),
    path(
        "test-results/import/<int:pk>/errors.<str:fmt>",
        results.test_result_import_errors,
        name="test_result_import_errors",
    ),
    # Lesson observations (views/observations.py).
    path("observations/", observations.observation_list, name="observation_list"),
    path("observations/new/", observations.observation_create, name="observation_create"),
    path("observations/<int:pk>/", observations.observation_detail, name="observation_detail"),
]
