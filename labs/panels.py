"""Dashboard panels: apps above `labs` add their part of a lab's dashboard here.

Keeps dependencies one way: `labs` never imports the apps that build on it. Each
panel function runs a fixed number of queries, so the dashboard stays O(1) in queries.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from accounts.models import User
from labs.models import Lab


@dataclass
class Panel:
    template: str
    context: dict = field(default_factory=dict)
    order: int = 50


PanelFunction = Callable[..., Panel | None]
_PANELS: list[PanelFunction] = []


def register_panel(function: PanelFunction) -> PanelFunction:
    """Decorator: `function(*, lab, user, manages) -> Panel | None`."""
    if function not in _PANELS:
        _PANELS.append(function)
    return function


def panels_for(*, lab: Lab, user: User, manages: bool) -> list[Panel]:
    panels = (fn(lab=lab, user=user, manages=manages) for fn in _PANELS)
    return sorted((p for p in panels if p is not None), key=lambda p: p.order)
