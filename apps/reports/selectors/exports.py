"""Reads of the report's exports."""

from ..models import ReportExport


def recent_exports(user, limit: int = 5) -> list[ReportExport]:
    """The user's latest exports, newest first, in one query: the dashboard's panel lists
    them, so that a file asked for and left on its progress page is still a click away."""
    return list(ReportExport.objects.filter(created_by=user).order_by("-created_at", "-id")[:limit])
