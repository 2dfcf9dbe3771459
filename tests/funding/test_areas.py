"""Intervention areas: shared with the cohort, commented on by peers and facilitators
(feasible? fits the funding?), revised only by the organization that wrote them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding.models import AreaComment, InterventionArea
from tests.factories import (
    InterventionAreaFactory,
    MembershipFactory,
    OrganizationFactory,
    ParticipationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def area_a(lab, org_a, member_a):
    return InterventionAreaFactory(lab=lab, organization=org_a, author=member_a)


def area_url(name: str, area: InterventionArea) -> str:
    return reverse(f"funding:{name}", args=[area.lab.slug, area.pk])


def body(response) -> str:
    return " ".join(response.content.decode().split())


AREA = {
    "title": "Mentors who stay",
    "weakness": "Half our mentors leave after three months.",
    "idea": "A mentor cohort with monthly peer circles.",
}


# --- The list ---------------------------------------------------------------------------------


def test_the_cohort_reads_every_organizations_areas_grouped_with_comment_counts(
    login, lab, org_a, org_b, member_b, area_a
):
    InterventionAreaFactory(lab=lab, organization=org_b, title="Latinas as leads")
    AreaComment.objects.create(area=area_a, author=member_b, body="Looks feasible.")

    response = login(member_b).get(reverse("funding:areas", args=[lab.slug]))

    page = body(response)
    assert response.status_code == 200
    assert "Mentors with engineering backgrounds" in page and "Latinas as leads" in page
    assert page.index("Latinas Building Tech") < page.index("Out in Tech Chicago")
    assert "1 comment " in page
    assert "Share an intervention area" in page


def test_facilitators_read_the_areas_but_are_not_offered_to_write_one(
    login, lab, facilitator, area_a
):
    page = body(login(facilitator).get(reverse("funding:areas", args=[lab.slug])))

    assert "Mentors with engineering backgrounds" in page
    assert "Share an intervention area" not in page


def test_another_labs_areas_stay_in_that_lab(login, lab, lab2, org_c, member_a, area_a):
    InterventionAreaFactory(lab=lab2, organization=org_c, title="Detroit idea")

    page = body(login(member_a).get(reverse("funding:areas", args=[lab.slug])))

    assert "Detroit idea" not in page


@pytest.mark.parametrize("who", ["outsider", "facilitator2"])
def test_areas_are_not_found_outside_the_cohort(request, login, lab, area_a, who):
    client = login(request.getfixturevalue(who))

    assert client.get(reverse("funding:areas", args=[lab.slug])).status_code == 404
    assert client.get(area_url("area", area_a)).status_code == 404
    assert client.post(area_url("area", area_a), {"body": "Hi"}).status_code == 404
    assert not AreaComment.objects.exists()


def test_anonymous_visitors_are_asked_to_sign_in(client, lab, area_a):
    for address in [reverse("funding:areas", args=[lab.slug]), area_url("area", area_a)]:
        response = client.get(address)
        assert response.status_code == 302
        assert "/accounts/login/" in response.url


def test_the_areas_list_keeps_a_fixed_number_of_queries_as_areas_grow(
    login, lab, member_a, facilitator, django_assert_max_num_queries
):
    client = login(member_a)
    address = reverse("funding:areas", args=[lab.slug])

    def grow(n: int) -> None:
        for _ in range(n):
            org = OrganizationFactory()
            ParticipationFactory(lab=lab, organization=org)
            area = InterventionAreaFactory(lab=lab, organization=org, author=member_a)
            AreaComment.objects.create(area=area, author=facilitator, body="Good.")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address).status_code == 200
        return len(queries)

    grow(1)
    client.get(address)
    small = count()
    grow(12)

    assert count() == small
    with django_assert_max_num_queries(12):
        client.get(address)


# --- Writing one ------------------------------------------------------------------------------


def test_a_member_shares_an_area_for_their_organization(login, lab, org_a, member_a):
    response = login(member_a).post(reverse("funding:area_create", args=[lab.slug]), AREA)

    area = InterventionArea.objects.get()
    assert response.url == area.get_absolute_url()
    assert (area.organization, area.author, area.revision) == (org_a, member_a, 1)


def test_a_member_of_two_organizations_chooses_which_one_writes(login, lab, org_a, org_b, member_a):
    MembershipFactory(organization=org_b, user=member_a)
    client = login(member_a)

    form = client.get(reverse("funding:area_create", args=[lab.slug])).content.decode()
    client.post(reverse("funding:area_create", args=[lab.slug]), AREA | {"organization": org_b.pk})

    assert 'name="organization"' in form
    assert InterventionArea.objects.get().organization == org_b


def test_one_cannot_write_an_area_for_an_organization_one_is_not_in(
    login, lab, org_a, org_b, member_a
):
    other = OrganizationFactory()
    ParticipationFactory(lab=lab, organization=other)
    MembershipFactory(organization=org_b, user=member_a)

    response = login(member_a).post(
        reverse("funding:area_create", args=[lab.slug]), AREA | {"organization": other.pk}
    )

    assert response.status_code == 200
    assert not InterventionArea.objects.exists()


def test_a_missing_idea_is_asked_for_and_the_rest_kept(login, lab, member_a):
    response = login(member_a).post(
        reverse("funding:area_create", args=[lab.slug]), AREA | {"idea": ""}
    )

    assert response.status_code == 200
    assert "This field is required." in body(response)
    assert "Half our mentors leave after three months." in body(response)
    assert not InterventionArea.objects.exists()


@pytest.mark.parametrize("who", ["facilitator", "outsider", "facilitator2"])
def test_only_the_cohorts_organizations_write_areas(request, login, lab, org_a, who):
    client = login(request.getfixturevalue(who))

    assert client.get(reverse("funding:area_create", args=[lab.slug])).status_code == 404
    assert client.post(reverse("funding:area_create", args=[lab.slug]), AREA).status_code == 404
    assert not InterventionArea.objects.exists()


def test_a_withdrawn_organization_no_longer_writes_areas(login, lab, org_a, member_a):
    org_a.participations.update(status="withdrawn")

    response = login(member_a).get(reverse("funding:area_create", args=[lab.slug]))

    assert response.status_code == 404


# --- Feedback ---------------------------------------------------------------------------------


def test_a_peer_comments_on_feasibility_and_fit_with_the_funding(login, member_b, area_a):
    data = {
        "body": "Peer circles worked for us.",
        "feasibility": "feasible",
        "fits_funding": "true",
    }

    response = login(member_b).post(area_url("area", area_a), data)

    comment = AreaComment.objects.get()
    assert response.url.endswith("#comments")
    assert (comment.author, comment.feasibility, comment.fits_funding) == (
        member_b,
        "feasible",
        True,
    )
    assert comment.on_revision == 1


def test_facilitators_comment_too_and_may_leave_the_questions_open(login, facilitator, area_a):
    data = {"body": "Talk to us about the budget.", "fits_funding": "unknown"}

    login(facilitator).post(area_url("area", area_a), data)

    comment = AreaComment.objects.get()
    assert comment.author == facilitator
    assert comment.feasibility == "" and comment.fits_funding is None


def test_an_empty_comment_is_refused_beside_the_field(login, member_b, area_a):
    response = login(member_b).post(area_url("area", area_a), {"feasibility": "stretch"})

    assert response.status_code == 200
    assert "Write your comment." in body(response)
    assert not AreaComment.objects.exists()


def test_the_area_page_shows_the_thread_and_what_the_cohort_thinks(
    login, member_a, member_b, facilitator, area_a
):
    AreaComment.objects.create(
        area=area_a, author=member_b, body="Try ERGs.", feasibility="feasible", fits_funding=True
    )
    AreaComment.objects.create(
        area=area_a, author=facilitator, body="Big.", feasibility="stretch", fits_funding=False
    )

    page = body(login(member_a).get(area_url("area", area_a)))

    assert "Try ERGs." in page and "Big." in page
    assert "Feasible? <strong>Feasible</strong>" in page
    assert "Fits the funding? <strong>No</strong>" in page
    assert "Fits the funding: <strong>1</strong> yes, <strong>1</strong> no" in page
    assert "Revise" in page


# --- Revising ---------------------------------------------------------------------------------


def test_the_authors_organization_revises_and_earlier_comments_show_their_revision(
    login, org_a, member_a, member_b, area_a
):
    colleague = MembershipFactory(organization=org_a).user
    AreaComment.objects.create(area=area_a, author=member_b, body="Too broad?", on_revision=1)
    client = login(colleague)

    response = client.post(area_url("area_edit", area_a), AREA)
    login(member_b).post(area_url("area", area_a), {"body": "Much clearer now."})
    page = body(login(member_a).get(area_url("area", area_a)))

    area_a.refresh_from_db()
    assert response.status_code == 302
    assert area_a.revision == 2 and area_a.title == "Mentors who stay"
    assert list(AreaComment.objects.values_list("on_revision", flat=True)) == [1, 2]
    assert 'on revision 1 <span class="badge text-bg-light border">earlier revision</span>' in page
    assert "on revision 2" in page


def test_saving_without_changes_makes_no_new_revision(login, member_a, area_a):
    data = {"title": area_a.title, "weakness": area_a.weakness, "idea": area_a.idea}

    login(member_a).post(area_url("area_edit", area_a), data)

    area_a.refresh_from_db()
    assert area_a.revision == 1


@pytest.mark.parametrize("who", ["member_b", "facilitator", "outsider", "facilitator2"])
def test_only_the_authors_organization_revises(request, login, area_a, who):
    client = login(request.getfixturevalue(who))

    assert client.get(area_url("area_edit", area_a)).status_code == 404
    assert client.post(area_url("area_edit", area_a), AREA).status_code == 404
    area_a.refresh_from_db()
    assert area_a.revision == 1


def test_other_members_are_not_offered_to_revise(login, member_b, area_a):
    page = body(login(member_b).get(area_url("area", area_a)))

    assert area_url("area_edit", area_a) not in page
