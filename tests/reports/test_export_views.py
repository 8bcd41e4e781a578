"""The export pages: asked for from the dashboard's panel, followed on the progress page,
downloaded by whoever asked for it and by no one else."""

import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.text import get_valid_filename
from django.utils.translation import pgettext

from apps.reports.exports import report_filename
from apps.reports.models import ReportExport
from apps.reports.selectors import ReportFilters, dashboard
from apps.reports.selectors.described import report_filters_described


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """The exports' files under the test's own directory."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


@pytest.fixture
def admin(known):
    user = known.world.users["region_admin"]
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    return user


def test_create_follow_and_download(client, known, admin, django_capture_on_commit_callbacks):
    client.force_login(admin)
    query = f"district={known.world.city.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:export", args=["pdf"]), {"query": query, "language": "ru"}
        )
    export = ReportExport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:export_detail", args=[export.pk])
    assert (export.created_by, export.file_format, export.language) == (admin, "pdf", "ru")
    assert export.query.startswith(query)

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b'aria-valuenow="100"' in page.content
    download_url = reverse("reports:export_download", args=[export.pk])
    assert download_url.encode() in page.content
    back = f"?{export.query}".replace("&", "&amp;")
    assert back.encode() in page.content  # back to the same dashboard

    download = client.get(download_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    # Named in the report's language, the header ASCII with the name as UTF-8.
    with translation.override("ru"):
        figures = dashboard(admin, ReportFilters(district=known.world.city.pk))
        name = report_filename(figures, "pdf", report_filters_described(admin, figures.filters))
        prefix = get_valid_filename(pgettext("file name", "HR report"))
    assert name.startswith(f"{prefix}_") and name.endswith(f"_{known.today.year}-12-31.pdf")
    assert download["Content-Disposition"] == content_disposition_header(True, name)
    assert download["Content-Disposition"].isascii()
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_language_defaults_to_the_users(client, known, admin):
    client.force_login(admin)
    client.post(reverse("reports:export", args=["xlsx"]), {"query": ""})
    assert ReportExport.objects.get().language == "en"


def test_a_running_export_is_polled_and_its_partial_stops_polling_when_done(client, known, admin):
    export = ReportExport.objects.create(
        created_by=admin, query="", file_format="csv", language="kk", total_rows=14
    )
    ReportExport.objects.filter(pk=export.pk).update(status="running", processed_rows=7)
    client.force_login(admin)
    url = reverse("reports:export_detail", args=[export.pk])
    page = client.get(url)
    assert b"hx-get" in page.content and b'aria-valuenow="50"' in page.content
    assert b"7 of 14 sections" in page.content
    ReportExport.objects.filter(pk=export.pk).update(processed_rows=0, total_rows=1)
    assert b"0 of 1 section<" in client.get(url).content
    partial = client.get(url, headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b'hx-trigger="every 1s"' in partial.content
    ReportExport.objects.filter(pk=export.pk).update(status="failed", failure="No room")
    partial = client.get(url, headers={"HX-Request": "true"})
    assert b"hx-get" not in partial.content and b"No room" in partial.content
    download = client.get(reverse("reports:export_download", args=[export.pk]))
    assert download.status_code == 404


def test_no_one_else_sees_or_downloads_an_export(
    client, known, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.force_login(admin)
        client.post(reverse("reports:export", args=["csv"]), {"query": ""})
    export = ReportExport.objects.get(status="done")
    client.force_login(known.world.users["hr_analyst"])
    for name in ("reports:export_detail", "reports:export_download"):
        assert client.get(reverse(name, args=[export.pk])).status_code == 404


def test_a_creator_who_lost_the_role_no_longer_downloads(
    client, known, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:export", args=["csv"]), {"query": ""})
    export = ReportExport.objects.get(status="done")
    download = reverse("reports:export_download", args=[export.pk])
    assert client.get(download).status_code == 200
    admin.role_assignments.all().delete()
    admin = type(admin).objects.get(pk=admin.pk)  # the roles as the next request reads them
    client.force_login(admin)
    for name in ("reports:export_detail", "reports:export_download"):
        assert client.get(reverse(name, args=[export.pk])).status_code == 404


@pytest.mark.parametrize("role", ["teacher", "no_role"])
def test_who_may_not_export_is_refused(client, known, role):
    client.force_login(known.world.users[role])
    response = client.post(reverse("reports:export", args=["pdf"]), {"query": ""})
    assert response.status_code == 403
    assert not ReportExport.objects.exists()


def test_export_is_post_only(client, known, admin):
    client.force_login(admin)
    assert client.get(reverse("reports:export", args=["pdf"])).status_code == 405


def test_an_invalid_query_returns_to_the_dashboard_with_the_translated_error(client, known):
    user = known.world.users["region_admin"]  # Kazakh
    client.force_login(user)
    query = "period_start=2025-02-01&period_end=2025-01-01"
    response = client.post(
        reverse("reports:export", args=["pdf"]), {"query": query, "language": "ru"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('reports:dashboard')}?{query}"
    messages = [str(m) for m in response.wsgi_request._messages]
    with translation.override("kk"):
        assert messages == [translation.gettext("The period ends before it starts.")]
    assert not ReportExport.objects.exists()


def test_the_panel_offers_every_format_and_language_to_who_may_export(known, admin):
    html = render_to_string(
        "reports/_export_panel.html", {"user": admin, "query": "district=1", "figures": None}
    )
    for fmt in ("xlsx", "csv", "pdf"):
        assert f'formaction="{reverse("reports:export", args=[fmt])}"' in html
    assert 'name="query" value="district=1"' in html
    assert "Қазақша" in html and "Русский" in html and "English" in html
    assert '<option value="en" lang="en" selected>' in html
    teacher = known.world.users["teacher"]
    assert "form" not in render_to_string(
        "reports/_export_panel.html", {"user": teacher, "query": "", "figures": None}
    )


def _panel(user) -> tuple[str, int]:
    user.has_perm("reports.export_report")  # the roles, loaded with the dashboard
    with translation.override("en"), CaptureQueriesContext(connection) as ctx:
        html = render_to_string("reports/_export_panel.html", {"user": user, "query": ""})
    return html, len(ctx.captured_queries)


def test_the_panel_lists_the_users_last_five_exports_in_one_query(known, admin):
    html, queries = _panel(admin)
    assert "Your recent exports" not in html and queries == 1
    other = ReportExport.objects.create(
        created_by=known.world.users["hr_analyst"], file_format="pdf", language="kk"
    )
    exports = [
        ReportExport.objects.create(created_by=admin, file_format=fmt, language="ru")
        for fmt in ("xlsx", "csv", "pdf", "xlsx", "csv", "pdf")
    ]
    done, failed = exports[-1], exports[-2]
    ReportExport.objects.filter(pk=done.pk).update(status="done")
    ReportExport.objects.filter(pk=failed.pk).update(status="failed")

    html, queries = _panel(admin)
    assert "Your recent exports" in html and queries == 1
    listed = [int(pk) for pk in re.findall(r'data-export="(\d+)"', html)]
    assert listed == [export.pk for export in reversed(exports[1:])]
    assert other.pk not in listed
    assert reverse("reports:export_detail", args=[exports[1].pk]) in html
    assert reverse("reports:export_download", args=[done.pk]) in html
    assert reverse("reports:export_download", args=[failed.pk]) not in html
    assert "ready" in html and "failed" in html and "queued" in html
