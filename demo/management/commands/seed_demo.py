"""Seed a believable demo modelled on the guide: two labs, their organizations, people and history.

Lab 1 (Chicago) is about four months into Phase 2; lab 2 (Twin Cities) ended about seven months
ago and sits between its 6- and 12-month check-ins. Dates are computed from today when a lab is
first created, so a fresh demo is always current; a lab that exists is never moved.

Idempotent: every record is looked up by a stable key (user e-mail, lab slug, organization name,
interest's organization name within its lab) and only created when missing. Existing users keep
their password. The workflow runs through the services, so the audit rows exist, and the history
is then backdated to the dates the guide's timeline implies.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from demo.checkins import seed_checkins
from demo.funding import seed_funding
from demo.meetings import seed_meetings
from labs.models import (
    Lab,
    LiteratureSource,
    MeetingFormat,
    Milestone,
    PhaseKey,
    Weekday,
    WeekOfMonth,
)
from labs.services import lab_agreement_update, lab_create, milestone_set_done
from participants.models import (
    ClientGroup,
    ExpressionOfInterest,
    InterestStatus,
    Invitation,
    Membership,
    MembershipRole,
    Organization,
    Participation,
    ParticipationStatus,
)
from participants.services import (
    interest_decline,
    interest_shortlist,
    invitation_accept,
    member_invite,
    organization_invite,
    participation_activate,
    participation_complete,
    participation_sign_agreement,
)

DEMO_PASSWORD = "mll-demo-2026"


# --- The cast and the labs ------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    pronouns: str = ""
    time_zone: str = "America/Chicago"


@dataclass(frozen=True)
class Interest:
    organization_name: str
    contact: Person
    website: str
    city: str
    state: str
    client_groups: tuple[str, ...]
    mission: str
    program_summary: str
    why_join: str
    status: str
    days_before_deadline: int
    facilitator_note: str = ""


@dataclass(frozen=True)
class Org:
    name: str
    website: str
    city: str
    state: str
    client_groups: tuple[str, ...]
    mission: str
    mentors: tuple[int, int]  # when the org signed the agreement (the baseline), and now
    mentees: tuple[int, int]
    matching_method: str
    program_length: str
    strengths: str
    challenges: str
    needs: str
    goals: str
    lead: Person
    member: Person
    client_groups_other: str = ""
    # Days before the deadline it expressed interest, if it answered the public call.
    answered_call: int | None = None

    def expression_of_interest(self) -> Interest | None:
        if self.answered_call is None:
            return None
        return Interest(
            organization_name=self.name,
            contact=self.lead,
            website=self.website,
            city=self.city,
            state=self.state,
            client_groups=self.client_groups,
            mission=self.mission,
            program_summary=(
                f"{self.mentors[0]} mentors and {self.mentees[0]} mentees. {self.matching_method}"
            ),
            why_join=self.needs,
            status=InterestStatus.INVITED,
            days_before_deadline=self.answered_call,
        )


@dataclass(frozen=True)
class LabSpec:
    slug: str
    facilitator: Person
    start_months_ago: int  # counted from the first of the current month
    final_status: str
    fields: dict
    sources: tuple[tuple[str, str, str], ...]
    organizations: tuple[Org, ...]
    interests: tuple[Interest, ...] = ()
    undone_milestones: tuple[str, ...] = ()  # past milestones left open, so "overdue" shows


ADMIN = Person("admin@mll-demo.example.org", "Adaeze Okafor", "she/her")

AGREEMENT = """\
{lab} — participation agreement

1. Our organization takes part for the whole lab: six months of collective learning (Phase 1)
   and twelve months of initiatives and funding (Phase 2).
2. A lead attends the monthly meeting, in person or remotely, and prepares for it; we let the
   facilitators know ahead of time when we cannot attend.
3. We share information about our mentorship program openly with the cohort. What other
   participants share stays in the lab unless they agree otherwise.
4. We propose one initiative, apply for funding for it, spend any award only as budgeted, and
   report progress and spending monthly.
5. We produce a final deliverable summarizing the initiative and its outcomes, and answer the
   impact check-ins 6, 12 and 18 months after the program ends.
6. We give our peers honest, kind feedback, and we take part in at least one focus group with
   our own mentors and mentees.
"""

CRITERIA = """\
Runs an active mentorship program for people in or entering tech
Serves a historically excluded group that no other participant serves
Works in or serves the {city} area (one participant from out of state is welcome)
Can send a lead to a 90-minute monthly meeting for 18 months
Will share program data and answer check-ins 6, 12 and 18 months after the lab"""

PRIDE_CODE = Org(
    name="Pride Code Collective",
    website="https://pridecode.example.org",
    city="Chicago",
    state="IL",
    client_groups=("lgbtqia-technologists",),
    client_groups_other="Trans and nonbinary career changers",
    mission=(
        "Pride Code Collective connects LGBTQIA+ people in and entering tech with mentors who "
        "share their lived experience, so they can build careers where they can be out and thrive."
    ),
    mentors=(48, 63),
    mentees=(71, 96),
    matching_method=(
        "By hand: two volunteers read the intake forms twice a year and pair people in a "
        "spreadsheet, weighing career track, identity preferences and time zone."
    ),
    program_length="6-month cycles, twice a year",
    strengths=(
        "A warm, active community; mentors return cycle after cycle; well-attended socials and "
        "a busy Slack."
    ),
    challenges=(
        "Matching by hand takes two volunteers about 60 hours a cycle and the waiting list keeps "
        "growing; mentees drift away when a match doesn't fit."
    ),
    needs="A matching process that scales, and data on which matches work.",
    goals=(
        "Automate matching so every mentee is paired within two weeks of signing up; cut the "
        "volunteers' matching time by 75%; keep 80% of pairs meeting through the whole cycle."
    ),
    lead=Person("jordan@pridecode.example.org", "Jordan Reyes-Walker", "they/them"),
    member=Person("sam@pridecode.example.org", "Sam Okonkwo", "he/him"),
    answered_call=18,
)

LATINAS_FORWARD = Org(
    name="Latinas Forward in Tech",
    website="https://latinasforward.example.org",
    city="Chicago",
    state="IL",
    client_groups=("latina-women",),
    mission=(
        "Latinas Forward in Tech opens doors for Latina women in technology through mentorship, "
        "community and career programs in English and Spanish."
    ),
    mentors=(35, 49),
    mentees=(90, 118),
    matching_method=(
        "Mentees choose from mentor profiles after an orientation session; staff confirm each "
        "match and introduce the pair."
    ),
    program_length="9 months, one cohort a year",
    strengths="Bilingual programming; a loyal mentee community; strong community-college ties.",
    challenges=(
        "Few mentors with engineering, product or UX/UI backgrounds; new mentors arrive "
        "unprepared for the needs of Latina mentees."
    ),
    needs="Corporate partners who bring technical mentors; onboarding material for new mentors.",
    goals=(
        "Grow mentors with engineering, product and UX/UI backgrounds by 40% through corporate "
        "partnerships; launch onboarding workshops and communication guidelines for new mentors."
    ),
    lead=Person("lucia@latinasforward.example.org", "Lucía Hernández", "she/her"),
    member=Person(
        "camila@latinasforward.example.org", "Camila Torres", "she/ella", "America/Los_Angeles"
    ),
    answered_call=9,
)

WOMEN_WHO_BUILD = Org(
    name="Women Who Build Chicago",
    website="https://womenwhobuild.example.org",
    city="Chicago",
    state="IL",
    client_groups=("women-in-tech",),
    mission=(
        "Women Who Build Chicago helps women at every stage of a tech career — students, career "
        "changers and senior engineers — grow through mentorship and peer circles."
    ),
    mentors=(60, 66),
    mentees=(85, 94),
    matching_method=(
        "A pre-program survey scores career goals and skills; staff match in a spreadsheet and "
        "check in by e-mail at months 1 and 3."
    ),
    program_length="12 months",
    strengths="An established program with corporate sponsors, experienced mentors, happy pairs.",
    challenges=(
        "The surveys are long and few people answer them; no view of how mentees are doing "
        "mid-program; alumni outcomes are unknown."
    ),
    needs="Better data: shorter, more frequent check-ins and a survey of alumni.",
    goals=(
        "Redesign the pre-program survey and check-ins so that 80% of mentees answer them; "
        "launch a one-year post-program survey to follow alumni successes and stories."
    ),
    lead=Person("denise@womenwhobuild.example.org", "Denise Kowalski", "she/her"),
    member=Person("priya@womenwhobuild.example.org", "Priya Raman", "she/her"),
)

NORTH_STAR = Org(
    name="North Star Black Technologists",
    website="https://northstarblacktech.example.org",
    city="Minneapolis",
    state="MN",
    client_groups=("black-technologists",),
    mission=(
        "North Star Black Technologists grows the community of Black engineers, designers and "
        "data people in Minnesota through mentorship, events and career support."
    ),
    mentors=(22, 41),
    mentees=(40, 67),
    matching_method=(
        "Monthly mixers where mentors and mentees meet and choose each other; organizers follow "
        "up by text."
    ),
    program_length="Ongoing, with a structured 6-month track",
    strengths="Vibrant events and a trusted name among Black technologists in the region.",
    challenges="Informal matches fade after two or three months; nobody tracks who is matched.",
    needs="Structure for the first 90 days of a match; simple tracking of matches.",
    goals=(
        "Launch a structured 6-month track with a 90-day playbook; track every match; reach 60% "
        "of pairs still meeting after six months."
    ),
    lead=Person("marcus@northstarblacktech.example.org", "Marcus Bell", "he/him"),
    member=Person("aisha@northstarblacktech.example.org", "Aisha Mohamed", "she/her"),
)

NEW_NEIGHBORS = Org(
    name="New Neighbors Tech Mentoring",
    website="https://newneighborstech.example.org",
    city="Saint Paul",
    state="MN",
    client_groups=("immigrants-and-refugees",),
    mission=(
        "New Neighbors Tech Mentoring helps immigrants and refugees restart their tech careers "
        "in Minnesota with a mentor who knows the local industry."
    ),
    mentors=(18, 31),
    mentees=(35, 58),
    matching_method="Caseworkers refer clients; staff match by language, career track and area.",
    program_length="4 months",
    strengths="Deep trust with immigrant and refugee communities; multilingual staff.",
    challenges=(
        "Mentors lack context on credential recognition and work authorization; mentees lose "
        "touch after the program."
    ),
    needs="Mentor training and an alumni network.",
    goals=(
        "Train every mentor in credential recognition and work-authorization basics; build an "
        "alumni network that meets every quarter."
    ),
    lead=Person("farah@newneighborstech.example.org", "Farah Haddad", "she/her"),
    member=Person("tomas@newneighborstech.example.org", "Tomás Quispe", "he/him"),
)

CHICAGO = LabSpec(
    slug="chicago-mll",
    facilitator=Person("maya@mll-demo.example.org", "Maya Johnson", "she/her"),
    start_months_ago=10,  # Phase 1 done, about four months into Phase 2
    final_status=ParticipationStatus.ACTIVE,
    fields={
        "name": "Chicago Mentorship Learning Lab",
        "city": "Chicago",
        "description": (
            "Three Chicago mentorship organizations, each serving a different community of "
            "historically excluded technologists, learn from one another for six months and "
            "then run a funded initiative for twelve."
        ),
        "objectives": (
            "Bring together Chicago mentorship programs that serve different historically "
            "excluded groups, so they learn from each other instead of competing.\n"
            "Understand what makes tech mentorship work for LGBTQIA+ technologists, Latina "
            "women and women in tech: mentor recruitment, matching and the mentee experience.\n"
            "Fund one initiative per organization that tackles a weakness it found in Phase 1."
        ),
        "goals": (
            "Every participant completes its funded initiative and a final deliverable.\n"
            "25% more active mentors across the cohort 12 months after the program ends.\n"
            "90% attendance at monthly meetings, in person or remote, and a 1:1 session with "
            "each participant every quarter.\n"
            "Two focus groups with the participants' mentors and mentees during Phase 2."
        ),
        "participation_criteria": CRITERIA.format(city="Chicago"),
        "how_to_apply": (
            "Tell us about your organization and your mentorship program. We read every "
            "expression of interest, talk with a shortlist, and invite three organizations that "
            "serve different communities. Questions: maya@mll-demo.example.org."
        ),
        "literature_notes": (
            "Chicago has dozens of tech mentorship programs, most run by volunteers. Corporate "
            "ERG programs are closed to outsiders; community programs match by hand and lose "
            "mentees between cohorts.\n\n"
            "Gaps we found: few mentors with engineering, product and UX backgrounds for Latina "
            "women; matching that doesn't scale past a hundred pairs; almost no data collected "
            "after a program ends; and no place where programs learn from one another."
        ),
        "funding_pool": Decimal("90000.00"),
        "meeting_format": MeetingFormat.HYBRID,
        "meeting_week_of_month": WeekOfMonth.SECOND,
        "meeting_weekday": Weekday.TUESDAY,
        "meeting_time": dt.time(10, 0),
        "meeting_location": "Mostly on video; in person each quarter at 222 W Merchandise Mart "
        "Plaza, Chicago",
    },
    sources=(
        (
            "The Mentoring Effect (MENTOR)",
            "https://www.mentoring.org/resource/the-mentoring-effect/",
            "National survey: one in three young people grows up without a mentor; the gap is "
            "widest for those who face the most barriers.",
        ),
        (
            "Elements of Effective Practice for Mentoring, 4th edition (MENTOR)",
            "https://www.mentoring.org/resource/elements-of-effective-practice-for-mentoring/",
            "Standards for recruitment, screening, training, matching, monitoring and closure; "
            "a checklist for each participant's program review.",
        ),
        (
            "The Leaky Tech Pipeline (Kapor Center)",
            "https://leakytechpipeline.com/",
            "Where historically excluded people leave the path into tech, and which "
            "interventions help; mentorship matters most in the first years of a career.",
        ),
        (
            "Mentoring-in-a-Box: Technical Women at Work (NCWIT)",
            "https://ncwit.org/resource/mentoring-in-a-box-technical-women-at-work/",
            "A ready-made guide for mentors and mentees of technical women; useful for new "
            "mentor onboarding.",
        ),
    ),
    organizations=(PRIDE_CODE, LATINAS_FORWARD, WOMEN_WHO_BUILD),
    interests=(
        Interest(
            organization_name="Chicago Women Engineers Circle",
            contact=Person("renee@cwecircle.example.com", "Renee Park"),
            website="https://cwecircle.example.com",
            city="Evanston",
            state="IL",
            client_groups=("women-in-tech",),
            mission="Peer mentoring circles for women engineers.",
            program_summary="Eight circles of six engineers each, meeting monthly.",
            why_join="To grow our circles into one-to-one mentoring.",
            status=InterestStatus.DECLINED,
            days_before_deadline=12,
            facilitator_note=(
                "Serves the same client group as Women Who Build Chicago; encouraged to apply "
                "to the next cohort."
            ),
        ),
        Interest(
            organization_name="Veterans Code Bridge",
            contact=Person("luis@veteranscodebridge.example.com", "Luis Ortega"),
            website="https://veteranscodebridge.example.com",
            city="Chicago",
            state="IL",
            client_groups=("veterans",),
            mission="Veterans helping veterans move into software careers.",
            program_summary="20 mentors, 30 mentees, matched by branch of service and role.",
            why_join="We are growing fast and want to do mentorship well.",
            status=InterestStatus.SHORTLISTED,
            days_before_deadline=6,
            facilitator_note="Strong program, a little young for this cohort; keep for the next.",
        ),
        Interest(
            organization_name="Southside Youth Code Mentors",
            contact=Person("terrence@southsideyouthcode.example.com", "Terrence Bell"),
            website="https://southsideyouthcode.example.com",
            city="Chicago",
            state="IL",
            client_groups=("youth-and-students",),
            mission="Coding clubs and mentors for high-school students on the South Side.",
            program_summary="15 volunteer mentors for 60 students, matched by school.",
            why_join="We want to keep students connected to mentors after graduation.",
            status=InterestStatus.NEW,
            days_before_deadline=1,
        ),
    ),
    undone_milestones=("Focus groups with clients",),
)

TWIN_CITIES = LabSpec(
    slug="twin-cities-mll",
    facilitator=Person("daniel@mll-demo.example.org", "Daniel Nguyen", "he/him"),
    start_months_ago=25,  # 6 + 12 months of program, which ended about seven months ago
    final_status=ParticipationStatus.COMPLETED,
    fields={
        "name": "Twin Cities Mentorship Learning Lab",
        "city": "Minneapolis–Saint Paul",
        "description": (
            "Two Twin Cities mentorship organizations strengthened their programs together and "
            "each ran a funded initiative; now we follow their long-term impact."
        ),
        "objectives": (
            "Help mentorship programs for Black technologists and for immigrants and refugees "
            "learn from each other.\n"
            "Fund one initiative per organization to make matches last."
        ),
        "goals": (
            "Both participants finish their initiatives and final deliverables.\n"
            "Matches still meeting after six months grow from about a third to 60%.\n"
            "Every check-in answered at 6, 12 and 18 months."
        ),
        "participation_criteria": CRITERIA.format(city="Twin Cities"),
        "how_to_apply": "Send us an expression of interest; we invite two organizations.",
        "literature_notes": (
            "The Twin Cities have a strong corporate tech base but few community mentorship "
            "programs, and most run on volunteers' evenings. Gaps: matches fade without "
            "structure, mentors lack training for newcomers' questions, and nobody measures "
            "retention."
        ),
        "funding_pool": Decimal("60000.00"),
        "meeting_format": MeetingFormat.VIRTUAL,
        "meeting_week_of_month": WeekOfMonth.THIRD,
        "meeting_weekday": Weekday.WEDNESDAY,
        "meeting_time": dt.time(12, 0),
    },
    sources=(
        (
            "Tech Leavers Study (Kapor Center)",
            "https://www.kaporcenter.org/tech-leavers/",
            "Unfair treatment drives people out of tech; mentors and sponsors help them stay.",
        ),
        (
            "Elements of Effective Practice for Mentoring, 4th edition (MENTOR)",
            "https://www.mentoring.org/resource/elements-of-effective-practice-for-mentoring/",
            "Monitoring and support standards for the first months of a match.",
        ),
    ),
    organizations=(NORTH_STAR, NEW_NEIGHBORS),
)

LABS = (CHICAGO, TWIN_CITIES)


# --- Seeding --------------------------------------------------------------------------------


def _at(day: dt.date, hour: int, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=tz)


@dataclass(frozen=True)
class Onboarding:
    """When each onboarding step of an organization happened, following the lab's timeline."""

    invited: dt.datetime
    accepted: dt.datetime
    colleague_joined: dt.datetime
    signed: dt.datetime
    active: dt.datetime
    completed: dt.datetime

    @classmethod
    def for_lab(cls, lab: Lab, order: int) -> Onboarding:
        """`order`: the organizations were invited a couple of days apart."""
        invited = lab.call_deadline + dt.timedelta(days=10 + 2 * order)
        return cls(
            invited=_at(invited, 10, lab.tz),
            accepted=_at(invited + dt.timedelta(days=3), 15, lab.tz),
            colleague_joined=_at(invited + dt.timedelta(days=6), 11, lab.tz),
            signed=_at(lab.start_date - dt.timedelta(days=10 - order), 14, lab.tz),
            active=_at(lab.start_date, 12, lab.tz),
            completed=_at(lab.timeline.program_end, 12, lab.tz),
        )


class DemoSeeder:
    def __init__(self) -> None:
        self.created: Counter[str] = Counter()
        self.groups = {g.slug: g for g in ClientGroup.objects.all()}
        self.password_hash = ""  # hashed once: hashing is slow on purpose

    def client_groups(self, slugs: tuple[str, ...]) -> list[ClientGroup]:
        missing = set(slugs) - set(self.groups)
        if missing:
            raise CommandError(f"Client groups missing ({', '.join(sorted(missing))}): migrate.")
        return [self.groups[s] for s in slugs]

    def run(self) -> None:
        joined = timezone.now() - relativedelta(years=3)
        self.user(ADMIN, joined=joined, is_staff=True, is_superuser=True)
        for spec in LABS:
            self.lab(spec)

    def user(self, person: Person, *, joined: dt.datetime, **flags) -> User:
        user = User.objects.filter(email__iexact=person.email).first()
        if user is None:
            self.password_hash = self.password_hash or make_password(DEMO_PASSWORD)
            user = User.objects.create(
                email=person.email.lower(),
                password=self.password_hash,
                name=person.name,
                pronouns=person.pronouns,
                time_zone=person.time_zone,
                date_joined=joined,
                **flags,
            )
            self.created["people"] += 1
        if not EmailAddress.objects.filter(user=user, email__iexact=user.email).exists():
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        return user

    def lab(self, spec: LabSpec) -> None:
        tz = ZoneInfo(spec.fields.get("time_zone", "America/Chicago"))
        this_month = timezone.localdate(timezone=tz).replace(day=1)
        start = this_month - relativedelta(months=spec.start_months_ago)
        facilitator = self.user(
            spec.facilitator,
            joined=_at(start - relativedelta(months=4), 9, tz),
            can_create_labs=True,
        )
        lab = Lab.objects.filter(slug=spec.slug).first() or self.new_lab(spec, start, facilitator)
        for order, org_spec in enumerate(spec.organizations):
            self.participation(lab, org_spec, facilitator, spec.final_status, order)
        for interest_spec in spec.interests:
            self.interest(lab, interest_spec, facilitator)
        seed_meetings(lab, facilitator, self.created)
        seed_funding(lab, facilitator, self.created)
        seed_checkins(lab, facilitator, self.created)

    def new_lab(self, spec: LabSpec, start: dt.date, facilitator: User) -> Lab:
        deadline = start - relativedelta(months=2) + dt.timedelta(days=14)
        lab = Lab(
            slug=spec.slug,
            start_date=start,
            call_is_published=True,
            call_deadline=deadline,
            **spec.fields,
        )
        lab = lab_create(lab=lab, created_by=facilitator)
        lab.agreement_text = AGREEMENT.format(lab=lab.name)
        lab_agreement_update(lab=lab, text_changed=True, file_changed=False)
        today = lab.today()
        for milestone in lab.milestones.filter(due_date__lt=today):
            if milestone.title not in spec.undone_milestones:
                milestone_set_done(milestone=milestone, user=facilitator, done=True)
                Milestone.objects.filter(pk=milestone.pk).update(
                    completed_at=_at(milestone.due_date, 16, lab.tz)
                )
        pre_start = lab.timeline.phase(PhaseKey.PRE_PROGRAM).start
        LiteratureSource.objects.bulk_create(
            LiteratureSource(lab=lab, title=title, url=url, notes=notes)
            for title, url, notes in spec.sources
        )
        lab.sources.update(created_at=_at(pre_start, 11, lab.tz))
        Lab.objects.filter(pk=lab.pk).update(
            created_at=_at(pre_start - dt.timedelta(days=14), 9, lab.tz),
            agreement_updated_at=_at(deadline, 9, lab.tz),
        )
        self.created["labs"] += 1
        return Lab.objects.get(pk=lab.pk)

    def organization(self, spec: Org, joined: dt.datetime) -> tuple[Organization, bool]:
        org = Organization.objects.filter(name=spec.name).first()
        if org is not None:
            return org, False
        org = Organization.objects.create(
            name=spec.name,
            website=spec.website,
            city=spec.city,
            state=spec.state,
            mission=spec.mission,
            client_groups_other=spec.client_groups_other,
            active_mentors=spec.mentors[0],
            active_mentees=spec.mentees[0],
            matching_method=spec.matching_method,
            program_length=spec.program_length,
            strengths=spec.strengths,
            challenges=spec.challenges,
            needs=spec.needs,
        )
        org.client_groups.set(self.client_groups(spec.client_groups))
        Organization.objects.filter(pk=org.pk).update(created_at=joined)
        self.created["organizations"] += 1
        return org, True

    def participation(
        self, lab: Lab, spec: Org, facilitator: User, final_status: str, order: int
    ) -> None:
        """Walk one organization through the workflow: invited → ... → active (or completed)."""
        if Participation.objects.filter(lab=lab, organization__name=spec.name).exists():
            return
        when = Onboarding.for_lab(lab, order)
        org, org_is_new = self.organization(spec, when.invited)
        lead = self.user(spec.lead, joined=when.accepted)
        colleague = self.user(spec.member, joined=when.colleague_joined)
        answer = spec.expression_of_interest()
        interest = self.interest(lab, answer, facilitator) if answer else None
        if interest is not None and interest.status == InterestStatus.INVITED:
            interest = None  # it already led to an invitation
        elif interest is not None:
            interest_shortlist(interest=interest, user=facilitator)

        invitation, _ = organization_invite(
            lab=lab,
            invited_by=facilitator,
            email=lead.email,
            name=lead.name,
            organization=org,
            interest=interest,
        )
        invitation_accept(invitation=invitation, user=lead)
        colleague_invitation, _ = member_invite(
            organization=org,
            invited_by=lead,
            email=colleague.email,
            name=colleague.name,
            role=MembershipRole.MEMBER,
        )
        invitation_accept(invitation=colleague_invitation, user=colleague)
        participation = Participation.objects.get(lab=lab, organization=org)
        participation_sign_agreement(
            participation=participation, user=lead, signed_name=lead.name, goals=spec.goals
        )
        participation_activate(participation=participation, user=facilitator)
        if final_status == ParticipationStatus.COMPLETED:
            participation_complete(participation=participation, user=facilitator)
        if answer:
            lab.expressions_of_interest.filter(organization=org).update(reviewed_at=when.invited)
        if org_is_new:  # the program grew during the lab; the baseline stays at signing
            Organization.objects.filter(pk=org.pk).update(
                active_mentors=spec.mentors[1], active_mentees=spec.mentees[1]
            )
        self.backdate(participation, invitation, colleague_invitation, when)
        self.created["participations"] += 1

    def backdate(
        self,
        participation: Participation,
        invitation: Invitation,
        colleague_invitation: Invitation,
        when: Onboarding,
    ) -> None:
        """Move the rows the services stamped 'now' to the days the timeline says they happened."""
        S = ParticipationStatus
        steps = {
            S.INVITED: when.invited,
            S.ACCEPTED: when.accepted,
            S.AGREEMENT_SIGNED: when.signed,
            S.ACTIVE: when.active,
            S.COMPLETED: when.completed,
        }
        for status, moment in steps.items():
            participation.events.filter(to_status=status).update(created_at=moment)
        participation.signatures.update(signed_at=when.signed)
        last = steps[S(participation.status)]
        Participation.objects.filter(pk=participation.pk).update(
            created_at=when.invited, updated_at=last, baseline_recorded_at=when.signed
        )
        for inv, sent, used in (
            (invitation, when.invited, when.accepted),
            (colleague_invitation, when.accepted, when.colleague_joined),
        ):
            Invitation.objects.filter(pk=inv.pk).update(
                created_at=sent, expires_at=sent + dt.timedelta(days=14), accepted_at=used
            )
            Membership.objects.filter(
                organization=inv.organization, user__email__iexact=inv.email
            ).update(created_at=used)

    def interest(self, lab: Lab, spec: Interest, facilitator: User) -> ExpressionOfInterest:
        found = lab.expressions_of_interest.filter(organization_name=spec.organization_name)
        if found.exists():
            return found.get()
        interest = ExpressionOfInterest.objects.create(
            lab=lab,
            organization_name=spec.organization_name,
            contact_name=spec.contact.name,
            contact_email=spec.contact.email,
            website=spec.website,
            city=spec.city,
            state=spec.state,
            mission=spec.mission,
            program_summary=spec.program_summary,
            why_join=spec.why_join,
            facilitator_note=spec.facilitator_note,
        )
        interest.client_groups.set(self.client_groups(spec.client_groups))
        submitted = _at(
            lab.call_deadline - dt.timedelta(days=spec.days_before_deadline), 13, lab.tz
        )
        ExpressionOfInterest.objects.filter(pk=interest.pk).update(created_at=submitted)
        # An interest that led to an invitation is shortlisted, then invited, by the caller.
        review = {
            InterestStatus.SHORTLISTED: interest_shortlist,
            InterestStatus.DECLINED: interest_decline,
        }.get(spec.status)
        if review is not None:
            review(interest=interest, user=facilitator)
            ExpressionOfInterest.objects.filter(pk=interest.pk).update(
                reviewed_at=_at(lab.call_deadline + dt.timedelta(days=4), 16, lab.tz)
            )
        self.created["expressions of interest"] += 1
        interest.refresh_from_db()
        return interest


@contextmanager
def _silenced(*names: str) -> Iterator[None]:
    """Mute loggers for a while: each inline task logs a line, the broker URL a warning."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


# --- Output ---------------------------------------------------------------------------------


def demo_logins() -> list[dict]:
    """Who can sign in to the demo, and as what."""
    logins = [_login(ADMIN, "admin", organization=None, lab=None, org_role=None)]
    for spec in LABS:
        lab_name = spec.fields["name"]
        logins.append(
            _login(spec.facilitator, "facilitator", organization=None, lab=lab_name, org_role=None)
        )
        for org in spec.organizations:
            for person, org_role in ((org.lead, "lead"), (org.member, "member")):
                logins.append(
                    _login(
                        person,
                        "participant",
                        organization=org.name,
                        lab=lab_name,
                        org_role=org_role,
                    )
                )
    return logins


def _login(person: Person, role: str, **extra) -> dict:
    return {
        "email": person.email,
        "password": DEMO_PASSWORD,
        "role": role,
        "name": person.name,
        **extra,
    }


class Command(BaseCommand):
    help = (
        "Create a demo: two labs modelled on the guide (Chicago in Phase 2, Twin Cities in "
        f"Phase 3), five organizations and their people. Every demo login uses the password "
        f"{DEMO_PASSWORD!r}. Safe to run again: nothing existing is changed or duplicated."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--json", action="store_true", help="Print only the demo logins, as a JSON list."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even with DEBUG off. The demo accounts share a published password.",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo creates accounts (an admin among them) with a published password. "
                "Run it with DEBUG=true, or pass --force if this database really is a demo."
            )
        # Queued work runs inline, after the whole demo is committed (when every invitation
        # is already used, so none is mailed), and any e-mail stays in memory: seeding needs
        # no worker and writes to nobody.
        inline = override_settings(
            CELERY_TASK_ALWAYS_EAGER=True,
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        )
        with inline, _silenced("celery.app.trace", "kombu.connection"), transaction.atomic():
            seeder = DemoSeeder()
            seeder.run()
        logins = demo_logins()
        if options["json"]:
            self.stdout.write(json.dumps(logins, indent=2, ensure_ascii=False))
            return
        self.write_table(seeder.created, logins)

    def write_table(self, created: Counter[str], logins: list[dict]) -> None:
        if created:
            summary = ", ".join(f"{n} {kind}" for kind, n in sorted(created.items()))
            self.stdout.write(self.style.SUCCESS(f"Demo seeded: created {summary}."))
        else:
            self.stdout.write("Demo already seeded; nothing changed.")
        self.stdout.write(f"\nDemo logins — every password is {DEMO_PASSWORD}\n")
        rows = [
            (
                login["role"] + (f" ({login['org_role']})" if login["org_role"] else ""),
                login["email"],
                login["organization"] or login["lab"] or "all labs",
            )
            for login in logins
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(2)]
        for role, email, where in rows:
            self.stdout.write(f"  {role:<{widths[0]}}  {email:<{widths[1]}}  {where}")
