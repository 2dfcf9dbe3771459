from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from accounts.models import User
from labs.access import get_lab_for_user
from labs.models import Lab
from mll.downloads import serve_private_file
from mll.ratelimit import allow, client_ip
from participants import services
from participants.access import (
    get_interest_for_user,
    get_invitation_for_lead,
    get_lead_organization_for_user,
    get_organization_for_user,
    get_own_participation,
    get_participation_for_user,
    get_signature_for_user,
)
from participants.adapter import INVITATION_SESSION_KEY
from participants.forms import (
    ContractUploadForm,
    GoalsForm,
    InterestForm,
    MemberInviteForm,
    OrganizationForm,
    OrganizationInviteForm,
    SignAgreementForm,
    WithdrawForm,
)
from participants.models import (
    InterestStatus,
    Invitation,
    MembershipRole,
    ParticipationStatus,
)
from participants.services import TransitionError

INTEREST_LIMIT_PER_HOUR = 5


def _participations(lab: Lab):
    return lab.participations.select_related("organization").prefetch_related(
        "organization__client_groups", "signatures"
    )


# --- Public call ---------------------------------------------------------------------------


def public_call(request, slug):
    lab = get_object_or_404(Lab, slug=slug)
    if not lab.call_is_published and not lab.is_facilitated_by(request.user):
        raise Http404
    form = InterestForm(request.POST or None) if lab.call_is_open() else None
    if request.method == "POST" and form is not None and form.is_valid():
        if form.is_spam():
            return redirect("participants:call_thanks", lab.slug)
        if not allow(
            f"interest:{client_ip(request)}", limit=INTEREST_LIMIT_PER_HOUR, window_seconds=3600
        ):
            form.add_error(None, "Too many submissions from your network. Try again in an hour.")
        else:
            form.instance.lab = lab
            services.interest_submit(
                interest=form.save(commit=False), client_groups=form.cleaned_data["client_groups"]
            )
            return redirect("participants:call_thanks", lab.slug)
    context = {"lab": lab, "form": form, "timeline": lab.timeline, "sources": lab.sources.all()}
    return render(request, "participants/public_call.html", context)


def public_call_thanks(request, slug):
    lab = get_object_or_404(Lab, slug=slug, call_is_published=True)
    return render(request, "participants/public_call_thanks.html", {"lab": lab})


# --- Expressions of interest (facilitators) ----------------------------------------------------


@login_required
def interest_list(request, slug):
    lab = get_lab_for_user(request.user, slug, manage=True)
    status = request.GET.get("status", "")
    interests = lab.expressions_of_interest.prefetch_related("client_groups")
    if status in InterestStatus.values:
        interests = interests.filter(status=status)
    context = {
        "lab": lab,
        "manages": True,
        "interests": interests,
        "status": status,
        "statuses": InterestStatus.choices,
    }
    return render(request, "participants/interest_list.html", context)


@login_required
def interest_detail(request, slug, pk):
    interest = get_interest_for_user(request.user, slug, pk)
    lab = interest.lab
    initial = {"name": interest.contact_name, "email": interest.contact_email}
    form = OrganizationInviteForm(request.POST or None, initial=initial, interest=interest)
    overlaps = services.candidate_overlaps(
        name=interest.organization_name,
        client_groups=interest.client_groups.all(),
        other_groups=interest.other_client_groups(),
        participations=_participations(lab),
    )
    if request.method == "POST" and form.is_valid():
        if overlaps and not form.cleaned_data["confirm_overlap"]:
            form.add_error(
                "confirm_overlap", "Confirm you mean to invite a competing organization."
            )
        else:
            try:
                invitation, _ = services.organization_invite(
                    lab=lab,
                    invited_by=request.user,
                    email=form.cleaned_data["email"],
                    name=form.cleaned_data["name"],
                    interest=interest,
                )
            except TransitionError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, f"Invitation sent to {invitation.email}.")
                return redirect("participants:list", lab.slug)
    context = {
        "lab": lab,
        "manages": True,
        "interest": interest,
        "form": form,
        "overlaps": overlaps,
    }
    return render(request, "participants/interest_detail.html", context)


@require_POST
@login_required
def interest_review(request, slug, pk, decision):
    interest = get_interest_for_user(request.user, slug, pk)
    actions = {"shortlist": services.interest_shortlist, "decline": services.interest_decline}
    if decision not in actions:
        raise Http404
    try:
        actions[decision](interest=interest, user=request.user)
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{interest.organization_name}: {interest.get_status_display()}.")
    return redirect("participants:interest_detail", slug, pk)


# --- Participants of a lab -------------------------------------------------------------------


@login_required
def participant_list(request, slug):
    lab = get_lab_for_user(request.user, slug)
    manages = lab.is_facilitated_by(request.user)
    participations = list(_participations(lab))
    if not manages:
        participations = [p for p in participations if p.status != ParticipationStatus.WITHDRAWN]
    context = {
        "lab": lab,
        "manages": manages,
        "participations": participations,
        "overlaps": services.lab_overlaps(participations) if manages else [],
        "my_org_ids": set(request.user.memberships.values_list("organization_id", flat=True)),
        "pending_invitations": lab.invitations.usable().select_related("organization")
        if manages
        else [],
    }
    return render(request, "participants/participation_list.html", context)


@login_required
def participant_invite(request, slug):
    lab = get_lab_for_user(request.user, slug, manage=True)
    form = OrganizationInviteForm(request.POST or None)
    overlaps = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        overlaps = services.candidate_overlaps(
            name=data["organization_name"],
            client_groups=data["client_groups"],
            other_groups=services.split_other_groups(data["client_groups_other"]),
            participations=_participations(lab),
        )
        if overlaps and not data["confirm_overlap"]:
            form.add_error(
                "confirm_overlap", "Confirm you mean to invite a competing organization."
            )
        else:
            invitation, _ = services.organization_invite(
                lab=lab,
                invited_by=request.user,
                email=data["email"],
                name=data["name"],
                organization_name=data["organization_name"],
                client_groups=data["client_groups"],
                client_groups_other=data["client_groups_other"],
            )
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("participants:list", lab.slug)
    context = {"lab": lab, "manages": True, "form": form, "overlaps": overlaps}
    return render(request, "participants/participant_invite.html", context)


@login_required
def participation_detail(request, slug, pk):
    participation = get_participation_for_user(request.user, slug, pk)
    lab = participation.lab
    manages = lab.is_facilitated_by(request.user)
    is_member = participation.organization.memberships.filter(user=request.user).exists()
    goals_form = GoalsForm(request.POST or None, instance=participation) if is_member else None
    if request.method == "POST":
        if goals_form is None:
            raise Http404
        if goals_form.is_valid():
            goals_form.save()
            messages.success(request, "Goals saved.")
            return redirect(participation)
    return _render_participation(request, participation, manages=manages, goals_form=goals_form)


def _render_participation(request, participation, *, manages, goals_form=None, withdraw_form=None):
    context = {
        "lab": participation.lab,
        "manages": manages,
        "participation": participation,
        "organization": participation.organization,
        "events": participation.events.select_related("actor"),
        "signatures": participation.signatures.select_related("signed_by"),
        "goals_form": goals_form,
        "contract_form": ContractUploadForm() if manages else None,
        "withdraw_form": (withdraw_form or WithdrawForm()) if manages else None,
        "transitions": services.ALLOWED_TRANSITIONS[participation.status],
    }
    return render(request, "participants/participation_detail.html", context)


@require_POST
@login_required
def participation_transition(request, slug, pk, action):
    participation = get_participation_for_user(request.user, slug, pk, manage=True)
    form = WithdrawForm(request.POST) if action == "withdraw" else None
    if form is not None and not form.is_valid():
        # Shown again with the error beside the reason field.
        return _render_participation(request, participation, manages=True, withdraw_form=form)
    actions = {
        "activate": lambda: services.participation_activate(
            participation=participation, user=request.user
        ),
        "complete": lambda: services.participation_complete(
            participation=participation, user=request.user
        ),
        "withdraw": lambda: services.participation_withdraw(
            participation=participation, user=request.user, reason=form.cleaned_data["reason"]
        ),
    }
    if action not in actions:
        raise Http404
    try:
        actions[action]()
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"{participation.organization}: {participation.get_status_display()}."
        )
    return redirect(participation)


@login_required
def participation_contract(request, slug, pk):
    participation = get_participation_for_user(request.user, slug, pk, manage=True)
    form = ContractUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.participation_upload_contract(
                participation=participation,
                user=request.user,
                contract_file=form.cleaned_data["contract_file"],
                signed_name=form.cleaned_data["signed_name"],
            )
        except TransitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Signed contract filed.")
            return redirect(participation)
    context = {
        "lab": participation.lab,
        "manages": True,
        "participation": participation,
        "form": form,
    }
    return render(request, "participants/participation_contract.html", context)


@login_required
def signature_file(request, slug, participation_pk, pk):
    signature = get_signature_for_user(request.user, slug, participation_pk, pk)
    name = f"{slug}-contract-v{signature.agreement_version}"
    return serve_private_file(signature.contract_file, download_name=name)


@login_required
def agreement_sign(request, slug):
    participation = get_own_participation(request.user, slug)
    lab = participation.lab
    form = SignAgreementForm(request.POST or None, instance=participation)
    if request.method == "POST" and form.is_valid():
        try:
            services.participation_sign_agreement(
                participation=participation,
                user=request.user,
                signed_name=form.cleaned_data["signed_name"],
                goals=form.cleaned_data["goals"],
            )
        except TransitionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"Thank you: {participation.organization} has signed the agreement."
            )
            return redirect(lab)
    is_lead = participation.organization.memberships.filter(
        user=request.user, role=MembershipRole.LEAD
    ).exists()
    context = {
        "lab": lab,
        "participation": participation,
        "form": form,
        "is_lead": is_lead,
        "signature": participation.signatures.order_by("-signed_at").first(),
    }
    return render(request, "participants/agreement_sign.html", context)


# --- Organizations ---------------------------------------------------------------------------


@login_required
def organization_detail(request, pk):
    organization = get_organization_for_user(request.user, pk)
    memberships = organization.memberships.select_related("user")
    is_member = any(m.user_id == request.user.pk for m in memberships)
    is_lead = request.user.is_staff or any(
        m.user_id == request.user.pk and m.is_lead for m in memberships
    )
    participations = organization.participations.select_related("lab").filter(
        lab__in=Lab.objects.visible_to(request.user)
    )
    context = {
        "organization": organization,
        "memberships": memberships,
        "is_member": is_member or request.user.is_staff,
        "is_lead": is_lead,
        "participations": participations,
        "invitations": organization.invitations.usable() if is_lead else [],
    }
    return render(request, "participants/organization_detail.html", context)


@login_required
def organization_edit(request, pk):
    organization = get_organization_for_user(request.user, pk, write=True)
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        return redirect(organization)
    return render(
        request, "participants/organization_form.html", {"form": form, "organization": organization}
    )


@login_required
def member_invite(request, pk):
    organization = get_lead_organization_for_user(request.user, pk)
    form = MemberInviteForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        invitation, _ = services.member_invite(
            organization=organization, invited_by=request.user, **form.cleaned_data
        )
        messages.success(request, f"Invitation sent to {invitation.email}.")
        return redirect(organization)
    return render(
        request, "participants/member_invite.html", {"form": form, "organization": organization}
    )


@require_POST
@login_required
def invitation_revoke(request, pk, invitation_pk):
    invitation = get_invitation_for_lead(request.user, pk, invitation_pk)
    try:
        services.invitation_revoke(invitation=invitation)
    except TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Invitation for {invitation.email} revoked.")
    return redirect("participants:organization", pk)


# --- Accepting an invitation -----------------------------------------------------------------


def invitation_accept(request, token):
    invitation = Invitation.objects.by_token(token).select_related("organization", "lab").first()
    if invitation is None:
        raise Http404
    if request.method == "POST" and invitation.is_usable():
        if request.user.is_authenticated:
            try:
                services.invitation_accept(invitation=invitation, user=request.user)
            except TransitionError as error:
                messages.error(request, str(error))
                return redirect("participants:invitation", token)
            messages.success(request, f"Welcome to {invitation.organization}.")
            return redirect(invitation.organization)
        request.session[INVITATION_SESSION_KEY] = token
        if User.objects.filter(email__iexact=invitation.email).exists():
            messages.info(request, "Sign in to accept the invitation.")
            login = reverse("account_login")
            return redirect(f"{login}?{urlencode({'next': request.path})}")
        # The invitation proves the address: allauth needn't send a confirmation e-mail.
        get_adapter(request).stash_verified_email(request, invitation.email)
        return redirect("account_signup")
    context = {"invitation": invitation, "token": token}
    return render(request, "participants/invitation_accept.html", context)
