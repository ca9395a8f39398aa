"""One language per output (issue 17): the portal's pages are Dutch, held to the same list
of the command line's English words as the documents and the mail (`worlds.language`):
each page of the portal's world, as a member and as the secretariat sees it, the login
page, and a page refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from web.app import PortalConfig, create_app
from worlds.command_line import SEC, Cli
from worlds.language import Visible, english_words
from worlds.portal import A, ACTION, B, DOC, H

from .test_identity import log_in

PAGES = ["/", "/verslagen", f"/vergadering/{A}", f"/vergadering/{B}", f"/verslag/{A}",
         f"/document/{DOC}", f"/actie/{ACTION}", f"/ronde/{DOC}"]


@pytest.fixture
def client(world: Cli) -> Iterator[TestClient]:
    config = PortalConfig(db=world.store.url, clock=world.clock, secret="s" * 40)
    with TestClient(create_app(config), base_url=config.base_url,
                    follow_redirects=False) as c:
        yield c


@pytest.mark.parametrize("user", ["spies", SEC])
def test_every_page_of_the_portal_is_in_dutch(client: TestClient, world: Cli,
                                              user: str) -> None:
    texts = {"/inloggen": client.get("/inloggen").text}
    log_in(client, world, user)
    for path in PAGES:
        page = client.get(path)
        assert page.status_code == 200, (path, page.status_code)
        texts[path] = page.text
    refused = client.get(f"/verslag/{H}" if user == "spies" else "/verslag/LRT-1999-01-01")
    assert refused.status_code in (403, 404)
    texts["refused"] = refused.text
    found = {path: english_words(Visible.of(page)) for path, page in texts.items()}
    assert {path: words for path, words in found.items() if words} == {}
    assert "Verslag" in Visible.of(texts[f"/verslag/{A}"])  # the text was read


def test_the_history_page_is_in_dutch(client: TestClient, world: Cli) -> None:
    log_in(client, world, "spies")
    page = client.get(f"/geschiedenis/{A}")
    assert page.status_code == 200
    assert english_words(Visible.of(page.text)) == []
    seen = Visible.of(page.text)  # the events named and their data said in Dutch
    assert "vergadering gepland" in seen and "verslag rondgestuurd" in seen
    assert "Meeting.Scheduled" not in seen and '"starts_at"' not in seen
