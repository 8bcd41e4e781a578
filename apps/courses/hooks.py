"""What the courses app offers the apps above it, so that it never imports them:

- callbacks run when enrolments complete (the certificates app issues certificates);
- panels on a run's page (`panel(request, run) -> (template, context) | None`), e.g. the
  run's certificates and their batch downloads.
"""

from collections.abc import Callable

_completed: list[Callable] = []


def on_enrolments_completed(callback: Callable) -> None:
    """Register `callback(*, enrolment_ids, actor)`, called inside the completing transaction."""
    if callback not in _completed:
        _completed.append(callback)


def enrolments_completed(*, enrolment_ids: list[int], actor) -> None:
    for callback in _completed:
        callback(enrolment_ids=enrolment_ids, actor=actor)


_run_panels: list[Callable] = []


def register_run_panel(panel: Callable) -> None:
    if panel not in _run_panels:
        _run_panels.append(panel)


def render_run_panels(request, run) -> list[tuple[str, dict]]:
    rendered = []
    for panel in _run_panels:
        result = panel(request, run)
        if result is not None:
            rendered.append(result)
    return rendered
