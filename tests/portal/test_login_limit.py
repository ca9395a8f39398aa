"""The limit on login attempts is the store's, not a worker's: two portals on one store (as
`lrt serve --workers 2` runs them, each with its own application and connections) count
the same attempts, on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from starlette.testclient import TestClient

import stores
from web.app import PortalConfig, create_app
from worlds.command_line import SEC, Cli

ADDRESS = ("192.0.2.10", 50000)  # the connecting address both portals see
OTHER = ("192.0.2.11", 50000)


@pytest.fixture
def cli(store: stores.TestStore) -> Cli:
    cli = Cli(db=store)
    cli.at("2023-11-10 09:00")
    assert cli.invoke("init", "--admin", SEC, "--organisation", "JenV",
                      "--organisation-name", "JenV", user=None).exit_code == 0
    cli.new("org", "add", "VNG", "Vereniging van Nederlandse Gemeenten")
    cli.new("person", "add", "Liesbeth Spies", "--id", "liesbeth-spies")
    cli.new("user", "add", "spies", "--role", "member", "--organisation", "VNG",
            "--person", "liesbeth-spies")
    return cli


@pytest.fixture
def two(cli: Cli) -> Iterator[tuple[TestClient, TestClient, TestClient]]:
    """Two portals on the store, each its own application (as two workers); a client of
    each from ADDRESS, and one of the first from OTHER."""
    with ExitStack() as stack:
        clients = []
        for n, client in ((1, ADDRESS), (2, ADDRESS), (1, OTHER)):
            config = PortalConfig(db=cli.store.url, clock=cli.clock, secret="w" * 40,
                                  login_failures=3)
            clients.append(stack.enter_context(TestClient(
                create_app(config), follow_redirects=False, client=client)))
        yield clients[0], clients[1], clients[2]


def attempt(client: TestClient, token: str) -> int:
    page = client.get(f"/inloggen/{token}")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf, page.text
    status: int = client.post("/inloggen", data={"token": token, "csrf": csrf[1]}
                              ).status_code
    return status


def link(cli: Cli) -> str:
    return cli.ok("user", "link", "spies").strip().rsplit("/", 1)[1]


def test_the_limit_holds_across_two_portals_on_one_store(
        cli: Cli, two: tuple[TestClient, TestClient, TestClient]) -> None:
    first, second, elsewhere = two
    assert attempt(first, link(cli)) == 303  # a login that succeeds does not count
    first.cookies.clear()  # (a browser without that session)
    # three failed attempts, spread over the two portals
    assert [attempt(first, "wrong"), attempt(second, "wrong"), attempt(first, "wrong")] \
        == [403, 403, 403]
    # now neither portal accepts even a good link from that address: each counted the
    # other's failures, so the address had 3 in all, not 3 per worker
    for portal in (second, first):
        token = link(cli)
        assert attempt(portal, token) == 429
        assert portal.get("/").status_code == 303  # not logged in
    # another address is not limited by it
    assert attempt(elsewhere, link(cli)) == 303
    # the window passes (the application's clock): the address may try again, on either
    cli.clock.advance(minutes=16)
    assert attempt(second, link(cli)) == 303


def test_the_attempts_are_kept_beside_the_log_not_in_it(
        cli: Cli, two: tuple[TestClient, TestClient, TestClient]) -> None:
    first, second, _ = two
    events = len(cli.store.stored_events())
    assert attempt(first, "wrong") == 403
    assert attempt(second, "wrong") == 403
    assert len(cli.store.stored_events()) == events
    rows = cli.store.execute("SELECT address FROM lrt_login_attempts")
    assert [r[0] for r in rows] == [ADDRESS[0], ADDRESS[0]]
