"""Mail is not lost and not sent twice: a refused recipient, the server down, the notifier
killed in the middle of a batch. Both stores."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from lrt_app.clock import SettableClock
from worlds.command_line import SEC, Cli, clean_env

from .conftest import SmtpServer
from .test_notify import REUS, SPIES, run, world

ROOT = Path(__file__).resolve().parents[2]


def test_a_refused_recipient_is_reported_and_does_not_block_the_others(
        cli: Cli, smtp: SmtpServer) -> None:
    world(cli)
    smtp.collector.refuse.add(SPIES)
    report = run(cli)
    assert report["sent"] == 1 and report["refused"] == 1, report
    assert [r.rcpt_tos for r in smtp.collector.received] == [[REUS]]
    assert any("550" in p and "recipient unknown" in p
               for p in report["problems"]), report  # type: ignore[attr-defined]
    status = cli.json("notify", "status")
    assert status["counts"]["refused"] == 1 and status["counts"]["sent"] == 1
    refused = [m for m in status["mail"] if m["status"] == "refused"]
    assert refused[0]["recipient"] == "liesbeth-spies"
    assert "550" in refused[0]["last_error"] and refused[0]["next_attempt"] is None
    cli.at("2023-11-02 09:00")
    assert run(cli)["sent"] == 0  # a permanent refusal is not tried again
    text = cli.ok("notify", "status")
    assert "refused 1" in text and "recipient unknown" in text


def test_server_down_nothing_lost_sent_when_back(cli: Cli, smtp: SmtpServer) -> None:
    world(cli)
    smtp.stop()
    try:
        report = run(cli, code=3)
        assert report["sent"] == 0 and report["failed"] == 1 and report["unreachable"]
        status = cli.json("notify", "status")
        assert status["counts"] == {"pending": 1, "failing": 1, "sent": 0, "refused": 0,
                                    "dropped": 0}
        failing = next(m for m in status["mail"] if m["status"] == "failing")
        assert failing["attempts"] == 1 and failing["next_attempt"] and failing["last_error"]
        assert "127.0.0.1" in failing["last_error"]
        cli.at("2023-11-01 09:00:30")  # still down, and still in back-off for the first
        report = run(cli, code=3)
        assert report["failed"] == 1 and report["waiting"] == 1
    finally:
        smtp.start()
    cli.at("2023-11-01 09:10")  # past every back-off
    report = run(cli)
    assert report["sent"] == 2, report
    assert sorted(r.rcpt_tos[0] for r in smtp.collector.received) == sorted([SPIES, REUS])
    assert cli.json("notify", "status")["counts"]["sent"] == 2


def test_killed_in_the_middle_of_a_batch_then_run_again(store, smtp: SmtpServer) -> None:
    """SIGKILL of `lrt notify run` (a process of its own, on the system clock) while the
    server takes the fifth message; then another run: every decision delivered, and a
    message delivered twice carries the same Message-ID."""
    cli = Cli(db=store, clock=SettableClock(datetime.now(timezone.utc) - timedelta(hours=1)))
    cli.ok  # noqa: B018
    assert cli.invoke("init", "--admin", SEC, "--organisation", "JenV",
                      "--organisation-name", "JenV", user=None).exit_code == 0
    cli.new("org", "add", "VNG", "Vereniging van Nederlandse Gemeenten")
    cli.new("table", "add", "LRT", "Landelijke Regietafel", "--secretariat", "JenV")
    members = 8
    since = (datetime.now(timezone.utc) - timedelta(days=30)).date().isoformat()
    for n in range(members):
        key = cli.new("person", "add", f"Lid {n}", "--id", f"lid-{n}")
        cli.ok("person", "email", key, f"lid{n}@vng.example")
        cli.new("member", "add", "LRT", key, "--organisation", "VNG", "--function", "lid",
                "--since", since)
    starts = (datetime.now(timezone.utc) + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M+00:00")
    cli.new("meeting", "schedule", "LRT", "--at", starts, "--place", "Webex")

    env = clean_env(**smtp.env(), PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-c", "from cli.main import main; main()", "--db", store.url,
         "--as", SEC, "notify", "run"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def kill_at_fifth(count: int) -> None:
        if count == 5:  # the message is in, its acceptance not yet recorded
            os.kill(proc.pid, signal.SIGKILL)

    smtp.collector.on_data = kill_at_fifth
    try:
        proc.wait(timeout=120)
    finally:
        smtp.collector.on_data = None
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    first = len(smtp.collector.received)
    assert 5 <= first < members

    time.sleep(0.01)
    cli.clock.set(datetime.now(timezone.utc) + timedelta(seconds=1))
    report = run(cli)
    assert report["decided"] == 0, report  # every decision was recorded by the first run
    status = cli.json("notify", "status", "--all")
    assert status["counts"]["sent"] == members and status["counts"]["pending"] == 0
    by_address: dict[str, set[str]] = {}
    for r in smtp.collector.received:
        by_address.setdefault(r.rcpt_tos[0], set()).add(r.message["Message-ID"])
    assert sorted(by_address) == sorted(f"lid{n}@vng.example" for n in range(members))
    assert all(len(ids) == 1 for ids in by_address.values()), by_address
    delivered = Counter(r.rcpt_tos[0] for r in smtp.collector.received)
    assert sum(delivered.values()) in (members, members + 1)  # at most the one in flight
    assert run(cli)["sent"] == 0
    assert json.loads(cli.ok("audit", "verify", "--json"))["ok"] is True


def test_follow_sends_as_events_are_recorded(store, smtp: SmtpServer) -> None:
    """`lrt notify follow` (a process; PostgreSQL: woken by the subscription) sends the
    invitations of a meeting scheduled while it runs, and stops on SIGTERM."""
    cli = Cli(db=store, clock=SettableClock(datetime.now(timezone.utc) - timedelta(hours=1)))
    assert cli.invoke("init", "--admin", SEC, "--organisation", "JenV",
                      "--organisation-name", "JenV", user=None).exit_code == 0
    cli.new("org", "add", "VNG", "Vereniging van Nederlandse Gemeenten")
    cli.new("table", "add", "LRT", "Landelijke Regietafel", "--secretariat", "JenV")
    since = (datetime.now(timezone.utc) - timedelta(days=30)).date().isoformat()
    for n in range(2):
        cli.new("person", "add", f"Lid {n}", "--id", f"lid-{n}")
        cli.ok("person", "email", f"lid-{n}", f"lid{n}@vng.example")
        cli.new("member", "add", "LRT", f"lid-{n}", "--organisation", "VNG", "--function",
                "lid", "--since", since)
    interval = "30" if store.kind == "postgres" else "1"  # PostgreSQL: woken by LISTEN
    proc = subprocess.Popen(
        [sys.executable, "-c", "from cli.main import main; main()", "--db", store.url,
         "--as", SEC, "notify", "follow", "--interval", interval],
        cwd=ROOT, env=clean_env(**smtp.env(), PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(3)  # started, and waiting
        cli.clock.set(datetime.now(timezone.utc))
        starts = (datetime.now(timezone.utc) + timedelta(days=10)).strftime(
            "%Y-%m-%dT%H:%M+00:00")
        cli.new("meeting", "schedule", "LRT", "--at", starts, "--place", "Webex")
        waited = 0.0
        while len(smtp.collector.received) < 2 and waited < 25 and proc.poll() is None:
            time.sleep(0.2)
            waited += 0.2
        assert sorted(r.rcpt_tos[0] for r in smtp.collector.received) == \
            ["lid0@vng.example", "lid1@vng.example"]
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "stopped" in err and "Traceback" not in err
