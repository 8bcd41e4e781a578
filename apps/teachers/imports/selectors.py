"""Reads for the import pages: which jobs a user sees."""

from django.db.models import Q, QuerySet

from apps.accounts.models import Role
from apps.accounts.scopes import user_roles, write_scope

from ..models import ImportJob


def visible_import_jobs(user) -> QuerySet[ImportJob]:
    """Imports the user uploaded, and those into organisations they manage."""
    jobs = ImportJob.objects.select_related("created_by", "organization")
    if user.is_superuser or Role.REGION_ADMIN in user_roles(user):
        return jobs
    scope = write_scope(user)
    in_scope = scope.q(
        organization="organization_id",
        district="organization__district_id",
        region="organization__district__region_id",
    )
    return jobs.filter(Q(created_by=user) | (in_scope & Q(organization__isnull=False)))


def import_job_get(*, user, pk) -> ImportJob:
    return visible_import_jobs(user).select_related("organization__district").get(pk=pk)
