"""Extensions, created unbound; create_app() binds them."""
from flask import g, has_app_context
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as _FlaskSession
from flask_wtf import CSRFProtect
from sqlalchemy import orm

from .core.models import Base


class Session(_FlaskSession):
    """Flask-SQLAlchemy's session. An entity a request loaded before it had a session (the
    logged-in user: portal/auth/services.py::load_session) joins the request's first session as
    it is made, so that the request sees one object per row, as if the session had loaded it. A
    later session (after `remove()`) does not take it back, as with any entity of a closed one."""

    def __init__(self, db, **kwargs) -> None:
        super().__init__(db, **kwargs)
        if has_app_context():
            waiting = g.pop("_joins_session", None)
            if waiting is not None and orm.object_session(waiting) is None:
                self.add(waiting)


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
