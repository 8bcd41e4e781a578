"""The voting rules as pure functions: the quorum, a simple majority with the chair's
casting vote, the cap set by the knowledge test and the lower categories to choose from,
built on the default rules of a cycle (DOMAIN.md pass marks 60 / 70 / 80 / 90)."""

from decimal import Decimal

import pytest

from apps.attestation.models import Application, CategoryRule, Decision, TestResult
from apps.attestation.services.sessions import (
    Quorum,
    Tally,
    cap_by_test,
    lower_choices,
    quorum_needed,
    tally,
    verdict,
)
from apps.teachers.models import QualificationCategory

Outcome = Decision.Outcome


@pytest.mark.parametrize(
    ("members", "numerator", "denominator", "needed"),
    [(7, 2, 3, 5), (9, 2, 3, 6), (6, 2, 3, 4), (11, 2, 3, 8), (7, 1, 2, 4), (7, 3, 4, 6)],
)
def test_quorum_is_the_fraction_of_voting_members_rounded_up(
    members, numerator, denominator, needed
):
    assert quorum_needed(members, numerator, denominator) == needed


def test_four_of_seven_is_no_quorum_and_five_is():
    needed = quorum_needed(7, 2, 3)
    assert not Quorum(present=4, total=7, needed=needed).met
    assert Quorum(present=5, total=7, needed=needed).met


def test_a_simple_majority_of_the_votes_cast_decides():
    assert tally(["for"] * 4 + ["against"] * 3) == Tally(4, 3, True, False)
    assert tally(["for"] * 2 + ["against"] * 3) == Tally(2, 3, False, False)
    # The chair's vote counts like any other when there is no tie.
    assert tally(["for", "for", "against"], chair_choice="against").meets is True


def test_a_tie_is_decided_by_the_chairs_casting_vote():
    result = tally(["for", "for", "against", "against"], chair_choice="for")
    assert (result.meets, result.casting_vote) == (True, True)
    result = tally(["for", "for", "against", "against"], chair_choice="against")
    assert (result.meets, result.casting_vote) == (False, True)


def test_a_tie_without_the_chairs_vote_is_undecided():
    result = tally(["for", "for", "against", "against"])
    assert (result.meets, result.casting_vote) == (None, False)
    assert tally([]).meets is None


@pytest.fixture
def rules(cycle):
    return list(
        CategoryRule.objects.filter(cycle=cycle)
        .select_related("category")
        .prefetch_related("from_categories")
    )


def category(code):
    return QualificationCategory.objects.get(code=code)


def application(current, claimed, percent=None):
    """An unsaved application with an unsaved test result: the rules read only these."""
    result = None
    if percent is not None:
        result = TestResult(score=Decimal(percent) / 2, max_score=Decimal(50))
    return Application(
        current_category=category(current) if current else None,
        claimed_category=category(claimed),
        test_result=result,
    )


def test_a_result_at_the_pass_mark_is_not_capped(rules):
    assert cap_by_test(
        category("expert"), current=category("moderator"), percent=Decimal(70), rules=rules
    ) == (category("expert"), False)


def test_below_the_pass_mark_the_category_is_capped_to_what_the_result_reaches(rules):
    # A legacy "first" category claiming researcher with 75%: expert (70%) is reached, and
    # the rules let "first" be attested as expert.
    assert cap_by_test(
        category("researcher"), current=category("first"), percent=Decimal(75), rules=rules
    ) == (category("expert"), True)
    # A moderator claiming researcher (were it allowed) with 75%: expert.
    assert cap_by_test(
        category("researcher"), current=category("moderator"), percent=Decimal(75), rules=rules
    ) == (category("expert"), True)


def test_the_cap_never_gives_the_current_category_or_one_below(rules):
    # A moderator claiming expert with 65%: moderator (60%) is reached but is no step up.
    assert cap_by_test(
        category("expert"), current=category("moderator"), percent=Decimal(65), rules=rules
    ) == (None, True)
    # A legacy "first" category: moderator is not a category "first" climbs to.
    assert cap_by_test(
        category("researcher"), current=category("first"), percent=Decimal(65), rules=rules
    ) == (None, True)


def test_a_teacher_exempt_from_the_test_is_not_capped(rules):
    assert cap_by_test(
        category("master"), current=category("researcher"), percent=None, rules=rules
    ) == (category("master"), False)


def test_meets_expert_with_65_percent_from_the_second_category_gives_moderator(rules):
    result = verdict(application("second", "expert", 65), meets=True, lower=None, rules=rules)
    assert (result.outcome, result.assigned, result.capped_by_test) == (
        Outcome.LOWER,
        category("moderator"),
        True,
    )


def test_meets_expert_with_65_percent_from_moderator_keeps_moderator(rules):
    result = verdict(application("moderator", "expert", 65), meets=True, lower=None, rules=rules)
    assert (result.outcome, result.assigned, result.capped_by_test) == (
        Outcome.KEEP,
        category("moderator"),
        True,
    )


def test_meets_with_a_passed_test_is_meets(rules):
    result = verdict(application("moderator", "expert", 85), meets=True, lower=None, rules=rules)
    assert (result.outcome, result.assigned, result.capped_by_test) == (
        Outcome.MEETS,
        category("expert"),
        False,
    )


def test_exempt_teacher_meets_without_a_cap(rules):
    result = verdict(application("researcher", "master"), meets=True, lower=None, rules=rules)
    assert (result.outcome, result.assigned) == (Outcome.MEETS, category("master"))


def test_not_meeting_keeps_the_current_category_by_default(rules):
    result = verdict(application("moderator", "expert", 85), meets=False, lower=None, rules=rules)
    assert (result.outcome, result.assigned, result.capped_by_test) == (
        Outcome.KEEP,
        category("moderator"),
        False,
    )


def test_not_meeting_with_a_lower_category_chosen(rules):
    result = verdict(
        application("second", "expert", 85), meets=False, lower=category("moderator"), rules=rules
    )
    assert (result.outcome, result.assigned, result.capped_by_test) == (
        Outcome.LOWER,
        category("moderator"),
        False,
    )


def test_a_lower_category_chosen_is_capped_by_the_test_too(rules):
    # "first" claiming researcher, expert chosen, but 65% reaches no category above "first".
    result = verdict(
        application("first", "researcher", 65), meets=False, lower=category("expert"), rules=rules
    )
    assert (result.outcome, result.assigned, result.capped_by_test) == (
        Outcome.KEEP,
        category("first"),
        True,
    )


def test_lower_choices_are_the_categories_claimable_from_the_current_one(rules):
    codes = [c.code for c in lower_choices(application("second", "expert"), rules)]
    assert codes == ["moderator"]
    codes = [c.code for c in lower_choices(application("highest", "master"), rules)]
    assert codes == ["researcher", "expert"]
    # From moderator, nothing lower than expert but moderator itself: only "keep".
    assert lower_choices(application("moderator", "expert"), rules) == []
    # Without a category, the categories claimable without one.
    codes = [c.code for c in lower_choices(application(None, "expert"), rules)]
    assert codes == ["moderator"]
