from django.urls import path

from .views import outcomes, selection, training

app_name = "leaders"

urlpatterns = [
    # Intakes, applications and selection (views/selection.py).
    path("", selection.intake_list, name="intake_list"),
    path("intakes/new/", selection.intake_create, name="intake_create"),
    path("intakes/<int:pk>/", selection.intake_detail, name="intake_detail"),
    path("intakes/<int:pk>/edit/", selection.intake_update, name="intake_update"),
    path("intakes/<int:pk>/status/", selection.intake_status, name="intake_status"),
    path("intakes/<int:pk>/apply/", selection.candidate_apply, name="candidate_apply"),
    path("intakes/<int:pk>/candidates/", selection.candidate_list, name="candidate_list"),
    path("stages/<int:pk>/", selection.stage_detail, name="stage_detail"),
    path("stages/<int:pk>/scores/", selection.stage_scores, name="stage_scores"),
    path("stages/<int:pk>/import/", selection.stage_import, name="stage_import"),
    path("stages/<int:pk>/decide/", selection.stage_decide, name="stage_decide"),
    path("candidates/<int:pk>/", selection.candidate_detail, name="candidate_detail"),
    path("candidates/<int:pk>/withdraw/", selection.candidate_withdraw, name="candidate_withdraw"),
    path("my/", selection.my_candidacies, name="my_candidacies"),
    # Training and progress (views/training.py).
    path("intakes/<int:pk>/cohort/", training.cohort, name="cohort"),
    path("intakes/<int:pk>/modules/new/", training.module_create, name="module_create"),
    path("modules/<int:pk>/attendance/", training.module_attendance, name="module_attendance"),
    path("candidates/<int:pk>/internship/", training.internship, name="internship"),
    path("candidates/<int:pk>/mentor/", training.mentorship, name="mentorship"),
    path("candidates/<int:pk>/report/", training.reflective_report, name="reflective_report"),
    path("reports/", training.report_queue, name="report_queue"),
    path("intakes/<int:pk>/complete/", training.training_complete, name="training_complete"),
    # Reserve, appointments, vacancies and outcomes (views/outcomes.py).
    path("reserve/", outcomes.reserve, name="reserve"),
    path("candidates/<int:pk>/appoint/", outcomes.appointment_create, name="appointment_create"),
    path("vacancies/", outcomes.vacancy_list, name="vacancy_list"),
    path("vacancies/new/", outcomes.vacancy_create, name="vacancy_create"),
    path("outcomes/", outcomes.outcomes, name="outcomes"),
    path("outcomes/export.xlsx", outcomes.outcomes_export, name="outcomes_export"),
]
