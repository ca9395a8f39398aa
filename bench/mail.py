"""How many messages a `notify run` sends per second to an SMTP server on loopback.

    .venv/bin/python -m bench.mail                 # 200 members, SQLite
    .venv/bin/python -m bench.mail --members 500

A fresh SQLite store: a table with N members who each have an address, a meeting scheduled
(N invitations, each with its .ics) and a document sent (N messages, the document attached).
The invitations are sent by `projections.outbox.run` in this process, the documents by
`lrt notify run` as a process of its own (start-up included). Each message is decided (an
event), rendered, sent over one SMTP connection to aiosmtpd on 127.0.0.1 and its acceptance
recorded (an event): two transactions per message, synchronous=FULL.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import click

ROOT = Path(__file__).resolve().parents[1]
SEC = "sec"


class Counter:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@click.command()
@click.option("--members", type=int, default=200, show_default=True)
def main(members: int) -> None:
    from aiosmtpd.controller import Controller

    from lrt_app.bootstrap import build
    from lrt_app.clock import SettableClock
    from lrt_app.smtp import settings
    from lrt_domain.base import Role
    from lrt_domain.tables import TableKind
    from projections.outbox import run

    counter = Counter()
    port = _free_port()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    env = {"LRT_SMTP": f"smtp://127.0.0.1:{port}",
           "LRT_MAIL_FROM": "Secretariaat LRT <lrt@example.nl>"}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            db = str(Path(tmp) / "mail.sqlite")
            clock = SettableClock(datetime.now(timezone.utc) - timedelta(hours=1))
            app = build(db, clock=clock, initialising=True)
            app.initialise(admin=SEC, organisation="JenV", organisation_name="JenV")
            app.register_organisation(SEC, "VNG", "Vereniging van Nederlandse Gemeenten")
            app.register_table(SEC, "LRT", "Landelijke Regietafel", kind=TableKind.NATIONAL,
                               secretariat="JenV")
            since = (datetime.now(timezone.utc) - timedelta(days=30)).date()
            for n in range(members):
                key = app.register_person(SEC, f"Lid {n}", person_key=f"lid-{n}")
                app.change_person_email(SEC, key, f"lid{n}@vng.example")
                app.add_member(SEC, "LRT", person=key, organisation="VNG", function="lid",
                               since=since)
            starts = datetime.now(timezone.utc) + timedelta(days=10)
            meeting = app.schedule_meeting(SEC, "LRT", starts, "Webex")
            assert Role.SECRETARIAT

            clock.set(datetime.now(timezone.utc))
            began, cpu = time.perf_counter(), time.process_time()
            report = run(app, SEC, settings(env))
            took, cpu = time.perf_counter() - began, time.process_time() - cpu
            assert report.sent == members, report
            click.echo(f"in process: {report.sent} invitations (.ics attached) in "
                       f"{took:.2f} s: {report.sent / took:.0f} messages/s "
                       f"({cpu / report.sent * 1000:.1f} ms of CPU a message, the SMTP "
                       f"server's included); load average {os.getloadavg()[0]:.1f} on "
                       f"{os.cpu_count()} cores")

            document = app.add_document(SEC, meeting, "Conceptbrief",
                                        "Conceptbrief aan de Tweede Kamer.\n" * 200)
            app.send_document(SEC, document)
            app.close()
            before = counter.count
            began = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", "from cli.main import main; main()", "--db", db,
                 "--as", SEC, "notify", "run"], cwd=ROOT, capture_output=True, text=True,
                env={**os.environ, **env, "PYTHONPATH": str(ROOT)}, check=True)
            took = time.perf_counter() - began
            sent = counter.count - before
            assert sent == members, done.stdout + done.stderr
            click.echo(f"lrt notify run (a process): {sent} documents (attached) in "
                       f"{took:.2f} s: {sent / took:.0f} messages/s; {done.stdout.strip()}")
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
