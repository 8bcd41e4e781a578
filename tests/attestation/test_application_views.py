"""Application pages through the client: the teacher's flow from start to submission and a
school administrator's answer, applying on a teacher's behalf, scope, the private files,
and every illegal transition leaving the application as it was."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.attestation import services
from apps.attestation.models import Application, ApplicationEvent, EvidenceItem
from apps.teachers.models import QualificationCategory
from tests.factories import UserFactory

from .conftest import PDF, credit_pd_hours, make_complete, passing_test_result, pdf_upload

S = Application.Status
ESSAY = "сөз " * 260


@pytest.fixture(autouse=True)
def english(world):
    """The English interface: the messages asserted are the source texts, whatever the
    catalogues hold."""
    for user in world.users.values():
        user.preferred_language = "en"
        user.save(update_fields=["preferred_language"])
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Files of each test in a folder of their own, to see exactly what was stored."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def category(code):
    return QualificationCategory.objects.get(code=code)


def url(name, *args):
    return reverse(f"attestation:{name}", args=args)


def draft(world, cycle, *, teacher=None, actor=None, claimed="expert"):
    return services.application_start(
        cycle=cycle,
        teacher=teacher or world.teacher_a,
        claimed_category=category(claimed),
        actor=actor or world.users["teacher"],
    )


def submitted(world, cycle, *, teacher=None, actor=None):
    actor = actor or world.users["superuser"]
    application = draft(world, cycle, teacher=teacher, actor=actor)
    credit_pd_hours(application.teacher)
    application = make_complete(application, actor=actor)
    return services.application_submit(application=application, actor=actor)


def other_school_admin(world):
    user = UserFactory()
    role_assignment_create(user=user, role=Role.SCHOOL_ADMIN, organization=world.school_b)
    return user


def state(application):
    """What an illegal request must leave untouched."""
    application.refresh_from_db()
    return (
        application.status,
        application.version,
        application.essay_text,
        ApplicationEvent.objects.filter(application=application).count(),
        EvidenceItem.objects.filter(application=application, removed_at__isnull=True).count(),
    )


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# --- the whole flow ---------------------------------------------------------------------------


def test_the_teacher_applies_and_a_school_administrator_accepts(client, world, cycle):
    teacher = world.teacher_a
    credit_pd_hours(teacher)
    passing_test_result(teacher)
    client.force_login(world.users["teacher"])

    page = client.get(url("my_applications")).content.decode()
    assert url("application_start") in page

    response = client.get(url("application_start"))
    assert [c.category.code for c in response.context["claims"]] == ["expert", "moderator"]
    preview = client.get(
        url("application_start"),
        {"claimed_category": category("expert").pk},
        HTTP_HX_REQUEST="true",
    )
    assert preview.templates[0].name == "attestation/_checklist.html"
    assert {c.code: c.status for c in preview.context["checklist"]}["pd_hours"] == "ok"

    response = client.post(url("application_start"), {"claimed_category": category("expert").pk})
    application = Application.objects.get()
    assert response["Location"] == url("application_detail", application.pk)
    assert (application.status, application.claimed_category.code) == (S.DRAFT, "expert")

    response = client.post(
        url("application_edit", application.pk),
        {
            "claimed_category": category("expert").pk,
            "test_exemption": "",
            "essay_language": "kk",
            "essay_text": ESSAY,
        },
    )
    assert response.status_code == 302
    for criterion, name in (("diploma", "diploma.pdf"), ("category_document", "order.pdf")):
        response = client.post(
            url("evidence_add", application.pk),
            {"criterion": criterion, "title": name, "file": pdf_upload(name)},
        )
        assert response.status_code == 302

    detail = client.get(url("application_detail", application.pk))
    assert detail.context["missing"] == []
    assert "Everything needed is in place" in detail.content.decode()

    assert client.post(url("application_submit", application.pk)).status_code == 302
    application.refresh_from_db()
    assert (application.status, application.version) == (S.SUBMITTED, 1)

    client.force_login(world.users["school_admin"])
    queue = client.get(url("queue"))
    assert [a.pk for a in queue.context["page"].object_list] == [application.pk]
    response = client.post(url("application_answer", application.pk), {"decision": "accept"})
    assert response["Location"] == url("application_detail", application.pk)

    application.refresh_from_db()
    assert application.status == S.ACCEPTED
    history = client.get(url("application_detail", application.pk)).context["history"]
    assert [(e.to_status, e.actor) for e in history] == [
        (S.DRAFT, world.users["teacher"]),
        (S.SUBMITTED, world.users["teacher"]),
        (S.ACCEPTED, world.users["school_admin"]),
    ]


def test_the_detail_page_shows_every_part_of_the_application(client, world, cycle):
    application = submitted(world, cycle)
    client.force_login(world.users["school_admin"])

    response = client.get(url("application_detail", application.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert {s.criterion for s in response.context["portfolio"]} == {"diploma", "category_document"}
    assert [v.number for v in response.context["versions"]] == [1]
    assert cycle.essay_topic in page
    assert url("application_version", application.pk, 1) in page
    assert url("application_answer", application.pk) in page
    for item in application.evidence.all():
        assert url("evidence_file", item.pk) in page
    # Once submitted, the window is no longer part of the checklist.
    assert "window" not in {c.code for c in response.context["checklist"]}


def test_an_overdue_answer_is_flagged_for_staff_only(client, world, cycle):
    application = submitted(world, cycle, actor=world.users["teacher"])
    Application.objects.filter(pk=application.pk).update(
        accept_due_on=timezone.localdate() - dt.timedelta(days=2)
    )

    client.force_login(world.users["school_admin"])
    assert (
        "answer overdue" in client.get(url("application_detail", application.pk)).content.decode()
    )
    client.force_login(world.users["teacher"])
    assert "overdue" not in client.get(url("application_detail", application.pk)).content.decode()


def test_submitting_an_incomplete_application_lists_every_missing_item(client, world, cycle):
    application = draft(world, cycle)
    client.force_login(world.users["teacher"])
    before = state(application)

    response = client.post(url("application_submit", application.pk))

    errors = response.context["submit_errors"]
    assert response.status_code == 200
    assert len(errors) >= 4  # PD hours, test, essay, diploma, category document
    assert any(error.startswith("Diploma") for error in errors)
    assert state(application) == before


# --- applying on a teacher's behalf -----------------------------------------------------------


def test_a_school_administrator_applies_on_behalf_of_a_teacher_of_the_school(client, world, cycle):
    admin = world.users["school_admin"]
    client.force_login(admin)
    start = f"{url('application_start')}?teacher={world.teacher_a.pk}"

    assert client.get(f"{url('my_applications')}?teacher={world.teacher_a.pk}").status_code == 200
    assert client.get(start).status_code == 200
    response = client.post(start, {"claimed_category": category("moderator").pk})

    application = Application.objects.get()
    assert response["Location"] == url("application_detail", application.pk)
    assert (application.teacher, application.created_by) == (world.teacher_a, admin)
    assert application.events.get().actor == admin


@pytest.mark.parametrize("teacher", ["teacher_b", "teacher_c"])
def test_applying_for_a_teacher_outside_the_scope_is_not_found(client, world, cycle, teacher):
    client.force_login(world.users["school_admin"])
    pk = getattr(world, teacher).pk

    assert client.get(f"{url('application_start')}?teacher={pk}").status_code == 404
    assert client.get(f"{url('my_applications')}?teacher={pk}").status_code == 404
    response = client.post(
        f"{url('application_start')}?teacher={pk}", {"claimed_category": category("expert").pk}
    )
    assert response.status_code == 404
    assert not Application.objects.exists()


def test_a_commission_member_cannot_apply_for_a_teacher(client, world, cycle):
    client.force_login(world.users["commission_member"])
    assert client.get(f"{url('application_start')}?teacher={world.teacher_a.pk}").status_code == 404


def test_an_account_without_a_teacher_record_is_sent_home(client, world, cycle):
    client.force_login(world.users["no_role"])
    response = client.get(url("my_applications"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert client.get(url("application_start")).status_code == 404


# --- refusals of the service ------------------------------------------------------------------


def test_outside_the_window_the_services_message_is_shown(client, world, cycle):
    today = timezone.localdate()
    cycle.application_opens = today - dt.timedelta(days=40)
    cycle.application_closes = today - dt.timedelta(days=1)
    cycle.save()
    client.force_login(world.users["teacher"])

    page = client.get(url("my_applications")).content.decode()
    assert url("application_start") not in page
    response = client.post(url("application_start"), {"claimed_category": category("expert").pk})

    assert response.status_code == 200
    assert "Applications closed on" in str(response.context["form"].non_field_errors())
    assert not Application.objects.exists()


def test_a_category_off_the_ladder_is_refused_with_the_services_message(client, world, cycle):
    client.force_login(world.users["teacher"])

    response = client.post(url("application_start"), {"claimed_category": category("master").pk})

    assert "you can claim" in str(response.context["form"].non_field_errors())
    assert not Application.objects.exists()


def test_a_second_application_in_the_cycle_is_refused(client, world, cycle):
    draft(world, cycle)
    client.force_login(world.users["teacher"])

    response = client.post(url("application_start"), {"claimed_category": category("expert").pk})

    assert "already an application" in str(response.context["form"].non_field_errors())
    assert Application.objects.count() == 1


def test_without_an_open_cycle_the_start_page_says_so(client, world):
    client.force_login(world.users["teacher"])
    response = client.get(url("application_start"))
    assert response.status_code == 200
    assert response.context["cycle"] is None


# --- editing and the checklist ----------------------------------------------------------------


def test_the_checklist_partial_previews_another_category_and_exemption(client, world, cycle):
    application = draft(world, cycle)
    client.force_login(world.users["teacher"])

    saved = client.get(url("application_checklist", application.pk))
    preview = client.get(
        url("application_checklist", application.pk),
        {"claimed_category": category("moderator").pk, "test_exemption": "long_service"},
    )

    assert saved.templates[0].name == "attestation/_checklist.html"
    assert {c.code: c.status for c in saved.context["checklist"]}["ladder"] == "ok"
    test = {c.code: c for c in preview.context["checklist"]}["test"]
    assert "long-service exemption needs 30 years" in test.detail  # the teacher has fewer
    application.refresh_from_db()
    assert (application.claimed_category.code, application.test_exemption) == ("expert", "")
    odd = client.get(
        url("application_checklist", application.pk),
        {"claimed_category": "x", "test_exemption": "bogus"},
    )
    assert [(c.code, c.status) for c in odd.context["checklist"]] == [
        (c.code, c.status) for c in saved.context["checklist"]
    ]


def test_the_edit_page_offers_the_claimable_categories_and_the_word_limits(client, world, cycle):
    application = draft(world, cycle)
    client.force_login(world.users["teacher"])

    response = client.get(url("application_edit", application.pk))

    page = response.content.decode()
    assert 'data-words-min="250"' in page
    assert 'id="essay-words"' in page
    offered = [
        value
        for value, _label in response.context["form"].fields["claimed_category"].widget.choices
    ]
    assert offered == [category("expert").pk, category("moderator").pk]


def test_an_essay_out_of_bounds_is_saved_and_the_checklist_says_why(client, world, cycle):
    application = draft(world, cycle)
    client.force_login(world.users["teacher"])

    client.post(
        url("application_edit", application.pk),
        {"claimed_category": category("expert").pk, "essay_language": "ru", "essay_text": "мало"},
    )

    checks = client.get(url("application_checklist", application.pk)).context["checklist"]
    essay = {c.code: c for c in checks}["essay"]
    assert essay.status == "missing"
    assert "250" in essay.detail


# --- the portfolio ----------------------------------------------------------------------------


def test_a_renamed_executable_is_refused_and_nothing_is_stored(
    client, world, cycle, private_storage
):
    application = draft(world, cycle)
    client.force_login(world.users["teacher"])
    client.post(
        url("evidence_add", application.pk),
        {"criterion": "category_document", "title": "Бұйрық", "file": pdf_upload()},
    )
    stored = [path for path in private_storage.rglob("*") if path.is_file()]
    exe = SimpleUploadedFile("diploma.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf")

    response = client.post(
        url("evidence_add", application.pk),
        {"criterion": "diploma", "title": "Диплом", "file": exe},
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["file"]
    assert "not a PDF, JPEG, PNG, DOCX file" in str(response.context["form"].errors["file"])
    assert list(EvidenceItem.objects.values_list("criterion", flat=True)) == ["category_document"]
    assert len(stored) == 1
    assert [path for path in private_storage.rglob("*") if path.is_file()] == stored


def test_the_evidence_form_starts_with_the_criterion_asked_for(client, world, cycle):
    application = draft(world, cycle)
    client.force_login(world.users["teacher"])
    response = client.get(f"{url('evidence_add', application.pk)}?criterion=diploma")
    assert response.context["form"]["criterion"].value() == "diploma"


def test_removing_a_draft_document_deletes_it(
    client, world, cycle, django_capture_on_commit_callbacks
):
    application = draft(world, cycle)
    item = services.evidence_add(
        application=application,
        actor=world.users["teacher"],
        file=pdf_upload(),
        criterion="diploma",
        title="Диплом",
    )
    name = item.file.name
    client.force_login(world.users["teacher"])

    assert client.get(url("evidence_remove", item.pk)).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("evidence_remove", item.pk))

    assert response["Location"] == url("application_detail", application.pk)
    assert not EvidenceItem.objects.exists()
    assert not default_storage.exists(name)


def test_a_document_of_a_returned_application_is_kept_for_its_version(client, world, cycle):
    application = submitted(world, cycle)
    services.application_return(
        application=application, actor=world.users["school_admin"], comment="Скан нечёткий"
    )
    item = application.evidence.get(criterion="diploma")
    client.force_login(world.users["teacher"])

    client.post(url("evidence_remove", item.pk))

    item.refresh_from_db()
    assert item.removed_at is not None
    detail = client.get(url("application_detail", application.pk))
    assert "diploma" not in {s.criterion for s in detail.context["portfolio"]}
    version = client.get(url("application_version", application.pk, 1))
    entry = next(e for e in version.context["view"].evidence if e.item_id == item.pk)
    assert entry.item == item
    assert url("evidence_file", item.pk) in version.content.decode()
    assert client.get(url("evidence_file", item.pk)).status_code == 200


def test_a_version_shows_what_was_submitted(client, world, cycle):
    application = submitted(world, cycle)
    client.force_login(world.users["teacher"])

    response = client.get(url("application_version", application.pk, 1))

    view = response.context["view"]
    assert view.claimed_category.code == "expert"
    assert view.essay_words == 260
    assert {e.criterion for e in view.evidence} == {
        "diploma",
        "current category certificate and order",
    }
    assert client.get(url("application_version", application.pk, 2)).status_code == 404


# --- the private files ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("teacher", 200),
        ("school_admin", 200),
        ("methodologist", 200),
        ("commission_member", 200),
        ("region_admin", 200),
        ("no_role", 404),
    ],
)
def test_a_file_is_served_only_to_those_who_may_see_the_application(
    client, world, cycle, role, status
):
    application = submitted(world, cycle)
    item = application.evidence.get(criterion="diploma")
    client.force_login(world.users[role])

    response = client.get(url("evidence_file", item.pk))

    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"] == 'attachment; filename="scan.pdf"'
        assert b"".join(response.streaming_content) == PDF


def test_a_file_name_keeps_its_letters_and_gets_its_real_type(client, world, cycle):
    application = draft(world, cycle)
    item = services.evidence_add(
        application=application,
        actor=world.users["teacher"],
        file=SimpleUploadedFile("Диплом бакалавра.docx", PDF),
        criterion="diploma",
        title="Диплом",
    )
    client.force_login(world.users["teacher"])

    response = client.get(url("evidence_file", item.pk))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%D0%94%D0%B8%D0%BF%D0%BB%D0%BE%D0%BC%20"
        "%D0%B1%D0%B0%D0%BA%D0%B0%D0%BB%D0%B0%D0%B2%D1%80%D0%B0.pdf"
    )


def test_another_schools_administrator_gets_not_found_everywhere(client, world, cycle):
    application = submitted(world, cycle)
    item = application.evidence.first()
    client.force_login(other_school_admin(world))
    before = state(application)

    for page in (
        url("application_detail", application.pk),
        url("application_edit", application.pk),
        url("application_checklist", application.pk),
        url("evidence_add", application.pk),
        url("application_version", application.pk, 1),
        url("evidence_file", item.pk),
    ):
        assert client.get(page).status_code == 404, page
    for page in (
        url("application_submit", application.pk),
        url("application_answer", application.pk),
        url("evidence_remove", item.pk),
    ):
        assert client.post(page, {"decision": "accept"}).status_code == 404, page
    assert state(application) == before


def test_the_teacher_cannot_answer_their_own_application(client, world, cycle):
    application = submitted(world, cycle)
    client.force_login(world.users["teacher"])
    before = state(application)

    page = client.get(url("application_detail", application.pk)).content.decode()
    response = client.post(url("application_answer", application.pk), {"decision": "accept"})

    assert url("application_answer", application.pk) not in page
    assert response.status_code == 403
    assert state(application) == before


def test_a_commission_member_may_view_but_not_accept_or_change(client, world, cycle):
    application = submitted(world, cycle)
    client.force_login(world.users["commission_member"])
    before = state(application)

    page = client.get(url("application_detail", application.pk))
    assert page.status_code == 200
    assert url("application_answer", application.pk) not in page.content.decode()
    assert (
        client.post(url("application_answer", application.pk), {"decision": "accept"}).status_code
        == 403
    )
    assert client.get(url("application_edit", application.pk)).status_code == 403
    assert client.post(url("application_submit", application.pk)).status_code == 403
    assert state(application) == before


# --- illegal transitions change nothing -------------------------------------------------------


def test_accepting_twice_changes_nothing_the_second_time(client, world, cycle):
    application = submitted(world, cycle)
    client.force_login(world.users["school_admin"])
    client.post(url("application_answer", application.pk), {"decision": "accept"})
    before = state(application)

    response = client.post(
        url("application_answer", application.pk), {"decision": "accept"}, follow=True
    )

    assert any("cannot become" in m for m in messages_of(response))
    assert state(application) == before
    assert before[0] == S.ACCEPTED


def test_refusing_after_it_was_accepted_in_another_tab_changes_nothing(client, world, cycle):
    application = submitted(world, cycle)
    services.application_accept(application=application, actor=world.users["methodologist"])
    client.force_login(world.users["school_admin"])
    before = state(application)

    response = client.post(
        url("application_answer", application.pk),
        {"decision": "refuse", "comment": "Нет диплома"},
        follow=True,
    )

    assert any("cannot become" in m for m in messages_of(response))
    assert state(application) == before


def test_submitting_an_accepted_application_changes_nothing(client, world, cycle):
    application = submitted(world, cycle, actor=world.users["teacher"])
    services.application_accept(application=application, actor=world.users["school_admin"])
    client.force_login(world.users["teacher"])
    before = state(application)

    response = client.post(url("application_submit", application.pk))

    assert response.status_code == 200
    assert "can no longer be changed" in response.context["submit_errors"][0]
    assert state(application) == before


def test_answering_a_draft_changes_nothing(client, world, cycle):
    application = draft(world, cycle)
    client.force_login(world.users["school_admin"])
    before = state(application)

    for decision in ("accept", "refuse", "return"):
        response = client.post(
            url("application_answer", application.pk),
            {"decision": decision, "comment": "Причина"},
            follow=True,
        )
        assert any("cannot become" in m for m in messages_of(response))
    assert state(application) == before


def test_editing_or_adding_to_a_submitted_application_changes_nothing(client, world, cycle):
    application = submitted(world, cycle, actor=world.users["teacher"])
    client.force_login(world.users["teacher"])
    before = state(application)

    edit = client.post(
        url("application_edit", application.pk),
        {"claimed_category": category("expert").pk, "essay_language": "kk", "essay_text": "жаңа"},
    )
    add = client.post(
        url("evidence_add", application.pk),
        {"criterion": "other", "title": "Грамота", "file": pdf_upload()},
    )
    remove = client.post(url("evidence_remove", application.evidence.first().pk), follow=True)

    assert "can no longer be changed" in str(edit.context["form"].non_field_errors())
    assert "can no longer be changed" in str(add.context["form"].non_field_errors())
    assert any("can no longer be changed" in m for m in messages_of(remove))
    assert state(application) == before


def test_refusing_needs_a_reason_and_returning_needs_a_comment(client, world, cycle):
    application = submitted(world, cycle)
    client.force_login(world.users["school_admin"])
    before = state(application)

    for decision in ("refuse", "return"):
        response = client.post(
            url("application_answer", application.pk), {"decision": decision, "comment": "  "}
        )
        assert response.status_code == 200
        assert list(response.context["answer_form"].errors) == ["comment"]
    assert state(application) == before


def test_a_returned_application_is_corrected_and_submitted_again(client, world, cycle):
    application = submitted(world, cycle, actor=world.users["teacher"])
    client.force_login(world.users["school_admin"])
    client.post(
        url("application_answer", application.pk),
        {"decision": "return", "comment": "Эссе не по теме"},
    )
    client.force_login(world.users["teacher"])

    client.post(
        url("application_edit", application.pk),
        {
            "claimed_category": category("expert").pk,
            "essay_language": "ru",
            "essay_text": "слово " * 270,
        },
    )
    client.post(url("application_submit", application.pk))

    application.refresh_from_db()
    assert (application.status, application.version) == (S.SUBMITTED, 2)
    history = client.get(url("application_detail", application.pk)).context["history"]
    assert [e.to_status for e in history] == [S.DRAFT, S.SUBMITTED, S.RETURNED, S.SUBMITTED]
    assert history[2].comment == "Эссе не по теме"
