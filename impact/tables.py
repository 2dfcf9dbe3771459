"""The shapes every section of the report shares: one table feeds the page, the CSV and the
XLSX, so the three can never disagree.

A cell is a plain value (str, int, Decimal, date), `None` (no data), a `Link` (text with a
page to go to, shown as text in exports) or `FEWER_THAN_5` (a small group, protected)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.safestring import SafeString

# Counts of people below this are shown as "fewer than 5" in any cross-lab report.
SMALL_GROUP = 5


class _FewerThan5:
    text = "fewer than 5"

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return "FEWER_THAN_5"


FEWER_THAN_5 = _FewerThan5()


def protect(count, *, small_groups: bool):
    """A count of people as the report may show it: 1 to 4 become "fewer than 5" when the
    report spans several labs. Zero names no one, so it stays."""
    if small_groups and count is not None and 0 < count < SMALL_GROUP:
        return FEWER_THAN_5
    return count


def is_protected(*values) -> bool:
    return any(v is FEWER_THAN_5 for v in values)


def percent(part, whole) -> Decimal | None:
    """`part` as a percentage of `whole`, one decimal; None when there is nothing to divide."""
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def growth(base, value) -> Decimal | None:
    """Growth from `base` to `value` in percent (25 → 35 is 40.0); None without a base."""
    if base is None or value is None or not base:
        return None
    return ((Decimal(value) - Decimal(base)) * 100 / Decimal(base)).quantize(
        Decimal("0.1"), ROUND_HALF_UP
    )


@dataclass(frozen=True)
class Link:
    text: str
    url: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Column:
    label: str
    # text, money, count, number (a metric's value), percent, growth (signed percent), date
    kind: str = "text"

    @property
    def numeric(self) -> bool:
        return self.kind != "text" and self.kind != "date"


@dataclass
class Table:
    key: str
    caption: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    footer: list[list] = field(default_factory=list)
    empty: str = "Nothing to show yet."

    def cells(self, row: list) -> list[tuple[object, Column]]:
        return list(zip(row, self.columns, strict=True))


@dataclass
class Section:
    key: str
    title: str
    intro: str
    tables: list[Table]
    chart: SafeString | None = None
    notes: list[str] = field(default_factory=list)


def plain(value) -> object:
    """A cell as exports write it: numbers stay numbers, everything else becomes text."""
    if value is None:
        return ""
    if value is FEWER_THAN_5 or isinstance(value, Link):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
