"""CSV and XLSX exports: the same figures as the page, the same access rules, and text that
a spreadsheet would run as a formula comes out as text."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from impact.exports import escape_cell
from participants.models import Organization

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    return load_workbook(io.BytesIO(response.content))


def all_cells(book):
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            '=HYPERLINK("http://evil.example","click")',
            '\'=HYPERLINK("http://evil.example","click")',
        ),
        ("+1 555", "'+1 555"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Out in Tech", "Out in Tech"),
        (Decimal("-12.5"), Decimal("-12.5")),  # a number stays a number
        (None, ""),
    ],
)
def test_text_that_would_run_as_a_formula_is_quoted(value, expected):
    assert escape_cell(value) == expected


@pytest.fixture
def hostile(dataset, org_a, lab):
    Organization.objects.filter(pk=org_a.pk).update(name='=HYPERLINK("http://evil.example","x")')
    lab.name = "@SUM(A1:A9)"
    lab.save()


def test_the_csv_escapes_hostile_names(login, facilitator, hostile):
    rows = csv_rows(login(facilitator).get(reverse("impact:export_csv")))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert "'@SUM(A1:A9)" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@")]


def test_the_xlsx_escapes_hostile_names(login, facilitator, hostile):
    book = workbook(login(facilitator).get(reverse("impact:export_xlsx")))
    cells = all_cells(book)
    assert not [c for c in cells if c.data_type == "f"]  # no formula anywhere
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert '\'=HYPERLINK("http://evil.example","x")' in texts
    assert "'@SUM(A1:A9)" in texts


def test_the_csv_has_every_section_with_the_pages_figures(login, facilitator, dataset):
    rows = csv_rows(login(facilitator).get(reverse("impact:export_csv")))
    titles = [row[0] for row in rows if len(row) == 1]
    for title in (
        "Funds awarded, disbursed and spent",
        "Check-in completion",
        "Metric trajectories",
        "The facilitator's success signs",
    ):
        assert title in titles
    funds = next(row for row in rows if row[:2] == ["Chicago MLL", "USD"])
    assert funds[2:] == ["90000.00", "35000.00", "2", "15000.00", "6500.00", "8000.00"]
    growth = next(row for row in rows if row[:2] == ["Active mentors", "6 months"])
    assert growth[2:] == ["1", "25", "35.00", "40.0"]


def test_the_xlsx_has_one_sheet_per_section_and_numbers_as_numbers(login, facilitator, dataset):
    book = workbook(login(facilitator).get(reverse("impact:export_xlsx")))
    assert book.sheetnames == [
        "About",
        "Funds awarded, disbursed and sp",
        "Check-in completion",
        "Metric trajectories",
        "The facilitator's success signs",
    ]
    funds = book["Funds awarded, disbursed and sp"]
    row = next(r for r in funds.iter_rows(values_only=True) if r[0] == "Chicago MLL")
    assert row[1:] == ("USD", 90000, 35000, 2, 15000, 6500, 8000)
    assert all(isinstance(v, int | float) for v in row[2:])
    late = book["Check-in completion"]
    overdue = next(r for r in late.iter_rows(values_only=True) if r[4] == "Overdue")
    assert overdue[0] == "Out in Tech Chicago" and overdue[5] == 14


def test_exports_protect_small_groups_in_a_cross_lab_report(login, admin_user, dataset):
    client = login(admin_user)
    rows = csv_rows(client.get(reverse("impact:export_csv")))
    chicago = next(row for row in rows if row and row[0] == "Chicago MLL" and len(row) == 9)
    assert chicago[1] == "2"  # the cohort: organizations, not people
    assert chicago[2:7] == ["fewer than 5"] * 5
    book = workbook(client.get(reverse("impact:export_xlsx")))
    sheet = book["The facilitator's success signs"]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "Chicago MLL")
    assert row[2:7] == ("fewer than 5",) * 5
    about = list(book["About"].iter_rows(values_only=True))
    assert any(r[0] == "Small groups" for r in about)


def test_exports_leave_out_other_facilitators_labs(login, facilitator, dataset):
    client = login(facilitator)
    text = client.get(reverse("impact:export_csv")).content.decode("utf-8-sig")
    assert "Detroit MLL" not in text and "Motor City Mentors" not in text
    book = workbook(client.get(reverse("impact:export_xlsx")))
    values = [str(c.value) for c in all_cells(book)]
    assert not [v for v in values if "Detroit" in v or "Motor City" in v]


def test_exports_apply_the_filters(login, admin_user, dataset, lab2):
    rows = csv_rows(login(admin_user).get(reverse("impact:export_csv"), {"lab": lab2.slug}))
    assert ["Covering", "Detroit MLL"] in rows
    assert not [row for row in rows if row and row[0] == "Chicago MLL"]
