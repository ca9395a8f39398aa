"""A real SMTP server on loopback for the mail tests (aiosmtpd, on a free port, one for the
session), and the command line's fixtures (`worlds.command_line`)."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest

from worlds.command_line import *  # noqa: F401,F403
from worlds.command_line import _no_store_env  # noqa: F401 - autouse, not in *


@dataclass
class Received:
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Collector:
    """What the server received; addresses it refuses (550); a hook on each message."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    on_data: Callable[[int], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 <%s>: recipient unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        with self.lock:
            self.received.append(Received(list(envelope.rcpt_tos), msg))
            count = len(self.received)
        if self.on_data is not None:
            self.on_data(count)
        return "250 2.0.0 OK queued as Q%d" % count

    def clear(self) -> None:
        with self.lock:
            self.received.clear()
        self.refuse.clear()
        self.on_data = None

    def to(self, address: str) -> list[EmailMessage]:
        return [r.message for r in self.received if address in r.rcpt_tos]


@dataclass
class SmtpServer:
    port: int
    collector: Collector
    controller: Any

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {"LRT_SMTP": self.url, "LRT_MAIL_FROM": "Secretariaat LRT <lrt@minjenv.example>",
                "LRT_PORTAL_URL": "https://portaal.example/lrt"}

    def stop(self) -> None:
        self.controller.stop()

    def start(self) -> None:
        self.controller = _controller(self.collector, self.port)
        self.controller.start()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _controller(collector: Collector, port: int) -> Any:
    from aiosmtpd.controller import Controller

    return Controller(collector, hostname="127.0.0.1", port=port)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    collector = Collector()
    port = free_port()
    server = SmtpServer(port, collector, _controller(collector, port))
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.fixture
def smtp(smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """The session's server, emptied, and the settings in the environment."""
    smtp_server.collector.clear()
    for name, value in smtp_server.env().items():
        monkeypatch.setenv(name, value)
    yield smtp_server
    smtp_server.collector.clear()
