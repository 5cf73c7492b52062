"""Forms of the request pages. Choices that depend on data are filled in by the views."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, EmailField, IntegerField, SelectField,
                     SelectMultipleField, StringField, SubmitField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

BODY = 20000


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class FilingForm(FlaskForm):
    # Several departments: each gets its own tracked request, linked together on one page.
    department = MultiCheckboxField(_l("Departments that keep the records (choose one or more)"), choices=[],
                                    validate_choice=False)
    title = StringField(_l("A short title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("The records you want: describe them as precisely as you can"),
                                validators=[DataRequired(), Length(max=BODY)])
    date_from = DateField(_l("Records from (optional)"), validators=[Optional()])
    date_to = DateField(_l("Records to (optional)"), validators=[Optional()])
    preferred_format = SelectField(_l("Preferred format"), choices=[], validate_choice=False)
    check = SubmitField(_l("Check for similar requests"))
    submit = SubmitField(_l("File the request"))


class AnonymousFilingForm(FilingForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Your e-mail address (we send a link to confirm it)"),
                       validators=[DataRequired(), Length(max=320)])


class ActionForm(FlaskForm):
    """A form of the request page. Each is prefixed with its action so that the page's many forms
    have distinct field ids; CSRFProtect already checks the page's token on every POST, which a
    prefixed form's own check would look for under another name."""

    class Meta:
        csrf = False


def _body(label, required=True, limit=BODY):
    return TextAreaField(label, validators=[DataRequired() if required else Optional(), Length(max=limit)])


class MessageForm(ActionForm):
    body = _body(_l("Message"))


class NoteForm(ActionForm):
    body = _body("Internal note (staff only)")


class OptionalBodyForm(ActionForm):
    body = _body("Message to the requester (optional)", required=False)


class RequesterNoteForm(ActionForm):
    # The requester's answer to a fee estimate: addressed to the office, not "to the requester".
    body = _body(_l("A note to the records office (optional)"), required=False)


class WithdrawForm(ActionForm):
    # Used by the requester and by staff on the requester's behalf: it goes on the public timeline.
    body = _body(_l("Why the request is withdrawn (optional; shown on the request's timeline)"), required=False)


class RequiredBodyForm(ActionForm):
    body = _body("Message to the requester")


class ExtendForm(ActionForm):
    days = IntegerField("Days of extension", validators=[DataRequired(), NumberRange(min=1, max=90)])
    body = _body("Why more time is needed (sent to the requester with the new date)", required=False)


class FeeForm(ActionForm):
    amount = StringField("Amount (e.g. 25.00)", validators=[DataRequired(), Length(max=20)])
    note = _body("How the fee is made up", required=False, limit=2000)


class CloseForm(ActionForm):
    outcome = SelectField("Outcome", choices=[("fulfilled", "Fulfilled"),
                                              ("partially_fulfilled", "Partially fulfilled"),
                                              ("denied", "Denied"),
                                              ("no_responsive_records", "No responsive records")])
    exemptions = MultiCheckboxField("Exemptions cited (required for a denial)", choices=[],
                                    validate_choice=False)
    body = _body("Message to the requester", required=False)


class AssignForm(ActionForm):
    assignee = SelectField("Assign to", choices=[], validate_choice=False)


class TransferForm(ActionForm):
    department = SelectField("Move to department", choices=[], validate_choice=False)
    reason = _body("Why (shown to the requester)", limit=2000)


class SplitForm(ActionForm):
    departments = MultiCheckboxField("Also send to", choices=[], validate_choice=False)
    reason = _body("Why (shown to the requester)", limit=2000)


class MergeForm(ActionForm):
    into = StringField("Tracking number of the request it duplicates", validators=[DataRequired(), Length(max=20)])
    reason = _body("Note to the requester (optional)", required=False, limit=2000)


class VisibilityForm(ActionForm):
    published = BooleanField("Show in the public log once closed")
    reason = _body("Reason for keeping it private (staff only)", required=False, limit=2000)


class BulkAssignForm(FlaskForm):
    ids = SelectMultipleField("Requests", choices=[], validate_choice=False, coerce=str)
    assignee = SelectField("Assign the chosen requests to", choices=[], validate_choice=False)


class ClosureForm(FlaskForm):
    day = DateField("Day the agency is closed", validators=[DataRequired()])
    reason = StringField("Reason", validators=[DataRequired(), Length(max=200)])
