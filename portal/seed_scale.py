"""`flask seed-scale`: a city's volume of plausible data, loaded in bulk, for measuring at scale.

Rows are made in chunks of requests, each chunk with everything that hangs off its requests
(timeline events, records and their files, releases, grants, deliveries, audit entries), and each
table's rows of a chunk go in with one PostgreSQL COPY (psycopg) or one SQLite executemany, in
foreign-key order. Ids are assigned here (after any existing rows, for --append), PostgreSQL's
sequences are moved past them at the end, tracking-number counters and the audit chain's head are
left where the app expects them, and the audit entries are hash-chained like real ones, so
`flask audit verify` passes. The files behind seeded records do not exist in storage: seeded
grants cannot be downloaded; everything that reads the database works.
"""
from __future__ import annotations

import hashlib
import random
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Callable

import sqlalchemy as sa
from flask import current_app

from .audit import keys
from .audit.models import GENESIS
from .audit.services import canonical, entry_hash
from .core.models import local_date
from .extensions import db

PASSWORD = "scale-password-1"
CHUNK = 5000

DEPARTMENTS = [
    ("police", "Police Department", 25), ("fire", "Fire Department", 6), ("public-works", "Public Works", 8),
    ("clerk", "City Clerk", 6), ("planning", "Planning and Zoning", 7), ("building", "Building Inspections", 6),
    ("finance", "Finance", 4), ("hr", "Human Resources", 4), ("parks", "Parks and Recreation", 3),
    ("transport", "Transportation", 5), ("water", "Water Utility", 3), ("health", "Public Health", 4),
    ("housing", "Housing Authority", 3), ("attorney", "City Attorney", 3), ("mayor", "Office of the Mayor", 3),
    ("council", "City Council", 2), ("it", "Information Technology", 2), ("procurement", "Procurement", 3),
    ("sanitation", "Sanitation", 2), ("animal", "Animal Services", 1)]
FIRST = ("Maria James Wei Aisha Carlos Olivia Noah Fatima Liam Sofia Ethan Priya Mateo Grace Lucas Amara "
         "Daniel Yuki Omar Hannah Diego Chloe Kwame Elena Samuel Leila Jonah Nadia Arjun Rosa").split()
LAST = ("Garcia Smith Nguyen Johnson Okafor Kim Patel Rodriguez Chen Williams Brown Hernandez Lopez "
        "Martin Silva Cohen Jackson Park Ali Novak Rossi Dubois Moreau Tanaka Singh Murphy Kowalski "
        "Andersen Haddad Mensah").split()
DOCS = ["Emails", "Body camera footage", "Incident reports", "Contracts", "Invoices", "Meeting minutes",
        "Inspection reports", "Permits", "Complaints", "Overtime records", "Budget documents",
        "Text messages", "Policies", "Training records", "Dispatch logs", "Work orders", "Salary data",
        "Settlement agreements", "Audit findings", "Building plans", "Traffic studies", "Grant applications"]
TOPICS = ["about the Elm Street shooting", "for the new library", "regarding pothole repairs",
          "on the stadium financing", "about lead in drinking water", "for snow removal",
          "regarding short-term rentals", "on police use of force", "about the bike lane project",
          "for the homeless shelter expansion", "regarding restaurant inspections", "on noise complaints",
          "about the Riverside redevelopment", "for the transit fare study", "regarding zoning variances",
          "on the 911 call center", "about tree removals", "for the opioid settlement",
          "regarding the towing contract", "about surveillance cameras"]
PLACES = ["Main Street", "Oak Avenue", "Harbor District", "Westside", "Maple Park", "Union Square",
          "Lincoln Heights", "the airport", "City Hall", "Pine Ridge", "the waterfront", "Eastgate"]
ASKS = ["Please include attachments and any drafts.", "Electronic copies are preferred.",
        "I am a journalist and request a fee waiver.", "Records in spreadsheet format if possible.",
        "This relates to ongoing community concern.", "Please contact me if the scope needs narrowing."]
EVENT_BODIES = {"acknowledge": "We received your request and are searching for records.",
                "message": "We are reviewing the records and will respond with an estimated date.",
                "note": "Checked with the records custodian; search under way.",
                "close": "Your request has been completed."}
AGENTS = ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/131.0",
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15",
          "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 Safari/537.36", "curl/8.5.0",
          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5) Mobile/15E148"]
OPEN = ["received", "acknowledged", "in_progress", "awaiting_requester", "extended"]
CLOSED = (["fulfilled"] * 45 + ["partially_fulfilled"] * 20 + ["denied"] * 8 + ["no_responsive_records"] * 12
          + ["withdrawn"] * 10 + ["duplicate"] * 5)
RELEASED = {"fulfilled", "partially_fulfilled"}
FILE_TYPES = [("pdf", "application/pdf"), ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              ("csv", "text/csv"), ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
              ("jpg", "image/jpeg")]
YEARS = 6            # requests received over the last six years
FREQUENT_FILERS = 20  # requesters (newsrooms, law firms) who file 5% of all requests
SHARED_FILES = 1000  # policies and datasets released again and again: 10% of records use one
TABLES = ["record_requests", "request_events", "blobs", "records", "releases", "release_records",
          "grants", "deliveries", "audit_entries"]


class Refused(Exception):
    pass


@dataclass
class Counts:
    requests: int = 0
    deliveries: int = 0
    users: int = 0
    departments: int = 0
    events: int = 0
    records: int = 0
    grants: int = 0
    audit: int = 0


def _next_id(table: str) -> int:
    return (db.session.scalar(sa.text(f"SELECT max(id) FROM {table}")) or 0) + 1


class Loader:
    """Writes a chunk's rows of one table: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, connection):
        self.raw = connection.connection.dbapi_connection
        self.pg = connection.dialect.name == "postgresql"

    def write(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        if self.pg:
            with self.raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join("?" for _ in columns)
        self.raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                             [tuple(_sqlite(v) for v in row) for row in rows])


def _sqlite(value):
    """SQLAlchemy's SQLite storage: naive UTC datetimes with microseconds, ISO dates, 0/1."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def check_empty() -> None:
    if db.session.scalar(sa.text("SELECT count(*) FROM record_requests")) or db.session.scalar(
            sa.text("SELECT count(*) FROM users")):
        raise Refused("The database already has users or requests; use --append to add to them.")


def seed(requests: int, deliveries: int, *, append: bool = False, seed: int = 2026,
         progress: Callable[[str], None] = lambda _: None) -> Counts:
    if requests < 1 or deliveries < 0:
        raise Refused("--requests must be at least 1 and --deliveries at least 0.")
    if not append:
        check_empty()
    from .auth.passwords import hash_password
    rng = random.Random(seed)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    connection = db.session.connection()
    loader = Loader(connection)
    counts = Counts(requests=requests)
    ids = {t: _next_id(t) for t in TABLES + ["users", "departments"] if t != "release_records"}
    password_hash = hash_password(PASSWORD)

    depts = _departments(loader, ids, now, counts)
    emails: dict[int, str] = {}
    staff, admins, requesters = _users(loader, ids, requests, depts, password_hash, now, counts, emails)
    chain = _Chain(loader, ids)
    counters = dict(db.session.execute(sa.text("SELECT year, last FROM tracking_counters")).all())
    state = _State(rng, now, depts, staff, admins, requesters, counters, chain, ids, emails,
                   server_side=loader.pg)
    state.shared_blobs = _shared_blobs(loader, ids, state, min(SHARED_FILES, max(1, requests // 100)))
    # Grants: a quarter of the deliveries (each grant downloaded about four times).
    released = max(1, round(requests * 0.6))   # requests that end up fulfilled, roughly
    state.grants_per_record = max(1, round(deliveries / 4 / (released * 1.5))) if deliveries else 0
    state.deliveries_left, state.grants_planned = deliveries, max(1, round(released * 1.5 * state.grants_per_record))

    span = timedelta(days=365 * YEARS)
    start = now - span
    done = 0
    while done < requests:
        size = min(CHUNK, requests - done)
        rows = {t: [] for t in TABLES + ["delivery_plan"]}
        for i in range(done, done + size):
            state.progress = i / requests
            received = start + span * (i / requests) + timedelta(seconds=rng.randint(0, 600))
            _one_request(state, rows, min(received, now))
        if done + size == requests:
            _top_up(state, rows)
        for table in TABLES:
            loader.write(table, COLUMNS[table], rows[table])
            if table == "grants" and rows["delivery_plan"]:
                grant_ids, numbers = zip(*rows["delivery_plan"])
                db.session.execute(sa.text(DELIVERIES_SQL), {"grants": list(grant_ids), "counts": list(numbers),
                                                             "now": now})
        counts.events += len(rows["request_events"])
        counts.records += len(rows["records"])
        counts.grants += len(rows["grants"])
        counts.deliveries += len(rows["deliveries"]) + sum(n for _, n in rows["delivery_plan"])
        done += size
        progress(f"{done:,} of {requests:,} requests ({counts.deliveries:,} deliveries)")
    counts.audit = chain.finish()
    _finish(connection, state)
    return counts


COLUMNS = {
    "record_requests": ["id", "tracking_number", "department_id", "requester_id", "assignee_id", "title",
                        "description", "status", "received_at", "due_date", "closed_at", "preferred_format",
                        "acknowledged_at", "clock_start", "clock_days", "extension_days", "paused_days",
                        "paused_on", "published", "received_on", "closed_on"],
    "request_events": ["id", "request_id", "kind", "at", "actor_id", "body", "public"],
    "blobs": ["id", "sha256", "size", "content_type", "backend", "key", "created_at", "scan_status",
              "scan_attempts"],
    "records": ["id", "request_id", "blob_id", "filename", "disposition", "uploaded_by_id", "uploaded_at"],
    "releases": ["id", "request_id", "released_by_id", "released_at", "public", "row_order_free",
                 "content_marks"],
    "release_records": ["release_id", "record_id"],
    "grants": ["id", "release_id", "record_id", "recipient_id", "public_label", "code", "granted_at",
               "copy_state", "copy_key", "copy_sha256", "copy_size", "copy_content_type"],
    "deliveries": ["id", "grant_id", "at", "ip", "user_agent", "copy_sha256", "sha256", "bytes_sent",
                   "completed", "finished_at"],
    "audit_entries": ["id", "at", "actor_id", "actor", "action", "subject", "data", "prev_hash", "hash",
                      "key_id"],
}


# Ten million rows are made fastest where they go: n downloads of each planned grant, spread
# over the 2,000 hours after its grant, from made-up addresses and browsers (ids from the sequence).
DELIVERIES_SQL = """
INSERT INTO deliveries (grant_id, at, ip, user_agent, copy_sha256, sha256, bytes_sent, completed, finished_at)
SELECT g.id, d.at, '203.0.' || ((g.id * 7 + k) % 256) || '.' || ((g.id * 13 + k * 7) % 254 + 1),
       (ARRAY['""" + "', '".join(AGENTS) + """'])[1 + (g.id + k) % """ + str(len(AGENTS)) + """],
       g.copy_sha256, g.copy_sha256, 50000, true, d.at + interval '2 seconds'
FROM unnest(CAST(:grants AS integer[]), CAST(:counts AS integer[])) AS plan(grant_id, n)
JOIN grants g ON g.id = plan.grant_id
CROSS JOIN LATERAL generate_series(1, plan.n) AS k
CROSS JOIN LATERAL (SELECT least(g.granted_at + ((g.id * 31 + k * 97) % 2000) * interval '1 hour'
                                + k * interval '1 second', CAST(:now AS timestamptz)) AS at) AS d
ORDER BY g.id, k
"""


def _departments(loader, ids, now, counts) -> list[tuple[int, str, int]]:
    existing = {slug for (slug,) in db.session.execute(sa.text("SELECT slug FROM departments"))}
    rows, depts = [], []
    for slug, name, weight in DEPARTMENTS:
        slug = slug if slug not in existing else f"{slug}-{ids['departments']}"
        rows.append((ids["departments"], slug, name, "cpra", now))
        depts.append((ids["departments"], slug, weight))
        ids["departments"] += 1
    loader.write("departments", ["id", "slug", "name", "law", "created_at"], rows)
    counts.departments = len(rows)
    return depts


def _users(loader, ids, requests, depts, password_hash, now, counts, emails):
    rows, staff, admins, requesters = [], {}, [], []
    tag = ids["users"]  # unique e-mail addresses when appending

    def add(email, name, role, dept_id):
        rows.append((ids["users"], email, name, password_hash, role, dept_id, True, now, now))
        ids["users"] += 1
        return ids["users"] - 1
    for n in range(4):
        admins.append(add(f"admin{n}.{tag}@city.example.gov", f"Admin {LAST[n]}", "admin", None))
    for dept_id, slug, _ in depts:
        staff[dept_id] = [add(f"{slug}.staff{n}.{tag}@city.example.gov", f"{FIRST[n]} {LAST[(n + dept_id) % 30]}",
                              "staff", dept_id) for n in range(8)]
    for n in range(max(FREQUENT_FILERS + 5, requests // 4)):
        name = f"{FIRST[n % 30]} {LAST[(n // 30) % 30]}" + (f" {n // 900}" if n >= 900 else "")
        requesters.append(add(f"requester{n}.{tag}@example.com", name, "requester", None))
    loader.write("users", ["id", "email", "name", "password_hash", "role", "department_id", "active",
                           "email_verified_at", "created_at"], rows)
    counts.users = len(rows)
    emails.update({row[0]: row[1] for row in rows})
    return staff, admins, requesters


class _Chain:
    """Audit entries, hash-chained from the current head."""

    def __init__(self, loader, ids):
        self.loader, self.ids = loader, ids
        head = db.session.execute(sa.text("SELECT last_id, last_hash FROM audit_head WHERE id = 1")).first()
        self.last_id, self.last_hash = (head[0], head[1]) if head else (0, GENESIS)
        self.count = 0
        self.key_id, self.key = keys.current(current_app.config)

    def entry(self, rows, at, actor_id, actor, action, subject, data):
        self.last_id += 1
        body = canonical(data)
        digest = entry_hash(self.key, self.last_hash, id=self.last_id, at=at.isoformat(), actor=actor,
                            actor_id=actor_id, action=action, subject=subject, data=body, key_id=self.key_id)
        rows.append((self.last_id, at, actor_id, actor, action, subject, body, self.last_hash, digest,
                     self.key_id))
        self.last_hash = digest
        self.count += 1

    def finish(self) -> int:
        db.session.execute(sa.text("UPDATE audit_head SET last_id = :i, last_hash = :h WHERE id = 1"),
                           {"i": self.last_id, "h": self.last_hash})
        return self.count


@dataclass
class _State:
    rng: random.Random
    now: datetime
    depts: list
    staff: dict
    admins: list
    requesters: list
    counters: dict
    chain: _Chain
    ids: dict
    emails: dict
    shared_blobs: list | None = None
    grants_per_record: int = 0
    deliveries_left: int = 0
    grants_planned: int = 1
    grants_made: int = 0
    progress: float = 0.0
    server_side: bool = False
    recent: deque = field(default_factory=lambda: deque(maxlen=10_000))  # (id, granted_at, copy sha)


def _blob_row(state, n: int, at: datetime):
    ext, ctype = FILE_TYPES[n % len(FILE_TYPES)]
    sha = hashlib.sha256(f"seed-blob-{n}".encode()).hexdigest()
    return (n, sha, 20_000 + (n * 7919) % 5_000_000, ctype, "local", f"seed/{sha[:2]}/{sha}", at, "clean", 1), ext


def _shared_blobs(loader, ids, state, count) -> list[tuple[int, str]]:
    rows, out = [], []
    for _ in range(count):
        row, ext = _blob_row(state, ids["blobs"], state.now - timedelta(days=365 * YEARS))
        rows.append(row)
        out.append((ids["blobs"], ext))
        ids["blobs"] += 1
    loader.write("blobs", COLUMNS["blobs"], rows)
    return out


def _text(rng) -> tuple[str, str]:
    doc, topic, place = rng.choice(DOCS), rng.choice(TOPICS), rng.choice(PLACES)
    year = rng.randint(2015, 2026)
    title = f"{doc} {topic}, {year}"
    description = (f"I request all {doc.lower()} {topic} near {place} from {year}, including records "
                   f"held by contractors and in personal accounts used for city business. "
                   f"{rng.choice(ASKS)} Reference {rng.randint(1000, 99999)}.")
    return title, description


def _one_request(s: _State, rows: dict, received: datetime) -> None:
    rng, ids = s.rng, s.ids
    rid = ids["record_requests"]
    ids["record_requests"] += 1
    dept_id = rng.choices([d[0] for d in s.depts], weights=[d[2] for d in s.depts])[0]
    requester = (s.requesters[rng.randrange(FREQUENT_FILERS)] if rng.random() < 0.05
                 else s.requesters[rng.randrange(len(s.requesters))])
    staff = s.staff[dept_id]
    age = (s.now - received).days
    status = (rng.choice(OPEN) if age < 45 or rng.random() < 0.02 else rng.choice(CLOSED))
    is_open = status in OPEN
    assignee = rng.choice(staff) if (not is_open or rng.random() < 0.8) else None
    days = rng.choice([5, 10, 10, 20])
    ext = 14 if status == "extended" or rng.random() < 0.1 else 0
    due = received.date() + timedelta(days=round((days + ext) * 1.4))
    closed_at = None if is_open else received + timedelta(days=rng.expovariate(1 / 14), hours=rng.randint(1, 8))
    if closed_at and closed_at > s.now:
        closed_at = s.now
    acknowledged = received + timedelta(hours=rng.randint(2, 72)) if status != "received" else None
    if acknowledged and acknowledged > s.now:
        acknowledged = s.now
    year = received.year
    s.counters[year] = s.counters.get(year, 0) + 1
    title, description = _text(rng)
    rows["record_requests"].append((
        rid, f"{year}-{s.counters[year]:06d}", dept_id, requester, assignee, title, description, status,
        received, due, closed_at, "any", acknowledged, received.date(), days, ext, 0,
        received.date() + timedelta(days=3) if status == "awaiting_requester" else None, True,
        local_date(received), local_date(closed_at) if closed_at else None))
    tracking = f"{year}-{s.counters[year]:06d}"
    s.chain.entry(rows["audit_entries"], received, requester, s.emails[requester], "request.file",
                  f"request:{rid}", {"tracking_number": tracking})
    actor = assignee or staff[0]
    events = [("acknowledge", acknowledged)] if acknowledged else []
    if rng.random() < 0.6:
        events.append(("message", (acknowledged or received) + timedelta(days=rng.randint(1, 10))))
    if rng.random() < 0.4:
        events.append(("note", (acknowledged or received) + timedelta(days=rng.randint(1, 10))))
    if closed_at:
        events.append(("close", closed_at))
    for kind, at in events:
        rows["request_events"].append((ids["request_events"], rid, kind, min(at, s.now), actor,
                                       EVENT_BODIES[kind], kind != "note"))
        ids["request_events"] += 1
    if status in RELEASED and s.grants_per_record:
        _release(s, rows, rid, requester, actor, closed_at)


def _release(s: _State, rows, rid, requester, actor, released_at) -> None:
    rng, ids = s.rng, s.ids
    release_id = ids["releases"]
    ids["releases"] += 1
    rows["releases"].append((release_id, rid, actor, released_at, False, False, False))
    for n in range(rng.choice([1, 1, 1, 2, 2, 3])):
        if rng.random() < 0.1:
            blob_id, ext = rng.choice(s.shared_blobs)
        else:
            row, ext = _blob_row(s, ids["blobs"], released_at)
            rows["blobs"].append(row)
            blob_id = ids["blobs"]
            ids["blobs"] += 1
        record_id = ids["records"]
        ids["records"] += 1
        rows["records"].append((record_id, rid, blob_id, f"responsive-{rid}-{n + 1}.{ext}", "release", actor,
                                released_at - timedelta(hours=2)))
        rows["release_records"].append((release_id, record_id))
        for g in range(s.grants_per_record):
            _grant(s, rows, release_id, record_id, requester if g == 0 else None, released_at, ext)
    s.chain.entry(rows["audit_entries"], released_at, actor, s.emails[actor], "release.create",
                  f"request:{rid}", {"release_id": release_id})


def _grant(s: _State, rows, release_id, record_id, recipient, at, ext) -> None:
    ids = s.ids
    gid = ids["grants"]
    ids["grants"] += 1
    s.grants_made += 1
    copy = hashlib.sha256(f"seed-copy-{gid}".encode()).hexdigest()
    s.recent.append((gid, at, copy))
    rows["grants"].append((gid, release_id, record_id, recipient, None if recipient else f"public-{gid}",
                           f"SEED-{gid:014d}", at, "ready", f"copies/{copy}.{ext}", copy, 50_000, "application/pdf"))
    # Spread the deliveries still to make over the grants expected still to come (estimated from
    # the grants made so far once a twentieth of the requests is done); _top_up places the rest.
    expected = s.grants_planned if s.progress < 0.05 else s.grants_made / s.progress
    mean = s.deliveries_left / max(1.0, expected - s.grants_made + 1)
    share = min(s.deliveries_left, int(mean) + (s.rng.random() < mean - int(mean)))
    _deliver(s, rows, gid, at, copy, share)


def _deliver(s: _State, rows, gid, at, copy, count) -> None:
    rng, ids = s.rng, s.ids
    if s.server_side:  # PostgreSQL makes them itself: see DELIVERIES_SQL
        if count:
            rows["delivery_plan"].append((gid, count))
        s.deliveries_left -= count
        return
    for k in range(count):
        when = min(at + timedelta(hours=rng.randint(1, 2000), seconds=k), s.now)
        rows["deliveries"].append((ids["deliveries"], gid, when, f"203.0.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                                   AGENTS[rng.randrange(len(AGENTS))], copy, copy, 50_000, True,
                                   when + timedelta(seconds=2)))
        ids["deliveries"] += 1
    s.deliveries_left -= count


def _top_up(s: _State, rows) -> None:
    """The deliveries the estimate left over, spread over the latest grants (the newest requests
    are still open and have none, so these may be chunks old: their rows are already in)."""
    grants = list(s.recent)
    while s.deliveries_left and grants:
        each = max(1, s.deliveries_left // len(grants))
        for gid, at, copy in grants:
            _deliver(s, rows, gid, at, copy, min(each, s.deliveries_left))
            if not s.deliveries_left:
                break


def _finish(connection, s: _State) -> None:
    for year, last in s.counters.items():
        updated = db.session.execute(sa.text("UPDATE tracking_counters SET last = :l WHERE year = :y"),
                                     {"l": last, "y": year}).rowcount
        if not updated:
            db.session.execute(sa.text("INSERT INTO tracking_counters (year, last) VALUES (:y, :l)"),
                               {"y": year, "l": last})
    if connection.dialect.name == "postgresql":
        for table in TABLES + ["users", "departments"]:
            if table == "release_records":
                continue
            db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                       f"(SELECT coalesce(max(id), 1) FROM {table}))"))
        for table in TABLES + ["users", "departments"]:
            db.session.execute(sa.text(f"ANALYZE {table}"))
