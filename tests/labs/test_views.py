"""Lab pages: who may open each one, what the forms do, and how many queries they cost."""

import datetime as dt
import html
import re

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from labs import services
from labs.models import Lab, LiteratureSource, Milestone
from participants.models import (
    AgreementSignature,
    ParticipationStatus,
    SignatureKind,
)
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    InterestFactory,
    LabFactory,
    MembershipFactory,
    OrganizationFactory,
    ParticipationFactory,
    ProgressUpdateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = dt.date
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def milestone(lab):
    return services.milestone_add(
        milestone=Milestone(lab=lab, title="Kick-off meeting", due_date=lab.start_date)
    )


@pytest.fixture
def other_milestone(lab2):
    return services.milestone_add(
        milestone=Milestone(lab=lab2, title="Detroit kick-off", due_date=lab2.start_date)
    )


@pytest.fixture
def agreement_pdf(lab):
    lab.agreement_file.save("agreement.pdf", ContentFile(PDF))
    return lab


@pytest.fixture
def creator(db):
    return UserFactory(email="cleo@example.org", name="Cleo Creator", can_create_labs=True)


def login_url(next_url: str) -> str:
    return f"{reverse('account_login')}?next={next_url}"


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def field_block(response, name: str) -> str:
    """The crispy wrapper of one form field: its label, input, help and errors."""
    page = response.content.decode()
    end = r'<div id="div_id_|</fieldset>|</form>'
    match = re.search(rf'<div id="div_id_{name}".*?(?={end})', page, re.S)
    assert match, f"no field {name} on the page"
    return html.unescape(match.group(0))


# Access: every view in labs/urls.py, for everyone in the cast.

# (url name, method, only facilitators and admins may use it)
LAB_VIEWS = [
    ("detail", "get", False),
    ("timeline", "get", False),
    ("agreement_file", "get", False),
    ("edit", "get", True),
    ("agreement", "get", True),
    ("milestone_edit", "get", True),
    ("milestone_toggle", "post", True),
    ("milestone_move", "post", True),
    ("milestone_delete", "post", True),
]
VIEW_IDS = [name for name, _, _ in LAB_VIEWS]
MANAGE_VIEWS = [v for v in LAB_VIEWS if v[2]]


def lab_url(name: str, lab: Lab, milestone: Milestone) -> str:
    if name == "milestone_move":
        return reverse("labs:milestone_move", args=[lab.slug, milestone.pk, "down"])
    if name.startswith("milestone_"):
        return reverse(f"labs:{name}", args=[lab.slug, milestone.pk])
    return reverse(f"labs:{name}", args=[lab.slug])


def call(client, method: str, url: str):
    return client.post(url) if method == "post" else client.get(url)


@pytest.fixture
def lab_with_everything(lab, milestone, agreement_pdf):
    return lab


@pytest.mark.parametrize(("name", "method", "manage_only"), LAB_VIEWS, ids=VIEW_IDS)
@pytest.mark.parametrize("who", ["facilitator", "admin_user"])
def test_facilitators_and_admins_may_use_every_lab_view(
    request, login, lab_with_everything, milestone, who, name, method, manage_only
):
    client = login(request.getfixturevalue(who))

    response = call(client, method, lab_url(name, lab_with_everything, milestone))

    if method == "post":
        assert response.status_code == 302
        assert response.url.startswith(reverse("labs:timeline", args=[lab_with_everything.slug]))
    else:
        assert response.status_code == 200


@pytest.mark.parametrize(("name", "method", "manage_only"), LAB_VIEWS, ids=VIEW_IDS)
def test_a_participant_may_see_the_lab_but_not_manage_it(
    login, lab_with_everything, milestone, member_a, name, method, manage_only
):
    response = call(login(member_a), method, lab_url(name, lab_with_everything, milestone))

    assert response.status_code == (404 if manage_only else 200)


@pytest.mark.parametrize(("name", "method", "manage_only"), LAB_VIEWS, ids=VIEW_IDS)
@pytest.mark.parametrize("who", ["facilitator2", "outsider"])
def test_it_hides_the_lab_from_other_labs_facilitators_and_outsiders(
    request, login, lab_with_everything, milestone, lab2, who, name, method, manage_only
):
    client = login(request.getfixturevalue(who))

    response = call(client, method, lab_url(name, lab_with_everything, milestone))

    assert response.status_code == 404


@pytest.mark.parametrize(("name", "method", "manage_only"), LAB_VIEWS, ids=VIEW_IDS)
def test_it_sends_anonymous_visitors_to_sign_in(
    client, lab_with_everything, milestone, name, method, manage_only
):
    url = lab_url(name, lab_with_everything, milestone)

    response = call(client, method, url)

    assert response.status_code == 302
    assert response.url == login_url(url)


def test_a_withdrawn_organizations_members_lose_access(login, lab, org_a, member_a):
    lab.participations.filter(organization=org_a).update(status=ParticipationStatus.WITHDRAWN)

    assert login(member_a).get(reverse("labs:detail", args=[lab.slug])).status_code == 404


@pytest.mark.parametrize("name", ["milestone_toggle", "milestone_move", "milestone_delete"])
def test_milestone_actions_refuse_get(login, facilitator, lab, milestone, name):
    response = login(facilitator).get(lab_url(name, lab, milestone))

    assert response.status_code == 405
    assert Milestone.objects.filter(pk=milestone.pk, completed_at=None).exists()


def test_a_participant_cannot_add_a_milestone(login, lab, member_a):
    response = login(member_a).post(
        reverse("labs:timeline", args=[lab.slug]), {"title": "Mine", "due_date": "2026-01-01"}
    )

    assert response.status_code == 404
    assert not lab.milestones.exists()


def test_a_deactivated_facilitator_is_signed_out(login, facilitator, lab):
    facilitator.is_active = False
    facilitator.save()

    url = reverse("labs:detail", args=[lab.slug])
    response = login(facilitator).get(url)

    assert response.status_code == 302
    assert response.url == login_url(url)


# Home


def test_home_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("labs:home"))

    assert response.status_code == 302
    assert response.url == login_url(reverse("labs:home"))


def test_home_lists_a_facilitators_own_labs_only(login, facilitator, lab, lab2):
    response = login(facilitator).get(reverse("labs:home"))

    assert response.status_code == 200
    assert [lab for lab, _ in response.context["rows"]] == [lab]
    assert response.context["rows"][0][1] == "Facilitator"
    assert "Detroit MLL" not in response.content.decode()


def test_home_lists_a_participants_labs(login, member_a, lab, lab2):
    response = login(member_a).get(reverse("labs:home"))

    assert [(row_lab, role) for row_lab, role in response.context["rows"]] == [(lab, "Participant")]
    assert response.context["rows"][0][0].participant_count == 1


def test_home_lists_every_lab_for_an_admin(login, admin_user, lab, lab2):
    response = login(admin_user).get(reverse("labs:home"))

    assert {row_lab for row_lab, _ in response.context["rows"]} == {lab, lab2}
    assert {role for _, role in response.context["rows"]} == {"Admin"}


def test_home_shows_an_outsider_no_labs(login, outsider, lab, lab2):
    response = login(outsider).get(reverse("labs:home"))

    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "You aren't part of a lab yet" in response.content.decode()
    assert "Chicago MLL" not in response.content.decode()


def test_home_offers_new_lab_only_to_those_who_may_create_labs(login, creator, facilitator, lab):
    new_lab = reverse("labs:create")

    assert new_lab in login(creator).get(reverse("labs:home")).content.decode()
    assert new_lab not in login(facilitator).get(reverse("labs:home")).content.decode()


# Creating a lab


def lab_form_data(lab: Lab | None = None, **overrides) -> dict:
    data = {
        "name": "Austin MLL",
        "city": "Austin",
        "description": "",
        "objectives": "",
        "goals": "",
        "participation_criteria": "",
        "literature_notes": "",
        "funding_pool": "60000",
        "currency": "USD",
        "start_date": "2027-01-01",
        "time_zone": "America/Chicago",
        "pre_program_months": "3",
        "phase1_months": "6",
        "phase2_months": "12",
        "checkin_offsets": "6, 12, 18",
        "meeting_frequency": "monthly",
        "meeting_week_of_month": "2",
        "meeting_weekday": "1",
        "meeting_time": "10:00",
        "meeting_duration_minutes": "90",
        "meeting_format": "hybrid",
        "meeting_location": "",
        "call_deadline": "",
        "how_to_apply": "",
        "sources-TOTAL_FORMS": "0",
        "sources-INITIAL_FORMS": "0",
        "sources-MIN_NUM_FORMS": "0",
        "sources-MAX_NUM_FORMS": "1000",
    }
    if lab is not None:
        data.update(
            name=lab.name,
            city=lab.city,
            funding_pool=str(lab.funding_pool),
            start_date=lab.start_date.isoformat(),
            time_zone=lab.time_zone,
            pre_program_months=str(lab.pre_program_months),
            phase1_months=str(lab.phase1_months),
            phase2_months=str(lab.phase2_months),
            checkin_offsets=", ".join(str(m) for m in lab.checkin_offsets),
        )
    data.update(overrides)
    return data


@pytest.mark.parametrize("who", ["creator", "admin_user"])
def test_those_who_may_create_labs_see_the_form(request, login, who):
    response = login(request.getfixturevalue(who)).get(reverse("labs:create"))

    assert response.status_code == 200
    assert 'value="6, 12, 18"' in response.content.decode()


@pytest.mark.parametrize("who", ["facilitator", "member_a", "outsider"])
def test_others_may_not_create_labs(request, login, who):
    client = login(request.getfixturevalue(who))

    assert client.get(reverse("labs:create")).status_code == 404
    assert client.post(reverse("labs:create"), lab_form_data()).status_code == 404
    assert not Lab.objects.filter(name="Austin MLL").exists()


def test_lab_create_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("labs:create"))

    assert response.status_code == 302
    assert response.url == login_url(reverse("labs:create"))


def test_creating_a_lab_lays_out_its_timeline_and_opens_it(login, creator):
    response = login(creator).post(reverse("labs:create"), lab_form_data(checkin_offsets="12; 6"))

    lab = Lab.objects.get(name="Austin MLL")
    assert response.status_code == 302
    assert response.url == reverse("labs:timeline", args=[lab.slug])
    assert list(lab.facilitators.all()) == [creator]
    assert lab.checkin_offsets == [6, 12]
    assert lab.milestones.count() == len(services.GUIDE_MILESTONES) + 2
    assert lab.milestones.filter(title="12-month impact check-in").exists()
    assert messages_of(response) == [
        "Austin MLL is set up with the guide's timeline. Review it next."
    ]


def test_an_admin_creating_a_lab_chooses_its_facilitators(login, admin_user, creator):
    data = lab_form_data(facilitators=[creator.pk])

    login(admin_user).post(reverse("labs:create"), data)

    lab = Lab.objects.get(name="Austin MLL")
    assert list(lab.facilitators.all()) == [creator]
    assert lab.created_by == admin_user


def test_creating_a_lab_saves_its_literature_sources(login, creator):
    data = lab_form_data(
        **{
            "sources-TOTAL_FORMS": "2",
            "sources-0-title": "Mentoring in tech: a review",
            "sources-0-url": "https://example.org/review",
            "sources-0-notes": "",
            "sources-1-title": "",
            "sources-1-url": "",
            "sources-1-notes": "",
        }
    )

    login(creator).post(reverse("labs:create"), data)

    lab = Lab.objects.get(name="Austin MLL")
    assert list(lab.sources.values_list("title", "url")) == [
        ("Mentoring in tech: a review", "https://example.org/review")
    ]


def test_an_invalid_lab_shows_each_error_beside_its_field_and_keeps_what_was_typed(login, creator):
    data = lab_form_data(
        name="", city="Austin, Texas", objectives="Grow mentorship", checkin_offsets="6, x"
    )

    response = login(creator).post(reverse("labs:create"), data)

    assert response.status_code == 200
    assert not Lab.objects.exists()
    assert "This field is required." in field_block(response, "name")
    offsets = field_block(response, "checkin_offsets")
    assert "Write whole numbers of months separated by commas" in offsets
    assert 'value="6, x"' in offsets
    assert "is-invalid" in offsets
    page = response.content.decode()
    assert 'value="Austin, Texas"' in page
    assert "Grow mentorship" in page
    assert "Nothing you typed was lost." in page


@pytest.mark.parametrize(
    ("offsets", "error"),
    [
        ("", "Give at least one check-in, like 6, 12, 18."),
        ("0, 6", "Check-ins fall between 1 and 60 months after the program."),
        ("1, 2, 3, 4, 5, 6, 7", "Six check-ins at most."),
    ],
)
def test_it_refuses_check_ins_outside_the_rules(login, creator, offsets, error):
    response = login(creator).post(reverse("labs:create"), lab_form_data(checkin_offsets=offsets))

    assert response.status_code == 200
    assert error in field_block(response, "checkin_offsets")


def test_the_call_must_close_before_phase_one_starts(login, creator):
    data = lab_form_data(start_date="2027-01-01", call_deadline="2027-01-02")

    response = login(creator).post(reverse("labs:create"), data)

    assert response.status_code == 200
    assert "should close before Phase 1 starts" in field_block(response, "call_deadline")


# Editing a lab


@pytest.fixture
def june_lab(facilitator):
    """Phase 1 from June 1, 2026, with the guide's milestones; today is April 15, 2026."""
    with time_machine.travel(dt.datetime(2026, 4, 15, 17, 0, tzinfo=dt.UTC), tick=False):
        lab = LabFactory(name="Chicago MLL", start_date=D(2026, 6, 1), facilitators=[facilitator])
        services.lab_create(lab=lab, created_by=facilitator)
        yield lab


def test_editing_the_start_date_moves_pending_milestones_and_says_how_many(
    login, facilitator, june_lab
):
    kickoff = june_lab.milestones.get(title="Kick-off meeting")
    past = june_lab.milestones.get(title="Conduct a literature review")
    moving = june_lab.milestones.filter(due_date__gte=D(2026, 4, 15)).count()

    response = login(facilitator).post(
        reverse("labs:edit", args=[june_lab.slug]),
        lab_form_data(june_lab, start_date="2026-07-01"),
    )

    assert response.status_code == 302
    assert response.url == june_lab.get_absolute_url()
    assert messages_of(response) == [
        f"Saved. {moving} upcoming milestone(s) moved with the new dates."
    ]
    kickoff.refresh_from_db()
    assert kickoff.due_date == D(2026, 7, 1)
    assert june_lab.milestones.get(pk=past.pk).due_date == past.due_date


def test_editing_without_date_changes_moves_nothing(login, facilitator, june_lab):
    response = login(facilitator).post(
        reverse("labs:edit", args=[june_lab.slug]),
        lab_form_data(june_lab, city="Chicago and suburbs"),
    )

    assert messages_of(response) == ["Saved."]
    assert Lab.objects.get(pk=june_lab.pk).city == "Chicago and suburbs"


def test_a_facilitator_cannot_hand_the_lab_to_others(login, facilitator, lab, outsider):
    login(facilitator).post(
        reverse("labs:edit", args=[lab.slug]), lab_form_data(lab, facilitators=[outsider.pk])
    )

    assert list(lab.facilitators.all()) == [facilitator]


def test_an_invalid_edit_changes_nothing(login, facilitator, lab):
    response = login(facilitator).post(
        reverse("labs:edit", args=[lab.slug]), lab_form_data(lab, phase1_months="0")
    )

    assert response.status_code == 200
    assert "phase1_months" in response.context["form"].errors
    assert Lab.objects.get(pk=lab.pk).phase1_months == 6


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("start_date", "9999-06-01", "Choose a date between 2000 and 2100."),
        ("pre_program_months", "32767", "less than or equal to 24"),
        ("phase1_months", "200", "less than or equal to 36"),
        ("phase2_months", "32767", "less than or equal to 36"),
    ],
)
def test_out_of_range_dates_and_lengths_are_refused_beside_the_field(
    login, facilitator, lab, field, value, error
):
    response = login(facilitator).post(
        reverse("labs:edit", args=[lab.slug]), lab_form_data(lab, **{field: value})
    )

    assert response.status_code == 200
    assert error in field_block(response, field)
    assert getattr(Lab.objects.get(pk=lab.pk), field) == getattr(lab, field)


def test_editing_adds_and_deletes_literature_sources(login, facilitator, lab):
    old = LiteratureSource.objects.create(lab=lab, title="An old survey")
    kept = LiteratureSource.objects.create(lab=lab, title="Best practices")
    data = lab_form_data(
        lab,
        **{
            "sources-TOTAL_FORMS": "4",
            "sources-INITIAL_FORMS": "2",
            "sources-0-id": str(old.pk),
            "sources-0-title": old.title,
            "sources-0-DELETE": "on",
            "sources-1-id": str(kept.pk),
            "sources-1-title": kept.title,
            "sources-2-title": "Chicago tech mentoring landscape",
            "sources-2-url": "https://example.org/landscape",
            "sources-3-title": "",
        },
    )

    response = login(facilitator).post(reverse("labs:edit", args=[lab.slug]), data)

    assert response.status_code == 302
    assert sorted(lab.sources.values_list("title", flat=True)) == [
        "Best practices",
        "Chicago tech mentoring landscape",
    ]


def test_a_source_needs_a_valid_link(login, facilitator, lab):
    data = lab_form_data(
        lab,
        **{"sources-TOTAL_FORMS": "1", "sources-0-title": "Survey", "sources-0-url": "not a url"},
    )

    response = login(facilitator).post(reverse("labs:edit", args=[lab.slug]), data)

    assert response.status_code == 200
    assert "Enter a valid URL." in response.content.decode()
    assert not lab.sources.exists()


# Milestones


def test_a_facilitator_adds_a_milestone_from_the_timeline(login, facilitator, lab, milestone):
    response = login(facilitator).post(
        reverse("labs:timeline", args=[lab.slug]),
        {"title": "Site visit", "due_date": "2027-02-01", "description": "Visit each org."},
    )

    assert response.status_code == 302
    assert response.url == reverse("labs:timeline", args=[lab.slug])
    added = lab.milestones.get(title="Site visit")
    assert added.position > milestone.position
    assert messages_of(response) == ["Added “Site visit”."]


def test_an_invalid_milestone_is_shown_again_with_its_error(login, facilitator, lab):
    response = login(facilitator).post(
        reverse("labs:timeline", args=[lab.slug]), {"title": "Site visit", "due_date": "soon"}
    )

    assert response.status_code == 200
    assert "Enter a valid date." in field_block(response, "due_date")
    assert 'value="Site visit"' in response.content.decode()
    assert not lab.milestones.exists()


def test_a_participant_sees_the_timeline_without_the_controls(login, member_a, lab, milestone):
    response = login(member_a).get(reverse("labs:timeline", args=[lab.slug]))

    page = response.content.decode()
    assert "Kick-off meeting" in page
    assert response.context["form"] is None
    assert reverse("labs:milestone_toggle", args=[lab.slug, milestone.pk]) not in page
    assert reverse("labs:edit", args=[lab.slug]) not in page


def test_editing_a_milestone_saves_it(login, facilitator, lab, milestone):
    response = login(facilitator).post(
        reverse("labs:milestone_edit", args=[lab.slug, milestone.pk]),
        {"title": "Kick-off and dinner", "due_date": "2027-03-04", "description": ""},
    )

    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.title, milestone.due_date) == ("Kick-off and dinner", D(2027, 3, 4))


def test_toggling_a_milestone_records_who_did_it(login, facilitator, lab, milestone):
    client = login(facilitator)
    url = reverse("labs:milestone_toggle", args=[lab.slug, milestone.pk])

    response = client.post(url)

    milestone.refresh_from_db()
    assert milestone.completed_by == facilitator
    assert milestone.completed_at is not None
    assert response.url == f"/labs/{lab.slug}/timeline/#milestone-{milestone.pk}"
    assert messages_of(response) == ["“Kick-off meeting” marked done."]

    client.post(url)

    milestone.refresh_from_db()
    assert (milestone.completed_at, milestone.completed_by) == (None, None)


def test_the_timeline_says_who_completed_a_milestone(login, facilitator, lab, milestone):
    services.milestone_set_done(milestone=milestone, user=facilitator, done=True)

    response = login(facilitator).get(reverse("labs:timeline", args=[lab.slug]))

    assert "by Fran Facilitator" in response.content.decode()


def test_moving_milestones_up_and_down(login, facilitator, lab, milestone):
    second = services.milestone_add(
        milestone=Milestone(lab=lab, title="Strengths", due_date=lab.start_date)
    )
    client = login(facilitator)

    client.post(reverse("labs:milestone_move", args=[lab.slug, second.pk, "up"]))
    assert list(lab.milestones.values_list("title", flat=True)) == [
        "Strengths",
        "Kick-off meeting",
    ]

    client.post(reverse("labs:milestone_move", args=[lab.slug, second.pk, "down"]))
    assert list(lab.milestones.values_list("title", flat=True)) == [
        "Kick-off meeting",
        "Strengths",
    ]


def test_moving_a_milestone_sideways_is_not_found(login, facilitator, lab, milestone):
    response = login(facilitator).post(
        reverse("labs:milestone_move", args=[lab.slug, milestone.pk, "sideways"])
    )

    assert response.status_code == 404


def test_deleting_a_milestone(login, facilitator, lab, milestone):
    response = login(facilitator).post(
        reverse("labs:milestone_delete", args=[lab.slug, milestone.pk])
    )

    assert response.url == reverse("labs:timeline", args=[lab.slug])
    assert not Milestone.objects.filter(pk=milestone.pk).exists()
    assert messages_of(response) == ["Removed “Kick-off meeting”."]


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("milestone_edit", "get"),
        ("milestone_edit", "post"),
        ("milestone_toggle", "post"),
        ("milestone_move", "post"),
        ("milestone_delete", "post"),
    ],
)
@pytest.mark.parametrize("who", ["facilitator", "admin_user"])
def test_a_milestone_of_another_lab_is_not_found_through_this_labs_address(
    request, login, lab, milestone, other_milestone, who, name, method
):
    client = login(request.getfixturevalue(who))

    response = call(client, method, lab_url(name, lab, other_milestone))

    assert response.status_code == 404
    other_milestone.refresh_from_db()
    assert other_milestone.completed_at is None
    assert other_milestone.title == "Detroit kick-off"


# Agreement


def test_saving_new_agreement_text_makes_a_new_version(login, facilitator, lab):
    response = login(facilitator).post(
        reverse("labs:agreement", args=[lab.slug]),
        {"agreement_text": "We meet monthly and share what we learn."},
    )

    assert response.status_code == 302
    assert response.url == reverse("participants:list", args=[lab.slug])
    lab.refresh_from_db()
    assert lab.agreement_version == 2
    assert lab.agreement_text == "We meet monthly and share what we learn."
    assert messages_of(response) == ["Agreement saved as version 2."]


def test_saving_the_same_agreement_keeps_its_version(login, facilitator, lab):
    login(facilitator).post(
        reverse("labs:agreement", args=[lab.slug]), {"agreement_text": lab.agreement_text}
    )

    lab.refresh_from_db()
    assert lab.agreement_version == 1


def test_an_empty_agreement_is_refused(login, facilitator, lab):
    response = login(facilitator).post(
        reverse("labs:agreement", args=[lab.slug]), {"agreement_text": ""}
    )

    assert response.status_code == 200
    assert "Write the agreement or upload it as a PDF." in response.content.decode()
    assert Lab.objects.get(pk=lab.pk).agreement_version == 1


def test_an_upload_that_isnt_a_pdf_is_refused_beside_the_field(login, facilitator, lab):
    fake = SimpleUploadedFile("agreement.pdf", b"<html>not a pdf</html>", "application/pdf")

    response = login(facilitator).post(
        reverse("labs:agreement", args=[lab.slug]),
        {"agreement_text": lab.agreement_text, "agreement_file": fake},
    )

    assert response.status_code == 200
    file_field = field_block(response, "agreement_file")
    assert "This file isn't a PDF. Upload the document saved as PDF." in file_field
    assert 'aria-describedby="id_agreement_file_helptext id_agreement_file_error"' in file_field
    lab.refresh_from_db()
    assert not lab.agreement_file
    assert lab.agreement_version == 1


def test_an_oversized_pdf_is_refused(login, facilitator, lab, settings):
    settings.MLL_MAX_UPLOAD_BYTES = 20
    big = SimpleUploadedFile("agreement.pdf", PDF, "application/pdf")

    response = login(facilitator).post(
        reverse("labs:agreement", args=[lab.slug]),
        {"agreement_text": lab.agreement_text, "agreement_file": big},
    )

    assert response.status_code == 200
    assert "the limit is" in field_block(response, "agreement_file")
    assert not Lab.objects.get(pk=lab.pk).agreement_file


def test_a_pdf_is_accepted_and_a_participant_can_download_it(login, facilitator, lab, member_a):
    upload = SimpleUploadedFile("Our Contract.PDF", PDF, "application/pdf")

    response = login(facilitator).post(
        reverse("labs:agreement", args=[lab.slug]),
        {"agreement_text": lab.agreement_text, "agreement_file": upload},
    )

    assert response.status_code == 302
    lab.refresh_from_db()
    assert lab.agreement_version == 2
    assert lab.agreement_file.name.startswith("agreements/")
    assert "Contract" not in lab.agreement_file.name

    download = login(member_a).get(reverse("labs:agreement_file", args=[lab.slug]))

    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"] == (
        'attachment; filename="chicago-mll-agreement-v2.pdf"'
    )
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("who", ["outsider", "facilitator2"])
def test_the_agreement_pdf_is_hidden_from_others(request, login, agreement_pdf, lab2, who):
    response = login(request.getfixturevalue(who)).get(
        reverse("labs:agreement_file", args=[agreement_pdf.slug])
    )

    assert response.status_code == 404


def test_there_is_nothing_to_download_without_a_pdf(login, member_a, lab):
    response = login(member_a).get(reverse("labs:agreement_file", args=[lab.slug]))

    assert response.status_code == 404


# Dashboard


def test_the_dashboard_shows_where_the_lab_is(login, facilitator):
    with time_machine.travel(dt.datetime(2026, 4, 1, 17, 0, tzinfo=dt.UTC), tick=False):
        lab = LabFactory(start_date=D(2026, 1, 1), facilitators=[facilitator], milestones=True)

        response = login(facilitator).get(reverse("labs:detail", args=[lab.slug]))

    page = response.content.decode()
    assert response.context["phase"].key == "phase1"
    assert "50% of the way through this phase" in page  # 90 of 181 days
    assert len(response.context["next_due"]) == 5
    assert all(m.due_date < D(2026, 4, 1) for m in response.context["overdue"])


def test_a_participant_sees_their_own_organization_on_the_dashboard(login, lab, member_a, org_b):
    response = login(member_a).get(reverse("labs:detail", args=[lab.slug]))

    page = response.content.decode()
    assert "Out in Tech Chicago in this lab" in page
    assert "Latinas Building Tech" not in page
    assert "The cohort" not in page
    assert reverse("labs:edit", args=[lab.slug]) not in page


# Query counts stay flat as labs, milestones and participants grow.


def grow_lab(lab: Lab, *, organizations: int, milestones: int, completed_by=None) -> None:
    for _ in range(organizations):
        org = OrganizationFactory(client_groups=["latina-women", "black-technologists"])
        participation = ParticipationFactory(lab=lab, organization=org)
        lead = MembershipFactory(organization=org).user
        MembershipFactory(organization=org, role="member")
        AgreementSignature.objects.create(
            participation=participation,
            kind=SignatureKind.TYPED,
            agreement_version=1,
            signed_name=lead.name,
            signed_by=lead,
        )
    ParticipationFactory(lab=lab, status=ParticipationStatus.INVITED)
    for n in range(milestones):
        milestone = Milestone.objects.create(
            lab=lab,
            title=f"Milestone {n}",
            phase="phase1",
            due_date=lab.start_date + dt.timedelta(days=7 * n),
            position=n,
        )
        if completed_by and n % 2:
            services.milestone_set_done(milestone=milestone, user=completed_by, done=True)
    InterestFactory.create_batch(3, lab=lab)


def fund_initiatives(lab: Lab) -> None:
    """Every participating org without an application gets a funded one with an update."""
    for participation in lab.participations.exclude(organization__applications__isnull=False):
        application = ApplicationFactory(
            round=lab.funding_round,
            organization=participation.organization,
            approved=True,
            award_amount=1000,
        )
        ProgressUpdateFactory(application=application)


def count_queries(django_assert_max_num_queries, client, url: str, limit: int) -> None:
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200


HOME_QUERIES = 5
# 12, + the meetings panel (issue 3), + funding: the application and initiative panels (issue
# 4), + check-ins (issue 5).
DASHBOARD_QUERIES = 20
TIMELINE_QUERIES = 6


@pytest.mark.parametrize("who", ["facilitator", "admin_user", "member_a"])
def test_the_home_page_runs_a_fixed_number_of_queries(
    request, login, django_assert_max_num_queries, facilitator, lab, member_a, who
):
    client = login(request.getfixturevalue(who))
    url = reverse("labs:home")
    count_queries(django_assert_max_num_queries, client, url, HOME_QUERIES)

    org = member_a.memberships.get().organization
    for _ in range(15):
        more = LabFactory(facilitators=[facilitator], milestones=True)
        ParticipationFactory(lab=more, organization=org)
        for _ in range(3):
            ParticipationFactory(lab=more)

    count_queries(django_assert_max_num_queries, client, url, HOME_QUERIES)
    assert len(client.get(url).context["rows"]) == 16


@pytest.mark.parametrize("who", ["facilitator", "admin_user", "member_a"])
def test_the_dashboard_runs_a_fixed_number_of_queries(
    request, login, django_assert_max_num_queries, lab, member_a, who
):
    client = login(request.getfixturevalue(who))
    url = reverse("labs:detail", args=[lab.slug])
    funding_round = FundingRoundFactory(lab=lab)
    ApplicationFactory(round=funding_round, organization=member_a.memberships.get().organization)
    grow_lab(lab, organizations=1, milestones=2)
    fund_initiatives(lab)
    count_queries(django_assert_max_num_queries, client, url, DASHBOARD_QUERIES)

    grow_lab(lab, organizations=15, milestones=60)
    fund_initiatives(lab)
    # member_a now belongs to two of the lab's organizations, and the lab has more facilitators.
    another = lab.participations.exclude(organization__memberships__user=member_a).first()
    MembershipFactory(organization=another.organization, user=member_a)
    lab.facilitators.add(*UserFactory.create_batch(3))

    count_queries(django_assert_max_num_queries, client, url, DASHBOARD_QUERIES)
    assert lab.milestones.count() == 62


@pytest.mark.parametrize("who", ["facilitator", "member_a"])
def test_the_timeline_runs_a_fixed_number_of_queries(
    request, login, django_assert_max_num_queries, lab, member_a, who
):
    client = login(request.getfixturevalue(who))
    url = reverse("labs:timeline", args=[lab.slug])
    grow_lab(lab, organizations=1, milestones=2, completed_by=UserFactory())
    count_queries(django_assert_max_num_queries, client, url, TIMELINE_QUERIES)

    for n in range(60):
        milestone = Milestone.objects.create(
            lab=lab, title=f"More {n}", phase="phase2", due_date=D(2027, 1, 1), position=100 + n
        )
        if n % 3 == 0:
            services.milestone_set_done(milestone=milestone, user=UserFactory(), done=True)

    count_queries(django_assert_max_num_queries, client, url, TIMELINE_QUERIES)
