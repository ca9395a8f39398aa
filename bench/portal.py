"""The portal under a deadline: 50 members, each a real HTTP client on loopback, commenting
in the last 30 seconds before a comment round closes, and a few seconds after it.

    .venv/bin/python -m bench.portal                       # SQLite, then PostgreSQL
    .venv/bin/python -m bench.portal --stores sqlite --clients 20

For each store: a fresh store (SQLite: a file in a temporary directory; PostgreSQL: a private
server from tests/pg_server.py, fsync on) with one table of N members, each a user; a
document whose round closes 45 s after the set-up; `lrt serve` started as a user starts it
(SQLite: one process; PostgreSQL: `--workers 4` and `lrt projections follow`, as in
production); every member logged in with a one-time link. Then every client sends its
comments at random moments from 30 s before the deadline to 5 s after it, each a POST of
the comment form, and notes the answer: 303 (kept) or the page refusing it.

Reported: accepted, refused, lost (an accepted comment not in the store: must be 0),
accepted after the deadline (a stored comment received after it: must be 0), refused although
sent before the deadline (the request reached the server after it), gave up (lrt decided
again 10 times on a round others kept changing and asked the member to send it again: not
stored, and said so), other answers, errors, and the latency p50 / p99 of the POSTs, as the
clients measured them.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

LRT = str(Path(sys.executable).with_name("lrt"))
ENV = {k: v for k, v in os.environ.items() if not k.startswith("LRT_")}
ENV["PYTHONPATH"] = os.pathsep.join([str(ROOT), ENV.get("PYTHONPATH", "")]).rstrip(os.pathsep)
SEC = "sec"
BEFORE, AFTER = 30.0, 5.0  # the window, in seconds around the deadline
SETTLE = 45.0  # the deadline: this long after the set-up


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def set_up(db: str, clients: int) -> tuple[str, list[str]]:
    """The table, its members and users, a document; a login token for each member."""
    from lrt_app.bootstrap import build

    subprocess.run([LRT, "--db", db, "init", "--admin", SEC, "--organisation", "JenV",
                    "--organisation-name", "JenV"], env=ENV, check=True, capture_output=True)
    app = build(db)
    try:
        app.register_organisation(SEC, "VNG", "Vereniging van Nederlandse Gemeenten")
        app.register_table(SEC, "LRT", "Landelijke Regietafel", kind=_kind(),
                           secretariat="JenV")
        from lrt_domain.base import Role

        for n in range(clients):
            person = app.register_person(SEC, f"Lid {n:02d}", person_key=f"lid-{n:02d}")
            app.add_member(SEC, "LRT", person=person, organisation="VNG", function="lid",
                           since=datetime.now(timezone.utc).date() - timedelta(days=30),
                           office_holder=True)
            app.register_user(SEC, f"lid{n:02d}", Role.MEMBER, organisation="VNG",
                              person=person)
        now = app.clock.now()
        meeting = app.schedule_meeting(SEC, "LRT", now + timedelta(days=7), "Webex")
        document = app.add_document(SEC, meeting, "Conceptbrief", "Tekst.")
        app.send_document(SEC, document)
        tokens = [app.issue_login_link(SEC, f"lid{n:02d}", timedelta(minutes=10))
                  for n in range(clients)]
        return document, tokens
    finally:
        app.close()


def open_round(db: str, document: str) -> datetime:
    """The round, closing SETTLE s from now (the real clock: the server judges by it)."""
    from lrt_app.bootstrap import build

    app = build(db)
    try:
        deadline = app.clock.now() + timedelta(seconds=SETTLE)
        app.open_comment_round(SEC, document, deadline)
        return deadline
    finally:
        app.close()


def _kind() -> Any:
    from lrt_domain.tables import TableKind

    return list(TableKind)[0]


class Client(threading.Thread):
    def __init__(self, base: str, link: str, document: str, deadline: float, comments: int,
                 name: str, start_at: threading.Event):
        super().__init__(daemon=True)
        self.base, self.link, self.document = base, link, document
        self.deadline, self.name_, self.start_at = deadline, name, start_at
        # moments (seconds relative to the deadline), most before it, one after
        self.moments = sorted([random.uniform(-BEFORE, 0) for _ in range(comments - 1)]
                              + [random.uniform(-BEFORE, AFTER)])
        self.results: list[dict[str, Any]] = []
        self.error: str | None = None

    def run(self) -> None:
        import httpx

        try:
            with httpx.Client(base_url=self.base, timeout=60) as c:
                page = c.get(self.link)
                token = self.link.rsplit("/", 1)[1]
                csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
                assert csrf, page.text[:300]
                r = c.post("/inloggen", data={"token": token, "csrf": csrf[1]})
                assert r.status_code == 303, r.text[:300]
                page = c.get(f"/document/{self.document}")
                csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
                assert csrf and page.status_code == 200, (page.status_code, page.text[:500])
                self.start_at.wait()
                for i, moment in enumerate(self.moments):
                    delay = self.deadline + moment - time.time()
                    if delay > 0:
                        time.sleep(delay)
                    text = f"{self.name_} reactie {i}"
                    sent = time.time()
                    r = c.post(f"/reageren/{self.document}",
                               data={"csrf": csrf[1], "tekst": text, "formulier": "reactie"})
                    took = time.time() - sent
                    self.results.append({
                        "text": text, "sent": sent - self.deadline, "took": took,
                        "status": r.status_code,
                        "closed": "De reactieronde is gesloten" in r.text,
                        "gave up": "Verstuur het formulier opnieuw" in r.text})
        except Exception as e:  # reported, not hidden
            self.error = f"{type(e).__name__}: {e}"


def serve(db: str, postgres: bool, workers: int) -> tuple[subprocess.Popen[str], str,
                                                           list[subprocess.Popen[str]]]:
    port = free_port()
    extra: list[subprocess.Popen[str]] = []
    if postgres:  # the views kept current by the follower, as in production
        extra.append(subprocess.Popen([LRT, "--db", db, "projections", "follow"], env=ENV,
                                      stdout=subprocess.DEVNULL,
                                      stderr=open(os.devnull if not os.environ.get(
                                          "LRT_BENCH_DEBUG") else "/tmp/lrt-bench-follow.log",
                                          "w"), text=True))
    process = subprocess.Popen([LRT, "--db", db, "serve", "--port", str(port),
                                *(["--workers", str(workers)] if postgres else [])],
                               env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    base = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{base}/static/lrt.css").status_code == 200:
                return process, base, extra
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(process.communicate()[1])
        time.sleep(0.2)


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def stored(db: str, document: str) -> list[Any]:
    from lrt_app.bootstrap import build
    from lrt_domain.documents import Document

    app = build(db)
    try:
        d = app.get(Document, document)
        return list(app.round_comments(d, d.rounds[-1].number))
    finally:
        app.close()


def run(kind: str, clients: int, comments: int, workers: int) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="lrt-bench-portal-"))
    server = None
    try:
        if kind == "postgres":
            from pg_server import PostgresServer

            server = PostgresServer().start()
            server.execute("ALTER SYSTEM SET fsync = on", "ALTER SYSTEM SET full_page_writes = on",
                           "SELECT pg_reload_conf()")
            db = server.create_database("portal")
        else:
            db = str(tmp / "lrt.sqlite")
        document, tokens = set_up(db, clients)
        process, base, extra = serve(db, kind == "postgres", workers)
        try:
            links = [f"{base}/inloggen/{token}" for token in tokens]
            deadline_at = open_round(db, document)
            start = threading.Event()
            deadline = deadline_at.timestamp()
            threads = [Client(base, link, document, deadline, comments, f"lid{n:02d}", start)
                       for n, link in enumerate(links)]
            for t in threads:
                t.start()
            if time.time() > deadline - BEFORE:
                raise RuntimeError("the set-up took longer than the time before the deadline; "
                                   "raise SETTLE")
            start.set()
            for t in threads:
                t.join(timeout=BEFORE + AFTER + 120)
        finally:
            stop(process)
            for p in extra:
                stop(p)
        results = [r for t in threads for r in t.results]
        errors = [t.error for t in threads if t.error]
        kept = stored(db, document)
        kept_texts = {c.text for c in kept}
        accepted = [r for r in results if r["status"] == 303]
        refused = [r for r in results if r["closed"]]
        gave_up = [r for r in results if r["gave up"]]
        other = [r for r in results if r["status"] != 303 and not r["closed"]
                 and not r["gave up"]]
        latencies = sorted(r["took"] * 1000 for r in results)
        return {
            "store": kind, "clients": clients, "sent": len(results),
            "accepted": len(accepted), "refused": len(refused),
            "lost": sum(1 for r in accepted if r["text"] not in kept_texts),
            "late accepted": sum(1 for c in kept if c.received_at > deadline_at),
            "refused, sent before": sum(1 for r in refused if r["sent"] <= 0),
            "gave up": len(gave_up),
            "other answers": len(other),
            "other statuses": sorted({r["status"] for r in other}),
            "errors": len(errors) + (1 if len(kept) != len(accepted) else 0),
            "p50 ms": statistics.median(latencies) if latencies else 0.0,
            "p99 ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] if latencies else 0.0,
            "first error": errors[0] if errors else "",
        }
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def overview(store: str, requests: int, moment: datetime | None) -> dict[str, Any]:
    """"Mijn overzicht" on a large store (`bench.history`): the server's time for the page,
    in process (Starlette's test client: the framework, the views, the template; no
    network), for the active member whose login was registered last, logged in with a
    link written straight into the link table (the bench is no secretariat)."""
    from starlette.testclient import TestClient

    from lrt_domain.directory import User
    from projections.views import Views
    from web.app import PortalConfig, create_app

    from lrt_app.clock import SettableClock

    clock = SettableClock(moment) if moment else None  # the history's own "now"
    web = create_app(PortalConfig(db=store, secret="b" * 40, clock=clock))
    app = web.state.portal.app
    users = Views.open(app).model.states(User)
    members = sorted((u for u in users if u.role.value == "member" and u.active),
                     key=lambda u: int(u.key[1:]) if u.key[1:].isdigit() else -1)
    user = members[-1].key
    token = app.portal_store.issue_link(user, by="bench", now=app.clock.now(),
                                        valid=timedelta(minutes=10))
    times = []
    events = app.recorder.max_notification_id()
    with TestClient(web, follow_redirects=False) as client:
        page = client.get(f"/inloggen/{token}")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        assert client.post("/inloggen", data={"token": token, "csrf": csrf[1]}
                           ).status_code == 303
        for n in range(requests + 3):
            began = time.perf_counter()
            response = client.get("/")
            took = (time.perf_counter() - began) * 1000
            assert response.status_code == 200, response.text[:300]
            if n >= 3:  # warm-up
                times.append(took)
        body = response.text
    times.sort()
    return {"user": user, "events": events,
            "p50 ms": statistics.median(times),
            "p99 ms": times[max(0, int(len(times) * 0.99) - 1)],
            "rounds": body.count("<tr"), "bytes": len(body)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--overview", metavar="STORE",
                        help="instead: time 'Mijn overzicht' on this (large) SQLite store")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--at", type=datetime.fromisoformat,
                        help="with --overview: the moment to ask at (e.g. the history's "
                             "last day, '2022-08-24T12:00+02:00') [default: now]")
    parser.add_argument("--stores", nargs="+", choices=("sqlite", "postgres"),
                        default=["sqlite", "postgres"])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--comments", type=int, default=4, help="per client")
    parser.add_argument("--workers", type=int, default=4, help="on PostgreSQL")
    args = parser.parse_args()
    if args.overview:
        row = overview(args.overview, args.requests, args.at)
        print(f"Mijn overzicht for {row['user']} on {row['events']:,} events: "
              f"p50 {row['p50 ms']:.1f} ms, p99 {row['p99 ms']:.1f} ms "
              f"({row['bytes']:,} bytes, {row['rounds']} table rows)")
        return
    columns = ("store", "clients", "sent", "accepted", "refused", "lost", "late accepted",
               "refused, sent before", "gave up", "other answers", "errors", "p50 ms",
               "p99 ms")
    print("  ".join(f"{c:>10}" for c in columns))
    for kind in args.stores:
        row = run(kind, args.clients, args.comments, args.workers)
        print("  ".join(f"{row[c]:>10.1f}" if isinstance(row[c], float) else f"{row[c]:>10}"
                        for c in columns), flush=True)
        if row["first error"]:
            print(f"  first error: {row['first error']}")
        if row["other statuses"]:
            print(f"  other answers' statuses: {row['other statuses']}")


if __name__ == "__main__":
    main()
