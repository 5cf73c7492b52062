"""Disclosure metrics: releases, downloads, revocations, clawback answers and holds per month."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from portal.auth.models import Role
from portal.clawback import campaigns, revocation
from portal.core.models import utcnow
from portal.disclosures import metrics
from tests import factories as f
from tests.screening.cast import released_and_held


def _activity():
    admin, staff, second, requester, req, flagged, memo, rel = released_and_held()
    revocation.revoke_grant(staff, rel.grants[1].id, "Wrong address")
    c = campaigns.open_campaign(admin, sha256s=[memo.sha256], reason="Error",
                                respond_by=(utcnow() + timedelta(days=9)).date())
    f.commit()
    campaigns.respond(requester, c.notices[0].id, "certify_deleted", "Deleted.")
    f.commit()
    return admin, staff, requester, rel


def test_the_months_count_each_kind_of_event(client, ctx):
    admin, staff, requester, rel = _activity()
    client.get(f"/api/v1/grants/{rel.grants[0].id}/download", headers=f.token_for(requester))  # revoked: 410
    m = metrics.compute(admin)
    assert len(m.months) == 12
    assert m.total("releases") == 1 and m.total("holds") == 1 and m.total("revocations") == 2
    assert m.total("clawback_answers") == 1 and m.answers["Certified deletion"] == 1
    assert m.holds_by_outcome == {"open": 1}
    assert m.series("releases")[-1] == 1  # this month, the last one
    other = f.user(Role.staff)
    assert metrics.compute(other).total("releases") == 0  # another department's are not theirs


def test_the_page_has_charts_readable_without_colour_a_table_and_a_csv(client, ctx):
    admin, staff, requester, rel = _activity()
    f.login(client, staff.email)
    page = client.get("/staff/metrics/disclosures").get_data(as_text=True)
    assert page.count('<svg class="chart"') == 4 and "Clawback answers" not in page  # admins only
    assert 'role="img"' in page and "Releases per month: " in page  # the chart names its numbers
    assert '<th scope="row">' in page and "The same figures as a table" in page
    f.post_form(client, "/account", "/logout", {})
    f.login(client, admin.email)
    page = client.get("/staff/metrics/disclosures").get_data(as_text=True)
    assert page.count('<svg class="chart"') == 5 and "Certified deletion" in page
    r = client.get("/staff/metrics/disclosures.csv")
    assert r.mimetype == "text/csv" and "disclosure-metrics.csv" in r.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert rows[0] == ["month", "releases", "downloads", "revocations", "clawback_answers", "holds"]
    assert rows[12][1:] == ["1", "0", "2", "1", "1"]
    assert ["Certified deletion", "1"] in rows
