"""Every refusal the portal's forms can meet has a Dutch text of its own in
`web/messages.py`: each is triggered here for real, through the application's commands
(or, for a state the world does not hold, the domain's own command on that state), and its
code must be known there, not fall back to the general sentence; the sentence and the
field are the ones below. The English message is never read: the command line's own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from lrt_app.application import Lrt
from lrt_app.bootstrap import build
from lrt_domain.actions import Action, ActionStatus
from lrt_domain.base import Context
from lrt_domain.errors import DomainError
from lrt_domain.meetings import Meeting
from lrt_domain.minutes import Minutes, MinutesStatus
from lrt_domain.tables import Table
from web.messages import dutch
from worlds.command_line import SEC, Cli, at
from worlds.portal import A, ACTION, DOC, H


@pytest.fixture(scope="module")
def app(world: Cli) -> Iterator[Lrt]:
    world.ok("user", "add", "woo", "--role", "auditor")
    application = build(world.store.url, clock=world.clock)
    yield application
    application.close()


# What the page says for each case, and by which field: the sentences the portal showed
# when it still read the English messages (by pattern), kept word for word since it reads
# the refusals' codes.
SAID = {
    "round closed": ("tekst",
        "De reactieronde is gesloten op vrijdag 10 november 2023, 12.00 uur. Reacties "
        "worden niet meer aangenomen; uw reactie is niet opgeslagen."),
    "no round": ("tekst", "Er is geen reactieronde geopend; u kunt (nog) niet reageren."),
    "not a member nor a guest": ("tekst",
        "kolff was op vrijdag 10 november 2023 geen lid van LRT en geen gast van deze "
        "vergadering; de reactie is niet opgeslagen."),
    "may not comment at table": ("tekst", "U kunt niet reageren aan tafel LRT."),
    "may not comment for": ("tekst", "U kunt alleen uw eigen reactie geven."),
    "for missing": ("persoon", "Kies van wie de reactie is."),
    "received in the future": ("ontvangen", "Het tijdstip van ontvangst ligt in de toekomst."),
    "received before the round": ("ontvangen",
        "Het tijdstip van ontvangst (woensdag 1 november 2023, 10.00 uur) ligt vóór de "
        "opening van de reactieronde."),
    "unknown person": ("persoon", "Deze persoon is niet bekend."),
    "empty text": ("tekst", "Vul dit veld in."),
    "too long": ("tekst", "Dit veld mag ten hoogste 100000 tekens bevatten."),
    "control character": ("tekst",
        "Dit veld bevat een teken dat niet is toegestaan (teken 2)."),
    "another organisation": ("organisatie",
        "U kunt geen wijziging voorstellen namens IPO, alleen namens uw eigen "
        "organisatie."),
    "not a member of the table": ("tekst",
        "U bent geen lid van LRT en kunt geen wijziging voorstellen."),
    "secretariat without organisation": ("organisatie",
        "Kies namens welke organisatie het voorstel wordt vastgelegd."),
    "unknown organisation": ("organisatie", "De organisatie XYZ is niet bekend."),
    "no such point": ("punt", "Agendapunt 1 heeft geen punt 9."),
    "no such item": ("punt", "Het verslag heeft geen agendapunt 9."),
    "not circulated": ("tekst",
        "Het conceptverslag is nog niet rondgestuurd; wijzigingsvoorstellen kunnen nog "
        "niet."),
    "approved": ("tekst", "Het verslag is vastgesteld en kan niet meer worden gewijzigd."),
    "amendment text empty": ("tekst", "Vul dit veld in."),
    "no such amendment": ("nummer", "Er is geen wijzigingsvoorstel 99."),
    "a member decides": ("nummer",
        "Alleen het secretariaat en de voorzitter van de tafel beslissen over "
        "wijzigingsvoorstellen."),
    "already decided": ("nummer", "Wijzigingsvoorstel 1 is al aanvaard."),
    "rejected without reason": ("reden", "Vul dit veld in."),
    "not an owner": ("tekst", "Alleen de eigenaren van deze actie (VNG) melden voortgang."),
    "action done": ("tekst", "Deze actie is afgerond; voortgang melden kan niet meer."),
    "progress empty": ("tekst", "Vul dit veld in."),
    "another table": ("tekst",
        "liesbeth-spies was op vrijdag 10 november 2023 geen lid van HLRT en geen gast "
        "van deze vergadering; de reactie is niet opgeslagen."),
}


def refusal(call: Callable[[], Any]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def cases(app: Lrt, world: Cli) -> dict[str, Callable[[], Any]]:
    minutes = app.get(Minutes, A)
    sec = Context(actor=app.actor(SEC), now=world.clock.now())
    received = at("2023-11-10 11:55")
    return {
        # the comment form (members and guests) and the secretariat's form (namens)
        "round closed": lambda: app.comment("spies", DOC, "te laat"),
        "no round": lambda: minutes.model_copy(update={"rounds": ()}).submit_comment(
            sec, table=app.get(Table, "LRT"), meeting=app.get(Meeting, A),
            person="liesbeth-spies", text="x"),
        "not a member nor a guest": lambda: app.comment("kolff", A, "als gast"),
        "may not comment at table": lambda: app.comment("woo", A, "als auditor"),
        "may not comment for": lambda: app.comment("spies", A, "x", for_person="de-reus",
                                                   received_at=received),
        "for missing": lambda: app.comment(SEC, A, "per e-mail", received_at=received),
        "received in the future": lambda: app.comment(
            SEC, A, "x", for_person="de-reus",
            received_at=world.clock.now() + timedelta(hours=1)),
        "received before the round": lambda: app.comment(
            SEC, A, "x", for_person="de-reus", received_at=at("2023-11-01 10:00")),
        "unknown person": lambda: app.comment(SEC, A, "x", for_person="niemand",
                                              received_at=received),
        "empty text": lambda: app.comment("spies", A, "  "),
        "too long": lambda: app.comment("spies", A, "x" * 100_001),
        "control character": lambda: app.comment("spies", A, "a\x07b"),
        # the amendment form
        "another organisation": lambda: app.propose_amendment(
            "spies", A, item=1, point=1, text="x", on_behalf_of="IPO"),
        "not a member of the table": lambda: app.propose_amendment(
            "kolff", A, item=1, point=1, text="x"),
        "secretariat without organisation": lambda: app.propose_amendment(
            SEC, A, item=1, point=1, text="x"),
        "unknown organisation": lambda: app.propose_amendment(
            SEC, A, item=1, point=1, text="x", on_behalf_of="XYZ"),
        "no such point": lambda: app.propose_amendment("spies", A, item=1, point=9,
                                                       text="x"),
        "no such item": lambda: app.propose_amendment("spies", A, item=9, point=None,
                                                      text="x"),
        "not circulated": lambda: minutes.model_copy(
            update={"status": MinutesStatus.DRAFT}).propose_amendment(
                sec, organisation="VNG", item=1, point=1, text="x"),
        "approved": lambda: minutes.model_copy(
            update={"status": MinutesStatus.APPROVED}).propose_amendment(
                sec, organisation="VNG", item=1, point=1, text="x"),
        "amendment text empty": lambda: app.propose_amendment("spies", A, item=1, point=1,
                                                              text=""),
        # deciding on amendments (the secretariat and the chair)
        "no such amendment": lambda: app.accept_amendment(SEC, A, 99),
        "a member decides": lambda: app.accept_amendment("spies", A, 1),
        "already decided": lambda: app.accept_amendment(SEC, A, 1),
        "rejected without reason": lambda: app.reject_amendment(SEC, A, 2, " "),
        # progress on an action
        "not an owner": lambda: app.report_progress("de-reus", ACTION, "x"),
        "action done": lambda: app.get(Action, ACTION).model_copy(
            update={"status": ActionStatus.DONE}).report_progress(
                Context(actor=app.actor("spies"), now=world.clock.now()), "x"),
        "progress empty": lambda: app.report_progress("spies", ACTION, ""),
        # another table's minutes, typed in by hand
        "another table": lambda: app.comment("spies", H, "x"),
    }


def test_every_refusal_of_the_forms_has_its_own_dutch_text(app: Lrt, world: Cli) -> None:
    world.at("2023-11-10 12:05")  # the document's round closed at 12:00
    app.propose_amendment("spies", A, item=1, point=1, text="eerste")
    app.propose_amendment("spies", A, item=1, point=2, text="tweede")
    app.accept_amendment(SEC, A, 1)
    unknown = {}
    for name, call in cases(app, world).items():
        error = refusal(call)
        said = dutch(error)
        if not said.known:
            unknown[name] = str(error)
        assert said.text and not any(word in said.text for word in (" the ", " may not ")), \
            (name, said.text)
        assert (said.field, said.text) == SAID[name], name
        # the message stays the command line's English: what the code replaced is unread
        assert said == dutch(type(error)(f"{error} (reworded)", code=error.code,
                                         **error.details))
    assert not unknown, unknown


def test_the_field_a_refusal_is_tied_to() -> None:
    from datetime import datetime, timezone

    from lrt_domain.errors import Forbidden, InvalidInput, RuleViolation

    assert dutch(InvalidInput("in the future", code="in_future", field="received at",
                              value=datetime(2023, 11, 10, 12, tzinfo=timezone.utc))
                 ).field == "ontvangen"
    assert dutch(Forbidden("no", code="may_not_amend_for", organisation="IPO")
                 ).field == "organisatie"
    assert dutch(InvalidInput("empty", code="empty", field="reason"), "reden").field == "reden"
    said = dutch(RuleViolation("closed", code="round_closed", subject="X/D1",
                               deadline=datetime(2023, 11, 10, 11, tzinfo=timezone.utc)))
    assert said.text.startswith("De reactieronde is gesloten op vrijdag 10 november 2023, "
                                "12.00 uur.")
    assert not dutch(RuleViolation("something new")).known
    # the English text alone is not read: without its code, the general sentence
    english = dutch(RuleViolation("the comment round on X/D1 closed at 2023-11-10 12:00; "
                                  "comments are no longer accepted"))
    assert not english.known and english.text == "Dit kan nu niet volgens de regels van de " \
        "tafel."


def test_giving_up_after_concurrent_writes_has_its_dutch_text(
        app: Lrt, world: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many writers on one round: after lrt's attempts the comment is refused (`Conflict`),
    not lost; the page says so in Dutch."""
    from eventsourcing.persistence import IntegrityError

    def collide(*events: Any, **kwargs: Any) -> None:
        raise IntegrityError("simulated: a concurrent write")

    monkeypatch.setattr(app, "save", collide)
    monkeypatch.setattr("lrt_app.application.time.sleep", lambda _: None)
    said = dutch(refusal(lambda: app.comment("spies", A, "tegelijk")))
    assert said.known and said.field == "tekst" and "opnieuw" in said.text
