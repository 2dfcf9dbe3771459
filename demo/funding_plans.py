"""The demo's funding story, organization by organization: intervention areas and the
feedback they got, the application (with any changes the facilitators asked for), its review and
award, what happened each month of the initiative, and the final deliverable. Seeded by
demo/funding.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

from funding.models import BudgetCategory, Feasibility

F = Feasibility
C = BudgetCategory

# --- What happened, per organization --------------------------------------------------------


@dataclass(frozen=True)
class Comment:
    by: str  # "facilitator", or "peer": the lead of the next organization in the lab
    body: str
    feasibility: str = ""
    fits_funding: bool | None = None
    days: int = 3  # after the revision it comments on was written


@dataclass(frozen=True)
class Area:
    title: str
    weakness: str
    idea: str
    comments: tuple[Comment, ...]
    revised_idea: str = ""  # the author's revision 2, after the comments
    comments_on_revision: tuple[Comment, ...] = ()


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    baseline: str
    target: str
    final: str  # at the program's end (for a running initiative: where it is heading)


@dataclass(frozen=True)
class Line:
    category: str
    description: str
    amount: str


class Outcome(Enum):
    APPROVED = "approved"
    REVISED_THEN_APPROVED = "revised then approved"
    CHANGES_REQUESTED = "changes requested"  # and not resubmitted yet


@dataclass(frozen=True)
class Final:
    summary: str
    outcomes: str
    lessons: str
    accepted_message: str
    on_public_page: bool = False


@dataclass(frozen=True)
class Proposal:
    title: str
    problem: str
    initiative: str
    who_it_serves: str
    expected_outcomes: str
    plan: str
    summary: str
    metrics: tuple[Metric, ...]
    budget: tuple[Line, ...]  # the budget now (after any revision)
    outcome: Outcome
    submit_days_before_deadline: int
    scores: tuple[int, ...]  # per criterion of the default rubric, on the last version
    review: str
    decision: str = ""  # the approval message
    award: str = ""  # empty: the full budget
    first_budget: tuple[Line, ...] = ()  # as first submitted, when it changed since
    first_metric_count: int = 0  # metrics in the first version, when some were added later
    changes: str = ""  # the facilitators' request for changes
    changes_days_after_submission: int = 0
    resubmit_days_before_deadline: int = 0
    first_scores: tuple[int, ...] = ()
    first_review: str = ""
    cleared_while_revising: tuple[str, ...] = ()  # fields emptied in the working copy
    months: tuple[str, ...] = ()  # what happened in each month of Phase 2
    blockers: dict[int, str] = field(default_factory=dict)
    replies: dict[int, str] = field(default_factory=dict)  # the facilitators', by month
    final: Final | None = None


@dataclass(frozen=True)
class Plan:
    areas: tuple[Area, ...]
    proposal: Proposal


GENERIC_MONTHS = (
    "A steady month: the pairs met as planned and the coordinator followed up with the quiet ones.",
    "We reviewed the numbers with our board and adjusted the plan for the next quarter.",
    "Mostly routine work on the initiative; one new corporate partner joined our mentor pool.",
)

ROUNDS = {
    "chicago-mll": (
        Decimal("35000.00"),
        "Apply for the initiative that grew from your intervention area. Awards of up to "
        "35,000 USD from a pool of 90,000; budget for twelve months of Phase 2. We score "
        "feasibility, alignment with the lab's goals, expected impact and budget realism.",
    ),
    "twin-cities-mll": (
        Decimal("30000.00"),
        "One initiative per organization, up to 30,000 USD each, spent over the twelve months "
        "of Phase 2. Tell us how you will measure success and what the baseline is today.",
    ),
}

PLANS: dict[str, Plan] = {
    "Pride Code Collective": Plan(
        areas=(
            Area(
                title="Matching that scales past a hundred pairs",
                weakness=(
                    "Two volunteers spend about 60 hours a cycle matching by hand in a "
                    "spreadsheet; the waiting list grows and mentees wait up to six weeks."
                ),
                idea=(
                    "Buy an off-the-shelf matching tool and move the intake forms into it, so "
                    "matches are suggested automatically."
                ),
                comments=(
                    Comment(
                        "peer",
                        "We tried a paid matching platform two years ago and dropped it: it "
                        "scored people on job titles only. Check what it can weigh before you "
                        "buy.",
                        F.UNSURE,
                        True,
                    ),
                    Comment(
                        "facilitator",
                        "Strong fit for the funding. What will the volunteers still decide? "
                        "Identity preferences matter a lot to your mentees.",
                        F.FEASIBLE,
                        True,
                        5,
                    ),
                ),
                revised_idea=(
                    "Suggested matches, human decisions: a tool scores pairs on career track, "
                    "identity preferences and time zone and explains each score; a volunteer "
                    "committee approves every match in one evening a cycle."
                ),
                comments_on_revision=(
                    Comment(
                        "facilitator",
                        "This is the version to apply with. Budget for a coordinator, not only "
                        "the tool.",
                        F.FEASIBLE,
                        True,
                    ),
                    Comment(
                        "peer",
                        "Love the committee step. Could you share the scoring criteria? We'd "
                        "reuse them.",
                        F.FEASIBLE,
                        None,
                        4,
                    ),
                ),
            ),
        ),
        proposal=Proposal(
            title="Match in two weeks",
            problem=(
                "Matching by hand takes two volunteers about 60 hours a cycle; mentees wait up "
                "to six weeks and some give up before they meet a mentor."
            ),
            initiative=(
                "A matching tool that suggests pairs and explains its scores, reviewed by a "
                "volunteer committee; a part-time coordinator runs intake and follows up on "
                "every new pair in its first month."
            ),
            who_it_serves=(
                "LGBTQIA+ people in and entering tech in Chicago, especially trans and "
                "nonbinary career changers, and the mentors who share their experience."
            ),
            expected_outcomes=(
                "Every mentee matched within two weeks of signing up; volunteers' matching "
                "time cut by three quarters; more pairs still meeting at the end of a cycle."
            ),
            plan=(
                "Months 1–2: choose and set up the tool, move the intake forms.\n"
                "Months 3–4: first cycle matched with the tool, committee reviews.\n"
                "Months 5–8: coordinator follow-ups; match-quality survey at week 6.\n"
                "Months 9–12: second cycle; write up what worked for the cohort."
            ),
            summary=(
                "Suggested matches with explained scores and a volunteer review committee, so "
                "every mentee has a mentor within two weeks."
            ),
            metrics=(
                Metric("Days from sign-up to a match", "days", "42", "14", "15"),
                Metric("Volunteer hours spent matching per cycle", "hours", "60", "15", "16"),
                Metric("Pairs still meeting at the end of a cycle", "%", "55", "80", "78"),
            ),
            budget=(
                Line(C.TECHNOLOGY, "Matching tool: licence and setup, one year", "9500.00"),
                Line(C.STAFF, "Program coordinator, 10 hours a week", "14000.00"),
                Line(C.EVALUATION, "Match-quality survey and analysis", "4000.00"),
                Line(C.EVENTS, "Mentor orientation evenings", "2500.00"),
            ),
            outcome=Outcome.APPROVED,
            submit_days_before_deadline=6,
            scores=(5, 5, 4, 4),
            review=(
                "Clear problem, measurable targets, a realistic coordinator budget. The tool "
                "licence is for one year only: ask how they'll pay for year two."
            ),
            decision=(
                "Approved in full. Congratulations! Please plan how you'll cover the tool "
                "licence after the first year; we can talk it through at a 1:1."
            ),
            months=(
                "Compared three matching tools with our volunteers and chose the one that "
                "explains its scores. Contract signed.",
                "Moved the intake forms into the tool; 212 past sign-ups imported and cleaned.",
                "First cycle matched with the tool: 38 pairs suggested, the committee approved "
                "34 in one evening. Median wait 16 days.",
                "Coordinator called every new pair in week 3; four rematches so far. The "
                "match-quality survey went out.",
                "Survey results in: 81% of mentees say their mentor 'gets' their situation.",
                "Shared the scoring criteria with the cohort at the monthly meeting.",
            ),
            blockers={
                1: "The old spreadsheet had duplicate sign-ups under different e-mails; "
                "cleaning them took longer than planned.",
            },
            replies={
                0: "Good choice. Keep a note of why you picked it; others in the cohort will ask.",
                2: "16 days on the first cycle is already a big change. Well done.",
            },
        ),
    ),
    "Latinas Forward in Tech": Plan(
        areas=(
            Area(
                title="Technical mentors through corporate partners",
                weakness=(
                    "Few of our mentors have engineering, product or UX/UI backgrounds, so "
                    "mentees aiming at those roles wait or get a mentor from another field."
                ),
                idea=(
                    "Partner with Chicago tech employers' Latinx ERGs to recruit technical "
                    "mentors, with a shared recruitment kit in English and Spanish."
                ),
                comments=(
                    Comment(
                        "facilitator",
                        "Feasible, and it fits the funding well. Which companies have you "
                        "already talked to?",
                        F.FEASIBLE,
                        True,
                    ),
                    Comment(
                        "peer",
                        "Our sponsors' ERGs are keen on this kind of thing; happy to introduce "
                        "you to two of them.",
                        F.FEASIBLE,
                        True,
                        6,
                    ),
                ),
            ),
            Area(
                title="Onboarding for new mentors",
                weakness=(
                    "New mentors arrive unprepared for what Latina mentees need (imposter "
                    "feelings, family expectations, first-generation questions)."
                ),
                idea="Onboarding workshops and communication guidelines for every new mentor.",
                comments=(
                    Comment(
                        "peer",
                        "NCWIT's Mentoring-in-a-Box is a good start for the guidelines.",
                        F.FEASIBLE,
                        None,
                        2,
                    ),
                    Comment(
                        "facilitator",
                        "On its own this is small for a full award; consider folding it into "
                        "the partnerships initiative.",
                        F.FEASIBLE,
                        False,
                        4,
                    ),
                ),
            ),
        ),
        proposal=Proposal(
            title="Technical mentors for Latinas in tech",
            problem=(
                "Only 12 of our 35 mentors work in engineering, product or UX/UI, and new "
                "mentors arrive unprepared for the needs of Latina mentees."
            ),
            initiative=(
                "Partnerships with three employers' Latinx ERGs to recruit technical mentors, "
                "a bilingual recruitment campaign, and onboarding workshops with "
                "communication guidelines for every new mentor."
            ),
            who_it_serves=(
                "Latina women in Chicago entering or growing in tech careers, many of them "
                "first-generation college students from our community-college partners."
            ),
            expected_outcomes=(
                "40% more mentors with engineering, product and UX/UI backgrounds; every new "
                "mentor onboarded before the first meeting."
            ),
            plan=(
                "Months 1–3: sign the ERG partnerships; launch the recruitment campaign.\n"
                "Months 4–6: first two onboarding workshops; guidelines published.\n"
                "Months 7–9: match the new mentors in our yearly cohort.\n"
                "Months 10–12: two more workshops; measure and report."
            ),
            summary=(
                "Corporate ERG partnerships bring engineering, product and UX mentors, and "
                "every new mentor is onboarded to the needs of Latina mentees."
            ),
            metrics=(
                Metric(
                    "Mentors with engineering, product or UX/UI backgrounds",
                    "mentors",
                    "12",
                    "17",
                    "18",
                ),
                Metric("Mentees matched with a technical mentor", "mentees", "20", "40", "41"),
                Metric(
                    "New mentors who complete onboarding before their first meeting",
                    "%",
                    "30",
                    "90",
                    "88",
                ),
            ),
            first_metric_count=2,
            budget=(
                Line(C.STAFF, "Partnerships manager, part-time", "15000.00"),
                Line(C.MARKETING, "Bilingual mentor recruitment campaign", "5000.00"),
                Line(C.EVENTS, "Four onboarding workshops", "6000.00"),
                Line(C.STIPENDS, "Workshop facilitators", "4000.00"),
                Line(C.EVALUATION, "Mentor and mentee surveys", "2000.00"),
            ),
            first_budget=(
                Line(C.STAFF, "Partnerships manager, part-time", "15000.00"),
                Line(C.MARKETING, "Bilingual mentor recruitment campaign", "11000.00"),
                Line(C.EVENTS, "Four onboarding workshops", "6000.00"),
                Line(C.STIPENDS, "Workshop facilitators", "4000.00"),
                Line(C.EVALUATION, "Mentor and mentee surveys", "2000.00"),
            ),
            outcome=Outcome.REVISED_THEN_APPROVED,
            submit_days_before_deadline=24,
            first_scores=(4, 5, 4, 2),
            first_review=(
                "Excellent fit. The budget is 38,000, above the 35,000 maximum, mostly in the "
                "campaign; and nothing measures the onboarding."
            ),
            changes=(
                "Thank you, this is a strong application. Two changes before we can decide: "
                "the total (38,000) is above the round's maximum of 35,000, and the campaign "
                "line looks high for a recruitment kit; and please add a metric for the "
                "onboarding workshops."
            ),
            changes_days_after_submission=6,
            resubmit_days_before_deadline=5,
            scores=(5, 5, 5, 4),
            review="Budget now realistic; the onboarding metric makes this measurable.",
            decision=(
                "Approved in full at 32,000. The revised campaign budget is realistic; we look "
                "forward to the first workshop."
            ),
            months=(
                "Signed partnerships with two ERGs (a bank and a software company); a third is "
                "in legal review.",
                "Campaign launched in English and Spanish; 23 mentor sign-ups in three weeks, "
                "14 with technical backgrounds.",
                "First onboarding workshop: 16 new mentors. Guidelines drafted with mentees' "
                "input.",
                "Second workshop; guidelines published. Hosted the panel 'Latinas leading in "
                "product and UX' with the cohort.",
                "New mentors matched in our yearly cohort; mentees chose technical mentors first.",
                "Third ERG partnership signed.",
            ),
            blockers={
                0: "The third company's legal team wants a data-sharing agreement first.",
            },
            replies={
                1: "14 technical mentors in three weeks is remarkable. Which message worked best?",
                3: "The panel was a highlight for the whole cohort. Thank you for hosting.",
            },
        ),
    ),
    "Women Who Build Chicago": Plan(
        areas=(
            Area(
                title="Shorter surveys and an alumni follow-up",
                weakness=(
                    "Our surveys are long and few people answer them; we don't know how mentees "
                    "do mid-program or after it."
                ),
                idea=(
                    "Redesign the pre-program survey, add short check-ins at months 1, 3 and 6, "
                    "and survey alumni a year after the program."
                ),
                comments=(
                    Comment(
                        "peer",
                        "Short text-message check-ins got us twice the answers of e-mail ones.",
                        F.FEASIBLE,
                        None,
                    ),
                    Comment(
                        "facilitator",
                        "Feasible. Think about who will read the answers and act on them each "
                        "month.",
                        F.FEASIBLE,
                        True,
                        5,
                    ),
                ),
            ),
        ),
        proposal=Proposal(
            title="Shorter surveys, better data",
            problem=(
                "Our 60-question pre-program survey takes 25 minutes; a third of mentees answer "
                "the mid-program e-mail and nobody hears from alumni."
            ),
            initiative=(
                "A redesigned 12-question intake, short text-message check-ins at months 1, 3 "
                "and 6, and a one-year alumni survey, on a survey platform with a data "
                "coordinator who reads every answer."
            ),
            who_it_serves=(
                "Women at every stage of a tech career in Chicago — students, career changers "
                "and senior engineers — and their mentors."
            ),
            expected_outcomes=(
                "80% of mentees answer the check-ins; the first alumni survey shows where "
                "alumni are a year on."
            ),
            plan=(
                "Months 1–2: redesign the intake with mentees.\n"
                "Months 3–12: check-ins at months 1, 3 and 6 of each cohort.\n"
                "Month 12: the first alumni survey and a report."
            ),
            summary=(
                "Short, frequent check-ins and a one-year alumni survey, so the program knows "
                "how mentees are doing and where alumni go."
            ),
            metrics=(
                Metric("Mentees who answer the mid-program check-in", "%", "35", "80", "80"),
                Metric("Alumni who answer the one-year survey", "alumni", "0", "60", "60"),
            ),
            first_budget=(
                Line(C.TECHNOLOGY, "Survey platform licence, two years", "9000.00"),
                Line(C.STAFF, "Data coordinator, 8 hours a week", "12000.00"),
                Line(C.EVALUATION, "Alumni survey design and analysis", "6000.00"),
                Line(C.STIPENDS, "Gift cards for survey testers", "1500.00"),
            ),
            budget=(
                Line(C.TECHNOLOGY, "Survey platform licence, one year", "4500.00"),
                Line(C.STAFF, "Data coordinator, 8 hours a week", "12000.00"),
                Line(C.EVALUATION, "Alumni survey design and analysis", "6000.00"),
                Line(C.STIPENDS, "Gift cards for survey testers", "1500.00"),
            ),
            outcome=Outcome.CHANGES_REQUESTED,
            submit_days_before_deadline=1,
            first_scores=(4, 4, 3, 3),
            first_review=(
                "Good idea, thin plan: no pilot before the alumni survey, and we fund one year "
                "of software, not two."
            ),
            scores=(4, 4, 3, 3),
            review="",
            changes=(
                "We'd like to fund this. Please (1) budget one year of the survey platform — "
                "we fund Phase 2 only — and (2) add a pilot with one cohort before the alumni "
                "survey, with how you'll reach 80% response. 28,000 of the pool is held for "
                "you."
            ),
            changes_days_after_submission=9,
            cleared_while_revising=("plan",),  # being rewritten around the pilot
        ),
    ),
    "North Star Black Technologists": Plan(
        areas=(
            Area(
                title="The first 90 days of a match",
                weakness=(
                    "Matches made at our mixers fade after two or three months, and nobody "
                    "tracks who is matched with whom."
                ),
                idea="A checklist for mentors for the first three months.",
                comments=(
                    Comment(
                        "peer",
                        "A checklist helps, but our pairs faded when nobody noticed they had "
                        "stopped meeting. Who will notice?",
                        F.UNSURE,
                        None,
                    ),
                    Comment(
                        "facilitator",
                        "Fits the funding; as it stands it's small. Think about structure "
                        "and tracking together.",
                        F.FEASIBLE,
                        True,
                        4,
                    ),
                ),
                revised_idea=(
                    "A structured 6-month track with a 90-day playbook (goals at the first "
                    "meeting, a check-in at day 30 and 60, a mid-point review), a coordinator, "
                    "and simple tracking of every match from the first meeting."
                ),
                comments_on_revision=(
                    Comment(
                        "facilitator",
                        "Much stronger. Measure retention at six months and you'll have the "
                        "story for your funders.",
                        F.FEASIBLE,
                        True,
                    ),
                    Comment(
                        "peer",
                        "We'd love to borrow the playbook for our own first months.",
                        F.FEASIBLE,
                        True,
                        5,
                    ),
                ),
            ),
        ),
        proposal=Proposal(
            title="The 90-day playbook",
            problem=(
                "Two thirds of our matches stop meeting within three months; we don't know who "
                "is matched, so we can't help the pairs that fade."
            ),
            initiative=(
                "A structured 6-month mentorship track with a 90-day playbook, monthly mentor "
                "circles, a part-time match coordinator and a simple tracker for every match; "
                "more technical mentors recruited through the region's Black ERGs."
            ),
            who_it_serves=(
                "Black engineers, designers and data people in Minnesota early in their "
                "careers, and the mentors who volunteer with North Star."
            ),
            expected_outcomes=(
                "60% of pairs still meeting after six months (from about a third); 40% more "
                "mentors with engineering, product and UX backgrounds; every match tracked."
            ),
            plan=(
                "Months 1–2: write the playbook with mentors; hire the coordinator.\n"
                "Months 3–8: two cohorts on the structured track; monthly mentor circles.\n"
                "Months 9–12: six-month retention study; publish the playbook."
            ),
            summary=(
                "A structured 6-month track with a 90-day playbook and a coordinator who "
                "notices when a pair stops meeting."
            ),
            metrics=(
                Metric(
                    "Mentors with engineering, product and UX backgrounds",
                    "mentors",
                    "25",
                    "35",
                    "34",
                ),
                Metric("Pairs still meeting after six months", "%", "34", "60", "58"),
                Metric("Matches tracked from the first meeting", "matches", "12", "60", "64"),
            ),
            budget=(
                Line(C.STAFF, "Match coordinator, part-time", "14000.00"),
                Line(C.EVENTS, "Monthly mentor circles and the kick-off", "5000.00"),
                Line(C.TECHNOLOGY, "Match tracker (CRM) and text reminders", "3000.00"),
                Line(C.STIPENDS, "Honoraria for mentor trainers", "4000.00"),
                Line(C.EVALUATION, "Six-month retention study", "2000.00"),
            ),
            outcome=Outcome.APPROVED,
            submit_days_before_deadline=10,
            scores=(5, 5, 5, 4),
            review="A clear, measurable plan with a realistic budget.",
            decision="Approved in full. We can't wait to see the playbook.",
            months=(
                "Wrote the first draft of the playbook with eight experienced mentors.",
                "Hired our match coordinator, Aisha; set up the tracker and imported 12 "
                "existing matches.",
                "Kick-off of cohort 1: 26 pairs on the structured track.",
                "First mentor circle; mentors swapped tips on the day-30 check-in.",
                "Day-60 check-ins: 23 of 26 pairs still meeting. Two ERGs sent us 7 new "
                "technical mentors.",
                "Mid-point reviews done; the playbook got a section on career goals.",
                "Kick-off of cohort 2: 31 pairs.",
                "Mentor circle on sponsorship versus mentorship, our best attended yet.",
                "Six-month retention study started with cohort 1.",
                "Cohort 1 results: 15 of 26 pairs still meeting at six months (58%).",
                "Playbook edited and designed; shared with the Twin Cities cohort.",
                "Final showcase; playbook published on our site.",
            ),
            blockers={
                1: "The coordinator's start slipped two weeks.",
                6: "Two mentors moved away; their mentees were rematched.",
            },
            replies={
                0: "Involving experienced mentors in the playbook is exactly right.",
                4: "23 of 26 at day 60! Share this at the next meeting.",
                9: "58% at six months, up from a third. That's the headline.",
                11: "Congratulations on the launch.",
            },
            final=Final(
                summary=(
                    "We built a structured 6-month track around a 90-day playbook and a "
                    "coordinator who follows every match, and ran two cohorts on it."
                ),
                outcomes=(
                    "57 pairs on the structured track; 58% of cohort 1 still meeting after six "
                    "months (from 34%); every match tracked from its first meeting; 34 mentors "
                    "with engineering, product and UX backgrounds (from 25)."
                ),
                lessons=(
                    "Someone has to notice when a pair goes quiet: the day-30 call did more "
                    "than any document. Mentor circles kept mentors coming back."
                ),
                accepted_message=(
                    "Accepted with thanks: a model for the cohort. We'll feature it on the "
                    "lab's public page."
                ),
                on_public_page=True,
            ),
        ),
    ),
    "New Neighbors Tech Mentoring": Plan(
        areas=(
            Area(
                title="Mentor training for newcomers' questions",
                weakness=(
                    "Mentors lack context on credential recognition and work authorization; "
                    "mentees get well-meant but wrong advice."
                ),
                idea=(
                    "A training series for mentors with an immigration attorney and a "
                    "credential evaluator."
                ),
                comments=(
                    Comment(
                        "facilitator",
                        "Feasible and clearly needed. Record the sessions for later mentors.",
                        F.FEASIBLE,
                        True,
                    ),
                    Comment(
                        "peer",
                        "Our mentors would join these too if you open a seat or two.",
                        F.FEASIBLE,
                        True,
                        5,
                    ),
                ),
            ),
            Area(
                title="An alumni network",
                weakness="Mentees lose touch with each other and with us after four months.",
                idea="Quarterly alumni meetups and a group chat run by alumni.",
                comments=(
                    Comment(
                        "peer",
                        "Pair it with the training: alumni can be next year's mentors.",
                        F.FEASIBLE,
                        None,
                    ),
                    Comment(
                        "facilitator",
                        "A stretch on its own budget; it works as part of one initiative.",
                        F.STRETCH,
                        True,
                        3,
                    ),
                ),
            ),
        ),
        proposal=Proposal(
            title="Mentors who know the path",
            problem=(
                "Only 4 of our mentors know how credential recognition and work authorization "
                "work, and alumni drift away after the four-month program."
            ),
            initiative=(
                "A recorded training series for every mentor with an immigration attorney and "
                "a credential evaluator, and quarterly alumni meetups that grow alumni into "
                "mentors."
            ),
            who_it_serves=(
                "Immigrants and refugees restarting tech careers in Minnesota, referred by "
                "caseworkers, and their mentors."
            ),
            expected_outcomes=(
                "Every mentor trained; 25 alumni at each quarterly meetup; more mentees in a "
                "tech job within six months of finishing."
            ),
            plan=(
                "Months 1–3: design and record the training; first two sessions.\n"
                "Months 4–12: train every new mentor; quarterly alumni meetups.\n"
                "Month 12: measure job outcomes with caseworkers."
            ),
            summary=(
                "Trained mentors who can answer newcomers' questions on credentials and work "
                "authorization, and an alumni network that meets every quarter."
            ),
            metrics=(
                Metric(
                    "Mentors trained in credential recognition and work authorization",
                    "mentors",
                    "4",
                    "30",
                    "29",
                ),
                Metric("Alumni at the quarterly meetup", "alumni", "6", "25", "22"),
                Metric(
                    "Mentees in a tech job within six months of finishing",
                    "mentees",
                    "11",
                    "20",
                    "19",
                ),
            ),
            budget=(
                Line(C.STAFF, "Training coordinator, part-time", "11000.00"),
                Line(C.STIPENDS, "Attorney and credential evaluator honoraria", "6000.00"),
                Line(C.EVENTS, "Quarterly alumni meetups", "4000.00"),
                Line(C.MARKETING, "Multilingual outreach to alumni", "2000.00"),
                Line(C.EVALUATION, "Job outcomes follow-up with caseworkers", "3000.00"),
            ),
            outcome=Outcome.APPROVED,
            submit_days_before_deadline=3,
            scores=(4, 5, 4, 4),
            review="Well targeted; the alumni part depends on volunteers, watch it.",
            decision="Approved in full. Let us know early if the meetups need a hand.",
            months=(
                "Designed the training with an immigration attorney from our board.",
                "Recorded the first two sessions; 9 mentors trained.",
                "First alumni meetup: 11 alumni came, three want to mentor.",
                "Training session on licensing for engineers trained abroad.",
                "14 mentors trained; the recordings are now part of onboarding.",
                "Second alumni meetup: 16 alumni.",
                "Caseworkers report mentees arriving with better questions.",
                "Training session on H-1B transfers and EAD renewals.",
                "Third alumni meetup: 19 alumni; an alumni-run group chat started.",
                "24 mentors trained; two alumni became mentors.",
                "Job follow-up with caseworkers: 19 mentees in a tech job within six months.",
                "Fourth meetup (22 alumni) and the final showcase.",
            ),
            blockers={
                2: "Childcare kept some alumni away; we will offer it next time.",
            },
            replies={
                2: "Offering childcare is a great idea; budget allows it under events.",
                10: "19, from 11. Your caseworkers' data makes this convincing.",
            },
            final=Final(
                summary=(
                    "Every mentor now learns how credential recognition and work authorization "
                    "work, from recorded sessions with experts; alumni meet every quarter."
                ),
                outcomes=(
                    "29 mentors trained (from 4); 22 alumni at the last meetup (from 6); 19 "
                    "mentees in a tech job within six months of finishing (from 11)."
                ),
                lessons=(
                    "Record everything: the recordings trained half of our mentors. Offer "
                    "childcare at evening events."
                ),
                accepted_message="Accepted. Thank you for a thorough, honest report.",
            ),
        ),
    ),
}
