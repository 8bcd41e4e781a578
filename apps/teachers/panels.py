"""Sections that the apps above the registry add to a teacher's page (PD hours, courses,
certificates, later attestation), without the registry importing them.

A panel is `panel(request, teacher) -> (template_name, context) | None`; None hides it.
"""

from collections.abc import Callable

_panels: list[Callable] = []


def register(panel: Callable) -> None:
    if panel not in _panels:
        _panels.append(panel)


def render_panels(request, teacher) -> list[tuple[str, dict]]:
    rendered = []
    for panel in _panels:
        result = panel(request, teacher)
        if result is not None:
            rendered.append(result)
    return rendered
