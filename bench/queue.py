"""Times the staff queue page over 10,000 requests on SQLite, against the home page in the same run.

    /work/main/.venv/bin/python -m bench.queue [--requests 10000] [--runs 25]
"""
from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

WORDS = ("overtime police budget contract email minutes paving footage policy training invoice "
         "permit inspection complaint salary roster dispatch audit grant lease").split()


def seed(db, n: int) -> str:
    from portal.auth.models import Department, Role, User
    from portal.auth.passwords import hash_password
    from portal.core.models import utcnow
    from portal.record_requests.models import RecordRequest, Status

    rnd = random.Random(7)
    now = utcnow()
    db.session.execute(sa.insert(Department), [
        {"slug": f"dept-{i}", "name": f"Department {i}", "law": ("foia", "cpra", "foil")[i % 3]}
        for i in range(8)])
    db.session.execute(sa.insert(User), [
        {"email": f"requester{i}@example.org", "name": f"Requester {i}", "role": Role.requester,
         "email_verified_at": now} for i in range(500)])
    db.session.add(User(email="admin@example.org", name="Admin", role=Role.admin,
                        password_hash=hash_password("bench password 1"), email_verified_at=now))
    db.session.flush()
    depts = db.session.scalars(sa.select(Department.id)).all()
    users = db.session.scalars(sa.select(User.id).where(User.role == Role.requester)).all()
    statuses = list(Status)
    rows = []
    for i in range(n):
        received = now - timedelta(days=rnd.randint(0, 400), minutes=rnd.randint(0, 1440))
        status = rnd.choice(statuses)
        rows.append({
            "tracking_number": f"{received.year}-{i:06d}", "department_id": rnd.choice(depts),
            "requester_id": rnd.choice(users), "title": " ".join(rnd.sample(WORDS, 3)).capitalize(),
            "description": " ".join(rnd.choices(WORDS, k=40)), "status": status, "received_at": received,
            "due_date": (received + timedelta(days=rnd.randint(10, 40))).date(),
            "closed_at": received + timedelta(days=20) if status.closed else None,
            "clock_start": received.date(), "clock_days": 20, "extension_days": 0, "paused_days": 0})
    db.session.execute(sa.insert(RecordRequest), rows)
    db.session.commit()
    return "admin@example.org"


def median_ms(client, url: str, runs: int) -> float:
    client.get(url)  # warm caches and templates
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert r.status_code == 200, (url, r.status_code)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=25)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}", "SECRET_KEY": "bench",
                          "WATERMARK_KEY": "bench", "OUTBOX_DIR": str(Path(tmp) / "outbox")},
                         instance_path=tmp)
        with app.app_context():
            upgrade()
            start = time.perf_counter()
            email = seed(db, args.requests)
            seeded = time.perf_counter() - start
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        r = client.post("/login", data={"email": email, "password": "bench password 1", "csrf_token": token})
        assert r.status_code == 302, "login failed"

        base = median_ms(client, "/", args.runs)
        print(f"seeded {args.requests} requests in {seeded:.2f} s; median of {args.runs} runs each")
        print(f"{'baseline: home page /':<48} {base:7.1f} ms")
        for url in ["/staff/requests", "/staff/requests?status=all&sort=-received",
                    "/staff/requests?status=all&q=overtime", "/staff/requests?due=overdue",
                    "/staff/requests?status=all&page=150"]:
            ms = median_ms(client, url, args.runs)
            print(f"{url:<48} {ms:7.1f} ms  ({ms / base:4.1f}x baseline)")


if __name__ == "__main__":
    main()
