"""Who may do what to which object: every permission of the system, in one module.

Views and services ask `user.has_perm("<app>.<action>_<model>", obj)`; templates ask with
`{% has_perm %}` from django-rules. Objects that live somewhere in the region expose
`scope_keys` = (organization_id, district_id, region_id), so this module needs no import
from the apps above it.
"""

import rules

from .models import Role
from .scopes import (
    STAFF_READ_ROLES,
    STAFF_WRITE_ROLES,
    commission_seats,
    read_scope,
    scope_for,
    user_provider_ids,
    user_roles,
    write_scope,
)


def _has_any_role(roles):
    @rules.predicate(name=f"has_any_role({','.join(sorted(roles))})")
    def predicate(user):
        return user.is_authenticated and bool(user_roles(user) & roles)

    return predicate


is_staff_reader = _has_any_role(STAFF_READ_ROLES)
is_staff_writer = _has_any_role(STAFF_WRITE_ROLES)
is_region_admin = _has_any_role(frozenset({Role.REGION_ADMIN}))
is_teacher = _has_any_role(frozenset({Role.TEACHER}))
is_pd_reviewer = _has_any_role(frozenset({Role.METHODOLOGIST, Role.REGION_ADMIN}))
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


# --- Courses and certificates -------------------------------------------------------------
# Objects managed by a PD provider (provider, course, run, enrolment, certificate, batch)
# expose `provider_id`; runs expose `trainer_id`; a teacher's things expose `scope_keys`.


@rules.predicate
def is_provider_staff(user) -> bool:
    return bool(user_provider_ids(user))


@rules.predicate
def manages_provider_of(user, obj) -> bool:
    return obj is not None and obj.provider_id in user_provider_ids(user)


@rules.predicate
def trains_run(user, run) -> bool:
    return run is not None and run.trainer_id is not None and run.trainer_id == user.pk


@rules.predicate
def is_own_teacher_thing(user, obj) -> bool:
    """An enrolment, certificate or external PD record of the user's own teacher record."""
    return obj is not None and user.is_authenticated and obj.teacher.user_id == user.pk


@rules.predicate
def has_teacher_record(user) -> bool:
    return user.is_authenticated and hasattr(user, "teacher")


catalogue_manager = is_superuser | is_region_admin
rules.add_perm("courses.view_catalogue", rules.is_authenticated)
# Providers: regional administrators keep the list; provider staff edit their own.
rules.add_perm("courses.add_provider", catalogue_manager)
rules.add_perm("courses.change_provider", catalogue_manager | manages_provider_of)
rules.add_perm("courses.add_course", catalogue_manager | is_provider_staff)
# Course, run: the provider's staff or a regional administrator.
rules.add_perm("courses.change_course", catalogue_manager | manages_provider_of)
rules.add_perm("courses.change_run", catalogue_manager | manages_provider_of)
# Attendance, assessment and completion: also the run's trainer.
rules.add_perm("courses.mark_run", catalogue_manager | manages_provider_of | trains_run)
# The full roster of a run; staff readers see the part of it in their scope.
rules.add_perm("courses.view_roster", catalogue_manager | manages_provider_of | trains_run)
rules.add_perm("courses.view_scoped_roster", is_superuser | is_staff_reader)
# Enrolling: a teacher themself; staff who may change a teacher enrol that teacher.
rules.add_perm("courses.enrol_self", is_teacher & has_teacher_record)
rules.add_perm("courses.enrol_teacher", is_superuser | object_in_write_scope)
rules.add_perm("courses.enrol_teachers", is_superuser | is_staff_writer)
rules.add_perm(
    "courses.view_enrolment",
    is_superuser | is_own_teacher_thing | object_in_read_scope | manages_provider_of,
)
# Cancelling, or approving a request: the teacher, staff over the teacher, the provider.
rules.add_perm(
    "courses.change_enrolment",
    is_superuser | is_own_teacher_thing | object_in_write_scope | manages_provider_of,
)
# Never one's own request, certificate or test result (staff who teach are teachers too).
rules.add_perm(
    "courses.approve_enrolment",
    is_superuser | ((object_in_write_scope | manages_provider_of) & ~is_own_teacher_thing),
)
# External PD certificates: the teacher uploads; a methodologist (or a regional
# administrator) over them confirms.
rules.add_perm("courses.add_external_training", is_teacher & has_teacher_record)
rules.add_perm(
    "courses.view_external_training", is_superuser | is_own_teacher_thing | object_in_read_scope
)
rules.add_perm("courses.review_external_trainings", is_superuser | is_pd_reviewer)
rules.add_perm(
    "courses.review_external_training",
    is_superuser | (is_pd_reviewer & object_in_write_scope & ~is_own_teacher_thing),
)

# Certificates: the holder, staff over the holder, the provider see and download them;
# the provider (or a regional administrator) revokes and re-issues.
rules.add_perm(
    "certificates.view_certificate",
    is_superuser | is_own_teacher_thing | object_in_read_scope | manages_provider_of,
)
rules.add_perm("certificates.change_certificate", catalogue_manager | manages_provider_of)
rules.add_perm("certificates.add_batch", catalogue_manager | manages_provider_of | trains_run)
rules.add_perm("certificates.view_batch", is_superuser | is_creator)

# --- Attestation ---------------------------------------------------------------------------
# Applications expose `scope_keys` of the organisation the teacher applied from and
# `teacher`; a teacher's own application is theirs to fill in and submit.


@rules.predicate
def is_own_application(user, application) -> bool:
    return (
        application is not None and user.is_authenticated and application.teacher.user_id == user.pk
    )


is_acceptor = _has_any_role(frozenset({Role.SCHOOL_ADMIN, Role.METHODOLOGIST, Role.REGION_ADMIN}))
is_observer = _has_any_role(
    frozenset({Role.SCHOOL_ADMIN, Role.METHODOLOGIST, Role.COMMISSION_MEMBER})
)


@rules.predicate
def no_object_or_in_write_scope(user, obj) -> bool:
    """Without an object: whether to offer the action at all; with one: its scope."""
    return obj is None or _contains(write_scope(user), obj)


# A cycle (or, to create one, a region) of the regional administrator's own region.
rules.add_perm(
    "attestation.manage_cycles", is_superuser | (is_region_admin & no_object_or_in_write_scope)
)
# Applying: the teacher themself, or staff who may change the teacher (on their behalf).
rules.add_perm(
    "attestation.apply_for", is_superuser | is_own_teacher_record | object_in_write_scope
)


@rules.predicate
def sits_on_commission_of(user, application) -> bool:
    """A member (any role) of the commission the application is with."""
    return (
        application is not None
        and user.is_authenticated
        and application.commission_id is not None
        and any(seat == application.commission_id for seat, _role in commission_seats(user))
    )


rules.add_perm(
    "attestation.view_application",
    is_superuser | is_own_application | object_in_read_scope | sits_on_commission_of,
)
rules.add_perm(
    "attestation.change_application", is_superuser | is_own_application | object_in_write_scope
)
# Accepting, refusing, returning: the school, a methodologist over it, the region.
# Never one's own application (a school administrator who teaches is also a teacher).
rules.add_perm(
    "attestation.accept_application",
    is_superuser | (is_acceptor & object_in_write_scope & ~is_own_application),
)
rules.add_perm("attestation.view_queue", is_superuser | is_staff_reader)
# Test results: staff who may change the teacher enter or import them.
rules.add_perm(
    "attestation.add_test_result", is_superuser | (object_in_write_scope & ~is_own_teacher_record)
)
rules.add_perm("attestation.import_test_results", is_superuser | is_staff_writer)
# Observation sheets are entered by the observers themselves, for teachers in their scope.
rules.add_perm(
    "attestation.add_observation",
    (is_observer & object_in_read_scope) & ~is_own_teacher_record,
)


@rules.predicate
def is_observer_of(user, observation) -> bool:
    return observation is not None and observation.observer_id == user.pk


# Whether the user observes lessons at all (the "observe a lesson" entry).
rules.add_perm("attestation.observe", is_superuser | is_observer)
rules.add_perm(
    "attestation.view_observation",
    is_superuser | object_in_read_scope | is_own_teacher_thing | is_observer_of,
)

# --- "1000 leaders" -------------------------------------------------------------------------
# Intakes are regional (scope_keys of the region); candidates carry the scope of the
# organisation they applied from, so a district methodologist sees their district's.

is_leader_reviewer = _has_any_role(
    frozenset({Role.METHODOLOGIST, Role.COMMISSION_MEMBER, Role.REGION_ADMIN})
)


@rules.predicate
def is_own_candidacy(user, obj) -> bool:
    """The object is the user's own candidacy (an intake never is: the services refuse
    staff who are themselves candidates of it)."""
    teacher = getattr(obj, "teacher", None)
    return teacher is not None and user.is_authenticated and teacher.user_id == user.pk


is_leader_staff = is_superuser | (is_pd_reviewer & object_in_write_scope & ~is_own_candidacy)

# An intake (or, to create one, a programme) of the administrator's own region.
rules.add_perm(
    "leaders.manage_intakes", is_superuser | (is_region_admin & no_object_or_in_write_scope)
)
rules.add_perm("leaders.apply", is_teacher & has_teacher_record)
rules.add_perm("leaders.view_programme", rules.is_authenticated)
# Selection and training of an intake: regional staff (the intake's scope is the region).
rules.add_perm("leaders.manage_selection", is_leader_staff)
rules.add_perm("leaders.manage_training", is_leader_staff)
rules.add_perm("leaders.view_candidate", is_superuser | is_own_teacher_thing | object_in_read_scope)
rules.add_perm("leaders.view_candidates", is_superuser | is_staff_reader)
rules.add_perm(
    "leaders.review_reports",
    is_superuser | (is_leader_reviewer & object_in_read_scope & ~is_own_candidacy),
)
rules.add_perm("leaders.record_appointment", is_leader_staff)
rules.add_perm("leaders.manage_vacancies", is_superuser | (is_staff_writer & object_in_write_scope))
rules.add_perm("leaders.view_outcomes", is_superuser | is_staff_reader)


# --- Attestation II: commissions, sessions, decisions, appeals, special paths --------------
# A commission (and its sessions and orders) exposes `scope_keys` of its body (organisation,
# district, region); an appeal exposes the scope of the body above the one that decided.
# Seats on commissions come from `scopes.commission_seats` (loaded once per request).


def _commission_id(obj):
    """The commission of a commission, session, order or member."""
    if obj is None:
        return None
    return getattr(obj, "commission_id", None) or (obj.pk if hasattr(obj, "members") else None)


@rules.predicate
def sits_on(user, obj) -> bool:
    """A member (any role) of this commission, or of the commission of this session."""
    commission_id = _commission_id(obj)
    return commission_id is not None and any(
        seat == commission_id for seat, _role in commission_seats(user)
    )


@rules.predicate
def keeps_minutes_of(user, obj) -> bool:
    """The secretary or the chair of this commission (or of this session's commission)."""
    commission_id = _commission_id(obj)
    return commission_id is not None and any(
        seat == commission_id and role in ("secretary", "chair")
        for seat, role in commission_seats(user)
    )


@rules.predicate
def has_commission_seat(user) -> bool:
    return bool(commission_seats(user))


is_attestation_officer = _has_any_role(frozenset({Role.METHODOLOGIST, Role.REGION_ADMIN}))

# Forming a commission: the staff of its body (a school's administrator for the school's,
# a district methodologist for the district's, the region for the region's).
rules.add_perm(
    "attestation.manage_commissions", is_superuser | (is_staff_writer & no_object_or_in_write_scope)
)


@rules.predicate
def no_object_or_in_read_scope(user, obj) -> bool:
    return obj is None or _contains(read_scope(user), obj)


rules.add_perm(
    "attestation.view_commission",
    is_superuser | sits_on | (is_staff_reader & no_object_or_in_read_scope),
)
# Scoring a portfolio: a member of the application's commission, never their own
# (the services also exclude members being attested and, where the cycle says so,
# colleagues of the applicant's organisation).
rules.add_perm("attestation.review", is_superuser | has_commission_seat)
rules.add_perm(
    "attestation.review_application",
    is_superuser | (sits_on_commission_of & ~is_own_application),
)
# Sessions: scheduled and closed by the commission's secretary (or chair) or its body's staff.
rules.add_perm(
    "attestation.run_sessions",
    is_superuser | keeps_minutes_of | (is_staff_writer & object_in_write_scope),
)
rules.add_perm(
    "attestation.view_session",
    is_superuser | sits_on | (is_staff_reader & object_in_read_scope),
)
# Orders and category certificates: the attesting body's staff.
rules.add_perm(
    "attestation.issue_orders", is_superuser | (is_staff_writer & no_object_or_in_write_scope)
)
rules.add_perm(
    "attestation.view_order", is_superuser | sits_on | (is_staff_reader & object_in_read_scope)
)
# Ministry decisions (master) are recorded as received by the region.
rules.add_perm(
    "attestation.record_ministry_decision",
    is_superuser | (is_region_admin & object_in_write_scope & ~is_own_application),
)
rules.add_perm(
    "attestation.view_category_certificate",
    is_superuser | is_own_teacher_thing | object_in_read_scope,
)
rules.add_perm(
    "attestation.revoke_category_certificate",
    is_superuser | (is_attestation_officer & object_in_write_scope & ~is_own_teacher_thing),
)
# Appeals: lodged by the teacher; reviewed by the body above the one that decided, never
# by a member of the commission that decided.


@rules.predicate
def sat_on_appealed_decision(user, appeal) -> bool:
    """A member (any role) of the commission whose decision the appeal is against (the
    ministry's decisions, recorded without a session, have none here)."""
    if appeal is None or appeal.decision.session_id is None:
        return False
    commission_id = appeal.decision.session.commission_id
    return any(seat == commission_id for seat, _role in commission_seats(user))


rules.add_perm("attestation.lodge_appeal", is_own_application)
rules.add_perm(
    "attestation.review_appeal",
    is_superuser
    | (
        is_attestation_officer
        & object_in_write_scope
        & ~is_own_application
        & ~sat_on_appealed_decision
    ),
)
rules.add_perm(
    "attestation.view_appeal",
    is_superuser | is_own_application | object_in_read_scope | sits_on_commission_of,
)
rules.add_perm("attestation.view_appeals", is_superuser | is_attestation_officer)
# Special paths: each a service with its rules. Freezing a category is the school's HR
# work; the other measures are the district's or the region's.
rules.add_perm(
    "attestation.freeze_category",
    is_superuser | (is_staff_writer & object_in_write_scope & ~is_own_teacher_record),
)
rules.add_perm(
    "attestation.grant_category",
    is_superuser | (is_attestation_officer & object_in_write_scope & ~is_own_teacher_record),
)
rules.add_perm(
    "attestation.impose_sanction",
    is_superuser | (is_attestation_officer & object_in_write_scope & ~is_own_teacher_record),
)


# --- Reports ------------------------------------------------------------------------------
# Staff see the figures of their own read scope (the selectors narrow them); exports and
# subscriptions belong to whoever asked for them.
rules.add_perm("reports.view_dashboard", is_superuser | is_staff_reader)
rules.add_perm("reports.export_report", is_superuser | is_staff_reader)
rules.add_perm("reports.view_export", is_superuser | (is_creator & is_staff_reader))
rules.add_perm("reports.add_subscription", is_superuser | is_staff_reader)


@rules.predicate
def is_subscriber(user, subscription) -> bool:
    return subscription is not None and subscription.user_id == user.pk


rules.add_perm("reports.delete_subscription", is_superuser | is_subscriber)


@rules.predicate
def object_in_region_admin_scope(user, obj) -> bool:
    """Within the user's scope as a regional administrator alone: the write scope unites
    every write role, so a regional administrator who is also, say, a methodologist
    elsewhere would otherwise gain there what only the region's administrator may do."""
    return obj is not None and _contains(scope_for(user, {Role.REGION_ADMIN}), obj)


# The PD plan: any reader sees it; the regional administrator sets it for their districts.
rules.add_perm("reports.view_pdplan", is_superuser | is_staff_reader)
rules.add_perm("reports.change_pdplan", is_superuser | object_in_region_admin_scope)
