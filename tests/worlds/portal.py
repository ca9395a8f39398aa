"""The member portal's test world: a store set up through the command line (the clock
injected), and the portal served on it on a free loopback port, in a thread of the test.

The world, on 10 November 2023 at 11:50 (Amsterdam):
- table LRT (run by JenV): members spies (VNG) and de-reus (IPO); the meeting of 3 November
  was held, its minutes circulated until 17 November 12:00 (an action line for VNG);
  the meeting of 10 November at 14:00 has a document whose round closes at 12:00 today,
  and kolff (a guest) is invited to it; the meeting of 1 December is planned;
- table HLRT (run by JenV): de-reus only; its meeting of 2 November held, minutes
  circulated: not spies's.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import uvicorn

from web.app import Portal, PortalConfig, create_app

from .command_line import MINUTES_MD, SEC, Cli

A, B, C, H = "LRT-2023-11-03", "LRT-2023-11-10", "LRT-2023-12-01", "HLRT-2023-11-02"
DOC = f"{B}/D1"
ACTION = f"{A}/A1"


def build_world(cli: Cli, tmp: Path) -> None:
    cli.at("2023-10-02 09:00")
    init = cli.invoke("init", "--admin", SEC, "--organisation", "JenV",
                      "--organisation-name", "Ministerie van Justitie en Veiligheid", user=None)
    assert init.exit_code == 0, init.stderr
    for code, name in [("VNG", "Vereniging van Nederlandse Gemeenten"),
                       ("IPO", "Interprovinciaal Overleg")]:
        cli.new("org", "add", code, name)
    cli.new("person", "add", "Liesbeth Spies", "--id", "liesbeth-spies", "--title", "Mevr.")
    cli.new("person", "add", "Jan de Reus", "--id", "de-reus", "--title", "Dhr.")
    cli.new("person", "add", "Paul Kolff", "--id", "kolff", "--title", "Dhr.")
    for table, name in [("LRT", "Landelijke Regietafel Migratie en Integratie"),
                        ("HLRT", "Hoogambtelijke Regietafel")]:
        cli.new("table", "add", table, name, "--secretariat", "JenV")
    cli.new("member", "add", "LRT", "liesbeth-spies", "--organisation", "VNG",
            "--function", "bestuurder VNG", "--since", "2023-09-01", "--office-holder")
    for table in ("LRT", "HLRT"):
        cli.new("member", "add", table, "de-reus", "--organisation", "IPO",
                "--function", "bestuurder IPO", "--since", "2023-09-01", "--office-holder")
    cli.new("user", "add", "spies", "--role", "member", "--organisation", "VNG",
            "--person", "liesbeth-spies")
    cli.new("user", "add", "de-reus", "--role", "member", "--organisation", "IPO",
            "--person", "de-reus")
    cli.new("user", "add", "kolff", "--role", "guest", "--person", "kolff")

    cli.at("2023-11-01 10:00")
    assert cli.new("meeting", "schedule", "LRT", "--at", "2023-11-03 09:15",
                   "--place", "Webex") == A
    assert cli.new("meeting", "schedule", "HLRT", "--at", "2023-11-02 10:00",
                   "--place", "Den Haag") == H
    for meeting in (A, H):
        for title in ("Opening en mededelingen", "Huisvesting statushouders", "WVTTK"):
            cli.new("agenda", "add", meeting, title)
    draft = tmp / "verslag.md"
    draft.write_text(MINUTES_MD, encoding="utf8")
    cli.at("2023-11-02 10:00")
    cli.ok("meeting", "hold", H)
    cli.at("2023-11-02 12:00")
    cli.new("minutes", "draft", H, "--from", str(draft))
    cli.ok("minutes", "circulate", H, "--deadline", "2023-11-20 12:00")
    cli.at("2023-11-03 09:15")
    cli.ok("meeting", "hold", A)
    cli.ok("attendance", "record", A, "liesbeth-spies", "remote")
    cli.ok("attendance", "record", A, "de-reus", "present")
    cli.at("2023-11-06 10:00")
    cli.new("minutes", "draft", A, "--from", str(draft))
    cli.ok("minutes", "circulate", A, "--deadline", "2023-11-17 12:00")
    cli.at("2023-11-06 10:05")
    assert cli.new("meeting", "schedule", "LRT", "--at", "2023-11-10 14:00",
                   "--place", "Webex") == B
    cli.new("agenda", "add", B, "Opening")
    letter = tmp / "brief.txt"
    letter.write_text("Conceptbrief aan de Tweede Kamer.\n\n(concepttekst)\n", encoding="utf8")
    assert cli.new("document", "add", B, "Conceptbrief Tweede Kamer", "--from",
                   str(letter)) == DOC
    cli.ok("document", "send", DOC)
    cli.ok("document", "round", DOC, "--deadline", "2023-11-10 12:00")
    cli.ok("meeting", "invite", B, "kolff")
    assert cli.new("meeting", "schedule", "LRT", "--at", "2023-12-01 09:15",
                   "--place", "Den Haag") == C
    cli.at("2023-11-10 11:50")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Served:
    base: str
    server: uvicorn.Server
    thread: threading.Thread
    portal: Portal

    def link(self, user: str, valid: timedelta = timedelta(minutes=15)) -> str:
        """A login link, as `lrt user link USER` prints it (issued by the secretariat, in
        the served application: no command line to start)."""
        with self.portal.lock:
            token = self.portal.app.issue_login_link(SEC, user, valid)
        return f"{self.base}/inloggen/{token}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def serve(config: PortalConfig) -> Served:
    """The portal on a free loopback port, in a thread; returns once it listens."""
    port = free_port()
    config.base_url = f"http://127.0.0.1:{port}"
    web = create_app(config)
    server = uvicorn.Server(uvicorn.Config(web, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name="portal", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the portal did not start")
        time.sleep(0.02)
    return Served(config.base_url, server, thread, web.state.portal)


def served(cli: Cli) -> Iterator[Served]:
    running = serve(PortalConfig(db=cli.store.url, clock=cli.clock, secret="x" * 40))
    try:
        yield running
    finally:
        running.stop()
