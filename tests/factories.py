import datetime as dt
import importlib
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.apps import apps
from django.utils import timezone

from accounts.models import User
from labs.models import Lab
from labs.services import _guide_milestones
from mll.tokens import hash_token
from participants.models import (
    ClientGroup,
    ExpressionOfInterest,
    Invitation,
    Membership,
    MembershipRole,
    Organization,
    Participation,
    ParticipationStatus,
)

PASSWORD = "correct-horse-battery-staple"

_vocabulary_migration = importlib.import_module(
    "participants.migrations.0002_client_group_vocabulary"
)


def seed_client_groups() -> None:
    """Put back the client-group vocabulary (a data migration) after a flush emptied it."""
    _vocabulary_migration.add_vocabulary(apps, None)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    class Params:
        admin = factory.Trait(is_staff=True, is_superuser=True)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class LabFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lab
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Mentorship Learning Lab {n}")
    city = "Chicago"
    description = "Mentorship organizations learning from each other."
    objectives = "Strengthen tech mentorship programs for historically excluded technologists."
    participation_criteria = "Runs a mentorship program\nServes a historically excluded group"
    funding_pool = Decimal("90000.00")
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    call_is_published = True

    class Params:
        with_agreement = factory.Trait(
            agreement_text="We take part in every monthly meeting.", agreement_version=1
        )

    @factory.post_generation
    def facilitators(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.facilitators.add(*extracted)

    @factory.post_generation
    def milestones(obj, create, extracted, **kwargs):
        if create and extracted:
            for m in _guide_milestones(obj):
                m.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Mentor Org {n}")
    website = "https://example.org"
    city = "Chicago"
    state = "IL"
    mission = "Mentorship for technologists."
    active_mentors = 25
    active_mentees = 40

    @factory.post_generation
    def client_groups(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.client_groups.add(*ClientGroup.objects.filter(slug__in=extracted))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = MembershipRole.LEAD


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    lab = factory.SubFactory(LabFactory)
    organization = factory.SubFactory(OrganizationFactory)
    status = ParticipationStatus.ACTIVE


class InterestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpressionOfInterest

    lab = factory.SubFactory(LabFactory)
    organization_name = factory.Sequence(lambda n: f"Applicant Org {n}")
    contact_name = factory.Faker("name")
    contact_email = factory.Sequence(lambda n: f"contact{n}@applicant.example")
    mission = "We mentor people into tech."
    program_summary = "40 mentors, 60 mentees, matched by hand."


class InvitationFactory(factory.django.DjangoModelFactory):
    """Pass `token=` to know the raw token; the hash is what's stored."""

    class Meta:
        model = Invitation
        exclude = ["token"]

    token = factory.Sequence(lambda n: f"token-{n}-abcdefghijklmnop")
    token_hash = factory.LazyAttribute(lambda o: hash_token(o.token))
    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = MembershipRole.LEAD
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))


# --- Funding ------------------------------------------------------------------------------


def _funding():
    from funding import models  # late: keeps this module importable before apps load

    return models


class FundingRoundFactory(factory.django.DjangoModelFactory):
    """An open round: opened a week ago, due in three weeks."""

    class Meta:
        model = "funding.FundingRound"
        skip_postgeneration_save = True

    lab = factory.SubFactory(LabFactory)
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=7))
    deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=21))
    guidance = "Apply for an initiative that grows from your intervention area."

    @factory.post_generation
    def rubric(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            models = _funding()
            models.RubricCriterion.objects.bulk_create(
                models.RubricCriterion(round=obj, name=name, description=text, position=i)
                for i, (name, text) in enumerate(models.DEFAULT_RUBRIC, start=1)
            )


class InterventionAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "funding.InterventionArea"

    lab = factory.SubFactory(LabFactory)
    organization = factory.SubFactory(OrganizationFactory)
    title = "Mentors with engineering backgrounds"
    weakness = "Most of our mentors are recruiters; few have engineering backgrounds."
    idea = "Recruit senior engineers as mentors through employee resource groups."


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A complete draft (title, narrative, one metric, two budget lines): ready to submit.

    Traits: `empty` (nothing but the round and org), `submitted`, `approved` (with an award
    of `award_amount`, default 20,000)."""

    class Meta:
        model = "funding.Application"
        skip_postgeneration_save = True

    round = factory.SubFactory(FundingRoundFactory)
    organization = factory.SubFactory(OrganizationFactory)
    title = "Engineers as mentors"
    problem = "Mentees want technical mentors and we have few."
    initiative = "A recruiting drive with three partner employers."
    who_it_serves = "LGBTQIA+ early-career technologists in Chicago."
    expected_outcomes = "Ten more mentors with engineering backgrounds."
    plan = "Month 1: partners. Months 2-6: recruiting. Months 7-12: matching."
    summary = "Recruiting engineers as mentors through employer partnerships."

    class Params:
        empty = factory.Trait(
            title="",
            problem="",
            initiative="",
            who_it_serves="",
            expected_outcomes="",
            plan="",
            summary="",
            with_lines=False,
        )
        submitted = factory.Trait(status="submitted")
        approved = factory.Trait(status="approved", award_amount=Decimal("20000.00"))

    # Not model fields: _create takes them off.
    with_lines = True
    award_amount = None

    @classmethod
    def _create(cls, model_class, *args, with_lines=True, award_amount=None, **kwargs):
        application = super()._create(model_class, *args, **kwargs)
        models = _funding()
        if with_lines:
            models.SuccessMetric.objects.create(
                application=application,
                name="Mentors with engineering backgrounds",
                unit="mentors",
                baseline=Decimal("25"),
                target=Decimal("35"),
            )
            models.BudgetLine.objects.bulk_create(
                [
                    models.BudgetLine(
                        application=application,
                        category=models.BudgetCategory.EVENTS,
                        description="Recruiting events",
                        amount=Decimal("12000.00"),
                        position=1,
                    ),
                    models.BudgetLine(
                        application=application,
                        category=models.BudgetCategory.STIPENDS,
                        description="Mentor stipends",
                        amount=Decimal("8000.00"),
                        position=2,
                    ),
                ]
            )
        if application.status != "draft":
            models.ApplicationVersion.objects.create(
                application=application, number=1, content={"title": application.title}
            )
        if award_amount is not None:
            models.Award.objects.create(
                application=application, lab=application.round.lab, amount=award_amount
            )
        return application


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "funding.ProgressUpdate"

    application = factory.SubFactory(ApplicationFactory, approved=True)
    month = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    what_happened = "Two recruiting events with partner employers."
    blockers = ""


class DeliverableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "funding.Deliverable"

    application = factory.SubFactory(ApplicationFactory, approved=True)
    summary = "We recruited engineers as mentors through three employers."
    outcomes = "Twelve new mentors with engineering backgrounds."
    lessons = "Employee resource groups were the best door in."
