"""Intakes, applications and selection through the client: who sees and does what, the
scope of the candidate list and pages, constant queries, the score grid and the import
(checked first, rejected rows with row, column and reason, good rows recorded together)."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from apps.leaders import services
from apps.leaders.models import Candidate, Stage, StageResult

from .conftest import applicant

D = Decimal


@pytest.fixture(autouse=True)
def english(world):
    for user in world.users.values():
        user.preferred_language = "en"
        user.save(update_fields=["preferred_language"])
    with translation.override("en"):
        yield


def url(name, *args):
    return reverse(f"leaders:{name}", args=args)


def apply(intake, organization, motivation="Мектепті өзгерткім келеді."):
    person = applicant(organization)
    person.user.preferred_language = "en"
    person.user.save(update_fields=["preferred_language"])
    candidate = services.candidate_apply(
        intake=intake, teacher=person.teacher, actor=person.user, motivation=motivation
    )
    return candidate, person


def first_stage(intake) -> Stage:
    return intake.stages.get(order=1)


# --- intakes ----------------------------------------------------------------------------------


def test_intake_list_offers_apply_to_an_eligible_teacher(client, world, intake):
    client.force_login(world.users["teacher"])
    page = client.get(url("intake_list")).content.decode()
    assert url("candidate_apply", intake.pk) in page
    assert "New intake" not in page


def test_intake_list_gives_an_ineligible_teacher_the_reasons(client, world, intake):
    person = applicant(world.school_a, experience_start=None)
    client.force_login(person.user)
    page = client.get(url("intake_list")).content.decode()
    assert url("candidate_apply", intake.pk) not in page
    assert "years of pedagogical experience are needed" in page


def test_region_admin_creates_and_edits_an_intake(client, world, intake):
    admin = world.users["region_admin"]
    client.force_login(admin)
    assert "New intake" in client.get(url("intake_list")).content.decode()
    data = {
        "year": intake.year + 1,
        "application_opens": "2030-01-10",
        "application_closes": "2030-02-10",
        "capacity": 50,
        "min_experience_years": 2,
        "positions": list(intake.positions.values_list("pk", flat=True)),
        "min_attendance_percent": 80,
        "min_report_score": "60",
        "reserve_term_years": 3,
    }
    response = client.post(url("intake_create"), data)
    new = intake.programme.intakes.get(year=intake.year + 1)
    assert response.url == url("intake_detail", new.pk)
    assert new.stages.count() == 5 and new.status == "draft"

    edit = client.get(url("intake_update", new.pk))
    stages = edit.context["stages"]
    form_data = {**data, "capacity": 60}
    prefix = stages.prefix
    form_data.update(
        {
            f"{prefix}-TOTAL_FORMS": 6,
            f"{prefix}-INITIAL_FORMS": 5,
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
    )
    for i, stage in enumerate(new.stages.order_by("order")):
        form_data.update(
            {
                f"{prefix}-{i}-id": stage.pk,
                f"{prefix}-{i}-kind": stage.kind,
                f"{prefix}-{i}-max_score": stage.max_score,
                f"{prefix}-{i}-rule": "top" if i == 1 else stage.rule,
                f"{prefix}-{i}-pass_score": "" if i == 1 else stage.pass_score,
                f"{prefix}-{i}-top_n": 100 if i == 1 else "",
            }
        )
    form_data[f"{prefix}-4-DELETE"] = "on"
    response = client.post(url("intake_update", new.pk), form_data)
    assert response.status_code == 302, response.context["form"].errors
    new.refresh_from_db()
    assert new.capacity == 60
    assert list(new.stages.values_list("rule", "top_n")) == [
        ("min_score", None),
        ("top", 100),
        ("min_score", None),
        ("min_score", None),
    ]
    # A rule without its number is an error on that row; nothing changes.
    form_data.update({f"{prefix}-1-top_n": "", f"{prefix}-4-DELETE": ""})
    response = client.post(url("intake_update", new.pk), {**form_data, f"{prefix}-TOTAL_FORMS": 5})
    assert response.status_code == 200
    assert "Give how many candidates pass." in response.content.decode()
    assert new.stages.get(order=2).top_n == 100

    response = client.post(url("intake_status", new.pk), {"status": "applications"})
    new.refresh_from_db()
    assert new.status == "applications"
    response = client.post(url("intake_status", new.pk), {"status": "training"}, follow=True)
    assert "cannot become" in response.content.decode()


@pytest.mark.parametrize("role", ["teacher", "methodologist", "school_admin"])
def test_only_region_admins_manage_intakes(client, world, intake, role):
    client.force_login(world.users[role])
    assert client.get(url("intake_create")).status_code == 403
    assert client.get(url("intake_update", intake.pk)).status_code == 403
    assert client.post(url("intake_status", intake.pk), {"status": "selection"}).status_code == 403


def test_intake_detail_shows_stages_counts_and_links(client, world, intake):
    apply(intake, world.school_a)
    client.force_login(world.users["region_admin"])
    page = client.get(url("intake_detail", intake.pk)).content.decode()
    assert url("stage_detail", first_stage(intake).pk) in page
    assert url("candidate_list", intake.pk) in page
    assert "at least 6.00 of 10.00" in page and "not decided yet" in page
    assert "In selection" in page


# --- applying ---------------------------------------------------------------------------------


def test_teacher_applies_sees_the_path_and_withdraws(client, world, intake):
    client.force_login(world.users["teacher"])
    page = client.get(url("candidate_apply", intake.pk)).content.decode()
    assert "Your record meets every condition" in page
    response = client.post(url("candidate_apply", intake.pk), {"motivation": "  "})
    assert response.status_code == 200 and not Candidate.objects.exists()
    response = client.post(url("candidate_apply", intake.pk), {"motivation": "Хочу учиться."})
    assert response.url == url("my_candidacies")
    candidate = Candidate.objects.get(teacher=world.teacher_a)
    page = client.get(url("my_candidacies")).content.decode()
    assert str(intake) in page and "to come" in page
    # A second visit to the form says so rather than applying twice.
    assert client.get(url("candidate_apply", intake.pk)).url == url("my_candidacies")
    client.post(url("candidate_withdraw", candidate.pk), {"reason": "Переезд"})
    candidate.refresh_from_db()
    assert candidate.status == "withdrawn"
    assert candidate.events.last().comment == "Переезд"


def test_staff_cannot_apply_or_withdraw_for_a_teacher(client, world, intake):
    candidate, _person = apply(intake, world.school_a)
    client.force_login(world.users["region_admin"])
    assert client.get(url("candidate_apply", intake.pk)).status_code == 403
    client.post(url("candidate_withdraw", candidate.pk))
    assert Candidate.objects.get(pk=candidate.pk).status == "applied"


def test_my_candidacies_shows_the_stop_stage_and_reason(client, world, intake):
    candidate, person = apply(intake, world.school_a)
    staff = world.users["region_admin"]
    stage = first_stage(intake)
    services.stage_scores_record(stage=stage, scores={candidate.pk: D(3)}, actor=staff)
    services.stage_decide(stage=stage, actor=staff)
    client.force_login(person.user)
    page = client.get(url("my_candidacies")).content.decode()
    assert "Score 3.00 of 10.00; 6.00 was needed to pass." in page
    assert "3.00 of 10.00" in page


# --- candidates and scope ---------------------------------------------------------------------


def test_candidate_list_is_scoped_to_the_district(client, world, intake):
    in_city, _ = apply(intake, world.school_a)
    in_sairam, _ = apply(intake, world.school_c)
    client.force_login(world.users["methodologist"])
    page = client.get(url("candidate_list", intake.pk)).content.decode()
    assert in_city.teacher.full_name in page
    assert in_sairam.teacher.full_name not in page
    assert client.get(url("candidate_detail", in_city.pk)).status_code == 200
    assert client.get(url("candidate_detail", in_sairam.pk)).status_code == 404
    client.force_login(world.users["region_admin"])
    page = client.get(url("candidate_list", intake.pk)).content.decode()
    assert in_sairam.teacher.full_name in page


def test_candidate_list_filters(client, world, intake):
    a, _ = apply(intake, world.school_a)
    b, _ = apply(intake, world.school_c)
    staff = world.users["region_admin"]
    stage = first_stage(intake)
    services.stage_scores_record(stage=stage, scores={a.pk: D(9), b.pk: D(1)}, actor=staff)
    services.stage_decide(stage=stage, actor=staff)
    second = intake.stages.get(order=2)
    client.force_login(staff)

    def names(**query):
        page = client.get(url("candidate_list", intake.pk), query)
        return {c.pk for c in page.context["page"].object_list}

    assert names() == {a.pk, b.pk}
    assert names(status="stopped") == {b.pk}
    assert names(district=world.sairam.pk) == {b.pk}
    assert names(stage=second.pk) == {a.pk}
    assert names(q=a.teacher.iin) == {a.pk}
    assert names(q=b.teacher.last_name) == {b.pk}


def test_a_teacher_sees_only_their_own_candidacy(client, world, intake):
    own, person = apply(intake, world.school_a)
    other, _ = apply(intake, world.school_a)
    client.force_login(person.user)
    assert client.get(url("candidate_detail", own.pk)).status_code == 200
    assert client.get(url("candidate_detail", other.pk)).status_code == 404
    assert client.get(url("candidate_list", intake.pk)).status_code == 403
    assert client.get(url("stage_detail", first_stage(intake).pk)).status_code == 403


def test_candidate_list_queries_do_not_grow(client, world, intake, django_assert_max_num_queries):
    staff = world.users["region_admin"]
    client.force_login(staff)
    for _ in range(3):
        apply(intake, world.school_a)
    stage = first_stage(intake)
    services.stage_scores_record(
        stage=stage, scores={c.pk: D(7) for c in intake.candidates.all()}, actor=staff
    )
    with django_assert_max_num_queries(13) as few:
        client.get(url("candidate_list", intake.pk))
    for _ in range(27):
        apply(intake, world.school_c)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url("candidate_list", intake.pk))
    assert len(response.context["page"].object_list) == 30


def test_candidate_detail_shows_path_and_decision_log(client, world, intake):
    candidate, _ = apply(intake, world.school_a)
    staff = world.users["region_admin"]
    stage = first_stage(intake)
    services.stage_scores_record(stage=stage, scores={candidate.pk: D(2)}, actor=staff)
    services.stage_decide(stage=stage, actor=staff)
    client.force_login(world.users["methodologist"])
    page = client.get(url("candidate_detail", candidate.pk)).content.decode()
    assert "Decision log" in page and staff.get_full_name() in page
    assert "Score 2.00 of 10.00; 6.00 was needed to pass." in page


# --- stages -----------------------------------------------------------------------------------


def test_stage_detail_draws_the_cut_off_and_offers_actions_to_managers(client, world, intake):
    a, _ = apply(intake, world.school_a)
    b, _ = apply(intake, world.school_a)
    stage = first_stage(intake)
    staff = world.users["region_admin"]
    services.stage_scores_record(stage=stage, scores={a.pk: D(9), b.pk: D(4)}, actor=staff)
    client.force_login(staff)
    response = client.get(url("stage_detail", stage.pk))
    rows = response.context["rows"]
    assert [(r.candidate.pk, r.rank, r.passed, r.first_below_cut) for r in rows] == [
        (a.pk, 1, True, False),
        (b.pk, 2, False, True),
    ]
    page = response.content.decode()
    assert 'id="cut-off"' in page and url("stage_decide", stage.pk) in page
    client.force_login(world.users["methodologist"])
    page = client.get(url("stage_detail", stage.pk)).content.decode()
    assert url("stage_decide", stage.pk) not in page
    assert client.get(url("stage_scores", stage.pk)).status_code == 403
    assert client.post(url("stage_decide", stage.pk), {"confirm": "on"}).status_code == 403


def test_score_grid_keeps_what_was_typed_and_shows_each_error(client, world, intake):
    a, _ = apply(intake, world.school_a)
    b, _ = apply(intake, world.school_a)
    stage = first_stage(intake)
    client.force_login(world.users["region_admin"])
    response = client.post(
        url("stage_scores", stage.pk), {f"score_{a.pk}": "8.5", f"score_{b.pk}": "11"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [f"score_{b.pk}"]
    assert 'value="8.5"' in response.content.decode()
    assert not StageResult.objects.exists()
    response = client.post(
        url("stage_scores", stage.pk), {f"score_{a.pk}": "8.5", f"score_{b.pk}": ""}
    )
    assert response.url == url("stage_detail", stage.pk)
    assert list(StageResult.objects.values_list("candidate", "score", "source")) == [
        (a.pk, D("8.5"), "manual")
    ]
    # A recorded score can be corrected but not emptied.
    response = client.post(url("stage_scores", stage.pk), {f"score_{a.pk}": ""})
    assert "cannot be removed" in response.content.decode()


def test_deciding_needs_the_confirmation_and_reports_the_counts(client, world, intake):
    a, _ = apply(intake, world.school_a)
    b, _ = apply(intake, world.school_a)
    stage = first_stage(intake)
    staff = world.users["region_admin"]
    services.stage_scores_record(stage=stage, scores={a.pk: D(9), b.pk: D(4)}, actor=staff)
    client.force_login(staff)
    page = client.get(url("stage_decide", stage.pk)).content.decode()
    assert "Deciding now: 1 pass, 1 do not" in page
    assert client.post(url("stage_decide", stage.pk)).status_code == 200
    assert Stage.objects.get(pk=stage.pk).closed_at is None
    response = client.post(url("stage_decide", stage.pk), {"confirm": "on"}, follow=True)
    assert "1 passed, 1 stopped, 0 admitted" in response.content.decode()
    # Deciding again is refused with the service's reason.
    response = client.post(url("stage_decide", stage.pk), {"confirm": "on"}, follow=True)
    assert "can no longer change" in response.content.decode()


# --- import -----------------------------------------------------------------------------------


def xlsx(rows) -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("scores.xlsx", buffer.getvalue())


def test_import_records_good_rows_and_reports_the_rejected(client, world, intake):
    a, _ = apply(intake, world.school_a)
    b, _ = apply(intake, world.school_a)
    c, _ = apply(intake, world.school_c)
    outsider = applicant(world.school_b).teacher
    stage = first_stage(intake)
    client.force_login(world.users["region_admin"])
    upload = xlsx(
        [
            ["ИИН", "Балл"],
            [a.teacher.iin, 8],
            [b.teacher.iin, "7,5"],
            [c.teacher.iin, 12],  # above the maximum of 10
            [outsider.iin, 5],  # not a candidate
            ["123", 5],  # not an IIN
            [a.teacher.iin[:-1] + "x", ""],  # bad IIN and no score
        ]
    )
    response = client.post(url("stage_import", stage.pk), {"file": upload})
    assert response.url == url("stage_import", stage.pk)
    response = client.get(url("stage_import", stage.pk))
    check = response.context["check"]
    assert [(r.number, r.candidate_id, r.score) for r in check.good] == [
        (2, a.pk, D(8)),
        (3, b.pk, D("7.5")),
    ]
    reasons = {(r.number, column) for r in check.rejected for column, _m in r.errors}
    assert reasons == {(4, "Score"), (5, "IIN"), (6, "IIN"), (7, "IIN"), (7, "Score")}
    page = response.content.decode()
    assert "No candidate of this intake has this IIN." in page
    assert not StageResult.objects.exists()  # a check writes nothing

    errors = client.get(url("stage_import", stage.pk), {"download": "xlsx"})
    sheet = load_workbook(io.BytesIO(errors.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("IIN", "Score", "Error")
    assert rows[1][:2] == (c.teacher.iin, "12") and "from 0 to 10" in rows[1][2]
    errors = client.get(url("stage_import", stage.pk), {"download": "csv"})
    lines = list(csv.reader(io.StringIO(errors.content.decode("utf-8-sig")), delimiter=";"))
    assert len(lines) == 5

    response = client.post(url("stage_import", stage.pk), {"apply": "1"}, follow=True)
    assert "2 scores have been imported." in response.content.decode()
    assert sorted(StageResult.objects.values_list("candidate", "score", "source")) == [
        (a.pk, D(8), "import"),
        (b.pk, D("7.5"), "import"),
    ]


def test_import_is_all_or_nothing_when_a_row_went_stale(client, world, intake):
    a, _ = apply(intake, world.school_a)
    b, person_b = apply(intake, world.school_a)
    stage = first_stage(intake)
    client.force_login(world.users["region_admin"])
    upload = xlsx([["IIN", "Score"], [a.teacher.iin, 8], [b.teacher.iin, 9]])
    client.post(url("stage_import", stage.pk), {"file": upload})
    services.candidate_withdraw(candidate=b, actor=person_b.user)  # meanwhile
    response = client.post(url("stage_import", stage.pk), {"apply": "1"}, follow=True)
    assert "only for candidates still in selection" in response.content.decode()
    assert not StageResult.objects.exists()


def test_import_refuses_a_file_without_the_columns(client, world, intake):
    stage = first_stage(intake)
    client.force_login(world.users["region_admin"])
    upload = SimpleUploadedFile("scores.csv", "ФИО;Балл\nАбаев;5\n".encode())
    response = client.post(url("stage_import", stage.pk), {"file": upload})
    assert response.status_code == 200
    assert "Missing: IIN" in response.content.decode()
    assert client.get(url("stage_import", stage.pk), {"download": "xlsx"}).status_code == 404
