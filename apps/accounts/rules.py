"""Who may do what to which object: every permission of the system, in one module.

Views and services ask `user.has_perm("<app>.<action>_<model>", obj)`; templates ask with
`{% has_perm %}` from django-rules. Objects that live somewhere in the region expose
`scope_keys` = (organization_id, district_id, region_id), so this module needs no import
from the apps above it.
"""

import rules

from .models import Role
from .scopes import STAFF_READ_ROLES, STAFF_WRITE_ROLES, read_scope, user_roles, write_scope


def _has_any_role(roles):
    @rules.predicate(name=f"has_any_role({','.join(sorted(roles))})")
    def predicate(user):
        return user.is_authenticated and bool(user_roles(user) & roles)

    return predicate


is_staff_reader = _has_any_role(STAFF_READ_ROLES)
is_staff_writer = _has_any_role(STAFF_WRITE_ROLES)
is_region_admin = _has_any_role(frozenset({Role.REGION_ADMIN}))
is_teacher = _has_any_role(frozenset({Role.TEACHER}))
is_superuser = rules.is_superuser


def _contains(scope, obj) -> bool:
    organization_id, district_id, region_id = obj.scope_keys
    return scope.contains(
        organization_id=organization_id, district_id=district_id, region_id=region_id
    )


@rules.predicate
def object_in_read_scope(user, obj) -> bool:
    return obj is not None and _contains(read_scope(user), obj)


@rules.predicate
def object_in_write_scope(user, obj) -> bool:
    return obj is not None and _contains(write_scope(user), obj)


@rules.predicate
def is_own_teacher_record(user, teacher) -> bool:
    return teacher is not None and user.is_authenticated and teacher.user_id == user.pk


# Teacher registry.
rules.add_perm("teachers.view_teacher_list", is_superuser | is_staff_reader)
rules.add_perm("teachers.view_teacher", is_superuser | object_in_read_scope | is_own_teacher_record)
rules.add_perm("teachers.add_teacher", is_superuser | is_staff_writer)
rules.add_perm("teachers.view_own_record", is_teacher)
rules.add_perm("teachers.change_teacher", is_superuser | object_in_write_scope)


@rules.predicate
def is_creator(user, obj) -> bool:
    return obj is not None and obj.created_by_id == user.pk


@rules.predicate
def organization_in_write_scope(user, obj) -> bool:
    return obj is not None and obj.organization_id is not None and _contains(write_scope(user), obj)


# Teacher imports and exports: staff who may change teachers may import them.
rules.add_perm("teachers.add_import", is_superuser | is_staff_writer)
rules.add_perm(
    "teachers.view_import",
    is_superuser | is_creator | is_region_admin | organization_in_write_scope,
)
rules.add_perm("teachers.change_import", is_superuser | is_creator)
rules.add_perm("teachers.export_teachers", is_superuser | is_staff_reader)
# An organisation a user may place a teacher in (the form offers only these).
rules.add_perm("organizations.assign_teacher_to", is_superuser | object_in_write_scope)
