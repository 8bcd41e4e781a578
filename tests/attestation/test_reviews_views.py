"""Portfolio review pages through the client: the queue of a member, the scoring sheet with
the portfolio shown in place, independence of the members' sheets, returning for
correction, the table of sheets, who may open which page, and constant queries."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.attestation import services as application_services
from apps.attestation.models import Application, CommissionMember, Review
from apps.attestation.services import commissions as services
from apps.core.calendar import add_working_days
from tests.factories import TeacherFactory

from .conftest import PDF, accepted_application, commission_with_members, pdf_upload
from .test_reviews_services import member_of, scores_totalling, submit

pytestmark = pytest.mark.usefixtures("english", "private_storage")

S = Application.Status
QUEUE = reverse("attestation:review_queue")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def url(name, *args):
    return reverse(f"attestation:{name}", args=args)


def texts(response, level=None):
    return [
        str(m) for m in get_messages(response.wsgi_request) if level is None or m.level_tag == level
    ]


@pytest.fixture
def commission(cycle):
    """Turkistan city's commission, its members reading English."""
    commission = commission_with_members(cycle)
    for member in commission.members.select_related("user"):
        member.user.preferred_language = "en"
        member.user.save(update_fields=["preferred_language"])
    return commission


@pytest.fixture
def application(world, cycle, commission):
    return accepted_application(world, cycle, world.teacher_a)


def sheet_data(cycle, total, action="draft", **extra):
    data = {f"score_{code}": value for code, value in scores_totalling(cycle, total).items()}
    return {**data, "action": action, "comment": "", **extra}


# --- the queue ------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, application):
    for page in (
        QUEUE,
        url("review_sheet", application.pk),
        url("review_return", application.pk),
        url("review_summary", application.pk),
    ):
        response = client.get(page)
        assert response.status_code == 302 and "login" in response["Location"], page


@pytest.mark.parametrize("role", ["teacher", "no_role", "methodologist", "hr_analyst"])
def test_the_queue_is_for_commission_members(client, world, cycle, role):
    client.force_login(world.users[role])
    assert client.get(QUEUE).status_code == 403


def test_a_member_sees_the_portfolios_of_their_commission(client, world, cycle, commission):
    mine = accepted_application(world, cycle, world.teacher_a)
    elsewhere = accepted_application(world, cycle, world.teacher_c)  # Sairam: no commission
    member = member_of(commission)
    submit(mine, member_of(commission, n=1), 90)
    services.review_save(application=mine, actor=member.user, scores={"talks": 3})
    client.force_login(member.user)

    response = client.get(QUEUE)

    (row,) = response.context["page"].object_list
    assert row.application == mine and row.application != elsewhere
    assert (row.review.total, row.submitted, row.summary.count, row.summary.threshold) == (
        3,
        False,
        1,
        84,
    )
    html = response.content.decode()
    assert url("review_sheet", mine.pk) in html
    assert 'data-my-sheet="draft"' in html


def test_the_queue_says_why_a_member_sits_out(client, world, application, commission):
    member = member_of(commission)
    CommissionMember.objects.filter(pk=member.pk).update(organization=world.school_a)
    client.force_login(member.user)

    response = client.get(QUEUE)

    (row,) = response.context["page"].object_list
    assert row.exclusion == "works in the applicant's organisation"
    assert "You sit out: works in the applicant&#x27;s organisation" in response.content.decode()


def test_the_secretary_has_no_portfolios_to_score(client, application, commission):
    client.force_login(member_of(commission, "secretary").user)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert response.context["page"].object_list == []


def test_the_queue_takes_the_same_queries_for_more_portfolios(
    client, world, cycle, commission, django_assert_max_num_queries
):
    member = member_of(commission)
    client.force_login(member.user)

    def add_applications(count):
        for _ in range(count):
            application = accepted_application(
                world, cycle, TeacherFactory(organization=world.school_b)
            )
            submit(application, member_of(commission, n=1), 90)
            services.review_save(application=application, actor=member.user, scores={"talks": 1})

    add_applications(1)
    with django_assert_max_num_queries(25) as small:
        assert len(client.get(QUEUE).context["page"].object_list) == 1
    add_applications(3)
    with django_assert_max_num_queries(25) as large:
        assert len(client.get(QUEUE).context["page"].object_list) == 4
    assert len(large.captured_queries) == len(small.captured_queries)


# --- the scoring sheet ----------------------------------------------------------------------


def test_the_sheet_shows_the_portfolio_in_place(client, world, application, commission):
    teacher_user = world.users["teacher"]
    application = services.review_return(
        application=application, actor=member_of(commission, n=1).user, comment="Add contests."
    )
    image = application_services.evidence_add(
        application=application,
        actor=teacher_user,
        file=SimpleUploadedFile("photo.png", PNG, content_type="image/png"),
        criterion="student_contests",
        title="Олимпиада, облыс",
    )
    contest = application_services.evidence_add(
        application=application,
        actor=teacher_user,
        file=pdf_upload("diploma.pdf"),
        criterion="teacher_contests",
        title="Ұстаз конкурсы",
    )
    application_services.application_submit(application=application, actor=teacher_user)
    client.force_login(member_of(commission).user)

    response = client.get(url("review_sheet", application.pk))

    html = response.content.decode()
    assert response.status_code == 200
    image_url = url("evidence_file", image.pk)
    assert f'<img class="img-fluid border" loading="lazy" src="{image_url}?inline"' in html
    assert f'src="{url("evidence_file", contest.pk)}?inline" title="Ұстаз конкурсы"' in html
    diploma = application.evidence.get(criterion="diploma")
    assert url("evidence_file", diploma.pk) in html  # under "other documents"
    for criterion in application.cycle.review_criteria.all():
        assert f'name="score_{criterion.code}"' in html
        assert f'max="{criterion.max_points}"' in html
    assert 'name="action" value="draft"' in html and 'name="action" value="submit"' in html
    assert 'id="essay"' in html and "сөз сөз" in html
    assert 'id="threshold">84<' in html
    blocks = {
        block.criterion.code: [item.pk for item in block.evidence]
        for block, _field in response.context["blocks"]
    }
    assert blocks["student_contests"] == [image.pk] and blocks["teacher_contests"] == [contest.pk]


def test_a_member_opens_the_evidence_in_place(client, application, commission):
    """A member with no staff role still reaches the files of their commission's
    applications; PDFs and images are shown inline (a frame of the same site)."""
    item = application.evidence.get(criterion="diploma")
    client.force_login(member_of(commission).user)

    inline = client.get(url("evidence_file", item.pk) + "?inline")
    download = client.get(url("evidence_file", item.pk))

    assert inline.status_code == 200
    assert inline["Content-Disposition"].startswith("inline;")
    assert inline["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(inline.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment;")


def test_observations_and_the_test_result_are_on_the_sheet(client, world, application, commission):
    codes = application.cycle.observation_criteria.values_list("code", flat=True)
    observation = application_services.observation_create(
        actor=world.users["school_admin"],
        cycle=application.cycle,
        teacher=world.teacher_a,
        scores=dict.fromkeys(codes, 2),
        observed_on=timezone.localdate(),
        topic="Бөлшектер",
    )
    client.force_login(member_of(commission).user)

    response = client.get(url("review_sheet", application.pk))

    (item,) = response.context["sheet"].observations
    assert item.observation == observation and item.max_total == 18
    assert [score for _title, score in item.scores] == [2] * 6
    html = response.content.decode()
    assert "Бөлшектер" in html
    assert application.test_result.certificate_number in html


def test_saving_a_draft_then_submitting(client, cycle, application, commission):
    client.force_login(member_of(commission).user)
    page = url("review_sheet", application.pk)

    response = client.post(page, {"score_student_results": "7", "action": "draft", "comment": ""})

    assert response.status_code == 302 and response["Location"] == page
    after = client.get(page)
    assert "Your draft has been saved: 7 points so far." in texts(after, "success")
    assert 'id="my-total">7 of 148 points<' in after.content.decode()

    response = client.post(page, sheet_data(cycle, 100, action="submit", comment="Жақсы"))

    review = Review.objects.get()
    assert (review.total, review.comment) == (100, "Жақсы")
    assert review.submitted_at is not None
    assert "Your scores have been submitted: 100 points." in texts(client.get(page), "success")


def test_bad_scores_are_shown_on_the_form(client, cycle, application, commission):
    client.force_login(member_of(commission).user)
    page = url("review_sheet", application.pk)

    response = client.post(page, {"score_student_results": "11", "action": "draft"})

    assert response.status_code == 200
    assert response.context["form"].errors["score_student_results"] == [
        "Ensure this value is less than or equal to 10."
    ]
    response = client.post(page, {"score_student_results": "5", "action": "submit"})
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert len(errors) == len(cycle.review_criteria.all()) - 1
    assert all(e.endswith("score it before submitting.") for e in errors)
    assert "score it before submitting." in response.content.decode()
    assert not Review.objects.exists()


def test_the_sheet_of_an_excluded_member_has_no_form(client, world, application, commission):
    member = member_of(commission)
    CommissionMember.objects.filter(pk=member.pk).update(organization=world.school_a)
    client.force_login(member.user)

    response = client.get(url("review_sheet", application.pk))

    html = response.content.decode()
    assert 'id="exclusion"' in html
    assert 'name="action"' not in html
    response = client.post(url("review_sheet", application.pk), sheet_data(application.cycle, 90))
    errors = response.context["form"].non_field_errors()
    assert any("sits out this application" in e for e in errors)
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("secretary", 403),
        ("teacher", 403),  # the applicant
        ("methodologist", 403),  # staff over the application, without a seat
        ("school_admin", 403),
        ("other_member", 404),  # a member of another commission
        ("no_role", 404),
    ],
)
def test_only_scoring_members_open_the_sheet(
    client, world, cycle, application, commission, who, status
):
    if who == "secretary":
        user = member_of(commission, "secretary").user
    elif who == "other_member":
        user = member_of(commission_with_members(cycle, district=world.sairam)).user
    else:
        user = world.users[who]
    client.force_login(user)
    assert client.get(url("review_sheet", application.pk)).status_code == status
    response = client.post(url("review_sheet", application.pk), sheet_data(cycle, 90))
    assert response.status_code == status
    assert client.get(url("review_return", application.pk)).status_code == status
    assert not Review.objects.exists()


# --- independence ---------------------------------------------------------------------------


def test_a_member_sees_the_others_sheets_only_after_submitting(
    client, cycle, application, commission
):
    first, second = member_of(commission, n=0), member_of(commission, n=1)
    submit(application, first, 120)
    client.force_login(second.user)
    summary = url("review_summary", application.pk)

    response = client.get(summary)

    assert response.status_code == 302
    assert response["Location"] == url("review_sheet", application.pk)
    sheet = client.get(response["Location"])
    assert "The other members' scores are shown once you have submitted your own." in texts(sheet)
    assert summary not in sheet.content.decode()
    assert "120" not in sheet.content.decode()

    services.review_save(application=application, actor=second.user, scores={"talks": 4})
    assert client.get(summary).status_code == 302  # a draft is not a submission

    submit(application, second, 90)
    response = client.get(summary)

    assert response.status_code == 200
    table = response.context["table"]
    assert [s.review.total for s in table.submitted] == [120, 90]
    assert summary in client.get(url("review_sheet", application.pk)).content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("chair", 200),
        ("secretary", 200),
        ("methodologist", 200),
        ("region_admin", 200),
        ("superuser", 200),
        ("hr_analyst", 200),  # reads the region: the commission pages too
        ("teacher", 403),
        ("school_admin", 403),
        ("other_member", 404),
    ],
)
def test_the_chair_the_secretary_and_the_bodys_staff_see_the_table_always(
    client, world, cycle, application, commission, who, status
):
    submit(application, member_of(commission, n=0), 120)
    services.review_save(
        application=application, actor=member_of(commission, n=1).user, scores={"talks": 4}
    )
    if who in ("chair", "secretary"):
        user = member_of(commission, who).user
    elif who == "other_member":
        user = member_of(commission_with_members(cycle, district=world.sairam)).user
    else:
        user = world.users[who]
    client.force_login(user)

    response = client.get(url("review_summary", application.pk))

    assert response.status_code == status
    if status == 200:
        table = response.context["table"]
        assert [s.review.total for s in table.submitted] == [120]  # drafts stay private
        first = member_of(commission, n=0)
        assert f'data-total="{first.pk}">120<' in response.content.decode()


def test_the_table_warns_of_a_wide_spread_and_names_who_is_missing(
    client, world, cycle, application, commission
):
    submit(application, member_of(commission, n=0), 70)
    submit(application, member_of(commission, n=1), 100)
    sitting_out = member_of(commission, n=2)
    CommissionMember.objects.filter(pk=sitting_out.pk).update(organization=world.school_a)
    client.force_login(member_of(commission, "chair").user)

    response = client.get(url("review_summary", application.pk))

    html = response.content.decode()
    assert 'id="spread-warning"' in html
    assert 'id="mean">85.00<' in html and 'id="threshold">84<' in html
    assert f"{sitting_out.full_name}: works in the applicant" in html
    assert len(response.context["table"].missing) == 4  # the chair and three members


# --- return for correction ------------------------------------------------------------------


def test_a_member_returns_the_application_for_correction(client, cycle, application, commission):
    client.force_login(member_of(commission).user)
    page = url("review_return", application.pk)

    form = client.get(page).context["form"]
    default = add_working_days(timezone.localdate(), cycle.correction_working_days)
    assert form.initial["due_on"] == default

    response = client.post(page, {"comment": "", "due_on": default.isoformat()})
    assert response.context["form"].errors["comment"] == ["This field is required."]
    response = client.post(page, {"comment": "x", "due_on": timezone.localdate().isoformat()})
    assert response.context["form"].errors["due_on"] == ["The deadline must be after today."]

    response = client.post(page, {"comment": "Add the diploma.", "due_on": default.isoformat()})

    assert response.status_code == 302 and response["Location"] == QUEUE
    application.refresh_from_db()
    assert (application.status, application.correction_due_on) == (S.CORRECTION, default)
    assert any("returned to the teacher" in m for m in texts(client.get(QUEUE)))


def test_the_teacher_corrects_and_the_reviewer_sees_the_new_version(
    client, world, cycle, application, commission
):
    member = member_of(commission)
    submit(application, member, 80)
    services.review_return(application=application, actor=member.user, comment="Add more.")
    client.force_login(member.user)
    sheet = client.get(url("review_sheet", application.pk)).content.decode()
    assert "Returned to the teacher for a correction" in sheet and 'name="action"' not in sheet

    client.force_login(world.users["teacher"])
    client.post(url("application_submit", application.pk))
    application.refresh_from_db()
    assert (application.status, application.version) == (S.ACCEPTED, 2)

    client.force_login(member.user)
    sheet = client.get(url("review_sheet", application.pk)).content.decode()
    assert 'id="outdated"' in sheet and "version 2" in sheet
    queue = client.get(QUEUE).content.decode()
    assert "You scored version 1; the teacher has submitted version 2." in queue
    client.post(url("review_sheet", application.pk), sheet_data(cycle, 85, action="submit"))
    assert Review.objects.get().version == 2
    assert 'id="outdated"' not in client.get(url("review_sheet", application.pk)).content.decode()


def test_nobody_sees_the_table_of_their_own_application(client, world, cycle, commission):
    methodologist = world.users["methodologist"]
    own = accepted_application(
        world, cycle, TeacherFactory(organization=world.school_b, user=methodologist)
    )
    assert own.commission == commission
    submit(own, member_of(commission), 90)
    client.force_login(methodologist)

    assert client.get(url("review_summary", own.pk)).status_code == 403


def test_the_sheet_takes_the_same_queries_for_a_bigger_portfolio(
    client, world, cycle, application, commission, django_assert_max_num_queries
):
    member = member_of(commission)
    application = services.review_return(
        application=application, actor=member.user, comment="More, please."
    )
    codes = cycle.observation_criteria.values_list("code", flat=True)

    def grow(count):
        for n in range(count):
            application_services.evidence_add(
                application=application,
                actor=world.users["teacher"],
                file=pdf_upload(),
                criterion=("talks", "publications", "other")[n % 3],
                title=f"Құжат {n}",
            )
            application_services.observation_create(
                actor=world.users["school_admin"],
                cycle=cycle,
                teacher=world.teacher_a,
                scores=dict.fromkeys(codes, 3),
                observed_on=timezone.localdate(),
                topic=f"Сабақ {n}",
            )

    client.force_login(member.user)
    grow(1)
    with django_assert_max_num_queries(40) as small:
        assert client.get(url("review_sheet", application.pk)).status_code == 200
    grow(5)
    with django_assert_max_num_queries(40) as large:
        response = client.get(url("review_sheet", application.pk))
    assert len(response.context["sheet"].observations) == 6
    assert len(large.captured_queries) == len(small.captured_queries)
