"""Every page x every role: allowed (200), refused (403), hidden (404) or sent elsewhere (302).

A record outside the user's scope answers 404, so that ids cannot be probed. The pages that
take a form are also posted to, as their page would post.
"""

import pytest
from django.urls import reverse

ROLES = [
    "anonymous",
    "no_role",
    "teacher",
    "school_admin",
    "methodologist",
    "commission_member",
    "hr_analyst",
    "region_admin",
    "superuser",
]

# page -> expected status per role, in the order of ROLES.
# teacher_a is in school A (district 6110, the teacher user's own record), teacher_b in
# school B (6110), teacher_c in school C (district 6152).
MATRIX = {
    "home": [302, 200, 302, 200, 200, 200, 200, 200, 200],
    "list": [302, 403, 403, 200, 200, 200, 200, 200, 200],
    "create": [302, 403, 403, 200, 200, 403, 403, 200, 200],
    "me": [302, 302, 302, 302, 302, 302, 302, 302, 302],
    "detail_a": [302, 404, 200, 200, 200, 200, 200, 200, 200],
    "detail_b": [302, 404, 404, 404, 200, 200, 200, 200, 200],
    "detail_c": [302, 404, 404, 404, 404, 404, 200, 200, 200],
    "update_a": [302, 404, 403, 200, 200, 403, 403, 200, 200],
    "update_b": [302, 404, 404, 404, 200, 403, 403, 200, 200],
    "update_c": [302, 404, 404, 404, 404, 404, 403, 200, 200],
    "imports": [302, 403, 403, 200, 200, 403, 403, 200, 200],
    "import_new": [302, 403, 403, 200, 200, 403, 403, 200, 200],
    # An import of school A by its administrator: theirs, their district's methodologist's
    # and the region's; hidden from everyone else.
    "import_job": [302, 404, 404, 200, 200, 404, 404, 200, 200],
    "import_errors": [302, 404, 404, 200, 200, 404, 404, 200, 200],
    "export": [302, 403, 403, 200, 200, 200, 200, 200, 200],
    "admin": [302, 302, 302, 302, 302, 302, 302, 302, 200],
    "health": [200, 200, 200, 200, 200, 200, 200, 200, 200],
    # Reports. Staff see the dashboard and the plans of their scope; anyone signed in sees
    # their own subscriptions. The export and the subscription are the HR analyst's: the
    # export is theirs and the superusers', the subscription theirs alone; to everyone else
    # they do not exist. The export and the unsubscribing are posted only.
    "reports": [302, 403, 403, 200, 200, 200, 200, 200, 200],
    "report_plans": [302, 403, 403, 200, 200, 200, 200, 200, 200],
    "report_subscriptions": [302, 200, 200, 200, 200, 200, 200, 200, 200],
    "report_export": [302, 405, 405, 405, 405, 405, 405, 405, 405],
    "report_export_detail": [302, 404, 404, 404, 404, 404, 200, 404, 200],
    "report_export_download": [302, 404, 404, 404, 404, 404, 200, 404, 200],
    "report_subscription_delete": [302, 405, 405, 405, 405, 405, 405, 405, 405],
}

# The same for posting: a page -> expected status per role, in the order of ROLES.
POST_MATRIX = {
    # Every number as shown, saved unchanged: only the plans' setters get that far.
    "report_plans": [302, 403, 403, 403, 403, 403, 403, 302, 302],
    "report_subscriptions": [302, 403, 403, 302, 302, 302, 302, 302, 302],
    "report_export": [302, 403, 403, 302, 302, 302, 302, 302, 302],
    "report_subscription_delete": [302, 404, 404, 404, 404, 404, 302, 404, 404],
}


def _url(world, page):
    simple = {
        "home": reverse("home"),
        "list": reverse("teachers:list"),
        "create": reverse("teachers:create"),
        "me": reverse("teachers:me"),
        "admin": reverse("admin:index"),
        "imports": reverse("teachers:import_list"),
        "import_new": reverse("teachers:import_upload"),
        "export": reverse("teachers:export", args=["csv"]),
        "health": reverse("health"),
    }
    if page in simple:
        return simple[page]
    if page.startswith("report"):
        return _report_url(world, page)
    if page.startswith("import_"):
        job = _import_job(world)
        if page == "import_job":
            return reverse("teachers:import_detail", args=[job.pk])
        return reverse("teachers:import_errors", args=[job.pk, "csv"])
    view, letter = page.split("_")
    teacher = getattr(world, f"teacher_{letter}")
    return reverse(f"teachers:{view}", args=[teacher.pk])


@pytest.mark.parametrize("page", MATRIX)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, role, page):
    if role != "anonymous":
        client.force_login(world.users[role])
    response = client.get(_url(world, page))
    assert response.status_code == MATRIX[page][ROLES.index(role)], (role, page)


@pytest.mark.parametrize("page", POST_MATRIX)
@pytest.mark.parametrize("role", ROLES)
def test_posting_matrix(client, world, role, page):
    if role != "anonymous":
        client.force_login(world.users[role])
    url = _url(world, page)
    response = client.post(url, _post_data(client, page, url))
    assert response.status_code == POST_MATRIX[page][ROLES.index(role)], (role, page)


def _report_url(world, page) -> str:
    simple = {
        "reports": reverse("reports:dashboard"),
        "report_plans": reverse("reports:plans"),
        "report_subscriptions": reverse("reports:subscriptions"),
        "report_export": reverse("reports:export", args=["csv"]),
    }
    if page in simple:
        return simple[page]
    if page == "report_subscription_delete":
        from apps.reports.models import SummarySubscription

        subscription = SummarySubscription.objects.create(
            user=world.users["hr_analyst"], query="", language="kk", file_format="pdf"
        )
        return reverse("reports:subscription_delete", args=[subscription.pk])
    export = _report_export(world)
    return reverse(f"reports:{page.removeprefix('report_')}", args=[export.pk])


def _report_export(world):
    from django.core.files.base import ContentFile

    from apps.reports.models import ReportExport

    export = ReportExport.objects.create(
        created_by=world.users["hr_analyst"],
        query="",
        file_format="csv",
        language="kk",
        status=ReportExport.Status.DONE,
    )
    export.file.save("report.csv", ContentFile(b"a;b\n"))
    return export


def _post_data(client, page, url) -> dict:
    if page == "report_subscriptions":
        return {"query": "", "language": "kk", "file_format": "pdf"}
    if page == "report_export":
        return {"query": ""}
    if page == "report_plans":
        shown = client.get(url)
        formset = shown.context["formset"] if shown.status_code == 200 else None
        return _plans_as_shown(formset) if formset else {}
    return {}


def _plans_as_shown(formset) -> dict:
    data = {
        f"{formset.prefix}-TOTAL_FORMS": len(formset.forms),
        f"{formset.prefix}-INITIAL_FORMS": len(formset.forms),
    }
    for form in formset:
        number = form["planned_teachers"]
        shown = "" if number.value() is None else number.value()
        data[form["district"].html_name] = form["district"].value()
        data[number.html_name] = data[number.html_initial_name] = shown
    return data


def test_posting_an_edit_outside_the_scope_changes_nothing(client, world):
    client.force_login(world.users["school_admin"])
    teacher = world.teacher_c
    response = client.post(reverse("teachers:update", args=[teacher.pk]), {"last_name": "Hacked"})
    assert response.status_code == 404
    teacher.refresh_from_db()
    assert teacher.last_name != "Hacked"


def test_a_school_admin_cannot_move_a_teacher_to_another_school(client, world):
    client.force_login(world.users["school_admin"])
    teacher = world.teacher_a
    form = _form_data(teacher)
    form["organization"] = world.school_b.pk
    response = client.post(reverse("teachers:update", args=[teacher.pk]), form)
    assert response.status_code == 200  # the form comes back with the error
    assert response.context["form"].errors["organization"]
    teacher.refresh_from_db()
    assert teacher.organization == world.school_a


def test_a_school_admin_cannot_create_a_teacher_in_another_school(client, world):
    from apps.teachers.models import Teacher

    client.force_login(world.users["school_admin"])
    form = _form_data(world.teacher_a)
    form.update(iin="900101300007", organization=world.school_c.pk, sex="M", birth_date="")
    response = client.post(reverse("teachers:create"), form)
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert not Teacher.objects.filter(iin="900101300007").exists()


def _import_job(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.teachers.imports.services import import_job_create

    upload = SimpleUploadedFile("t.csv", "ИИН;Фамилия\n900101300007;Асанов\n".encode())
    return import_job_create(
        actor=world.users["school_admin"], uploaded_file=upload, organization=world.school_a
    )


def _form_data(teacher) -> dict:
    return {
        "iin": teacher.iin,
        "last_name": teacher.last_name,
        "first_name": teacher.first_name,
        "middle_name": teacher.middle_name,
        "birth_date": teacher.birth_date.isoformat(),
        "sex": teacher.sex,
        "organization": teacher.organization_id,
        "position": teacher.position_id,
        "category": teacher.category_id or "",
        "category_awarded_on": teacher.category_awarded_on or "",
        "category_valid_until": teacher.category_valid_until or "",
        "experience_start": teacher.experience_start or "",
        "education": teacher.education,
        "education_institution": "",
        "specialty": "",
        "phone": "",
        "email": teacher.email,
        "teaching_language": "",
    }
