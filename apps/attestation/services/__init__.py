"""Every write of attestation: cycles and their rules, applications (a state machine with
an append-only history and a frozen version per submission), portfolio evidence, lesson
observations and knowledge-test results.

TRANSITIONS is the one table of allowed status changes and `_transition` the one place
that changes a status. Each service checks role and scope, and locks the application row,
so a replayed form or a second browser tab cannot move it twice.
"""

import hashlib
import os
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from apps.accounts.models import Role
from apps.accounts.scopes import user_roles
from apps.core.calendar import add_working_days
from apps.core.files import sniff_file_type
from apps.teachers.models import QualificationCategory, Teacher

from .. import eligibility
from ..defaults import DEFAULT_OBSERVATION_CRITERIA, DEFAULT_REVIEW_CRITERIA, DEFAULT_RULES
from ..models import (
    Application,
    ApplicationEvent,
    ApplicationVersion,
    AttestationCycle,
    CategoryRule,
    Commission,
    EvidenceItem,
    LessonObservation,
    Level,
    ObservationCriterion,
    ReviewCriterion,
    TestResult,
)

A = Application.Status
# Accepted applications are reviewed by their commission (a reviewer may ask for a
# correction, resubmitted straight back to review), put on a session's agenda (taken off
# again if the session is cancelled or defers it), decided, and put into force by an
# order once the decision's appeal period has passed. An appeal that is upheld sends a
# decided application back to review; a completed one can no longer be appealed, since
# no order is issued while an appeal may still come. A falsified portfolio closes an
# application at any stage of review.
TRANSITIONS: dict = {
    None: {A.DRAFT},
    A.DRAFT: {A.SUBMITTED},
    A.SUBMITTED: {A.ACCEPTED, A.REFUSED, A.RETURNED, A.DISQUALIFIED},
    A.RETURNED: {A.SUBMITTED},
    A.REFUSED: {A.SUBMITTED},
    A.ACCEPTED: {A.CORRECTION, A.SCHEDULED, A.DECIDED, A.DISQUALIFIED},
    A.CORRECTION: {A.ACCEPTED, A.DISQUALIFIED},
    A.SCHEDULED: {A.ACCEPTED, A.DECIDED, A.DISQUALIFIED},
    A.DECIDED: {A.COMPLETED, A.ACCEPTED},
    A.COMPLETED: set(),
    A.DISQUALIFIED: set(),
}
PORTFOLIO_TYPES = ("pdf", "jpeg", "png", "docx")


def _transition(application: Application, to: str, *, actor, comment: str = "") -> None:
    current = application.status or None
    if to not in TRANSITIONS[current]:
        raise ValidationError(
            _("An application that is “%(from)s” cannot become “%(to)s”.")
            % {"from": A(current).label if current else "—", "to": A(to).label},
            code="transition",
        )
    application.status = to
    application.save()
    ApplicationEvent.objects.create(
        application=application,
        from_status=current or "",
        to_status=to,
        actor=actor if actor and actor.is_authenticated else None,
        comment=comment,
        version=application.version,
    )


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("cycle", "teacher__position", "teacher__category", "organization__district")
        .get(pk=application.pk)
    )


# --- cycles -----------------------------------------------------------------------------------


def cycle_create(*, actor, region, **fields) -> AttestationCycle:
    """A new cycle (being prepared) with the default rules of DOMAIN.md, to adjust."""
    if not actor.has_perm("attestation.manage_cycles", region):
        raise PermissionDenied
    cycle = AttestationCycle(region=region, **fields)
    errors = _cycle_errors(cycle)
    if errors:
        raise ValidationError(errors)
    categories = {c.code: c for c in QualificationCategory.objects.all()}
    with transaction.atomic():
        cycle.save()
        for code, values in DEFAULT_RULES.items():
            values = dict(values)
            from_codes = values.pop("from")
            rule = CategoryRule.objects.create(cycle=cycle, category=categories[code], **values)
            rule.from_categories.set([categories[c] for c in from_codes])
        ObservationCriterion.objects.bulk_create(
            ObservationCriterion(cycle=cycle, code=code, title_kk=kk, title_ru=ru, order=n)
            for n, (code, kk, ru) in enumerate(DEFAULT_OBSERVATION_CRITERIA)
        )
        review_criteria_create(cycle)
    return cycle


def review_criteria_create(cycle: AttestationCycle) -> None:
    """The default portfolio scoring sheet for a cycle that has none."""
    if cycle.review_criteria.exists():
        return
    ReviewCriterion.objects.bulk_create(
        ReviewCriterion(
            cycle=cycle,
            code=code,
            title_kk=kk,
            title_ru=ru,
            guidance_kk=guidance_kk,
            guidance_ru=guidance_ru,
            max_points=max_points,
            order=n,
        )
        for n, (code, kk, ru, guidance_kk, guidance_ru, max_points) in enumerate(
            DEFAULT_REVIEW_CRITERIA
        )
    )


def cycle_set_status(*, cycle: AttestationCycle, actor, status: str) -> AttestationCycle:
    """Open a prepared cycle, close an open one (or reopen a closed one by mistake)."""
    if not actor.has_perm("attestation.manage_cycles", cycle):
        raise PermissionDenied
    allowed = {
        AttestationCycle.Status.DRAFT: {AttestationCycle.Status.OPEN},
        AttestationCycle.Status.OPEN: {AttestationCycle.Status.CLOSED},
        AttestationCycle.Status.CLOSED: {AttestationCycle.Status.OPEN},
    }
    with transaction.atomic():
        cycle = AttestationCycle.objects.select_for_update().get(pk=cycle.pk)
        if status not in allowed[cycle.status]:
            raise ValidationError(
                _("A cycle that is “%(from)s” cannot become “%(to)s”.")
                % {
                    "from": cycle.get_status_display(),
                    "to": AttestationCycle.Status(status).label,
                }
            )
        if status == AttestationCycle.Status.OPEN:
            other = AttestationCycle.objects.filter(
                region=cycle.region, status=AttestationCycle.Status.OPEN
            ).exclude(pk=cycle.pk)
            if other.exists():
                raise ValidationError(_("Another cycle of the region is open: close it first."))
        cycle.status = status
        cycle.save(update_fields=["status", "updated_at"])
    return cycle


CYCLE_EDITABLE = (
    "school_year",
    "application_opens",
    "application_closes",
    "review_starts",
    "review_ends",
    "essay_topic_kk",
    "essay_topic_ru",
    "essay_min_words",
    "essay_max_words",
    "min_observations",
    "test_validity_days",
    "acceptance_working_days",
    "pension_age_male",
    "pension_age_female",
    "pre_pension_years",
    "long_service_years",
)
RULE_EDITABLE = (
    "from_categories",
    "from_no_category",
    "min_experience_years",
    "test_pass_percent",
    "portfolio_points",
    "level",
    "pd_hours_school",
    "pd_hours_other",
)


def _cycle_errors(cycle: AttestationCycle) -> dict:
    """The cycle's field errors, with plain words where a database constraint would only
    name itself."""
    errors: dict[str, list] = {}
    opens, closes = cycle.application_opens, cycle.application_closes
    if opens and closes and closes < opens:
        errors["application_closes"] = [_("The window cannot close before it opens.")]
    if cycle.review_ends and cycle.review_starts and cycle.review_ends < cycle.review_starts:
        errors["review_ends"] = [_("The review cannot end before it starts.")]
    if cycle.essay_max_words < cycle.essay_min_words:
        errors["essay_max_words"] = [_("The maximum cannot be below the minimum.")]
    try:
        cycle.full_clean(validate_constraints=not errors)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    return errors


def _rule_errors(rule: CategoryRule, from_categories) -> list[str]:
    """What is wrong with a rule of the table, each message naming its category."""
    messages = []
    try:
        rule.full_clean(exclude=["cycle", "category"], validate_unique=False)
    except ValidationError as exc:
        for name, errors in exc.message_dict.items():
            if name == NON_FIELD_ERRORS:
                messages += errors
                continue
            label = capfirst(CategoryRule._meta.get_field(name).verbose_name)
            messages += [
                _("%(field)s: %(error)s") % {"field": label, "error": error} for error in errors
            ]
    claimed = rule.category
    for current in from_categories or ():
        legacy_allowed = (
            current.track == QualificationCategory.Track.LEGACY
            and claimed.track == QualificationCategory.Track.TEACHER
        )
        if current.track != claimed.track and not legacy_allowed:
            messages.append(_("“%(current)s” is on another ladder.") % {"current": current.name})
        elif current.track == claimed.track and current.rank > claimed.rank:
            messages.append(
                _("It cannot be claimed from the higher category “%(current)s”.")
                % {"current": current.name}
            )
    return [
        _("%(category)s: %(message)s") % {"category": claimed.name, "message": message}
        for message in messages
    ]


def cycle_update(
    *, cycle: AttestationCycle, actor, rules: dict | None = None, **fields
) -> AttestationCycle:
    """Change a cycle's dates, essay topic and numbers, and its table of category rules
    (`rules`: a rule's pk -> its new values, among RULE_EDITABLE), while the cycle is not
    closed. Everything is checked first and saved together, or nothing is."""
    unknown = set(fields) - set(CYCLE_EDITABLE)
    unknown |= {name for values in (rules or {}).values() for name in values} - set(RULE_EDITABLE)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    if not actor.has_perm("attestation.manage_cycles", cycle):
        raise PermissionDenied
    with transaction.atomic():
        cycle = AttestationCycle.objects.select_for_update().get(pk=cycle.pk)
        if cycle.status == AttestationCycle.Status.CLOSED:
            raise ValidationError(_("A closed cycle can no longer be changed."), code="closed")
        for name, value in fields.items():
            setattr(cycle, name, value)
        errors = _cycle_errors(cycle)
        existing = {rule.pk: rule for rule in cycle.rules.select_related("category")}
        changed, rule_errors = [], []
        for pk, values in (rules or {}).items():
            rule = existing.get(pk)
            if rule is None:
                raise ValueError(f"Rule {pk} is not a rule of cycle {cycle.pk}.")
            values = dict(values)
            from_categories = values.pop("from_categories", None)
            for name, value in values.items():
                setattr(rule, name, value)
            rule_errors += _rule_errors(rule, from_categories)
            changed.append((rule, from_categories))
        if rule_errors:
            errors["rules"] = rule_errors
        if errors:
            raise ValidationError(errors)
        cycle.save()
        for rule, from_categories in changed:
            rule.save()
            if from_categories is not None:
                rule.from_categories.set(from_categories)
    return cycle


# --- applications -----------------------------------------------------------------------------


def application_start(
    *, cycle: AttestationCycle, teacher: Teacher, claimed_category, actor
) -> Application:
    """A draft application for the next category (or to confirm the current one)."""
    if not actor.has_perm("attestation.apply_for", teacher):
        raise PermissionDenied
    today = timezone.localdate()
    if not cycle.window_open(today):
        raise ValidationError(eligibility.window_check(cycle, today).detail, code="window")
    rules = eligibility.claimable_rules(cycle=cycle, teacher=teacher)
    rule = next((r for r in rules if r.category_id == claimed_category.pk), None)
    if rule is None:
        raise ValidationError(
            eligibility.ladder_check(teacher, claimed_category, None, rules).detail, code="ladder"
        )
    with transaction.atomic():
        Teacher.objects.select_for_update().get(pk=teacher.pk)
        if Application.objects.filter(cycle=cycle, teacher=teacher).exists():
            raise ValidationError(
                _("There is already an application for the %(year)s cycle.")
                % {"year": cycle.school_year},
                code="duplicate",
            )
        application = Application(
            cycle=cycle,
            teacher=teacher,
            organization=teacher.organization,
            position=teacher.position,
            current_category=teacher.category,
            current_valid_until=teacher.category_valid_until,
            claimed_category=claimed_category,
            level=rule.level,
            created_by=actor,
        )
        _transition(application, A.DRAFT, actor=actor)
    return application


EDITABLE = ("claimed_category", "test_exemption", "early", "essay_text", "essay_language")


def application_update(*, application: Application, actor, **fields) -> Application:
    """Change a draft (or a returned or refused application being corrected)."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    if not actor.has_perm("attestation.change_application", application):
        raise PermissionDenied
    with transaction.atomic():
        application = _locked(application)
        _check_editable(application)
        claimed = fields.get("claimed_category")
        if claimed is not None and claimed.pk != application.claimed_category_id:
            rules = eligibility.claimable_rules(
                cycle=application.cycle, teacher=application.teacher
            )
            rule = next((r for r in rules if r.category_id == claimed.pk), None)
            if rule is None:
                raise ValidationError(
                    {
                        "claimed_category": eligibility.ladder_check(
                            application.teacher, claimed, None, rules
                        ).detail
                    }
                )
            application.level = rule.level
        for name, value in fields.items():
            setattr(application, name, value)
        application.essay_text = application.essay_text.strip()
        application.full_clean(exclude=["status"])
        application.save()
    return application


def _check_editable(application: Application) -> None:
    if not application.is_editable:
        raise ValidationError(
            _("An application that is “%(status)s” can no longer be changed.")
            % {"status": application.get_status_display()},
            code="not_editable",
        )


def application_checklist(*, application: Application, today=None) -> list[eligibility.Check]:
    return eligibility.checklist(
        cycle=application.cycle,
        teacher=application.teacher,
        claimed=application.claimed_category,
        application=application,
        today=today or timezone.localdate(),
    )


def _snapshot(application: Application) -> dict:
    evidence = application.evidence.filter(removed_at__isnull=True).order_by("pk")
    return {
        "claimed_category": application.claimed_category.code,
        "current_category": application.current_category.code
        if application.current_category_id
        else None,
        "organization": application.organization_id,
        "position": application.position.code,
        "test_exemption": application.test_exemption,
        "early": application.early,
        "test_result": application.test_result_id,
        "essay_language": application.essay_language,
        "essay_text": application.essay_text,
        "evidence": [
            {
                "id": item.pk,
                "criterion": item.criterion,
                "title": item.title,
                "level": item.level,
                "is_winner": item.is_winner,
                "file_type": item.file_type,
                "sha256": item.sha256,
            }
            for item in evidence
        ],
    }


def application_submit(*, application: Application, actor) -> Application:
    """Submit (or resubmit after correction): every blocking checklist item must be met.
    Routes the application by its claimed category and starts the answer deadline.
    A correction a reviewer asked for goes straight back to the commission's review."""
    if not actor.has_perm("attestation.change_application", application):
        raise PermissionDenied
    with transaction.atomic():
        application = _locked(application)
        _check_editable(application)
        if application.status == A.CORRECTION:
            return _resubmit_correction(application, actor=actor)
        today = timezone.localdate()
        missing = [
            c for c in application_checklist(application=application, today=today) if c.blocking
        ]
        if missing:
            raise ValidationError(
                [
                    _("%(label)s: %(detail)s") % {"label": c.label, "detail": c.detail}
                    for c in missing
                ],
                code="not_eligible",
            )
        rule = CategoryRule.objects.get(
            cycle=application.cycle, category=application.claimed_category
        )
        application.level = rule.level
        application.routed_district = (
            application.organization.district if rule.level == Level.DISTRICT else None
        )
        if not application.test_exemption:
            best = eligibility.valid_test_results(
                teacher=application.teacher, cycle=application.cycle, today=today
            )
            application.test_result = best[0]
        else:
            application.test_result = None
        _new_version(application, actor=actor)
        application.answered_at = None
        application.accept_due_on = add_working_days(
            today, application.cycle.acceptance_working_days
        )
        _transition(application, A.SUBMITTED, actor=actor)
    return application


def _new_version(application: Application, *, actor) -> None:
    """Freeze what is being submitted as the next version; new evidence belongs to it."""
    application.version += 1
    now = timezone.now()
    application.submitted_at = now
    ApplicationVersion.objects.create(
        application=application,
        number=application.version,
        submitted_at=now,
        submitted_by=actor,
        snapshot=_snapshot(application),
    )
    application.evidence.filter(submitted_in__isnull=True, removed_at__isnull=True).update(
        submitted_in=application.version
    )


def _resubmit_correction(application: Application, *, actor) -> Application:
    application.correction_due_on = None
    _new_version(application, actor=actor)
    _transition(application, A.ACCEPTED, actor=actor, comment=_("Correction submitted."))
    return application


def commission_for(application: Application) -> Commission | None:
    """The commission of the body that attests this application's claimed category
    (none for the ministry, whose decisions are recorded as received)."""
    commissions = Commission.objects.filter(cycle_id=application.cycle_id, level=application.level)
    if application.level == Level.ORGANIZATION:
        commissions = commissions.filter(organization_id=application.organization_id)
    elif application.level == Level.DISTRICT:
        district_id = application.routed_district_id or application.organization.district_id
        commissions = commissions.filter(district_id=district_id)
    elif application.level != Level.REGION:
        return None
    return commissions.first()


def _lock_cycle_for_commission(application: Application) -> None:
    """Before looking for the application's commission: lock its cycle's row, which
    `commission_create` also takes while it creates a commission and attaches the waiting
    applications. So an application accepted meanwhile either finds the new commission or
    is accepted before it and attached by it, never left without one. Taken before the
    application's row, in the order commission_create takes them (cycle, then
    applications), so the two cannot deadlock."""
    AttestationCycle.objects.select_for_update().filter(pk=application.cycle_id).exists()


def _answer(application: Application, to: str, *, actor, comment: str) -> Application:
    if not actor.has_perm("attestation.accept_application", application):
        raise PermissionDenied
    with transaction.atomic():
        if to == A.ACCEPTED:
            _lock_cycle_for_commission(application)
        application = _locked(application)
        application.answered_at = timezone.now()
        if to == A.ACCEPTED:
            application.commission = commission_for(application)
        _transition(application, to, actor=actor, comment=comment.strip())
    return application


def application_accept(*, application: Application, actor, comment: str = "") -> Application:
    """The completeness check passed: the application goes on to review."""
    return _answer(application, A.ACCEPTED, actor=actor, comment=comment)


def application_refuse(*, application: Application, actor, reason: str) -> Application:
    if not reason.strip():
        raise ValidationError({"comment": _("Give the reason for refusing.")})
    return _answer(application, A.REFUSED, actor=actor, comment=reason)


def application_return(*, application: Application, actor, comment: str) -> Application:
    """Back to the teacher for a correction, which they resubmit."""
    if not comment.strip():
        raise ValidationError({"comment": _("Say what needs correcting.")})
    return _answer(application, A.RETURNED, actor=actor, comment=comment)


@dataclass
class BulkAccept:
    accepted: list[Application] = field(default_factory=list)
    skipped: list[tuple[Application, str]] = field(default_factory=list)


def applications_accept(*, applications, actor) -> BulkAccept:
    """Accept many submitted applications at once; each must still be complete."""
    result = BulkAccept()
    for application in applications:
        try:
            if not actor.has_perm("attestation.accept_application", application):
                raise PermissionDenied
            with transaction.atomic():
                _lock_cycle_for_commission(application)
                locked = _locked(application)
                if locked.status != A.SUBMITTED:
                    raise ValidationError(
                        _("It is “%(status)s”.") % {"status": locked.get_status_display()}
                    )
                missing = [c for c in application_checklist(application=locked) if c.blocking]
                missing = [c for c in missing if c.code != "window"]
                if missing:
                    raise ValidationError(
                        _("Incomplete: %(items)s.") % {"items": ", ".join(c.label for c in missing)}
                    )
                result.accepted.append(application_accept(application=locked, actor=actor))
        except PermissionDenied:
            result.skipped.append((application, _("not in your scope")))
        except ValidationError as exc:
            result.skipped.append((application, " ".join(exc.messages)))
    return result


# --- portfolio --------------------------------------------------------------------------------


def evidence_add(
    *, application: Application, actor, file, criterion: str, title: str, **fields
) -> EvidenceItem:
    """Add a file to the portfolio: typed by content (PDF, JPEG, PNG, DOCX), size-checked,
    stored privately under a random name."""
    if not actor.has_perm("attestation.change_application", application):
        raise PermissionDenied
    _check_editable(application)  # before reading the file; checked again under the lock
    kind = sniff_file_type(file, allowed=PORTFOLIO_TYPES, max_bytes=settings.PORTFOLIO_MAX_BYTES)
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    with transaction.atomic():
        application = _locked(application)
        _check_editable(application)
        item = EvidenceItem(
            application=application,
            criterion=criterion,
            title=title,
            file=file,
            file_type=kind,
            file_size=file.size,
            sha256=digest.hexdigest(),
            original_name=os.path.basename(file.name or "")[:255],
            uploaded_by=actor,
            **fields,
        )
        item.full_clean(exclude=["file"])
        item.save()
    return item


def evidence_remove(*, item: EvidenceItem, actor) -> None:
    """Remove an item; one already submitted in a version is kept for that version."""
    if not actor.has_perm("attestation.change_application", item.application):
        raise PermissionDenied
    with transaction.atomic():
        application = _locked(item.application)
        _check_editable(application)
        item = EvidenceItem.objects.select_for_update().get(pk=item.pk)
        if item.removed_at:
            return
        if item.submitted_in is None:
            storage, name = item.file.storage, item.file.name
            item.delete()
            transaction.on_commit(lambda: storage.delete(name))
        else:
            item.removed_at = timezone.now()
            item.save(update_fields=["removed_at", "updated_at"])


# --- lesson observations ----------------------------------------------------------------------


def observation_create(
    *, actor, cycle: AttestationCycle, teacher: Teacher, scores: dict, **fields
) -> LessonObservation:
    """An observation sheet entered by the observer: every criterion scored 0 to 3."""
    if not actor.has_perm("attestation.add_observation", teacher):
        raise PermissionDenied
    if cycle.status != AttestationCycle.Status.OPEN:
        raise ValidationError(_("Observations are recorded in an open cycle."), code="cycle")
    if cycle.region_id != teacher.organization.district.region_id:
        raise ValidationError(_("This cycle is not the teacher's region's."), code="cycle")
    codes = list(cycle.observation_criteria.values_list("code", flat=True))
    if set(scores) != set(codes) or any(
        type(v) is not int or not 0 <= v <= 3
        for v in scores.values()  # True is an int too
    ):
        raise ValidationError({"scores": _("Score every criterion from 0 to 3.")})
    observation = LessonObservation(
        cycle=cycle,
        teacher=teacher,
        observer=actor,
        observer_is_commission_member=Role.COMMISSION_MEMBER in user_roles(actor),
        scores={code: scores[code] for code in codes},
        **fields,
    )
    observation.full_clean()
    if observation.observed_on > timezone.localdate():
        raise ValidationError({"observed_on": _("The lesson cannot be in the future.")})
    observation.save()
    return observation


# --- test results -----------------------------------------------------------------------------


def test_result_create(*, actor, teacher: Teacher, **fields) -> TestResult:
    """A test result entered by staff for a teacher in their scope."""
    if not actor.has_perm("attestation.add_test_result", teacher):
        raise PermissionDenied
    result = TestResult(
        teacher=teacher, source=TestResult.Source.MANUAL, created_by=actor, **fields
    )
    result.full_clean()
    if result.taken_on > timezone.localdate():
        raise ValidationError({"taken_on": _("The test date cannot be in the future.")})
    if result.score > result.max_score:
        raise ValidationError({"score": _("The score cannot exceed the maximum score.")})
    result.save()
    return result
