"""The staff request page: the request on one side, its documents (each one's state) and actions on the other."""
from __future__ import annotations

from portal.clawback import revocation
from portal.disclosures import documents
from tests import factories as f
from tests.screening.cast import ROSTER, released_and_held


def test_each_document_says_where_it_stands(client, ctx):
    admin, staff, second, requester, req, flagged, memo, rel = released_and_held()
    client.get(f"/api/v1/grants/{rel.grants[0].id}/download", headers=f.token_for(requester)).get_data()
    revocation.revoke_grant(staff, rel.grants[1].id, "Wrong address")
    f.commit()
    docs = {d.record.filename: d for d in documents.documents_of(staff, req.id)}
    assert docs["roster.csv"].flagged and any("José Álvarez" in x for x in docs["roster.csv"].found)
    assert not docs["roster.csv"].released
    memo_state = docs["memo.txt"]
    assert memo_state.recipients == [requester.name, "lawyer"] and memo_state.downloads == 1
    assert memo_state.revoked == 1 and memo_state.live == 1

    f.login(client, staff.email)
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert 'class="req-layout"' in page and 'aria-label="Documents and actions"' in page
    assert 'class="action-bar no-print"' in page and 'href="#act-acknowledge"' in page
    side = page.split('aria-label="Documents and actions"', 1)[1]
    assert "Screening flagged it" in side and "José Álvarez" in side
    assert f"Released to {requester.name}, lawyer · 1 download" in side and "1 revoked" in side
    assert f'/staff/files/{memo.sha256}/revoke' in side  # a live link can still be revoked, after a confirmation


def test_the_requester_sees_no_documents_panel(client, ctx):
    _, staff, requester, req = f.scenario()
    f.upload(staff, req, ROSTER, filename="roster.csv")
    f.login(client, requester.email)
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert "Documents and actions" not in page and "roster.csv" not in page
