"""Identity in the portal, over HTTP (Starlette's test client, no browser): sessions end
when idle, login attempts are limited, the single sign-on header is taken only from the
trusted proxy, cookies are Secure behind https; login links are issued only by those who
may register the user, and are kept only as hashes, never in the event log."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from web.app import PortalConfig, create_app
from worlds.command_line import Cli
from worlds.portal import A


def client(cli: Cli, address: str = "testclient", **settings: Any) -> TestClient:
    config = PortalConfig(db=cli.store.url, clock=cli.clock, secret="s" * 40, **settings)
    return TestClient(create_app(config), base_url=config.base_url, follow_redirects=False,
                      client=(address, 50000))


@pytest.fixture
def portal(world: Cli) -> Iterator[TestClient]:
    with client(world) as c:
        yield c


def csrf(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, page
    return match[1]


def log_in(c: TestClient, cli: Cli, user: str) -> str:
    token = cli.ok("user", "link", user).strip().rsplit("/", 1)[1]
    page = c.get(f"/inloggen/{token}")
    response = c.post("/inloggen", data={"token": token, "csrf": csrf(page.text)})
    assert response.status_code == 303 and response.headers["location"] == "/", response.text
    return token


def test_a_session_ends_when_idle(portal: TestClient, world: Cli) -> None:
    log_in(portal, world, "spies")
    assert portal.get("/").status_code == 200
    world.clock.advance(minutes=29)
    assert portal.get("/").status_code == 200  # used: kept alive
    world.clock.advance(minutes=31)
    response = portal.get("/")
    assert response.status_code == 303 and response.headers["location"] == "/inloggen"


def test_login_attempts_are_limited(world: Cli) -> None:
    # an address of its own: the attempts are the store's, kept for the module's world
    with client(world, "192.0.2.1", login_failures=3) as c:
        form = csrf(c.get("/inloggen/x").text)
        for _ in range(3):
            assert c.post("/inloggen", data={"token": "wrong", "csrf": form}).status_code == 403
        token = world.ok("user", "link", "spies").strip().rsplit("/", 1)[1]
        refused = c.post("/inloggen", data={"token": token, "csrf": form})
        assert refused.status_code == 429 and "Te veel pogingen" in refused.text
        assert c.get("/").status_code == 303  # not logged in


def test_the_sso_header_counts_only_from_the_trusted_proxy(world: Cli) -> None:
    with client(world, trust_header="X-Remote-User", trusted_proxies=("testclient",)) as c:
        page = c.get("/", headers={"X-Remote-User": "spies"})
        assert page.status_code == 200 and "Ingelogd als <strong>spies</strong>" in page.text
        assert c.get("/", headers={"X-Remote-User": "nobody"}).status_code == 303
    with client(world, trust_header="X-Remote-User", trusted_proxies=("10.0.0.1",)) as c:
        assert c.get("/", headers={"X-Remote-User": "spies"}).status_code == 303


def test_the_acting_user_is_never_taken_from_a_form(portal: TestClient, world: Cli) -> None:
    log_in(portal, world, "spies")
    page = portal.get(f"/verslag/{A}")
    portal.post(f"/reageren/{A}", data={"csrf": csrf(page.text), "tekst": "Als een ander?",
                                        "formulier": "reactie", "user": "de-reus",
                                        "persoon": "de-reus", "as": "de-reus"})
    last = world.json("history", A)[-1]
    assert (last["user"], last["event"]) == ("spies", "Comment.Submitted")


def test_cookies_are_secure_behind_https(world: Cli) -> None:
    with client(world, base_url="https://portaal.example") as c:
        page = c.get("/inloggen/x")
        cookie = page.headers["set-cookie"]
        assert "secure" in cookie.lower() and "httponly" in cookie.lower()
        assert "samesite=lax" in cookie.lower()
    with client(world) as c:
        assert "secure" not in c.get("/inloggen/x").headers["set-cookie"].lower()


def test_a_link_is_issued_by_who_may_register_the_user(world: Cli) -> None:
    world.refused("user", "link", "de-reus", user="spies",
                  fragments=("may not issue login links",))
    world.refused("user", "link", "nobody", fragments=("no user",))
    world.refused("user", "link", "spies", "--valid", "8d", fragments=("valid",))
    world.refused("user", "link", "spies", "--valid", "soon", code=2)


def test_the_token_is_kept_only_as_a_hash(world: Cli, portal: TestClient) -> None:
    token = log_in(portal, world, "de-reus")
    store = world.store
    rows = store.execute("SELECT token_hash, login, used_at FROM lrt_login_links")
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert (digest, "de-reus") in [(r[0], r[1]) for r in rows if r[2] is not None]
    raw = Path(store.url).read_bytes() + (Path(store.url + "-wal").read_bytes()
                                          if Path(store.url + "-wal").exists() else b"")
    assert token.encode() not in raw
    assert all(token.encode() not in state for *_, state in store.stored_events())
    # used once: a second time it logs nobody in
    page = portal.get(f"/inloggen/{token}")
    again = portal.post("/inloggen", data={"token": token, "csrf": csrf(page.text)})
    assert again.status_code == 403 and "Inloglink ongeldig" in again.text


def test_a_refusal_is_shown_in_dutch_and_nothing_is_stored(portal: TestClient,
                                                           world: Cli) -> None:
    log_in(portal, world, "spies")
    before = len(world.store.stored_events())
    page = portal.get(f"/verslag/{A}")
    response = portal.post(f"/wijzigen/{A}", data={
        "csrf": csrf(page.text), "punt": "2.9", "organisatie": "VNG", "tekst": "Punt negen."})
    assert response.status_code == 422
    assert "Agendapunt 2 heeft geen punt 9." in response.text
    assert 'aria-describedby="wijziging-punt-fout"' in response.text
    assert "Punt negen." in response.text  # the form kept
    assert len(world.store.stored_events()) == before


def test_serve_refuses_bad_options_in_one_line(world: Cli) -> None:
    world.refused("serve", "--workers", "2", fragments=("SQLite",), code=2)
    world.refused("serve", "--trust-header", "X-Remote-User", code=2,
                  fragments=("--trusted-proxy",))
    world.refused("serve", "--trust-header", "X-Remote-User", "--trusted-proxy", "proxy",
                  code=2, fragments=("not an IP address",))
    world.refused("serve", "--base-url", "portaal.example", code=2, fragments=("http",))


def test_a_form_larger_than_a_mebibyte_is_refused_unread(portal: TestClient,
                                                          world: Cli) -> None:
    log_in(portal, world, "spies")
    before = len(world.store.stored_events())
    response = portal.post(f"/reageren/{A}", content=b"tekst=" + b"x" * (1024 * 1024),
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert len(world.store.stored_events()) == before


def test_the_secretariat_records_an_emailed_comment(world: Cli) -> None:
    with client(world) as c:
        log_in(c, world, "sec")
        page = c.get(f"/verslag/{A}")
        assert "Reactie per e-mail vastleggen" in page.text
        response = c.post(f"/reageren/{A}", data={
            "csrf": csrf(page.text), "formulier": "namens", "persoon": "de-reus",
            "ontvangen": "2023-11-10T11:00", "tekst": "Per mail: IPO vraagt een bijlage."})
        assert response.status_code == 303, response.text
        comment = world.json("comment", "list", A)[-1]
        assert (comment["person"], comment["organisation"], comment["received_at"]) == \
            ("de-reus", "IPO", "2023-11-10T11:00+01:00")
        last = world.json("history", A)[-1]
        assert (last["user"], last["role"]) == ("sec", "secretariat")
        refused = c.post(f"/reageren/{A}", data={
            "csrf": csrf(page.text), "formulier": "namens", "persoon": "",
            "ontvangen": "2023-11-10T11:00", "tekst": "Van wie?"})
        assert refused.status_code == 403 and "Kies van wie de reactie is." in refused.text
        assert 'aria-describedby="namens-persoon-fout"' in refused.text
