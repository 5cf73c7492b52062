"""Several workers (here two threads, each with its own database session, as two `flask worker`
processes would have) never take the same job or send the same message twice, and all get done."""
from __future__ import annotations

import threading
import time
from collections import Counter

import sqlalchemy as sa

from portal import mail
from portal.extensions import db
from portal.jobs import services as jobs
from portal.jobs.models import Job, JobState
from portal.mail.models import MailStatus, OutgoingMail

N = 40


def _two_workers(app, turn) -> list[int]:
    """Run `turn` in two threads until it reports no more work; how many turns each did."""
    done, errors = [0, 0], []
    start = threading.Barrier(2)

    def work(i):
        try:
            with app.app_context():
                start.wait()
                while turn():
                    done[i] += 1
                db.session.remove()
        except Exception as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    return done


def test_two_workers_take_each_job_once_and_do_them_all(app):
    ran, lock = [], threading.Lock()

    def handle(ref):
        with lock:
            ran.append(ref)
        time.sleep(0.01)  # long enough for the other worker to look for work meanwhile

    jobs.HANDLERS["test-two-workers"] = handle
    try:
        with app.app_context():
            for ref in range(N):
                jobs.enqueue("test-two-workers", ref)
            db.session.commit()
        done = _two_workers(app, jobs.run_one)
    finally:
        del jobs.HANDLERS["test-two-workers"]
    assert sorted(ran) == list(range(N)), Counter(ran).most_common(3)
    assert all(done) and sum(done) == N, done  # both worked, and no job ran twice
    with app.app_context():
        states = db.session.execute(sa.select(Job.state, Job.attempts)).all()
        assert states == [(JobState.done, 1)] * N


def test_two_workers_send_each_message_once(app, mailbox):
    with app.app_context():
        for i in range(N):
            db.session.add(OutgoingMail(to=f"r{i}@example.org", subject=f"message {i}", body="hello"))
        db.session.commit()
    _two_workers(app, lambda: mail.deliver_due(limit=5) > 0)
    for i in range(N):
        assert len(mailbox.to(f"r{i}@example.org")) == 1, i
    with app.app_context():
        assert set(db.session.scalars(sa.select(OutgoingMail.status))) == {MailStatus.sent}
        assert set(db.session.scalars(sa.select(OutgoingMail.attempts))) == {1}
