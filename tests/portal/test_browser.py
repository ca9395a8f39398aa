"""The issue's cases in a real browser (headless Chromium), on SQLite and PostgreSQL: a
member logs in with a link, comments just before a deadline and just after it, proposes an
amendment for their organisation and not for another; typed URLs of what is not theirs show
nothing; a POST without the CSRF token and a used or expired link are refused; a guest sees
only their meeting. Every page visited passes axe-core without a serious or critical
violation. The tests of this module run in order on one world per store.

With LRT_SCREENSHOTS=1 (`make screenshots`) the SQLite run saves the main pages to docs/.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from worlds.command_line import Cli, event_count
from worlds.portal import A, ACTION, B, C, DOC, H, Served

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = os.environ.get("LRT_SCREENSHOTS") == "1"

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations'], runOnly: {
      type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
  return result.violations.map(v => ({id: v.id, impact: v.impact,
      nodes: v.nodes.map(n => n.target.join(' '))}));
}"""

def accessible(page: Any, axe_js: Path, name: str, cli: Cli) -> None:
    """axe-core on the page as it stands: no serious or critical WCAG 2.1 A/AA violation.
    The pages are the same on both stores: checked on the SQLite run (time is budgeted)."""
    if cli.store.kind != "sqlite":
        return
    page.add_script_tag(path=str(axe_js))
    violations = page.evaluate(AXE_RUN)
    bad = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not bad, (name, page.url, bad)


def shoot(page: Any, cli: Cli, name: str) -> None:
    if SCREENSHOTS and cli.store.kind == "sqlite":
        page.set_viewport_size({"width": 1000, "height": 760})
        page.screenshot(path=str(ROOT / "docs" / f"portal-{name}.png"))


def shoot_part(locator: Any, cli: Cli, name: str) -> None:
    if SCREENSHOTS and cli.store.kind == "sqlite":
        locator.screenshot(path=str(ROOT / "docs" / f"portal-{name}.png"))


def log_in(browser: Any, portal: Served, cli: Cli, user: str) -> Any:
    """A fresh browser context, logged in as `user` through a one-time link."""
    context = browser.new_context(bypass_csp=True, locale="nl-NL")  # axe is injected
    page = context.new_page()
    page.goto(portal.link(user))
    page.get_by_role("button", name="Inloggen").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Mijn overzicht"
    return page


@pytest.fixture(scope="module")
def spies(browser: Any, portal: Served, portal_cli: Cli) -> Any:
    page = log_in(browser, portal, portal_cli, "spies")
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def secretariat(browser: Any, portal: Served, portal_cli: Cli) -> Any:
    page = log_in(browser, portal, portal_cli, "sec")
    yield page
    page.context.close()


def test_a_member_logs_in_with_a_link(spies: Any, portal_cli: Cli, axe_js: Path) -> None:
    body = spies.locator("main").inner_text()
    assert "Ingelogd als spies" in spies.locator("header").inner_text()
    assert "Conceptbrief Tweede Kamer" in body  # the open round, the coming meeting's paper
    assert "vrijdag 10 november 2023, 12.00 uur" in body  # the deadline in words
    assert "VNG levert een notitie aan." in body  # VNG's open action
    accessible(spies, axe_js, "overzicht", portal_cli)
    shoot(spies, portal_cli, "overzicht")


def test_a_used_or_expired_link_is_refused(browser: Any, portal: Served, portal_cli: Cli,
                                           axe_js: Path) -> None:
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    link = portal.link("de-reus")
    expiring = portal.link("de-reus", timedelta(minutes=1))
    page.goto(link)
    page.get_by_role("button", name="Inloggen").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Mijn overzicht"
    context.close()

    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(link)  # used
    response_text = _submit_login(page)
    assert "Inloglink ongeldig" in response_text
    portal_cli.at("2023-11-10 11:52")  # the 1-minute link expired
    page.goto(expiring)
    assert "Inloglink ongeldig" in _submit_login(page)
    page.goto(portal.base + "/")
    assert page.url.endswith("/inloggen")  # not logged in
    accessible(page, axe_js, "inloggen", portal_cli)
    context.close()


def _submit_login(page: Any) -> str:
    page.get_by_role("button", name="Inloggen").click()
    text: str = page.locator("main").inner_text()
    return text


def test_a_comment_before_the_deadline_is_kept(spies: Any, secretariat: Any, portal: Served,
                                               portal_cli: Cli, axe_js: Path) -> None:
    portal_cli.at("2023-11-10 11:59:50")  # the round closes at 12:00, ten seconds ahead
    spies.goto(f"{portal.base}/document/{DOC}")
    accessible(spies, axe_js, "document", portal_cli)
    before = event_count(portal_cli.store)
    spies.get_by_label("Uw reactie").fill("De toon is te zendend.")
    spies.get_by_role("button", name="Reactie versturen").click()
    assert "Uw reactie is opgeslagen." in spies.locator("main").inner_text()
    assert event_count(portal_cli.store) == before + 1
    assert "De toon is te zendend." in spies.locator("#reacties").locator("..").inner_text()
    # recorded as spies, a member, for VNG: what the command line reads
    comments = portal_cli.json("comment", "list", DOC)
    assert [(c["person"], c["organisation"]) for c in comments] == [("liesbeth-spies", "VNG")]
    history = portal_cli.json("history", DOC)
    assert (history[-1]["user"], history[-1]["role"], history[-1]["on_behalf_of"]) == \
        ("spies", "member", "VNG")
    shoot(spies, portal_cli, "document")

    secretariat.goto(f"{portal.base}/ronde/{DOC}")
    done = secretariat.get_by_role("region", name=re.compile("^Gereageerd")).inner_text()
    waiting = secretariat.get_by_role("region", name=re.compile("^Niet gereageerd")).inner_text()
    assert "Liesbeth Spies" in done and "Jan de Reus" in waiting
    accessible(secretariat, axe_js, "ronde", portal_cli)
    shoot(secretariat, portal_cli, "ronde")


def test_a_comment_after_the_deadline_is_refused_and_kept_in_the_form(
        spies: Any, portal: Served, portal_cli: Cli, axe_js: Path) -> None:
    spies.goto(f"{portal.base}/document/{DOC}")
    portal_cli.at("2023-11-10 12:00:01")  # the page was read before; sent after 12:00
    before = event_count(portal_cli.store)
    spies.get_by_label("Uw reactie").fill("Nog een opmerking over de toon.")
    spies.get_by_role("button", name="Reactie versturen").click()
    error = spies.locator("#reactie-tekst-fout").inner_text()
    assert "De reactieronde is gesloten op vrijdag 10 november 2023, 12.00 uur" in error
    assert spies.get_by_label("Uw reactie").input_value() == "Nog een opmerking over de toon."
    assert spies.get_by_label("Uw reactie").get_attribute("aria-invalid") == "true"
    assert event_count(portal_cli.store) == before


def test_an_amendment_for_my_organisation_and_not_for_another(
        spies: Any, portal: Served, portal_cli: Cli, axe_js: Path) -> None:
    spies.goto(f"{portal.base}/verslag/{A}")
    accessible(spies, axe_js, "verslag", portal_cli)
    shoot(spies, portal_cli, "verslag")
    spies.get_by_role("link", name="Wijziging voorstellen bij punt 2.1").click()
    assert spies.get_by_label("Bij agendapunt of punt").input_value() == "2.1"
    spies.get_by_label("Voorgestelde wijziging").fill("Lees: in grote lijnen gesteund.")
    spies.get_by_role("button", name="Wijziging voorstellen").click()
    assert "Uw wijzigingsvoorstel is opgeslagen." in spies.locator("main").inner_text()
    amendments = portal_cli.json("amendment", "list", A)
    assert [(a["organisation"], a["item"], a["point"]) for a in amendments] == \
        [("VNG", 2, 1)]

    before = event_count(portal_cli.store)
    spies.get_by_label("Namens organisatie").select_option("IPO")
    spies.get_by_label("Voorgestelde wijziging").fill("Namens IPO: schrappen.")
    spies.get_by_role("button", name="Wijziging voorstellen").click()
    error = spies.locator("#wijziging-organisatie-fout").inner_text()
    assert "U kunt geen wijziging voorstellen namens IPO" in error
    assert spies.get_by_label("Voorgestelde wijziging").input_value() == \
        "Namens IPO: schrappen."
    assert event_count(portal_cli.store) == before
    accessible(spies, axe_js, "verslag-geweigerd", portal_cli)
    shoot_part(spies.locator("section", has=spies.locator("#wijzigen")), portal_cli,
               "geweigerd")


def test_the_secretariat_accepts_an_amendment(secretariat: Any, portal: Served,
                                              portal_cli: Cli, axe_js: Path) -> None:
    secretariat.goto(f"{portal.base}/verslag/{A}")
    accessible(secretariat, axe_js, "verslag-secretariaat", portal_cli)
    secretariat.get_by_role("button", name="Voorstel 1 aanvaarden").click()
    assert "Wijzigingsvoorstel 1 is aanvaard." in secretariat.locator("main").inner_text()
    assert portal_cli.json("amendment", "list", A)[0]["status"] == "accepted"


def test_what_is_not_mine_shows_nothing(spies: Any, portal: Served, portal_cli: Cli,
                                        axe_js: Path) -> None:
    for url in (f"/verslag/{H}", f"/vergadering/{H}", f"/geschiedenis/{H}",
                f"/ronde/{H}"):
        response = spies.goto(portal.base + url)
        assert response.status in (403, 404), url
        body = spies.locator("main").inner_text()
        assert "Huisvesting" not in body and "HLRT" not in body, (url, body)
    accessible(spies, axe_js, "geen-toegang", portal_cli)


def test_a_post_without_the_csrf_token_is_refused(spies: Any, portal: Served,
                                                  portal_cli: Cli) -> None:
    before = event_count(portal_cli.store)
    response = spies.request.post(f"{portal.base}/reageren/{A}",
                                  form={"tekst": "Zonder token.", "formulier": "reactie"})
    assert response.status == 403
    assert "Formulier geweigerd" in response.text()
    assert event_count(portal_cli.store) == before
    forged = spies.request.post(f"{portal.base}/reageren/{A}",
                                form={"tekst": "Vals token.", "csrf": "x" * 43})
    assert forged.status == 403 and event_count(portal_cli.store) == before


def test_progress_on_my_organisations_action(spies: Any, portal: Served, portal_cli: Cli,
                                             axe_js: Path) -> None:
    spies.goto(f"{portal.base}/actie/{ACTION}")
    spies.get_by_label("Wat is er gedaan?").fill("De notitie is in concept klaar.")
    spies.get_by_role("button", name="Voortgang opslaan").click()
    assert "De voortgang is opgeslagen." in spies.locator("main").inner_text()
    assert portal_cli.json("action", "show", ACTION)["progress"][-1]["by"] == "spies"
    accessible(spies, axe_js, "actie", portal_cli)
    spies.goto(f"{portal.base}/geschiedenis/{ACTION}")
    accessible(spies, axe_js, "geschiedenis", portal_cli)
    spies.goto(f"{portal.base}/vergadering/{A}")
    accessible(spies, axe_js, "vergadering", portal_cli)
    spies.goto(f"{portal.base}/verslagen")
    accessible(spies, axe_js, "verslagen", portal_cli)


def test_a_guest_sees_only_their_meeting(browser: Any, portal: Served, portal_cli: Cli,
                                         axe_js: Path) -> None:
    page = log_in(browser, portal, portal_cli, "kolff")
    overview = page.locator("main").inner_text()
    assert "Conceptbrief Tweede Kamer" in overview  # B's document
    assert "1 december" not in overview  # C, not invited
    assert page.goto(f"{portal.base}/vergadering/{B}").status == 200
    for meeting in (A, C):
        assert page.goto(f"{portal.base}/vergadering/{meeting}").status in (403, 404)
    assert page.goto(f"{portal.base}/verslag/{A}").status in (403, 404)
    page.goto(f"{portal.base}/verslagen")
    assert A not in page.locator("main").inner_text()
    page.context.close()


def test_logging_out_ends_the_session(browser: Any, portal: Served, portal_cli: Cli) -> None:
    page = log_in(browser, portal, portal_cli, "de-reus")
    cookies = page.context.cookies()
    session = [c for c in cookies if c["name"] == "lrt_sessie"]
    assert session and session[0]["httpOnly"] and session[0]["sameSite"] == "Lax"
    page.get_by_role("button", name="Uitloggen").click()
    assert "U bent uitgelogd." in page.locator("main").inner_text()
    # the old cookie, replayed, no longer opens a session
    replay = browser.new_context()
    replay.add_cookies(session)
    again = replay.new_page()
    again.goto(f"{portal.base}/")
    assert again.url.endswith("/inloggen")
    replay.close()
    page.context.close()
