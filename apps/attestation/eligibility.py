"""The eligibility checklist for an attestation application (DOMAIN.md, "Attestation").

Every rule reads its numbers from the cycle (`AttestationCycle`, `CategoryRule`), never
from code. Each check says whether it is met and, when it is not, exactly what is missing.
A check with status INFO informs (pre-pension, a frozen category, observations so far) and
never blocks a submission. A falsified portfolio bars the teacher until its sanction's date;
early attestation replaces the experience requirement with its own conditions.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.core.dates import add_years, short_date
from apps.courses.selectors import pd_hours
from apps.teachers.models import Position, QualificationCategory, Teacher

from .models import (
    Application,
    AttestationCycle,
    CategoryFreeze,
    CategoryRule,
    Criterion,
    LessonObservation,
    Sanction,
    TestResult,
)

OK, MISSING, INFO = "ok", "missing", "info"
# The listed achievements that count for early attestation (DOMAIN.md, "Special paths"):
# the portfolio headings of results beyond the teacher's own lessons.
EARLY_ACHIEVEMENT_CRITERIA = (
    Criterion.STUDENT_CONTESTS,
    Criterion.TEACHER_CONTESTS,
    Criterion.METHODICAL,
    Criterion.TALKS,
    Criterion.PUBLICATIONS,
    Criterion.EXPERT_WORK,
    Criterion.DISSEMINATION,
)
# Without a previous attestation, PD hours count over the last category term.
PD_PERIOD_YEARS = 5


@dataclass(frozen=True)
class Check:
    code: str
    label: str
    status: str
    detail: str = ""

    @property
    def blocking(self) -> bool:
        return self.status == MISSING


def _years_before(day: dt.date, years: int) -> dt.date:
    return add_years(day, -years)


def track_for_position(position: Position) -> str:
    """Which ladder a position climbs: heads and deputy heads have their own."""
    if position.staff_group != Position.StaffGroup.MANAGER:
        return QualificationCategory.Track.TEACHER
    return (
        QualificationCategory.Track.HEAD
        if position.code == "director"
        else QualificationCategory.Track.DEPUTY
    )


def claimable_rules(*, cycle: AttestationCycle, teacher: Teacher) -> list[CategoryRule]:
    """The categories this teacher may claim in the cycle: the next rung(s) of their
    position's ladder from their current category, or the current one to confirm it."""
    track = track_for_position(teacher.position)
    rules = (
        CategoryRule.objects.filter(cycle=cycle, category__track=track)
        .select_related("category")
        .prefetch_related("from_categories")
        .order_by("category__rank")
    )
    # A category of another ladder (a head who is a teacher-moderator) is no category on
    # this one; the legacy categories belong to the teachers' ladder.
    T = QualificationCategory.Track
    own_tracks = {track, T.LEGACY} if track == T.TEACHER else {track}
    current = (
        teacher.category if teacher.category and teacher.category.track in own_tracks else None
    )
    result = []
    for rule in rules:
        allowed = {c.pk for c in rule.from_categories.all()}
        if (current is None and rule.from_no_category) or (
            current is not None and current.pk in allowed
        ):
            result.append(rule)
    return result


def valid_test_results(*, teacher: Teacher, cycle: AttestationCycle, today: dt.date):
    """The teacher's test results not older than the cycle's validity, best first."""
    since = today - dt.timedelta(days=cycle.test_validity_days)
    results = TestResult.objects.filter(teacher=teacher, taken_on__gte=since, taken_on__lte=today)
    return sorted(results, key=lambda r: (r.percent, r.taken_on), reverse=True)


def pension_date(*, teacher: Teacher, cycle: AttestationCycle) -> dt.date:
    age = cycle.pension_age_male if teacher.sex == Teacher.Sex.MALE else cycle.pension_age_female
    return add_years(teacher.birth_date, age)


def rules_cycle(teacher: Teacher) -> AttestationCycle | None:
    """The cycle whose numbers apply to the teacher outside an application (pre-pension,
    a freeze, a sanction): their region's open cycle, else its latest one."""
    cycles = AttestationCycle.objects.filter(region_id=teacher.organization.district.region_id)
    return (
        cycles.filter(status=AttestationCycle.Status.OPEN).first()
        or cycles.order_by("-application_opens").first()
    )


def falsification_bar(teacher: Teacher, today: dt.date) -> Sanction | None:
    """The falsified-portfolio sanction that still bars the teacher, the longest first."""
    return (
        Sanction.objects.filter(
            teacher=teacher, kind=Sanction.Kind.FALSIFIED, barred_until__gt=today
        )
        .order_by("-barred_until")
        .first()
    )


def checklist(
    *,
    cycle: AttestationCycle,
    teacher: Teacher,
    claimed: QualificationCategory | None,
    application: Application | None = None,
    today: dt.date,
) -> list[Check]:
    """Every eligibility item for `teacher` claiming `claimed` in `cycle` on `today`."""
    if application is not None and application.version > 0:
        # Submitted within the window: a returned or refused application may be corrected
        # and resubmitted after it closes.
        checks = [Check("window", _("Application window"), OK, _("Submitted within the window."))]
    else:
        checks = [window_check(cycle, today)]
    bar = falsification_bar(teacher, today)
    if bar is not None:
        checks.append(_barred(bar))
    rules = claimable_rules(cycle=cycle, teacher=teacher)
    rule = next((r for r in rules if claimed and r.category_id == claimed.pk), None)
    checks.append(ladder_check(teacher, claimed, rule, rules))
    if rule is None:
        return checks
    exemption = application.test_exemption if application else ""
    early = application is not None and application.early
    experience = (
        _early(teacher, cycle, rule, application, today)
        if early
        else [_experience(teacher, rule, today)]
    )
    checks += [
        *experience,
        _pd_hours(teacher, rule, today),
        _test(teacher, cycle, rule, exemption, application, today, early=early),
        _current_category(teacher, today),
    ]
    checks += _exemptions(teacher, cycle, today)
    checks.append(_observations(teacher, cycle))
    if application is not None:
        checks += [_essay(application, cycle), *_documents(application, teacher)]
    return checks


def window_check(cycle, today) -> Check:
    label = _("Application window")
    if cycle.window_open(today):
        return Check(
            "window",
            label,
            OK,
            _("Open until %(date)s.") % {"date": short_date(cycle.application_closes)},
        )
    if cycle.status != AttestationCycle.Status.OPEN:
        detail = _("The %(year)s attestation cycle is not open for applications.") % {
            "year": cycle.school_year
        }
    elif today < cycle.application_opens:
        detail = _("Applications open on %(date)s.") % {"date": short_date(cycle.application_opens)}
    else:
        detail = _("Applications closed on %(date)s.") % {
            "date": short_date(cycle.application_closes)
        }
    return Check("window", label, MISSING, detail)


def ladder_check(teacher, claimed, rule, rules) -> Check:
    label = _("Next category on the ladder")
    current = teacher.category.name if teacher.category_id else _("no category")
    if rule is not None:
        confirming = teacher.category_id == rule.category_id
        detail = (
            _("Confirming %(category)s.") % {"category": rule.category.name}
            if confirming
            else _("From %(current)s to %(claimed)s.")
            % {"current": current, "claimed": rule.category.name}
        )
        return Check("ladder", label, OK, detail)
    if not rules:
        detail = _(
            "From %(current)s, no category can be claimed for the position %(position)s "
            "in this cycle."
        ) % {"current": current, "position": teacher.position.name}
    else:
        detail = _("From %(current)s you can claim: %(allowed)s.") % {
            "current": current,
            "allowed": ", ".join(r.category.name for r in rules),
        }
    return Check("ladder", label, MISSING, detail)


def _barred(sanction: Sanction) -> Check:
    return Check(
        "sanction",
        _("No bar on attestation"),
        MISSING,
        _("Barred from attestation until %(date)s for a falsified portfolio.")
        % {"date": short_date(sanction.barred_until)},
    )


def _early(teacher, cycle, rule, application, today) -> list[Check]:
    """Early attestation (DOMAIN.md): instead of the category's experience, enough years
    since the current category was awarded and enough listed achievements in the
    portfolio; only for the next category, and only where the cycle's rule allows it."""
    label = _("Early attestation")
    if rule.early_min_achievements is None:
        detail = _("%(category)s cannot be claimed early.") % {"category": rule.category.name}
        return [Check("early", label, MISSING, detail)]
    if teacher.category_id == rule.category_id:
        detail = _("Early attestation is for the next category, not to confirm the current one.")
        return [Check("early", label, MISSING, detail)]
    awarded = teacher.category_awarded_on
    if not teacher.category_id or awarded is None:
        detail = _("It needs a current category with the date it was awarded in your record.")
        years_check = Check("early", label, MISSING, detail)
    else:
        since = add_years(awarded, cycle.early_min_years)
        years = cycle.early_min_years
        values = {"date": short_date(awarded), "years": years, "since": short_date(since)}
        if today >= since:
            detail = ngettext(
                "Category awarded on %(date)s: at least %(years)s year ago.",
                "Category awarded on %(date)s: at least %(years)s years ago.",
                years,
            )
            years_check = Check("early", label, OK, detail % values)
        else:
            detail = ngettext(
                "Category awarded on %(date)s: early attestation is possible %(years)s year "
                "after it, from %(since)s.",
                "Category awarded on %(date)s: early attestation is possible %(years)s years "
                "after it, from %(since)s.",
                years,
            )
            years_check = Check("early", label, MISSING, detail % values)
    count = application.evidence.filter(
        removed_at__isnull=True, criterion__in=EARLY_ACHIEVEMENT_CRITERIA
    ).count()
    needed = rule.early_min_achievements
    detail = ngettext(
        "%(count)s of %(needed)s listed achievement in the portfolio.",
        "%(count)s of %(needed)s listed achievements in the portfolio.",
        needed,
    ) % {
        "count": count,
        "needed": needed,
    }
    achievements = Check(
        "early_achievements",
        _("Early attestation: listed achievements"),
        OK if count >= needed else MISSING,
        detail,
    )
    return [years_check, achievements]


def _experience(teacher, rule, today) -> Check:
    label = _("Years of pedagogical experience")
    years = teacher.experience_years(on=today)
    if years is None:
        return Check(
            "experience",
            label,
            MISSING,
            _("The start of your pedagogical experience is missing from your record."),
        )
    detail = _("%(years)s (at least %(needed)s needed).") % {
        "years": years,
        "needed": rule.min_experience_years,
    }
    return Check("experience", label, OK if years >= rule.min_experience_years else MISSING, detail)


def pd_hours_needed(teacher: Teacher, rule: CategoryRule) -> int:
    school = teacher.position.staff_group in (
        Position.StaffGroup.SCHOOL,
        Position.StaffGroup.MANAGER,
    )
    return rule.pd_hours_school if school else rule.pd_hours_other


def pd_period_start(teacher: Teacher, today: dt.date) -> dt.date:
    """PD hours count since the current category was awarded, at most the last 5 years."""
    floor = _years_before(today, PD_PERIOD_YEARS)
    awarded = teacher.category_awarded_on
    return max(awarded, floor) if awarded else floor


def _pd_hours(teacher, rule, today) -> Check:
    label = _("PD hours in the period")
    needed = pd_hours_needed(teacher, rule)
    since = pd_period_start(teacher, today)
    hours = pd_hours(teacher_ids=[teacher.pk], since=since, until=today)[teacher.pk].total
    values = {
        "hours": hours,
        "needed": needed,
        "date": short_date(since),
        "missing": needed - hours,
    }
    if hours < needed:
        detail = (
            _("%(hours)s of %(needed)s hours since %(date)s: %(missing)s are missing.") % values
        )
    else:
        detail = _("%(hours)s of %(needed)s hours since %(date)s.") % values
    return Check("pd_hours", label, OK if hours >= needed else MISSING, detail)


def _test(teacher, cycle, rule, exemption, application, today, *, early=False) -> Check:
    label = _("Knowledge test (ОЗП) result")
    confirming = teacher.category_id == rule.category_id
    exempt = Application.TestExemption
    if early and exemption:
        detail = _("Early attestation needs a passed test: no exemption applies.")
        return Check("test", label, MISSING, detail)
    if exemption == exempt.LONG_SERVICE:
        years = teacher.experience_years(on=today) or 0
        if confirming and years >= cycle.long_service_years:
            return Check("test", label, OK, _("Not needed: long service, confirming."))
        return Check(
            "test",
            label,
            MISSING,
            _(
                "The long-service exemption needs %(years)s years of experience and applies "
                "only when confirming the current category."
            )
            % {"years": cycle.long_service_years},
        )
    if exemption == exempt.CONFIRMING_SENIOR:
        if confirming and rule.category.code in ("researcher", "master"):
            return Check("test", label, OK, _("Not needed: confirming researcher or master."))
        return Check(
            "test",
            label,
            MISSING,
            _("This exemption applies only when confirming the researcher or master category."),
        )
    if exemption == exempt.LANGUAGE_CERTIFICATE:
        has_proof = (
            application is not None
            and application.evidence.filter(
                criterion=Criterion.EXEMPTION, removed_at__isnull=True
            ).exists()
        )
        if has_proof:
            return Check(
                "test", label, OK, _("Not needed: language certificate (checked on acceptance).")
            )
        return Check(
            "test",
            label,
            MISSING,
            _("Upload the language certificate under “proof of a test exemption”."),
        )
    results = valid_test_results(teacher=teacher, cycle=cycle, today=today)
    needed = Decimal(rule.test_pass_percent)
    if not results:
        return Check(
            "test",
            label,
            MISSING,
            _("No test result from the last %(days)s days; %(needed)s%% is needed.")
            % {"days": cycle.test_validity_days, "needed": rule.test_pass_percent},
        )
    best = results[0]
    detail = _("%(percent)s%% on %(date)s (certificate %(number)s); %(needed)s%% is needed.") % {
        "percent": best.percent,
        "date": short_date(best.taken_on),
        "number": best.certificate_number,
        "needed": rule.test_pass_percent,
    }
    return Check("test", label, OK if best.percent >= needed else MISSING, detail)


def _current_category(teacher, today) -> Check:
    label = _("Current category")
    if not teacher.category_id:
        return Check("current_category", label, INFO, _("No category yet."))
    if teacher.category_valid_until is None:
        detail = teacher.category.name
    elif teacher.category_valid_until < today:
        detail = _("%(category)s, expired on %(date)s.") % {
            "category": teacher.category.name,
            "date": short_date(teacher.category_valid_until),
        }
    else:
        detail = _("%(category)s, valid until %(date)s.") % {
            "category": teacher.category.name,
            "date": short_date(teacher.category_valid_until),
        }
    return Check("current_category", label, INFO, detail)


def _exemptions(teacher, cycle, today) -> list[Check]:
    """Pre-pension and a frozen category: information, never a block. A freeze ended
    through the service says until when the category is kept; one recorded without it,
    the cycle's number of years after the return."""
    checks = []
    pension = pension_date(teacher=teacher, cycle=cycle)
    if _years_before(pension, cycle.pre_pension_years) <= today < pension:
        checks.append(
            Check(
                "pre_pension",
                _("Pre-pension age"),
                INFO,
                _("Your category is kept until your pension (%(date)s); attestation is optional.")
                % {"date": short_date(pension)},
            )
        )
    freeze = CategoryFreeze.objects.filter(teacher=teacher).first()
    if freeze is not None:
        if freeze.returned_on is None:
            detail = _("Your category is frozen since %(date)s (%(reason)s).") % {
                "date": short_date(freeze.starts_on),
                "reason": freeze.get_reason_display(),
            }
            checks.append(Check("frozen", _("Frozen category"), INFO, detail))
        else:
            kept = freeze.kept_until or add_years(freeze.returned_on, cycle.freeze_kept_years)
            if today <= kept:
                detail = _("Your category is kept until %(date)s after your return.") % {
                    "date": short_date(kept)
                }
                checks.append(Check("frozen", _("Frozen category"), INFO, detail))
    return checks


def _observations(teacher, cycle) -> Check:
    observations = list(
        LessonObservation.objects.filter(teacher=teacher, cycle=cycle).values_list(
            "observer_is_commission_member", flat=True
        )
    )
    detail = _(
        "%(count)s of %(needed)s lesson observations this year; %(by_commission)s by a "
        "commission member (at least one is needed)."
    ) % {
        "count": len(observations),
        "needed": cycle.min_observations,
        "by_commission": sum(observations),
    }
    return Check("observations", _("Lesson observations"), INFO, detail)


def _essay(application, cycle) -> Check:
    label = _("Essay")
    words = application.essay_words()
    if not application.essay_language:
        return Check("essay", label, MISSING, _("Choose the essay's language (Kazakh or Russian)."))
    if cycle.essay_min_words <= words <= cycle.essay_max_words:
        return Check("essay", label, OK, _("%(words)s words.") % {"words": words})
    return Check(
        "essay",
        label,
        MISSING,
        _("%(words)s words; the essay must have %(min)s to %(max)s.")
        % {"words": words, "min": cycle.essay_min_words, "max": cycle.essay_max_words},
    )


def _documents(application, teacher) -> list[Check]:
    present = set(
        application.evidence.filter(removed_at__isnull=True).values_list("criterion", flat=True)
    )
    checks = [
        Check(
            "diploma",
            _("Diploma"),
            OK if Criterion.DIPLOMA in present else MISSING,
            "" if Criterion.DIPLOMA in present else _("Upload a scan of your diploma."),
        )
    ]
    if teacher.category_id:
        has = Criterion.CATEGORY_DOCUMENT in present
        checks.append(
            Check(
                "category_document",
                _("Current category certificate and order"),
                OK if has else MISSING,
                "" if has else _("Upload your current category certificate and its order."),
            )
        )
    return checks
