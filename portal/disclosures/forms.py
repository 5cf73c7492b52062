from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional


class UploadForm(FlaskForm):
    disposition = SelectField("Disposition", choices=[("release", "Release"), ("withhold", "Withhold")])
    exemption = StringField("Exemption cited (required to withhold)", validators=[Optional(), Length(max=200)])
    unpack = BooleanField("Unpack ZIP archives: one record per file inside, named by its path")


class ReleaseForm(FlaskForm):
    recipients = TextAreaField("Other recipients (one e-mail address per line; the requester is always one)",
                               validators=[Optional(), Length(max=5000)])
    public = BooleanField("Also publish these records in the public library")
    row_order_free = BooleanField("Row order carries no meaning (allows a row-order mark in tables)")
