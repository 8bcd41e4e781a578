from django.urls import path

from . import views

app_name = "teachers"
urlpatterns = [
    path("", views.teacher_list, name="list"),
    path("new/", views.teacher_create, name="create"),
    path("me/", views.my_record, name="me"),
    path("<int:pk>/", views.teacher_detail, name="detail"),
    path("<int:pk>/edit/", views.teacher_update, name="update"),
]
