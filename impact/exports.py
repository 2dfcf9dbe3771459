"""The report as CSV and as an XLSX workbook (one sheet per section), built from the same
tables as the page.

Spreadsheet apps run a cell that starts with = + - @ (or a tab or carriage return, which
some strip first) as a formula, so every text cell that starts with one is prefixed with a
single quote: an organization named "=HYPERLINK(...)" stays text. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from impact.reports import Report
from impact.tables import SMALL_GROUP, Section, Table, plain

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMATS = {
    "money": "#,##0.00",
    "count": "#,##0",
    "number": "#,##0.##",
    "percent": "0.0",
    "growth": "+0.0;-0.0;0.0",
}


def escape_cell(value):
    """A cell safe to open in a spreadsheet: text that would run as a formula is quoted."""
    value = plain(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _about(report: Report) -> list[list]:
    when = timezone.localtime(report.generated_at)
    rows = [
        ["Mentorship Learning Lab impact report"],
        ["Generated", when.strftime("%Y-%m-%d %H:%M %Z")],
        ["Covering", report.filters.describe()],
        ["Labs", len(report.labs)],
    ]
    if report.small_groups:
        rows.append(
            [
                "Small groups",
                f"Counts of people under {SMALL_GROUP} are shown as “fewer than "
                f"{SMALL_GROUP}” because this report spans several labs.",
            ]
        )
    return rows


def _table_rows(table: Table) -> list[list]:
    rows = [[table.caption], [c.label for c in table.columns]]
    rows += table.rows + table.footer
    if not table.rows:
        rows.append([table.empty])
    return rows


def _filename(report: Report, extension: str) -> str:
    scope = report.filters.lab.slug if report.filters.lab else "all-labs"
    scope = re.sub(r"[^a-z0-9-]", "", scope)
    return f"mll-impact-{scope}-{report.generated_at:%Y-%m-%d}.{extension}"


def report_csv(report: Report) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "csv")}"'
    response.write("\ufeff")  # so spreadsheet apps read the file as UTF-8
    writer = csv.writer(response)
    for row in _about(report):
        writer.writerow([escape_cell(v) for v in row])
    for section in report.sections:
        writer.writerow([])
        writer.writerow([escape_cell(section.title)])
        for table in section.tables:
            for row in _table_rows(table):
                writer.writerow([escape_cell(v) for v in row])
            writer.writerow([])
        for note in section.notes:
            writer.writerow([escape_cell(note)])
    return response


def _sheet_title(section: Section) -> str:
    return re.sub(r"[\[\]:*?/\\]", "", section.title)[:31]


def report_workbook(report: Report) -> Workbook:
    book = Workbook()
    about = book.active
    about.title = "About"
    for row in _about(report):
        about.append([escape_cell(v) for v in row])
    about["A1"].font = Font(bold=True, size=14)
    about.column_dimensions["A"].width = 16
    about.column_dimensions["B"].width = 90
    for section in report.sections:
        _section_sheet(book.create_sheet(_sheet_title(section)), section)
    return book


def _section_sheet(sheet, section: Section) -> None:
    # Rows are counted here: openpyxl's max_row scans every cell, quadratic over a sheet.
    line = 0

    def append(values: list) -> int:
        nonlocal line
        sheet.append(values)
        line += 1
        return line

    append([escape_cell(section.title)])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    widths: dict[int, int] = {}
    for table in section.tables:
        append([])
        sheet.cell(row=append([escape_cell(table.caption)]), column=1).font = Font(bold=True)
        header = append([escape_cell(c.label) for c in table.columns])
        for i in range(1, len(table.columns) + 1):
            cell = sheet.cell(row=header, column=i)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows + table.footer:
            number = append([_xlsx_value(v) for v in row])
            for i, (value, column) in enumerate(zip(row, table.columns, strict=True), start=1):
                if column.kind in NUMBER_FORMATS and isinstance(value, int | Decimal):
                    sheet.cell(row=number, column=i).number_format = NUMBER_FORMATS[column.kind]
                elif column.kind == "date" and value:
                    sheet.cell(row=number, column=i).number_format = "yyyy-mm-dd"
        if not table.rows:
            append([escape_cell(table.empty)])
        for i, column in enumerate(table.columns, start=1):
            widths[i] = max(widths.get(i, 10), min(40, len(column.label) + 2))
    append([])
    for note in section.notes:
        append([escape_cell(note)])
    for i, width in widths.items():
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"


def _xlsx_value(value):
    """Dates stay dates in the workbook; the rest as in the CSV."""
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value
    return escape_cell(value)


def report_xlsx(report: Report) -> HttpResponse:
    buffer = io.BytesIO()
    report_workbook(report).save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, "xlsx")}"'
    return response
