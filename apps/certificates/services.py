"""Every write of the certificates app (issue, render, revoke, re-issue, batches)."""


def certificates_issue_for_enrolments(*, enrolment_ids, actor) -> None:
    raise NotImplementedError
