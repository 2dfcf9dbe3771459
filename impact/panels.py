"""The impact part of a lab dashboard: a way in to the report or the organization's own
impact page. No query: the lab's timeline is computed, not fetched."""

from labs.models import PhaseKey
from labs.panels import Panel


def impact_panel(*, lab, user, manages: bool) -> Panel | None:
    funded = lab.today() >= lab.timeline.phase(PhaseKey.PHASE2).start
    if not manages and not funded:
        return None  # nothing to measure before the initiatives start
    context = {"lab": lab, "manages": manages, "program_end": lab.timeline.program_end}
    return Panel(template="impact/_dashboard_panel.html", context=context, order=80)
