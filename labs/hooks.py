"""Hooks: apps above `labs` and `participants` react to changes there without `labs`
importing them (check-ins are planned from the lab's dates and who completed it).

Each hook runs inside the transaction that made the change, so what it writes commits or
rolls back with it. Register with the decorator; the functions are called in order.
"""

from collections.abc import Callable

_TIMELINE_CHANGED: list[Callable] = []
_PARTICIPATION_CHANGED: list[Callable] = []


def on_timeline_changed(function: Callable) -> Callable:
    """`function(*, lab)`: the lab's dates or check-in offsets were saved."""
    if function not in _TIMELINE_CHANGED:
        _TIMELINE_CHANGED.append(function)
    return function


def on_participation_changed(function: Callable) -> Callable:
    """`function(*, participation)`: a participation's status changed (e.g. completed or
    withdrawn)."""
    if function not in _PARTICIPATION_CHANGED:
        _PARTICIPATION_CHANGED.append(function)
    return function


def timeline_changed(*, lab) -> None:
    for function in _TIMELINE_CHANGED:
        function(lab=lab)


def participation_changed(*, participation) -> None:
    for function in _PARTICIPATION_CHANGED:
        function(participation=participation)
