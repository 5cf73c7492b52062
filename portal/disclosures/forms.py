from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional


class UploadForm(FlaskForm):
    disposition = SelectField(_l("Disposition"), choices=[("release", _l("Release")), ("withhold", _l("Withhold"))])
    exemption = StringField(_l("Exemption cited (required to withhold)"), validators=[Optional(), Length(max=200)])
    unpack = BooleanField(_l("Unpack ZIP archives: one record per file inside, named by its path"))


class ReleaseForm(FlaskForm):
    recipients = TextAreaField(_l("Other recipients (one e-mail address per line; the requester is always one)"),
                               validators=[Optional(), Length(max=5000)])
    public = BooleanField(_l("Also publish these records in the public library"))
    row_order_free = BooleanField(_l("Row order carries no meaning (allows a row-order mark in tables)"))
