"""Pages for requesters and staff: filing, the request page and its actions, my requests."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from ..auth import services as accounts
from ..auth.forms import EmptyForm
from ..auth.models import Department, Role, User
from ..core.errors import Forbidden, NotFound, PortalError
from ..core.http import client_ip, db_id, user_agent
from ..disclosures import documents, services as release_services
from ..extensions import db
from ..records import services as records
from . import clock, groups, routing, services, similar, workflow
from . import forms as F
from .models import RecordRequest, RequestFollower

bp = Blueprint("requests", __name__)


@bp.app_template_global()
def local_today():
    """The agency's date today, for "due in n days" on every page that shows a due date."""
    return clock.today()


def departments() -> list[Department]:
    return list(db.session.scalars(sa.select(Department).order_by(Department.name)))


def exemptions_for(req: RecordRequest) -> dict[str, str]:
    return dict(current_app.config["EXEMPTIONS"].get(req.department.law, []))


def _form_errors(form, err: PortalError) -> str:
    db.session.rollback()
    for name, msg in err.fields.items():
        field = getattr(form, name, None)
        if field is not None:
            # The API's field codes ("unknown") are for programs; a person reads the message.
            field.errors = list(field.errors) + [str(msg) if " " in str(msg) else err.message]
    return err.message


# -- filing ---------------------------------------------------------------------------------------

def _filing_form():
    form = F.FilingForm() if current_user.is_authenticated else F.AnonymousFilingForm()
    form.department.choices = [(d.slug, d.name) for d in departments()]
    form.preferred_format.choices = [(code, _(label)) for code, label in current_app.config["PREFERRED_FORMATS"]]
    return form


@bp.route("/requests/new", methods=["GET", "POST"])
def new():
    form, error, status, suggestions = _filing_form(), None, 200, None
    if current_user.is_authenticated and current_user.email_verified_at is None:
        error = "Please confirm your e-mail address first (see your account page); then file the request."
    if form.validate_on_submit():
        try:
            chosen = [services.department_by_slug(slug) for slug in dict.fromkeys(form.department.data or [""])]
            filing = services.Filing(chosen[0], form.title.data, form.description.data, form.date_from.data,
                                     form.date_to.data, form.preferred_format.data or "any", chosen[1:]).check()
            if form.check.data:
                suggestions = similar.similar_public(filing.title, filing.description)
            elif current_user.is_authenticated:
                req = services.file_request(current_user, filing, limit=current_app.config["FILING_LIMIT"])
                return redirect(url_for(".filed", request_id=req.id))
            else:
                services.start_draft(filing, email=form.email.data, name=form.name.data,
                                     ip=client_ip(), limits=current_app.config)
                return render_template("requests/check_mail.html", email=form.email.data)
        except PortalError as err:
            error, status = _form_errors(form, err), err.status
    elif form.is_submitted():
        status = 400
    return render_template("requests/new.html", form=form, error=error, suggestions=suggestions), status


def _confirmation(req: RecordRequest):
    return render_template("requests/filed.html", req=req, law=clock.law_of(req),
                           suggestions=similar.similar_public(req.title, req.description))


@bp.route("/requests/<int:request_id>/filed")
@login_required
def filed(request_id: int):
    return _confirmation(services.get_for(current_user, request_id))


@bp.route("/requests/confirm/<token>")
def confirm_page(token: str):
    """The link only shows what will be filed: mail scanners and link previews open links, and
    opening one must neither file the request nor sign anybody in."""
    draft = services.draft_of(token, current_app.config["DRAFT_MAX_AGE"])
    if draft.request_id is not None:  # already filed: say so, sign nobody in
        return _confirmation(db.session.get(RecordRequest, draft.request_id))
    return render_template("requests/confirm.html", draft=draft, form=EmptyForm())


@bp.route("/requests/confirm/<token>", methods=["POST"])
def confirm(token: str):
    req, user, filed_now = services.confirm_draft(token, current_app.config["DRAFT_MAX_AGE"])
    # Only the press of the button that files the request signs in, and only a password-less
    # requester account: for any other account the link proves the address, not the right to
    # act as its owner; and a link used again is no longer a way in.
    if (filed_now and not current_user.is_authenticated and user.password_hash is None
            and user.role == Role.requester and user.active):
        session.clear()
        accounts.start_session(user, ip=client_ip(), user_agent=user_agent())
        login_user(user)
    return _confirmation(req)


MINE_PAGE = 50


@bp.route("/my/requests")
@login_required
def mine():
    # Newest first, a page at a time by id (a newsroom files thousands): the (requester_id, id)
    # index serves any page at the cost of the first.
    before = request.args.get("before", type=int)
    stmt = sa.select(RecordRequest).where(RecordRequest.requester_id == current_user.id)
    if before:
        stmt = stmt.where(RecordRequest.id < before)
    rows = db.session.scalars(stmt.order_by(RecordRequest.id.desc()).limit(MINE_PAGE + 1)).all()
    older = rows[MINE_PAGE - 1].id if len(rows) > MINE_PAGE else None
    followed = [] if before else db.session.scalars(
        sa.select(RecordRequest).join(RecordRequest.followers).where(RequestFollower.user_id == current_user.id)
        .order_by(RecordRequest.id.desc()).limit(500)).all()
    released = release_services.released_request_ids([r.id for r in rows[:MINE_PAGE]])
    return render_template("requests/mine.html", rows=rows[:MINE_PAGE], followed=followed, older=older,
                           steps={r.id: workflow.progress_step(r, r.id in released) for r in rows[:MINE_PAGE]},
                           before=before)


# -- the request page ---------------------------------------------------------------------------

FORMS = {"message": F.MessageForm, "note": F.NoteForm, "acknowledge": F.OptionalBodyForm,
         "start": F.OptionalBodyForm, "clarify": F.RequiredBodyForm, "fee_estimate": F.FeeForm,
         "fee_accept": F.RequesterNoteForm, "fee_decline": F.RequesterNoteForm, "resume": F.OptionalBodyForm,
         "extend": F.ExtendForm, "close": F.CloseForm, "withdraw": F.WithdrawForm,
         "reopen": F.RequiredBodyForm, "assign": F.AssignForm, "transfer": F.TransferForm,
         "visibility": F.VisibilityForm, "split": F.SplitForm, "merge": F.MergeForm}


def _choices(req: RecordRequest, forms: dict) -> dict:
    if "close" in forms:
        forms["close"].exemptions.choices = list(exemptions_for(req).items())
    if "assign" in forms:
        forms["assign"].assignee.choices = [("", "Nobody")] + [
            (str(u.id), u.name) for u in routing.staff_for({req.department_id})]
    others = [(d.slug, d.name) for d in departments() if d.id != req.department_id]
    if "transfer" in forms:
        forms["transfer"].department.choices = others
    if "split" in forms:
        forms["split"].departments.choices = others
    return forms


def _forms(req: RecordRequest, override=None) -> dict:
    """Blank forms for every action (not bound to a POST), plus the one being corrected."""
    forms = {name: cls(formdata=None, prefix=name) for name, cls in FORMS.items()}
    forms["visibility"].published.data = req.published
    if req.assignee_id:
        forms["assign"].assignee.data = str(req.assignee_id)
    forms.update(override or {})
    return _choices(req, forms)


def _page(req: RecordRequest, override=None, error=None, status=200):
    manage = services.can_manage(current_user, req)
    on, closures = clock.today(), clock.closures()
    return render_template(
        "requests/show.html", req=req, manage=manage, law=clock.law_of(req), respond_by=clock.respond_by(req),
        flags=clock.flags(req, on, closures), forms=_forms(req, override),
        events=services.visible_events(current_user, req), actions=workflow.available(current_user, req),
        attachments=records.attachments_of(current_user, req.id), attach_form=EmptyForm(),
        siblings=[r for r in (req.group.requests if req.group else []) if r.id != req.id],
        merged=groups.duplicates_of(req) if manage else [],
        duplicates=similar.likely_duplicates(req) if manage and not req.status.closed else [],
        documents=documents.documents_of(current_user, req.id) if manage else [],
        exemption_labels=exemptions_for(req), error=error), status


@bp.route("/requests/<int:request_id>")
@login_required
def show(request_id: int):
    return _page(services.get_for(current_user, request_id))


def _do(action: str, req: RecordRequest, form):
    me, rid = current_user._get_current_object(), req.id
    d = form.data
    calls = {
        "message": lambda: workflow.message(me, rid, d["body"]),
        "note": lambda: workflow.note(me, rid, d["body"]),
        "acknowledge": lambda: workflow.acknowledge(me, rid, d["body"] or ""),
        "start": lambda: workflow.start(me, rid),
        "clarify": lambda: workflow.clarify(me, rid, d["body"]),
        "fee_estimate": lambda: workflow.send_fee_estimate(me, rid, d["amount"], d["note"] or ""),
        "fee_accept": lambda: workflow.answer_fee(me, rid, True, d["body"] or ""),
        "fee_decline": lambda: workflow.answer_fee(me, rid, False, d["body"] or ""),
        "resume": lambda: workflow.resume(me, rid, d["body"] or ""),
        "extend": lambda: workflow.extend(me, rid, d["days"], d["body"] or ""),
        "close": lambda: workflow.close(me, rid, d["outcome"], d["body"] or "", d["exemptions"] or [],
                                        exemptions_for(req)),
        "withdraw": lambda: workflow.withdraw(me, rid, d["body"] or ""),
        "reopen": lambda: workflow.reopen(me, rid, d["body"]),
        "assign": lambda: routing.assign(me, rid, db.session.get(User, db_id(d["assignee"]))
                                         if db_id(d["assignee"]) else None),
        "transfer": lambda: routing.transfer(me, rid, services.department_by_slug(d["department"]),
                                             d["reason"]),
        "visibility": lambda: routing.set_published(me, rid, bool(d["published"]), d["reason"] or ""),
        "split": lambda: groups.split(me, rid, [services.department_by_slug(x) for x in d["departments"] or []],
                                      d["reason"]),
        "merge": lambda: groups.merge(me, rid, _by_tracking_number(d["into"]), d["reason"] or ""),
    }
    return calls[action]()


DONE = {"message": "Your message is sent.", "note": "Note added.", "withdraw": "The request is withdrawn.",
        "assign": "Assignment saved.", "transfer": "The request is transferred.",
        "split": "The request is split: each department has its own request now.",
        "merge": "The request is closed as a duplicate; its requester follows the other request.",
        "visibility": "Public log setting saved."}


def _by_tracking_number(number: str) -> int:
    found = db.session.scalar(sa.select(RecordRequest.id).where(RecordRequest.tracking_number == (number or "").strip()))
    return found or 0


@bp.route("/requests/groups/<int:group_id>")
@login_required
def group(group_id: int):
    found, rows, hidden = groups.members(current_user, group_id)
    on, closures = clock.today(), clock.closures()
    return render_template("requests/group.html", group=found, rows=rows, hidden=hidden,
                           flags={r.id: clock.flags(r, on, closures) for r in rows})


@bp.route("/requests/<int:request_id>/withdraw")
@login_required
def confirm_withdraw(request_id: int):
    """The step before a withdrawal: what it does, then the button that does it."""
    req = services.get_for(current_user, request_id)
    if "withdraw" not in workflow.available(current_user, req):
        abort(404)
    return render_template("requests/confirm_withdraw.html", req=req, manage=services.can_manage(current_user, req),
                           form=F.WithdrawForm(formdata=None, prefix="withdraw"))


@bp.post("/requests/<int:request_id>/do/<action>")
@login_required
def act(request_id: int, action: str):
    req = services.get_for(current_user, request_id)
    if action not in FORMS:
        abort(404)
    form = _choices(req, {action: FORMS[action](prefix=action)})[action]
    if not form.validate_on_submit():
        return _page(req, {action: form}, error="Please correct the form below.", status=400)
    try:
        _do(action, req, form)
    except (Forbidden, NotFound):
        raise
    except PortalError as err:
        message = _form_errors(form, err)
        req = services.get_for(current_user, request_id)
        return _page(req, {action: form}, error=message, status=err.status)
    flash(DONE.get(action, "Done: the request is now {}.".format(req.status.label.lower())))
    return redirect(url_for(".show", request_id=request_id))
