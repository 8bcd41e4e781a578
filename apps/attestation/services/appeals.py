"""Appeals against a decision (DOMAIN.md, "Appeals"): the teacher lodges a complaint within
the cycle's working days after the decision; the body above the one that decided answers
within its working days, and after a rejection the next body above answers a second
appeal within its own (longer) working days. Upheld, the decision is marked revised and
the application goes back to review, its members scoring the portfolio anew, to be decided
again through the normal path; rejected, the reasons are recorded.

A decision comes into force (is put in an order) only once its appeal period has passed
and no appeal is being reviewed, so an appeal never meets a completed application. The
ministry's decisions recorded as received come with the ministry's own order: no appeal
period runs for them here, and once in force by that order they are not appealed here.

APPEAL_TRANSITIONS is the one table of an appeal's status changes and `_appeal_transition`
the one place that changes it, writing an AppealEvent each time.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.models import Role, RoleAssignment
from apps.core.calendar import add_working_days
from apps.core.dates import short_date
from apps.core.mail import mail_send_localized
from apps.courses.notifications import teacher_recipient

from ..models import Appeal, AppealEvent, Application, CommissionMember, Decision, Level, Review
from . import _locked, _transition

AP = Appeal.Status
APPEAL_TRANSITIONS: dict = {
    None: {AP.LODGED},
    AP.LODGED: {AP.UPHELD, AP.REJECTED},
    AP.UPHELD: set(),
    AP.REJECTED: set(),
}
# The body that reviews an appeal against the decision of a body of each level, and a
# second appeal against the answer of a body of each level. The ministry answers appeals
# against its own decisions; after its answer there is no second appeal here.
REVIEW_LEVEL = {
    Level.ORGANIZATION: Level.DISTRICT,
    Level.DISTRICT: Level.REGION,
    Level.REGION: Level.MINISTRY,
    Level.MINISTRY: Level.MINISTRY,
}
# Who reviews appeals, and so is told of a new one in their scope.
REVIEWER_ROLES = (Role.METHODOLOGIST, Role.REGION_ADMIN)
# Appeals against one decision: to the body above, then, once rejected, to the next one.
MAX_APPEALS = 2


def _appeal_transition(appeal: Appeal, to: str, *, actor, comment: str = "") -> None:
    current = appeal.status or None
    if to not in APPEAL_TRANSITIONS[current]:
        raise ValidationError(
            _("An appeal that is “%(from)s” cannot become “%(to)s”.")
            % {"from": AP(current).label if current else "—", "to": AP(to).label},
            code="transition",
        )
    appeal.status = to
    appeal.save()
    AppealEvent.objects.create(
        appeal=appeal,
        from_status=current or "",
        to_status=to,
        actor=actor if actor and actor.is_authenticated else None,
        comment=comment,
    )


def recorded_from_ministry(decision: Decision) -> bool:
    """A decision recorded without a session: the ministry's, as received. The ministry
    issues its order together with it, so no appeal period runs for it here."""
    return decision.session_id is None


def decision_level(decision: Decision) -> str:
    """The level of the body that decided: its commission's; a decision recorded without a
    session is the ministry's."""
    if recorded_from_ministry(decision):
        return Level.MINISTRY
    return decision.session.commission.level


def appeal_lodge_until(decision: Decision) -> dt.date:
    """The last day to lodge an appeal against the decision."""
    cycle = decision.application.cycle
    return add_working_days(decision.decided_on, cycle.appeal_lodge_working_days)


def in_force_cutoff(today: dt.date, lodge_working_days: int) -> dt.date:
    """The latest decision date whose appeal period (`lodge_working_days` after it) is over
    by `today`: what a query compares decision dates with, since working days with their
    holidays cannot be counted in SQL. The last day to appeal grows with the decision
    date, so every earlier decision's period is over too."""
    day = today - dt.timedelta(days=1)
    while add_working_days(day, lodge_working_days) >= today:
        day -= dt.timedelta(days=1)
    return day


def appeal_refusal(decision: Decision, appeals: list[Appeal], *, today) -> ValidationError | None:
    """Why no appeal can be lodged against the decision today (None: one can), given the
    appeals already lodged against it, oldest first. The service raises it, the
    application page says it, so the two never disagree."""
    if decision.revised_at is not None:
        return ValidationError(
            _("This decision was revised on appeal: it can no longer be appealed."),
            code="revised",
        )
    if recorded_from_ministry(decision) and decision.order_id is not None:
        return ValidationError(
            _(
                "The ministry's decision was recorded with its order, which put it into force: "
                "it cannot be appealed here. A complaint against it goes to the ministry."
            ),
            code="ministry",
        )
    if any(appeal.status == AP.LODGED for appeal in appeals):
        return ValidationError(
            _("An appeal against this decision is already being reviewed."), code="open"
        )
    if len(appeals) >= MAX_APPEALS:
        return ValidationError(
            _(
                "This decision was appealed twice, the second time to the next body: it "
                "cannot be appealed again."
            ),
            code="exhausted",
        )
    if appeals and appeals[-1].review_level == Level.MINISTRY:
        return ValidationError(
            _(
                "The ministry answered the appeal against this decision: there is no body "
                "above it to appeal to."
            ),
            code="exhausted",
        )
    until = appeal_lodge_until(decision)
    if today > until:
        return ValidationError(
            _("Appeals against this decision could be lodged until %(date)s.")
            % {"date": short_date(until)},
            code="too_late",
        )
    return None


def _reviewed_by(decision: Decision, appeals: list[Appeal], *, today) -> tuple[str, dt.date]:
    """(level, answer due on) of a new appeal: the body above the one that decided within
    the cycle's working days; after a rejection, the body above the one that rejected,
    within the working days of a second review."""
    cycle = decision.application.cycle
    if not appeals:
        level, days = REVIEW_LEVEL[decision_level(decision)], cycle.appeal_review_working_days
    else:
        level = REVIEW_LEVEL[appeals[-1].review_level]
        days = cycle.appeal_second_review_working_days
    return level, add_working_days(today, days)


def appeal_lodge(*, decision: Decision, actor, text: str) -> Appeal:
    """The teacher's complaint against the decision on their application: within the
    cycle's working days after it, one open appeal per decision, a second one (to the next
    body) only after the first was rejected. The reviewers of the body are told by e-mail."""
    from ..tasks import appeal_lodged_notify_task

    if not actor.has_perm("attestation.lodge_appeal", decision.application):
        raise PermissionDenied
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write what you disagree with and why.")})
    today = timezone.localdate()
    with transaction.atomic():
        decision = (
            Decision.objects.select_for_update(of=("self",))
            .select_related("application__cycle", "session__commission")
            .get(pk=decision.pk)
        )
        appeals = list(decision.appeals.order_by("created_at", "pk"))
        refusal = appeal_refusal(decision, appeals, today=today)
        if refusal is not None:
            raise refusal
        review_level, due_on = _reviewed_by(decision, appeals, today=today)
        appeal = Appeal(
            decision=decision,
            application=decision.application,
            text=text,
            review_level=review_level,
            due_on=due_on,
            lodged_by=actor,
        )
        _appeal_transition(appeal, AP.LODGED, actor=actor)
        appeal_lodged_notify_task.delay_on_commit(appeal.pk)
    return appeal


def appeal_decide(*, appeal: Appeal, actor, upheld: bool, reason: str) -> Appeal:
    """The reviewing body's answer, never by a member of the commission that decided.
    Upheld: the decision is marked revised and the application goes back to review, to be
    scored and decided again (no order can have put the decision into force while the
    appeal was open). Rejected: the decision stands, open to a second appeal to the next
    body within the appeal period. Either way the teacher is told, with the reasons."""
    from ..tasks import appeal_decided_notify_task

    if not actor.has_perm("attestation.review_appeal", appeal):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reasons for the answer.")})
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        appeal.outcome_reason = reason
        appeal.decided_at = timezone.now()
        appeal.decided_by = actor
        _appeal_transition(
            appeal, AP.UPHELD if upheld else AP.REJECTED, actor=actor, comment=reason
        )
        if upheld:
            _revise(appeal, actor=actor)
        appeal_decided_notify_task.delay_on_commit(appeal.pk)
    return appeal


def _revise(appeal: Appeal, *, actor) -> None:
    """The decision is revised and the portfolio reviewed again: the members' submitted
    sheets become drafts, so the new decision rests on scores given after the appeal."""
    application = _locked(appeal.application)
    now = timezone.now()
    Decision.objects.filter(pk=appeal.decision_id).update(revised_at=now)
    reopened = Review.objects.filter(application=application, submitted_at__isnull=False).update(
        submitted_at=None, updated_at=now
    )
    upheld = _(
        "Appeal lodged on %(date)s upheld: the decision is revised and the portfolio is "
        "reviewed again."
    ) % {"date": short_date(timezone.localtime(appeal.created_at).date())}
    rescored = ngettext(
        "%(count)s submitted review sheet is a draft again, for its member to score anew.",
        "%(count)s submitted review sheets are drafts again, for their members to score anew.",
        reopened,
    ) % {"count": reopened}
    _transition(
        application, Application.Status.ACCEPTED, actor=actor, comment=f"{upheld} {rescored}"
    )


# --- e-mail -----------------------------------------------------------------------------------


def _url(name: str, pk: int) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse(name, args=[pk])


def _appeal_for_mail(appeal_id: int) -> Appeal | None:
    return (
        Appeal.objects.select_related(
            "application__teacher__user",
            "application__organization__district",
            "application__claimed_category",
            "decision__assigned_category",
            "decision__session",
        )
        .filter(pk=appeal_id)
        .first()
    )


def appeal_reviewers(appeal: Appeal) -> list:
    """The methodologists and regional administrators whose scope covers the appeal: of
    the district for a district's review, and of the region for every appeal; never the
    teacher, nor a member of the commission that decided (they may not review it)."""
    _organization_id, district_id, region_id = appeal.scope_keys
    scope = Q(region_id=region_id)
    if district_id is not None:
        scope |= Q(district_id=district_id)
    assignments = RoleAssignment.objects.filter(
        scope, role__in=REVIEWER_ROLES, user__is_active=True
    ).select_related("user")
    barred = {appeal.application.teacher.user_id}
    if not recorded_from_ministry(appeal.decision):
        barred.update(
            CommissionMember.objects.filter(
                commission_id=appeal.decision.session.commission_id
            ).values_list("user_id", flat=True)
        )
    users = {a.user_id: a.user for a in assignments if a.user_id not in barred}
    return sorted(users.values(), key=lambda user: user.pk)


def appeal_lodged_notify(*, appeal_id: int) -> None:
    """Tell the reviewers of the body above, each in their language."""
    appeal = _appeal_for_mail(appeal_id)
    if appeal is None:
        return
    context = {
        "appeal": appeal,
        "teacher": appeal.application.teacher,
        "appeal_url": _url("attestation:appeal_detail", appeal.pk),
    }
    for user in appeal_reviewers(appeal):
        try:
            mail_send_localized(
                to=user.email,
                language=user.preferred_language,
                template="attestation/email/appeal_lodged",
                context={**context, "reviewer": user},
            )
        except Exception:  # one undeliverable address does not hold back the others
            logging.getLogger(__name__).exception(
                "Appeal %s: the e-mail to user %s was not sent.", appeal.pk, user.pk
            )


def appeal_decided_notify(*, appeal_id: int) -> None:
    """Tell the teacher the answer to their appeal, in their language."""
    appeal = _appeal_for_mail(appeal_id)
    if appeal is None or appeal.status == AP.LODGED:
        return
    teacher = appeal.application.teacher
    to, language = teacher_recipient(teacher)
    mail_send_localized(
        to=to,
        language=language,
        template="attestation/email/appeal_decided",
        context={
            "appeal": appeal,
            "teacher": teacher,
            "upheld": appeal.status == AP.UPHELD,
            "application_url": _url("attestation:application_detail", appeal.application_id),
        },
    )
