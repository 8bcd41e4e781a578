"""The monthly summary by e-mail: subscribing from the dashboard's panel and unsubscribing,
and the beat's mails, one per subscription and month, in the subscriber's language, with
the headline figures of the known region and the report attached."""

import csv
import datetime as dt
import io
import logging
from functools import partial

import pytest
from celery.schedules import crontab
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.formats import date_format
from pypdf import PdfReader

from apps.accounts.models import Role
from apps.accounts.services import role_assignment_create
from apps.organizations.models import InstructionLanguage
from apps.reports import services
from apps.reports.models import SummarySubscription
from apps.reports.services import (
    monthly_summaries_send,
    subscription_create,
    subscription_delete,
    summary_period,
)
from apps.reports.services.subscriptions import monthly_summary_send
from apps.reports.tasks import monthly_summaries_send_task, monthly_summary_send_task
from apps.teachers.models import Position
from tests.concurrency import run_together
from tests.factories import OrganizationFactory, UserFactory
from ustaz_pd.celery import app as celery_app

URL = "/reports/subscriptions/"


def speaking(user, language):
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return user


def subscribe(user, query="", language="en", file_format="pdf"):
    return subscription_create(user=user, query=query, language=language, file_format=file_format)


def flash(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- subscribing and unsubscribing -------------------------------------------------------------


def test_subscribing_from_the_dashboard_keeps_the_filters_but_not_the_period(client, world):
    analyst = speaking(world.users["hr_analyst"], "en")
    client.force_login(analyst)
    query = f"region={world.region.pk}&period_start=2026-01-01&period_end=2026-06-30"

    response = client.post(URL, {"query": query, "language": "ru", "file_format": "xlsx"})

    assert response.status_code == 302
    assert response.url == f"/reports/?{query}"
    assert flash(response) == [
        f"This summary will be e-mailed to {analyst.email} early each month."
    ]
    subscription = SummarySubscription.objects.get()
    assert (subscription.user, subscription.query) == (analyst, f"region={world.region.pk}")
    assert (subscription.language, subscription.file_format) == ("ru", "xlsx")
    assert subscription.last_sent_month is None

    # The same filters over another period: the one subscription changes.
    other_period = f"period_end=2026-12-31&region={world.region.pk}"
    response = client.post(URL, {"query": other_period, "language": "kk", "file_format": "pdf"})
    assert response.status_code == 302
    subscription = SummarySubscription.objects.get()
    assert (subscription.language, subscription.file_format) == ("kk", "pdf")


def test_an_invalid_query_is_refused_with_a_translated_error(client, world):
    """The methodologist of the city may not report on Sairam district: back to the
    dashboard as filtered, with why."""
    methodologist = speaking(world.users["methodologist"], "ru")
    client.force_login(methodologist)
    query = f"district={world.sairam.pk}"
    response = client.post(URL, {"query": query, "language": "ru", "file_format": "pdf"})
    assert response.status_code == 302
    assert response.url == f"/reports/?{query}"
    [error] = flash(response)
    assert "Выберите корректный вариант" in error
    assert error in client.get(response.url).content.decode()  # shown on the dashboard
    assert not SummarySubscription.objects.exists()

    speaking(methodologist, "en")
    query = "period_start=2026-05-01&period_end=2026-01-01"
    with translation.override("en"):
        response = client.post(URL, {"query": query, "language": "en", "file_format": "pdf"})
    assert response.url == f"/reports/?{query}"
    assert flash(response) == [
        "The summary cannot be set up for these filters: The period ends before it starts."
    ]


@pytest.mark.parametrize(("language", "file_format"), [("de", "pdf"), ("en", "docx"), ("", "")])
def test_the_service_refuses_unknown_languages_and_formats(world, language, file_format):
    with pytest.raises(ValidationError):
        subscribe(world.users["hr_analyst"], language=language, file_format=file_format)
    assert not SummarySubscription.objects.exists()


@pytest.mark.parametrize("role", ["no_role", "teacher"])
def test_only_staff_who_see_the_dashboard_subscribe(client, world, role):
    user = world.users[role]
    client.force_login(user)
    response = client.post(URL, {"query": "", "language": "kk", "file_format": "pdf"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        subscribe(user)
    assert not SummarySubscription.objects.exists()
    # Their own (empty) list is still theirs to see.
    assert client.get(URL).status_code == 200


@pytest.mark.parametrize(
    "role", ["school_admin", "methodologist", "commission_member", "hr_analyst", "region_admin"]
)
def test_every_staff_reader_subscribes_to_their_own_scope(world, role):
    subscription = subscribe(world.users[role])
    assert subscription.query == ""


def test_unsubscribing_is_for_the_subscriber_only(client, world):
    analyst = speaking(world.users["hr_analyst"], "en")
    mine = subscribe(analyst, f"region={world.region.pk}")
    theirs = subscribe(world.users["region_admin"])
    client.force_login(analyst)

    assert client.get(f"{URL}{mine.pk}/delete/").status_code == 405
    assert client.post(f"{URL}{theirs.pk}/delete/").status_code == 404
    response = client.post(f"{URL}{mine.pk}/delete/")
    assert response.status_code == 302 and response.url == URL
    assert flash(response) == ["You will no longer receive this summary."]
    assert list(SummarySubscription.objects.all()) == [theirs]
    with pytest.raises(PermissionDenied):
        subscription_delete(subscription=theirs, actor=analyst)
    subscription_delete(subscription=theirs, actor=world.users["superuser"])
    assert not SummarySubscription.objects.exists()


def _list_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_the_list_says_in_words_what_each_subscription_covers(client, world):
    analyst = speaking(world.users["hr_analyst"], "en")
    position = Position.objects.get(code="teacher")
    russian = InstructionLanguage.objects.get(code="ru")
    # Every kind of filter from the start: each kind's names are looked up once.
    subscribe(analyst, f"district={world.city.pk}&position={position.pk}", "ru", "xlsx")
    subscribe(analyst, f"region={world.region.pk}&organization={world.school_c.pk}")
    subscribe(analyst, f"teaching_language={russian.pk}&organization_kind=college")
    subscribe(analyst, f"region={world.region.pk}", "kk")
    client.force_login(analyst)
    client.get(URL)  # the session and the user's roles, loaded once
    small, page = _list_queries(client)

    with translation.override("en"):
        names = (world.city.name, position.name, world.school_c.name, russian.name)
    assert names[0] in page and names[1] in page
    assert f"{names[2]} (Sairam district)" in page
    assert "The year to date, up to the end of the previous month" in page
    assert "Русский" in page and "XLSX" in page and "not yet" in page

    subscribe(analyst, f"district={world.sairam.pk}")
    for school in (world.school_a, OrganizationFactory(district=world.sairam)):
        subscribe(analyst, f"organization={school.pk}&position={position.pk}")
    SummarySubscription.objects.update(last_sent_month=dt.date(2026, 10, 1))
    large, page = _list_queries(client)

    assert large == small
    assert page.count('data-subscription="') == 7
    # No unit chosen: the analyst's whole scope, their region, by name.
    with translation.override("en"):
        region = world.region.name
    assert page.count(f">{region}</h2>") == 2
    assert "All the teachers within your access" not in page
    assert "Type of organisation" in page and "college" in page and names[3] in page
    assert "the summary for October 2026" in page


def test_the_dashboard_panel_offers_the_subscription_or_says_it_is_there(rf, world):
    analyst = speaking(world.users["hr_analyst"], "en")
    query = f"region={world.region.pk}&period_start=2026-01-01&period_end=2026-12-31"

    def panel(user):
        request = rf.get("/reports/")
        request.user = user
        user.has_perm("reports.add_subscription")  # the roles, loaded with the dashboard
        with translation.override("en"), CaptureQueriesContext(connection) as ctx:
            html = render_to_string(
                "reports/_subscribe_panel.html", {"query": query, "user": user}, request
            )
        return html, len(ctx.captured_queries)

    html, queries = panel(analyst)
    assert "E-mail me this summary monthly" in html and "data-subscribed" not in html
    assert f'value="{query.replace("&", "&amp;")}"' in html
    assert queries == 1

    subscribe(analyst, f"region={world.region.pk}", "ru", "csv")
    html, queries = panel(analyst)
    assert "You already receive the summary of these filters each month (Русский, CSV)." in html
    assert '<option value="csv" selected>' in html
    assert queries == 1

    html, queries = panel(world.users["teacher"])
    assert html.strip() == "" and queries == 0


# --- the monthly mails -------------------------------------------------------------------------


def test_the_summary_covers_the_year_up_to_the_end_of_the_last_month():
    assert summary_period(dt.date(2026, 3, 1)) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    # Sent in January: the whole of last year.
    assert summary_period(dt.date(2025, 12, 1)) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def _sending_day(known) -> dt.date:
    """A first of December: the summary for November of the known figures' year (their
    cycle, intake, plan and courses are this year's)."""
    return dt.date(known.today.year, 12, 1)


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _month(language, month) -> str:
    with translation.override(language):
        return date_format(month, "F Y")


def test_each_subscriber_gets_the_region_s_summary_in_their_language(known, settings):
    settings.PUBLIC_BASE_URL = "https://ustaz.example.kz/"
    world = known.world
    region = world.region.pk
    kazakh = subscribe(world.users["hr_analyst"], f"region={region}", "kk", "pdf")
    russian = subscribe(world.users["region_admin"], f"region={region}", "ru", "csv")
    today = _sending_day(known)
    november = dt.date(today.year, 11, 1)

    assert monthly_summaries_send(today=today) == 2

    mails = {message.to[0]: message for message in mail.outbox}
    assert set(mails) == {kazakh.user.email, russian.user.email}
    kk, ru = mails[kazakh.user.email], mails[russian.user.email]
    assert kk.subject.endswith(f"{_month('kk', november)}: Түркістан облысы")
    assert ru.subject.endswith(f"{_month('ru', november)}: Туркестанская область")
    assert kk.body.startswith("Сәлеметсіз бе,")
    assert "Педагогтер: 6\n" in kk.body
    assert "Соңғы 3 жылда біліктілігін арттырған: 4 (66,7%)\n" in kk.body
    assert ru.body.startswith("Здравствуйте,")
    assert "Педагоги: 6\n" in ru.body
    assert "Повышали квалификацию за последние 3 года: 4 (66,7%)\n" in ru.body
    period = f"period_start={today.year}-01-01&period_end={today.year}-11-30"
    for message in (kk, ru):
        assert f"https://ustaz.example.kz/reports/?region={region}&{period}\n" in message.body
        assert "https://ustaz.example.kz/reports/subscriptions/\n" in message.body

    [(name, content, content_type)] = kk.attachments
    assert content_type == "application/pdf"
    assert name.endswith(".pdf") and f"{today.year}-11-30" in name
    text = _pdf_text(content)
    assert "Түркістан облысы" in text
    [(name, content, content_type)] = ru.attachments
    assert content_type == "text/csv" and name.endswith(".csv")
    assert 'Content-Type: text/csv; charset="utf-8"\n' in ru.message().as_string()
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
    assert any("Туркестанская область" in cell for row in rows for cell in row)

    assert set(SummarySubscription.objects.values_list("last_sent_month", flat=True)) == {november}


def test_the_headline_figures_of_the_known_region(known):
    analyst = speaking(known.world.users["hr_analyst"], "en")
    subscribe(analyst, f"region={known.world.region.pk}", "en", "csv")
    today = _sending_day(known)

    assert monthly_summaries_send(today=today) == 1

    [message] = mail.outbox
    assert message.subject == f"Monthly summary, November {today.year}: Turkestan region"
    body = message.body
    assert (
        f"Here is the monthly summary for Turkestan region: the year to date, "
        f"01.01.{today.year} – 30.11.{today.year}; the registry as of "
    ) in body
    for line in (
        "Teachers: 6",
        "PD within the last 3 years: 4 (66.7%)",
        f"PD plan for {today.year}: 115 teachers, trained 2 (1.7% of the plan)",
        "Categories expiring within 3 months: 1; within 6 months: 2; within 12 months: 3 "
        "(already expired: 1)",
        "Attestation: 6 applications; pass rate 33.3% (1 of 3 decisions met the claimed category)",
        "“1000 leaders”: appointed 1",
        "The full report is attached (CSV).",
    ):
        assert f"\n{line}\n" in body, line


def test_a_narrower_summary_names_its_filters_and_has_no_plan(known):
    world = known.world
    analyst = world.users["hr_analyst"]
    position = Position.objects.get(code="teacher")
    subscribe(analyst, f"district={world.sairam.pk}&organization_kind=college", "en", "csv")
    subscribe(analyst, f"position={position.pk}", "en", "csv")

    assert monthly_summaries_send(today=_sending_day(known)) == 2

    by_subject = {message.subject.split(": ", 1)[1]: message.body for message in mail.outbox}
    sairam = by_subject["Sairam district"]
    assert "\nType of organisation: college\n" in sairam
    assert "\nTeachers: 1\n" in sairam and "not set for these filters; trained 0" in sairam
    everyone = by_subject["Turkestan region"]  # no unit: the analyst's whole scope
    assert "\nPosition: teacher\n" in everyone and "\nTeachers: 5\n" in everyone


def test_each_summary_is_sent_once_a_month(known):
    subscription = subscribe(known.world.users["hr_analyst"], "", "kk", "csv")
    today = _sending_day(known)

    assert monthly_summaries_send(today=today) == 1
    assert monthly_summaries_send(today=today) == 0  # the beat's retry
    assert monthly_summaries_send(today=today + dt.timedelta(days=2)) == 0  # the catch-up run
    assert len(mail.outbox) == 1

    assert monthly_summaries_send(today=dt.date(today.year + 1, 1, 1)) == 1
    subscription.refresh_from_db()
    assert subscription.last_sent_month == dt.date(today.year, 12, 1)
    assert len(mail.outbox) == 2


def test_a_user_who_lost_the_role_gets_nothing(world, caplog):
    staying, leaving, inactive = (UserFactory() for _ in range(3))
    for user in (staying, leaving, inactive):
        role_assignment_create(user=user, role=Role.HR_ANALYST, region=world.region)
        subscribe(user, f"region={world.region.pk}", "en", "csv")
    leaving.role_assignments.all().delete()
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])

    with caplog.at_level(logging.INFO, logger=services.__name__):
        assert monthly_summaries_send(today=dt.date(2026, 3, 2)) == 3  # one task each

    assert [message.to for message in mail.outbox] == [[staying.email]]
    assert caplog.text.count("may not see the dashboard") == 2
    # Skipped for the month: a role given back later brings the next month's summary.
    assert SummarySubscription.objects.filter(last_sent_month=dt.date(2026, 2, 1)).count() == 3
    problems = dict(SummarySubscription.objects.values_list("user", "last_problem"))
    assert problems[staying.pk] == ""
    for user in (leaving, inactive):
        assert problems[user.pk] == (
            "The summary for February 2026 was not sent: you may no longer see the HR dashboard."
        )


def test_filters_no_longer_valid_for_the_user_are_skipped(world, caplog):
    """A methodologist moved from the city to Sairam: the city is no longer theirs to see."""
    moved = world.users["methodologist"]
    subscribe(moved, f"district={world.city.pk}", "en", "csv")
    other = subscribe(world.users["hr_analyst"], "", "en", "csv")
    moved.role_assignments.all().delete()
    role_assignment_create(user=moved, role=Role.METHODOLOGIST, district=world.sairam)

    with caplog.at_level(logging.WARNING, logger=services.__name__):
        assert monthly_summaries_send(today=dt.date(2026, 3, 1)) == 2

    assert [message.to for message in mail.outbox] == [[other.user.email]]
    assert "its filters are no longer valid" in caplog.text
    problem = SummarySubscription.objects.get(user=moved).last_problem
    assert problem.startswith(
        "The summary for February 2026 was not sent: its filters are no longer within your access ("
    )


def test_a_failing_address_does_not_stop_the_others(world, monkeypatch, caplog):
    users = [UserFactory(email=f"hr{n}@example.kz") for n in range(3)]
    for user in users:
        role_assignment_create(user=user, role=Role.HR_ANALYST, region=world.region)
        subscribe(user, "", "ru", "csv")
    real_send = EmailMessage.send

    def send(message, *args, **kwargs):
        if message.to == ["hr1@example.kz"]:
            raise ConnectionRefusedError("the mail server refused")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", send)
    with caplog.at_level(logging.ERROR, logger=services.__name__):
        assert monthly_summaries_send(today=dt.date(2026, 3, 1)) == 3

    assert sorted(message.to[0] for message in mail.outbox) == ["hr0@example.kz", "hr2@example.kz"]
    assert "was not sent" in caplog.text and "ConnectionRefusedError" in caplog.text
    # Not lost: the claim is given back, the reason kept (in the subscription's language).
    failed = SummarySubscription.objects.get(user=users[1])
    assert failed.last_sent_month is None
    with translation.override("ru"):
        assert failed.last_problem == translation.gettext(
            "The summary for %(month)s could not be sent; it is tried again the next day "
            "(the summaries go out on the first three days of each month)."
        ) % {"month": date_format(dt.date(2026, 2, 1), "F Y")}

    # The next day's run sends it, and only it, and clears the reason.
    monkeypatch.undo()
    assert monthly_summaries_send(today=dt.date(2026, 3, 2)) == 1
    assert [message.to for message in mail.outbox[2:]] == [["hr1@example.kz"]]
    failed.refresh_from_db()
    assert failed.last_sent_month == dt.date(2026, 2, 1) and failed.last_problem == ""


def test_a_task_delivered_twice_sends_once(world):
    subscription = subscribe(world.users["hr_analyst"], "", "kk", "csv")
    for _ in range(2):
        monthly_summary_send_task.delay(subscription.pk, "2026-02-01")
    assert len(mail.outbox) == 1
    # A late task of an older month sends nothing either.
    assert not monthly_summary_send(subscription_id=subscription.pk, month=dt.date(2026, 1, 1))
    assert len(mail.outbox) == 1


def test_the_page_warns_of_a_summary_not_sent(client, world):
    analyst = speaking(world.users["hr_analyst"], "en")
    sent = subscribe(analyst, "", "en", "csv")
    skipped = subscribe(analyst, f"region={world.region.pk}", "en", "pdf")
    SummarySubscription.objects.filter(pk=skipped.pk).update(
        last_problem="The summary for February 2026 was not sent: reasons."
    )
    client.force_login(analyst)
    page = client.get(URL).content.decode()
    assert page.count("data-problem") == 1
    warning = page.index("The summary for February 2026 was not sent: reasons.")
    assert page.index(f'data-subscription="{skipped.pk}"') < warning
    assert page.index(f'data-subscription="{sent.pk}"') < page.index(
        f'data-subscription="{skipped.pk}"'
    )


def test_the_beat_runs_the_task_early_each_month(world):
    entry = celery_app.conf.beat_schedule["monthly-report-summary"]
    assert entry["task"] == monthly_summaries_send_task.name
    assert entry["task"] in celery_app.tasks
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    assert schedule.day_of_month == {1, 2, 3} and schedule.hour == {6}

    subscribe(world.users["hr_analyst"], "", "kk", "csv")
    monthly_summaries_send_task.delay()
    monthly_summaries_send_task.delay()
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="workers waiting on the same rows are what is under test; SQLite serialises "
    "every writer anyway",
)
def test_workers_at_once_send_each_summary_once(world):
    users = [UserFactory(email=f"hr{n}@example.kz") for n in range(6)]
    for user in users:
        role_assignment_create(user=user, role=Role.HR_ANALYST, region=world.region)
        subscribe(user, f"region={world.region.pk}", "kk", "csv")

    results, errors = run_together(
        [partial(monthly_summaries_send, today=dt.date(2026, 3, 1)) for _ in range(4)]
    )

    assert errors == []
    assert sum(results) >= 6  # each queued a task for every subscription it found owed
    assert sorted(message.to[0] for message in mail.outbox) == sorted(u.email for u in users)
    assert not SummarySubscription.objects.exclude(last_problem="").exists()
