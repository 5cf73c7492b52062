from portal.auth.models import Role
from portal.extensions import db
from portal.record_requests import metrics, workflow
from tests import factories as f


def test_safe_cells_defuse_formulas():
    for raw in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]:
        assert metrics.safe_cell(raw) == "'" + raw
    assert metrics.safe_cell("Police") == "Police" and metrics.safe_cell(3) == "3"


def test_metrics_page_and_csv(client, ctx):
    dept = f.department("police")
    dept.name = "=HYPERLINK(\"http://evil\")"
    staff = f.user(Role.staff, dept=dept)
    done = f.request(dept=dept)
    late = f.request(dept=dept)
    workflow.close(staff, done.id, "fulfilled", "Here they are.")
    late.due_date = late.received_at.date().replace(year=2000)
    db.session.commit()
    m = metrics.compute(staff)
    assert m.months[-1].received == 2 and m.months[-1].closed == 1 and m.share_on_time == 1.0
    assert m.median_days == 0 and m.overdue_by_department == [(dept.name, 1)]
    f.login(client, staff.email)
    page = client.get("/staff/metrics")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<svg" in html and "style=" not in html and "<script" not in html
    csv = client.get("/staff/metrics.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    text = csv.get_data(as_text=True)
    assert text.startswith("month,received,closed,median_days_to_close,share_on_time")
    assert "'=HYPERLINK" in text
