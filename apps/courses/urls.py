from django.urls import path

from .views import catalogue, enrolment, external, results

app_name = "courses"

urlpatterns = [
    # The catalogue and its management (views/catalogue.py).
    path("", catalogue.catalogue, name="catalogue"),
    path("<int:pk>/", catalogue.course_detail, name="course_detail"),
    path("new/", catalogue.course_create, name="course_create"),
    path("<int:pk>/edit/", catalogue.course_update, name="course_update"),
    path("providers/", catalogue.provider_list, name="provider_list"),
    path("providers/new/", catalogue.provider_create, name="provider_create"),
    path("providers/<int:pk>/edit/", catalogue.provider_update, name="provider_update"),
    path("<int:course_pk>/runs/new/", catalogue.run_create, name="run_create"),
    path("runs/<int:pk>/", catalogue.run_detail, name="run_detail"),
    path("runs/<int:pk>/edit/", catalogue.run_update, name="run_update"),
    path("runs/<int:pk>/cancel/", catalogue.run_cancel, name="run_cancel"),
    # Enrolment (views/enrolment.py).
    path("runs/<int:pk>/enrol/", enrolment.run_enrol_self, name="run_enrol_self"),
    path("runs/<int:pk>/enrol-teachers/", enrolment.run_enrol_teachers, name="run_enrol_teachers"),
    path("enrolments/<int:pk>/", enrolment.enrolment_detail, name="enrolment_detail"),
    path("enrolments/<int:pk>/cancel/", enrolment.enrolment_cancel, name="enrolment_cancel"),
    path("enrolments/<int:pk>/approve/", enrolment.enrolment_approve, name="enrolment_approve"),
    path("my/", enrolment.my_courses, name="my_courses"),
    # Attendance, assessment and completion (views/results.py).
    path("runs/<int:pk>/attendance/", results.run_attendance, name="run_attendance"),
    path("runs/<int:pk>/results/", results.run_results, name="run_results"),
    path("runs/<int:pk>/complete/", results.run_complete, name="run_complete"),
    # External PD certificates (views/external.py).
    path("external/", external.external_list, name="external_list"),
    path("external/new/", external.external_create, name="external_create"),
    path("external/<int:pk>/", external.external_detail, name="external_detail"),
    path("external/<int:pk>/file/", external.external_file, name="external_file"),
]
