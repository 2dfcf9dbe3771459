"""Hooks: apps above `labs` and `participants` react to changes there without `labs`
importing them (check-ins are planned from the lab's dates and who completed it).

Each hook runs inside the transaction that made the change, so what it writes commits or
rolls back with it. Register with the decorator; the functions are called in order.
"""

from collections.abc import Callable
from decimal import Decimal

_TIMELINE_CHANGED: list[Callable] = []
_PARTICIPATION_CHANGED: list[Callable] = []
_POOL_COMMITMENTS: list[Callable] = []


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


def on_pool_committed(function: Callable) -> Callable:
    """`function(*, lab) -> Decimal`: money of the lab's pool already promised (awards). The
    pool can't be lowered below the sum."""
    if function not in _POOL_COMMITMENTS:
        _POOL_COMMITMENTS.append(function)
    return function


def pool_committed(*, lab) -> Decimal:
    return sum((function(lab=lab) for function in _POOL_COMMITMENTS), Decimal("0"))


def timeline_changed(*, lab) -> None:
    for function in _TIMELINE_CHANGED:
        function(lab=lab)


def participation_changed(*, participation) -> None:
    for function in _PARTICIPATION_CHANGED:
        function(participation=participation)
