from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ListForm(FlaskForm):
    name = StringField("List name", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField("What it is for (shown to admins only)", validators=[Optional(), Length(max=2000)])


class TermsForm(FlaskForm):
    terms = TextAreaField("Terms, one per line (names, serial numbers, e-mails, phone numbers, any string)",
                          validators=[DataRequired(), Length(max=2_000_000)])


class ImportForm(FlaskForm):
    file = FileField("CSV file (terms in the first column)")


class DecisionForm(FlaskForm):
    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=2000)])


class DismissForm(FlaskForm):
    reason = StringField("Why (for example: the record will be replaced by a redacted version)",
                         validators=[Optional(), Length(max=2000)])
