"""A held release: screening decides (holds.approve), disclosures releases (release_approved_hold)."""
import pytest
import sqlalchemy as sa

from portal.disclosures import services
from portal.disclosures.models import Release
from portal.extensions import db
from portal.screening import holds
from portal.screening.holds import ScreeningHold
from portal.screening.models import HoldStatus
from tests import factories as f
from tests.screening.cast import flagged_setup


def _held(staff, req, rec) -> int:
    with pytest.raises(ScreeningHold) as held:
        services.create_release(staff, req.id, [rec.id], recipients=["lawyer@example.org"])
    f.commit()
    return held.value.hold_id


def test_the_decision_alone_releases_nothing(ctx):
    _, staff, second, requester, req, rec = flagged_setup()
    hold = holds.approve(second, _held(staff, req, rec), "Retired in 2019; public.")
    assert hold.status == HoldStatus.approved and hold.decided_by_id == second.id and hold.release_id is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Release)) == 0


def test_an_approved_hold_is_released_as_it_was_asked_for_and_names_its_release(ctx, mailbox):
    _, staff, second, requester, req, rec = flagged_setup()
    hold_id = _held(staff, req, rec)
    release = services.release_approved_hold(second, hold_id, "Retired in 2019; public.")
    f.commit()
    hold = holds.get_hold(second, hold_id)
    assert hold.status == HoldStatus.approved and hold.release_id == release.id
    assert release.released_by_id == second.id and [r.id for r in release.records] == [rec.id]
    assert {g.recipient.email for g in release.grants} == {requester.email, "lawyer@example.org"}
    assert mailbox.to(requester.email)


def test_a_refused_approval_releases_nothing(ctx):
    from portal.core.errors import Forbidden
    _, staff, second, requester, req, rec = flagged_setup()
    hold_id = _held(staff, req, rec)
    with pytest.raises(Forbidden):
        services.release_approved_hold(staff, hold_id, "I asked for it myself")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Release)) == 0
    assert holds.get_hold(second, hold_id).status == HoldStatus.open


def test_screening_does_not_import_disclosures():
    """The circle disclosures -> screening -> disclosures is gone: the screen only judges."""
    import ast
    import inspect
    tree = ast.parse(inspect.getsource(holds))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not any("disclosures" in name for name in imported)
