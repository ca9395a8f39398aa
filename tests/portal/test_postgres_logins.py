"""The portal on PostgreSQL with the logins of the README, not the superuser: a writer of
the secretariat issues login links; the portal's login (lrt_writer and lrt_delegate)
redeems them, keeps its sessions and counts the login attempts; nobody else reads those
tables (a writer only inserts links); a portal login that is
not a delegate is refused at start."""

from __future__ import annotations

import re
from collections.abc import Iterator

import psycopg
import pytest
from starlette.testclient import TestClient

import stores
from lrt_app.bootstrap import portal_application
from lrt_domain.errors import Forbidden
from web.app import PortalConfig, create_app
from worlds.command_line import SEC, Cli


def login(store: stores.TestStore, name: str, *roles: str) -> str:
    assert store.server is not None
    store.server.execute(
        f'DO $$ BEGIN CREATE ROLE "{name}" LOGIN; '
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        *(f'GRANT {role} TO "{name}"' for role in roles))
    url: str = store.server.url(store.dbname, user=name)
    return url


@pytest.fixture
def pg(postgres_server: object, tmp_path_factory: pytest.TempPathFactory
       ) -> Iterator[stores.TestStore]:
    factory = stores.StoreFactory("postgres", tmp_path_factory,
                                  postgres_server)  # type: ignore[arg-type]
    yield factory()
    factory.drop()


def test_the_portal_logins_and_their_grants(pg: stores.TestStore) -> None:
    cli = Cli(db=pg)
    cli.at("2023-10-02 09:00")
    assert cli.invoke("init", "--admin", SEC, "--organisation", "JenV",
                      "--organisation-name", "JenV", user=None).exit_code == 0
    cli.new("person", "add", "Liesbeth Spies", "--id", "liesbeth-spies")
    cli.new("org", "add", "VNG", "Vereniging van Nederlandse Gemeenten")
    cli.new("user", "add", "spies", "--role", "member", "--organisation", "VNG",
            "--person", "liesbeth-spies")
    writer = login(pg, SEC, "lrt_writer")
    portal = login(pg, "portaal", "lrt_writer", "lrt_delegate")
    login(pg, "woo", "lrt_reader")

    # a writer issues the link (as itself: the database login is the acting user)
    link = Cli(db=stores.TestStore("postgres", writer, pg.server, pg.dbname),
               clock=cli.clock).ok("user", "link", "spies", user=None).strip()
    token = link.rsplit("/", 1)[1]

    # a portal whose login may not act for others is refused before it serves
    with pytest.raises(Forbidden, match="lrt_delegate"):
        portal_application(writer)

    config = PortalConfig(db=portal, clock=cli.clock, secret="p" * 40)
    with TestClient(create_app(config), follow_redirects=False) as client:
        page = client.get(f"/inloggen/{token}")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        assert client.post("/inloggen", data={"token": token, "csrf": csrf[1]}
                           ).status_code == 303
        assert client.get("/").status_code == 200  # the session, kept by the delegate
        # a failed attempt, counted (and its old ones deleted) by the delegate
        assert client.post("/inloggen", data={"token": "wrong", "csrf": csrf[1]}
                           ).status_code == 403
    assert pg.execute("SELECT COUNT(*) FROM lrt_login_attempts") == [(1,)]

    # neither table is anyone else's to read
    assert pg.server is not None
    for user in (SEC, "woo"):
        with psycopg.connect(host="127.0.0.1", port=pg.server.port, user=user,
                             dbname=pg.dbname, autocommit=True) as c:
            for table in ("lrt_portal_sessions", "lrt_login_links", "lrt_login_attempts"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    c.execute(f"SELECT * FROM {table}")
