from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class RevokeForm(FlaskForm):
    reason = StringField(_l("Reason (shown to the recipients)"), validators=[DataRequired(), Length(max=2000)])


class CampaignForm(FlaskForm):
    sha256s = TextAreaField("Files released in error (one SHA-256 per line)", validators=[DataRequired()])
    reason = TextAreaField("Why they are being recalled (shown to every recipient)",
                           validators=[DataRequired(), Length(max=5000)])
    respond_by = DateField("Respond by", validators=[DataRequired()])


class ResponseForm(FlaskForm):
    action = RadioField(_l("Your answer"), choices=[
        ("acknowledge", _l("I have read this notice")),
        ("certify_deleted", _l("I certify that I deleted every copy")),
        ("contest", _l("I disagree, and explain why"))], validators=[DataRequired()])
    statement = TextAreaField(_l("Your attestation or statement (required to certify or to disagree)"),
                              validators=[Optional(), Length(max=20000)])


class AttributionForm(FlaskForm):
    file = FileField("The copy that was found", validators=[FileRequired()])


class AttributionBatchForm(FlaskForm):
    file = FileField("A ZIP of the files that were found", validators=[FileRequired()])
