from django.urls import path

from .views import (
    appeals,
    applications,
    commissions,
    cycles,
    observations,
    orders,
    queue,
    results,
    reviews,
    sessions,
    special,
)

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
    # Commissions and their members (views/commissions.py).
    path("commissions/", commissions.commission_list, name="commission_list"),
    path("commissions/new/", commissions.commission_create, name="commission_create"),
    path("commissions/<int:pk>/", commissions.commission_detail, name="commission_detail"),
    path("commissions/<int:pk>/edit/", commissions.commission_update, name="commission_update"),
    path("commissions/<int:pk>/members/new/", commissions.member_add, name="member_add"),
    path("members/<int:pk>/remove/", commissions.member_remove, name="member_remove"),
    path("commissions/<int:pk>/form/", commissions.commission_form, name="commission_form"),
    # Portfolio review by commission members (views/reviews.py).
    path("reviews/", reviews.review_queue, name="review_queue"),
    path("applications/<int:pk>/review/", reviews.review_sheet, name="review_sheet"),
    path("applications/<int:pk>/review/return/", reviews.review_return, name="review_return"),
    path("applications/<int:pk>/reviews/", reviews.review_summary, name="review_summary"),
    # Commission sessions, votes, protocols and document jobs (views/sessions.py).
    path("commissions/<int:pk>/sessions/new/", sessions.session_create, name="session_create"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session_detail"),
    path("sessions/<int:pk>/agenda/", sessions.session_agenda, name="session_agenda"),
    path("sessions/<int:pk>/attendance/", sessions.session_attendance, name="session_attendance"),
    path("sessions/<int:pk>/votes/", sessions.session_votes, name="session_votes"),
    path("sessions/<int:pk>/close/", sessions.session_close, name="session_close"),
    path("sessions/<int:pk>/cancel/", sessions.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/protocol.pdf", sessions.session_protocol, name="session_protocol"),
    path(
        "sessions/<int:pk>/extracts/<int:application_pk>.pdf",
        sessions.session_extract,
        name="session_extract",
    ),
    path("documents/<int:pk>/", sessions.document_job_detail, name="document_job_detail"),
    path(
        "documents/<int:pk>/download/", sessions.document_job_download, name="document_job_download"
    ),
    # Orders, ministry decisions and category certificates (views/orders.py).
    path("orders/", orders.order_list, name="order_list"),
    path("orders/new/", orders.order_create, name="order_create"),
    path("orders/<int:pk>/", orders.order_detail, name="order_detail"),
    path(
        "applications/<int:pk>/ministry-decision/",
        orders.ministry_decision_record,
        name="ministry_decision_record",
    ),
    path(
        "category-certificates/<int:pk>/",
        orders.category_certificate_detail,
        name="category_certificate_detail",
    ),
    path(
        "category-certificates/<int:pk>/pdf/",
        orders.category_certificate_pdf,
        name="category_certificate_pdf",
    ),
    path(
        "category-certificates/<int:pk>/revoke/",
        orders.category_certificate_revoke,
        name="category_certificate_revoke",
    ),
    # Appeals against decisions (views/appeals.py).
    path("decisions/<int:pk>/appeal/", appeals.appeal_lodge, name="appeal_lodge"),
    path("appeals/", appeals.appeal_list, name="appeal_list"),
    path("appeals/<int:pk>/", appeals.appeal_detail, name="appeal_detail"),
    path("appeals/<int:pk>/decide/", appeals.appeal_decide, name="appeal_decide"),
    # Special paths: without attestation, freezing, pre-pension, sanctions (views/special.py).
    path("teachers/<int:pk>/category/", special.category_measures, name="category_measures"),
    path("teachers/<int:pk>/category/grant/", special.category_grant, name="category_grant"),
    path("teachers/<int:pk>/category/freeze/", special.category_freeze, name="category_freeze"),
    path("freezes/<int:pk>/end/", special.category_freeze_end, name="category_freeze_end"),
    path(
        "teachers/<int:pk>/category/pre-pension/",
        special.category_pre_pension,
        name="category_pre_pension",
    ),
    path("teachers/<int:pk>/category/sanction/", special.sanction_impose, name="sanction_impose"),
]
