from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=320)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class RegisterForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=320)])
    password = PasswordField(_l("Password (at least 10 characters)"),
                             validators=[DataRequired(), Length(min=10, max=1024)])
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", _l("The passwords differ."))])


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=320)])


class ResetForm(FlaskForm):
    password = PasswordField(_l("New password (at least 10 characters)"),
                             validators=[DataRequired(), Length(min=10, max=1024)])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("password", _l("The passwords differ."))])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    password = PasswordField("New password (at least 10 characters)",
                             validators=[DataRequired(), Length(min=10, max=1024)])
    confirm = PasswordField("Repeat the new password",
                            validators=[DataRequired(), EqualTo("password", "The passwords differ.")])


class TokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired(), Length(max=100)])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change something."""


class NewUserForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("E-mail address", validators=[DataRequired(), Email(), Length(max=320)])
    role = SelectField("Role", choices=[("staff", "Staff"), ("admin", "Administrator"),
                                        ("requester", "Requester")])
    department = SelectField("Department", choices=[], validate_choice=False)
    password = PasswordField("Initial password (at least 10 characters)",
                             validators=[DataRequired(), Length(min=10, max=1024)])


class EditUserForm(FlaskForm):
    role = SelectField("Role", choices=[("requester", "Requester"), ("staff", "Staff"),
                                        ("admin", "Administrator")])
    department = SelectField("Department", choices=[], validate_choice=False)
    active = BooleanField("Active")


class DepartmentForm(FlaskForm):
    slug = StringField("Short name (letters, digits, -)", validators=[DataRequired(), Length(max=64)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    law = SelectField("Records law", choices=[("foia", "US FOIA"), ("cpra", "California CPRA"),
                                              ("foil", "New York FOIL")])
