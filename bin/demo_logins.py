#!/usr/bin/env python3
"""Print the JSON from `manage.py seed_demo --json` (read on stdin) as plain tables.

Every list of objects becomes a table with one column per key (a value shared by every row
is printed once, above it); other top-level values are printed as `key: value`. Input that
isn't JSON is printed unchanged, so a change in seed_demo's output never hides the logins.
"""

import json
import sys


def cell(value) -> str:
    if isinstance(value, list):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={cell(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def table(rows: list[dict]) -> str:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    values = {c: [cell(row.get(c)) for row in rows] for c in columns}
    columns = [c for c in columns if any(values[c])]
    # A value every row shares (the demo's one password) is said once, above the table.
    shared = [c for c in columns if len(rows) > 1 and len(set(values[c])) == 1]
    header = [f"{c}: {values[c][0]} (the same for all)" for c in shared]
    columns = [c for c in columns if c not in shared]
    cells = [[values[c][i] for c in columns] for i in range(len(rows))]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = [
        *header,
        "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(line.rstrip() for line in lines)


def is_rows(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def render(data) -> str:
    if is_rows(data):
        return table(data)
    if not isinstance(data, dict):
        return json.dumps(data, indent=2)
    parts = []
    for key, value in data.items():
        if is_rows(value):
            parts.append(f"{key.replace('_', ' ').capitalize()}:\n{table(value)}")
        else:
            parts.append(f"{key}: {cell(value)}")
    return "\n\n".join(parts)


def main() -> None:
    text = sys.stdin.read()
    try:
        data = json.loads(text)
    except ValueError:
        print(text, end="")
        return
    print(render(data))


if __name__ == "__main__":
    main()
