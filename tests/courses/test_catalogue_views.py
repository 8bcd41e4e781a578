"""The catalogue pages: filters, a constant query count, who may see and manage what, and
the management forms (providers, courses, runs with quotas, cancelling a run)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.courses import services
from apps.courses.models import Course, CourseRun, DistrictQuota, Enrolment, Provider, RunSession
from apps.organizations.models import InstructionLanguage
from apps.teachers.models import Position, Subject
from tests.factories import (
    CourseFactory,
    CourseRunFactory,
    ProviderFactory,
    TeacherFactory,
    add_course_users,
    next_bin,
    run_with_sessions,
)

S = Enrolment.Status


@pytest.fixture
def cw(world):
    return add_course_users(world)


def _login(client, cw, role):
    if role != "anonymous":
        client.force_login(cw.users[role])
    return client


def _run_ids(response):
    return [run.pk for run in response.context["page"].object_list]


# --- the catalogue ------------------------------------------------------------------------


def test_catalogue_rows_show_seats_state_and_the_teachers_own_status(client, cw):
    services.enrolment_create(run=cw.run, teacher=cw.teacher_a, actor=cw.users["teacher"])
    services.enrolment_create(run=cw.run, teacher=cw.teacher_b, actor=cw.users["region_admin"])
    response = _login(client, cw, "teacher").get(reverse("courses:catalogue"))
    assert response.status_code == 200
    [row] = response.context["page"].object_list
    assert (row.confirmed, row.waitlisted, row.seats_left) == (2, 0, cw.run.capacity - 2)
    assert row.current_state == CourseRun.State.OPEN
    assert row.my_enrolment.status == S.CONFIRMED
    html = response.content.decode()
    assert cw.course.title_kk in html  # Kazakh is the default interface language
    assert f"{cw.run.capacity - 2} " in html


def test_catalogue_title_follows_the_interface_language(client, cw):
    user = cw.users["teacher"]
    user.preferred_language = "ru"
    user.save()
    response = _login(client, cw, "teacher").get(reverse("courses:catalogue"))
    assert cw.course.title_ru in response.content.decode()


def test_catalogue_filters(client, cw):
    other = CourseRunFactory(
        course=CourseFactory(
            title_ru="Цифровая грамотность учителя",
            title_kk="Мұғалімнің цифрлық сауаттылығы",
            format=Course.Format.ONLINE,
            language=InstructionLanguage.objects.get(code="ru"),
        ),
        starts_on=timezone.localdate() + dt.timedelta(days=60),
        ends_on=timezone.localdate() + dt.timedelta(days=65),
        enrolment_deadline=timezone.localdate() + dt.timedelta(days=50),
    )
    physics = Subject.objects.get(code="physics")
    other.course.target_subjects.add(physics)
    url = reverse("courses:catalogue")
    _login(client, cw, "methodologist")
    assert _run_ids(client.get(url)) == [cw.run.pk, other.pk]
    assert _run_ids(client.get(url, {"q": "цифр"})) == [other.pk]
    assert _run_ids(client.get(url, {"q": "Цифровая"})) == [other.pk]
    assert _run_ids(client.get(url, {"q": other.course.provider.code})) == [other.pk]
    assert _run_ids(client.get(url, {"provider": cw.provider.pk})) == [cw.run.pk]
    assert _run_ids(client.get(url, {"format": "online"})) == [other.pk]
    ru = InstructionLanguage.objects.get(code="ru")
    assert _run_ids(client.get(url, {"language": ru.pk})) == [other.pk]
    assert _run_ids(client.get(url, {"subject": physics.pk})) == [other.pk]
    position = Position.objects.get(code="teacher")
    cw.course.target_positions.add(position)
    assert _run_ids(client.get(url, {"position": position.pk})) == [cw.run.pk]
    start = (timezone.localdate() + dt.timedelta(days=45)).isoformat()
    assert _run_ids(client.get(url, {"starts_from": start})) == [other.pk]
    assert _run_ids(client.get(url, {"starts_to": start})) == [cw.run.pk]


def test_catalogue_state_filters_are_dates_and_seats(client, cw):
    today = timezone.localdate()
    full = CourseRunFactory(capacity=1)
    services.enrolment_create(run=full, teacher=cw.teacher_b, actor=cw.users["region_admin"])
    closed = CourseRunFactory(enrolment_deadline=today - dt.timedelta(days=1))
    running = run_with_sessions(past=2, future=2)
    finished = run_with_sessions(past=3, future=0)
    finished.ends_on = today - dt.timedelta(days=1)
    finished.save()
    cancelled = CourseRunFactory()
    services.run_cancel(run=cancelled, actor=cw.users["region_admin"], reason="Тренер ауырды")
    url = reverse("courses:catalogue")
    _login(client, cw, "region_admin")
    assert _run_ids(client.get(url, {"state": "open"})) == [cw.run.pk]
    assert set(_run_ids(client.get(url, {"state": "upcoming"}))) == {cw.run.pk, full.pk, closed.pk}
    assert set(_run_ids(client.get(url))) == {cw.run.pk, full.pk, closed.pk}  # the default
    assert _run_ids(client.get(url, {"state": "in_progress"})) == [running.pk]
    assert _run_ids(client.get(url, {"state": "finished"})) == [finished.pk]
    assert _run_ids(client.get(url, {"state": "cancelled"})) == [cancelled.pk]
    assert len(_run_ids(client.get(url, {"state": ""}))) == 6


def test_for_me_matches_the_teachers_subjects_and_position(client, cw):
    math = Subject.objects.get(code="mathematics")
    physics = Subject.objects.get(code="physics")
    cw.teacher_a.subjects.add(math)
    for_physics = CourseRunFactory(course=CourseFactory())
    for_physics.course.target_subjects.add(physics)
    for_math = CourseRunFactory(course=CourseFactory())
    for_math.course.target_subjects.add(math)
    for_heads = CourseRunFactory(course=CourseFactory())
    for_heads.course.target_positions.add(Position.objects.exclude(code="teacher").first())
    url = reverse("courses:catalogue")
    response = _login(client, cw, "teacher").get(url, {"for_me": "on"})
    assert set(_run_ids(response)) == {cw.run.pk, for_math.pk}  # cw.run: for everyone
    # Staff without a teacher record are not offered the filter.
    client.force_login(cw.users["methodologist"])
    response = client.get(url, {"for_me": "on"})
    assert "for_me" not in response.context["filter"].form.fields
    assert len(_run_ids(response)) == 4


def test_catalogue_paginates_and_answers_htmx_with_the_fragment(client, cw, monkeypatch):
    from apps.courses.views import catalogue

    monkeypatch.setattr(catalogue, "CATALOGUE_PAGE_SIZE", 2)
    for _n in range(3):
        CourseRunFactory()
    _login(client, cw, "teacher")
    url = reverse("courses:catalogue")
    first, second = client.get(url), client.get(url, {"page": 2})
    assert first.context["page"].paginator.count == 4
    assert len(set(_run_ids(first)) | set(_run_ids(second))) == 4
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert b'id="result-count"' in response.content


def test_inactive_courses_are_shown_only_to_those_who_manage_them(client, cw):
    cw.course.is_active = False
    cw.course.save()
    url = reverse("courses:catalogue")
    assert _run_ids(_login(client, cw, "teacher").get(url)) == []
    detail = reverse("courses:course_detail", args=[cw.course.pk])
    assert client.get(detail).status_code == 404
    assert client.get(reverse("courses:run_detail", args=[cw.run.pk])).status_code == 404
    for role in ("provider_staff", "region_admin"):
        _login(client, cw, role)
        assert _run_ids(client.get(url)) == [cw.run.pk]
        assert client.get(detail).status_code == 200


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["teacher", "region_admin", "provider_staff"])
def test_catalogue_query_count_does_not_grow_with_rows(client, cw, role):
    _login(client, cw, role)
    url = reverse("courses:catalogue") + "?state=&q="
    for _n in range(2):
        CourseRunFactory()
    small = _queries(client, url)
    runs = [CourseRunFactory(course=CourseFactory(provider=ProviderFactory())) for _n in range(27)]
    for run in runs[:5]:
        services.enrolment_create(
            run=run, teacher=cw.teacher_a, actor=cw.users["teacher"], allow_overlap=True
        )
    large = _queries(client, url)
    assert small == large


# --- the course page -------------------------------------------------------------------------


def test_course_page_lists_upcoming_runs_first_and_past_ones_apart(client, cw):
    later = CourseRunFactory(
        course=cw.course,
        starts_on=cw.run.starts_on + dt.timedelta(days=30),
        ends_on=cw.run.ends_on + dt.timedelta(days=30),
    )
    past = run_with_sessions(past=3, course=cw.course)
    past.ends_on = timezone.localdate() - dt.timedelta(days=1)
    past.save()
    prerequisite = CourseFactory(provider=cw.provider)
    cw.course.prerequisites.add(prerequisite)
    cw.course.description_kk = "Курс сипаттамасы"
    cw.course.save()
    response = _login(client, cw, "teacher").get(
        reverse("courses:course_detail", args=[cw.course.pk])
    )
    assert [r.pk for r in response.context["upcoming_runs"]] == [cw.run.pk, later.pk]
    assert [r.pk for r in response.context["past_runs"]] == [past.pk]
    html = response.content.decode()
    assert "Курс сипаттамасы" in html and prerequisite.title_kk in html
    assert reverse("courses:run_create", args=[cw.course.pk]) not in html  # not a manager
    _login(client, cw, "provider_staff")
    html = client.get(reverse("courses:course_detail", args=[cw.course.pk])).content.decode()
    assert reverse("courses:run_create", args=[cw.course.pk]) in html


# --- who may open what --------------------------------------------------------------------

ROLES = [
    "anonymous",
    "teacher",
    "school_admin",
    "other_school_admin",
    "methodologist",
    "region_admin",
    "provider_staff",
    "other_provider_staff",
]
MATRIX = {
    "catalogue": [302, 200, 200, 200, 200, 200, 200, 200],
    "course_detail": [302, 200, 200, 200, 200, 200, 200, 200],
    "course_create": [302, 403, 403, 403, 403, 200, 200, 200],
    "course_update": [302, 403, 403, 403, 403, 200, 200, 403],
    "provider_list": [302, 403, 403, 403, 403, 200, 200, 200],
    "provider_create": [302, 403, 403, 403, 403, 200, 403, 403],
    "provider_update": [302, 403, 403, 403, 403, 200, 200, 403],
    "run_create": [302, 403, 403, 403, 403, 200, 200, 403],
    "run_detail": [302, 200, 200, 200, 200, 200, 200, 200],
    "run_update": [302, 403, 403, 403, 403, 200, 200, 403],
    "run_cancel": [302, 403, 403, 403, 403, 200, 200, 403],
}


def _matrix_url(cw, page):
    args = {
        "course_detail": [cw.course.pk],
        "course_update": [cw.course.pk],
        "provider_update": [cw.provider.pk],
        "run_create": [cw.course.pk],
        "run_detail": [cw.run.pk],
        "run_update": [cw.run.pk],
        "run_cancel": [cw.run.pk],
    }
    return reverse(f"courses:{page}", args=args.get(page, []))


@pytest.mark.parametrize("page", MATRIX)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, cw, role, page):
    response = _login(client, cw, role).get(_matrix_url(cw, page))
    assert response.status_code == MATRIX[page][ROLES.index(role)], (role, page)
    if role == "anonymous":
        assert response.url.startswith(reverse("account_login"))


def test_provider_staff_see_only_their_providers(client, cw):
    ProviderFactory()
    response = _login(client, cw, "provider_staff").get(reverse("courses:provider_list"))
    assert [p.pk for p in response.context["providers"]] == [cw.provider.pk]
    response = _login(client, cw, "region_admin").get(reverse("courses:provider_list"))
    assert len(response.context["providers"]) == Provider.objects.count()


# --- management forms ------------------------------------------------------------------------


def _course_data(provider, **overrides):
    data = {
        "provider": provider.pk,
        "title_kk": "Инклюзивті білім беру",
        "title_ru": "Инклюзивное образование",
        "hours": 36,
        "format": "blended",
        "language": InstructionLanguage.objects.get(code="kk").pk,
        "target_subjects": [Subject.objects.get(code="mathematics").pk],
        "target_positions": [Position.objects.get(code="teacher").pk],
        "min_attendance_percent": 75,
        "assessment_required": "on",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_provider_staff_create_a_course_only_for_their_provider(client, cw):
    _login(client, cw, "provider_staff")
    url = reverse("courses:course_create")
    other = ProviderFactory()
    response = client.post(url, _course_data(other))
    assert response.status_code == 200 and "provider" in response.context["form"].errors
    assert not Course.objects.filter(title_ru="Инклюзивное образование").exists()
    prerequisite = CourseFactory(provider=cw.provider)
    response = client.post(url, _course_data(cw.provider, prerequisites=[prerequisite.pk]))
    course = Course.objects.get(title_ru="Инклюзивное образование")
    assert response.url == reverse("courses:course_detail", args=[course.pk])
    assert (course.provider, course.hours, course.min_attendance_percent) == (cw.provider, 36, 75)
    assert list(course.target_subjects.values_list("code", flat=True)) == ["mathematics"]
    assert list(course.prerequisites.all()) == [prerequisite]


def test_course_update_keeps_a_course_out_of_its_own_prerequisites(client, cw):
    _login(client, cw, "region_admin")
    url = reverse("courses:course_update", args=[cw.course.pk])
    response = client.post(url, _course_data(cw.provider, prerequisites=[cw.course.pk]))
    assert "prerequisites" in response.context["form"].errors
    response = client.post(url, _course_data(cw.provider, hours=48))
    assert response.status_code == 302
    cw.course.refresh_from_db()
    assert cw.course.hours == 48 and cw.course.title_ru == "Инклюзивное образование"


def _provider_data(**overrides):
    data = {
        "code": "NISCPE",
        "bin": next_bin(),
        "name_kk": "НЗМ ПШО",
        "name_ru": "ЦПМ НИШ",
        "website": "cpm.nis.edu.kz",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_region_admin_adds_a_provider_with_staff_and_a_checked_bin(client, cw):
    _login(client, cw, "region_admin")
    url = reverse("courses:provider_create")
    response = client.post(url, _provider_data(bin="123456789012"))
    assert "bin" in response.context["form"].errors
    staff = cw.users["no_role"]
    response = client.post(url, _provider_data(staff=[staff.pk]))
    provider = Provider.objects.get(code="NISCPE")
    assert response.url == reverse("courses:provider_list")
    assert list(provider.staff.all()) == [staff]
    assert provider.website == "https://cpm.nis.edu.kz"
    # Teachers' own accounts are not offered as provider staff.
    form = client.get(url).context["form"]
    assert cw.users["teacher"] not in form.fields["staff"].queryset


def test_provider_staff_edit_their_provider_but_not_its_code_or_bin(client, cw):
    _login(client, cw, "provider_staff")
    url = reverse("courses:provider_update", args=[cw.provider.pk])
    data = _provider_data(code="HACK", bin=next_bin(), name_ru="Новое имя")
    data["staff"] = [cw.users["provider_staff"].pk]
    response = client.post(url, data)
    assert response.status_code == 302
    provider = Provider.objects.get(pk=cw.provider.pk)
    assert provider.name_ru == "Новое имя"
    assert (provider.code, provider.bin) == (cw.provider.code, cw.provider.bin)


def _run_data(**overrides):
    start = timezone.localdate() + dt.timedelta(days=40)
    data = {
        "code": "TRK-07",
        "starts_on": start.isoformat(),
        "ends_on": (start + dt.timedelta(days=4)).isoformat(),
        "enrolment_deadline": (start - dt.timedelta(days=5)).isoformat(),
        "capacity": 30,
        "location": "Түркістан, № 3 мектеп",
        "trainer_name": "Әлия Серікова",
    }
    data.update(overrides)
    return data


def test_run_create_with_district_quotas(client, cw):
    _login(client, cw, "provider_staff")
    url = reverse("courses:run_create", args=[cw.course.pk])
    form = client.get(url).context["form"]
    assert f"quota_{cw.city.pk}" in form.fields and f"quota_{cw.sairam.pk}" in form.fields
    trainer = cw.users["provider_staff"]
    response = client.post(
        url,
        _run_data(
            **{f"quota_{cw.city.pk}": 20, f"quota_{cw.sairam.pk}": 40, "trainer": trainer.pk}
        ),
    )
    assert "capacity" in response.context["form"].errors  # quotas add up to more than seats
    assert not CourseRun.objects.filter(code="TRK-07").exists()
    response = client.post(
        url,
        _run_data(
            **{f"quota_{cw.city.pk}": 20, f"quota_{cw.sairam.pk}": 10, "trainer": trainer.pk}
        ),
    )
    run = CourseRun.objects.get(code="TRK-07")
    assert response.url == reverse("courses:run_detail", args=[run.pk])
    assert run.trainer == trainer
    assert dict(run.quotas.values_list("district_id", "seats")) == {
        cw.city.pk: 20,
        cw.sairam.pk: 10,
    }
    assert RunSession.objects.filter(run=run).exists()
    # The group code is unique within the course: the service's check comes back as an error.
    response = client.post(url, _run_data())
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert CourseRun.objects.filter(code="TRK-07").count() == 1


def test_run_update_changes_quotas_and_reports_date_errors(client, cw):
    DistrictQuota.objects.create(run=cw.run, district=cw.city, seats=5)
    _login(client, cw, "region_admin")
    url = reverse("courses:run_update", args=[cw.run.pk])
    assert client.get(url).context["form"][f"quota_{cw.city.pk}"].value() == 5
    data = _run_data(code=cw.run.code, **{f"quota_{cw.sairam.pk}": 3})
    bad = dict(data, ends_on=(timezone.localdate() + dt.timedelta(days=1)).isoformat())
    response = client.post(url, bad)
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(url, data)
    assert response.status_code == 302
    assert dict(cw.run.quotas.values_list("district_id", "seats")) == {cw.sairam.pk: 3}


def test_run_cancel_needs_a_reason_and_cancels_every_enrolment(client, cw):
    enrolment = services.enrolment_create(
        run=cw.run, teacher=cw.teacher_a, actor=cw.users["teacher"]
    )
    _login(client, cw, "provider_staff")
    url = reverse("courses:run_cancel", args=[cw.run.pk])
    page = client.get(url)
    assert page.status_code == 200 and "form" in page.context
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    cw.run.refresh_from_db()
    assert cw.run.cancelled_at is None
    response = client.post(url, {"reason": "Тренер ауырып қалды"})
    assert response.url == reverse("courses:run_detail", args=[cw.run.pk])
    cw.run.refresh_from_db()
    enrolment.refresh_from_db()
    assert cw.run.cancelled_at is not None and enrolment.status == S.CANCELLED
    assert enrolment.events.last().comment == "Тренер ауырып қалды"
    # A second tab: nothing changes, the user is told.
    cancelled_at = cw.run.cancelled_at
    response = client.post(url, {"reason": "again"}, follow=True)
    cw.run.refresh_from_db()
    assert cw.run.cancelled_at == cancelled_at
    assert enrolment.events.count() == 2


# --- the run page ------------------------------------------------------------------------------


def test_run_page_roster_is_limited_to_the_viewers_scope(client, cw):
    for teacher in (cw.teacher_a, cw.teacher_b, cw.teacher_c):
        services.enrolment_create(run=cw.run, teacher=teacher, actor=cw.users["region_admin"])
    url = reverse("courses:run_detail", args=[cw.run.pk])

    def roster_teachers(role):
        roster = _login(client, cw, role).get(url).context["roster"]
        return None if roster is None else {e.teacher for e in roster.participants}

    assert roster_teachers("teacher") is None
    assert roster_teachers("other_provider_staff") is None
    assert roster_teachers("school_admin") == {cw.teacher_a}
    assert roster_teachers("methodologist") == {cw.teacher_a, cw.teacher_b}
    everyone = {cw.teacher_a, cw.teacher_b, cw.teacher_c}
    assert roster_teachers("provider_staff") == everyone
    assert roster_teachers("region_admin") == everyone


def test_run_page_shows_quota_use_and_links_for_the_run_managers(client, cw):
    DistrictQuota.objects.create(run=cw.run, district=cw.city, seats=2)
    services.enrolment_create(run=cw.run, teacher=cw.teacher_a, actor=cw.users["region_admin"])
    response = _login(client, cw, "provider_staff").get(
        reverse("courses:run_detail", args=[cw.run.pk])
    )
    [quota] = response.context["quotas"]
    assert (quota.district, quota.seats, quota.taken) == (cw.city, 2, 1)
    html = response.content.decode()
    assert reverse("courses:run_attendance", args=[cw.run.pk]) in html
    assert reverse("courses:run_update", args=[cw.run.pk]) in html
    html = _login(client, cw, "teacher").get(reverse("courses:run_detail", args=[cw.run.pk]))
    assert reverse("courses:run_attendance", args=[cw.run.pk]) not in html.content.decode()


@pytest.mark.parametrize("role", ["region_admin", "methodologist", "teacher"])
def test_run_page_query_count_does_not_grow_with_the_roster(client, cw, role):
    url = reverse("courses:run_detail", args=[cw.run.pk])
    cw.run.capacity = 20
    cw.run.save()
    services.enrolment_create(run=cw.run, teacher=cw.teacher_a, actor=cw.users["region_admin"])
    _login(client, cw, role)
    small = _queries(client, url)
    teachers = [TeacherFactory(organization=cw.school_b) for _n in range(30)]
    result = services.enrolments_create(
        run=cw.run, teachers=teachers, actor=cw.users["region_admin"]
    )
    assert result.waitlisted  # the roster has a waitlist too
    large = _queries(client, url)
    assert small == large


# --- the admin ---------------------------------------------------------------------------------


def test_admin_pages_render_and_save_runs_through_the_service(client, cw):
    enrolment = services.enrolment_create(
        run=cw.run, teacher=cw.teacher_a, actor=cw.users["teacher"]
    )
    client.force_login(cw.users["superuser"])
    for name, obj in [
        ("provider", cw.provider),
        ("course", cw.course),
        ("courserun", cw.run),
        ("enrolment", enrolment),
    ]:
        assert client.get(reverse(f"admin:courses_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:courses_{name}_change", args=[obj.pk])).status_code == 200
    # Enrolments change only through the state machine.
    assert client.get(reverse("admin:courses_enrolment_add")).status_code == 403
    start = timezone.localdate() + dt.timedelta(days=20)
    response = client.post(
        reverse("admin:courses_courserun_add"),
        {
            "course": cw.course.pk,
            "code": "ADM-1",
            "starts_on": start,
            "ends_on": start + dt.timedelta(days=6),
            "enrolment_deadline": start,
            "capacity": 10,
            "quotas-TOTAL_FORMS": 1,
            "quotas-INITIAL_FORMS": 0,
            "quotas-0-district": cw.city.pk,
            "quotas-0-seats": 4,
            "sessions-TOTAL_FORMS": 0,
            "sessions-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    run = CourseRun.objects.get(code="ADM-1")
    assert run.sessions.exists()  # made by run_save
    assert list(run.quotas.values_list("seats", flat=True)) == [4]
