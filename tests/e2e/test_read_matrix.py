"""The read matrix: every reader × every view × every state, through the command line, on
SQLite and PostgreSQL. What each reader may see is written out here by hand (not asked of
`lrt_domain.read_rules`), so that the code and this table check each other.

The world, on 22 November 2023: the LRT (run by JenV, chaired by the minister) with four
meetings whose minutes stand in each state:

| meeting    | minutes                                  | guest invited |
|------------|------------------------------------------|---------------|
| 2023-09-01 | approved (9 October), published, redacted|               |
| 2023-10-06 | approved (6 November)                    |               |
| 2023-11-03 | circulated (a document with a round too) | yes           |
| 2023-11-17 | draft                                    |               |

Each meeting has an action owned by VNG. The IPO member left the table on 31 October: they
keep the minutes approved while they sat (September), not what came after; asked as of
20 October, they read the October draft as it stood then.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from lrt_app.application import Lrt
from lrt_app.clock import SettableClock
from lrt_domain.base import Role
from lrt_domain.dutch_time import AMSTERDAM
from lrt_domain.minutes import Item, Point
from lrt_domain.tables import TableKind

from stores import TestStore  # noqa: I001

from .conftest import Cli, assert_one_line_error

SEC, CHAIR, MEMBER, FORMER, NEVER = "sec", "voorzitter", "vng-lid", "ipo-oud", "coa-lid"
GUEST, OUTSIDER, AUDITOR, OTHER_SEC = "gast", "gast-elders", "woo", "sec-bzk"
READERS = {  # the reader of the brief -> the user acting as them
    "secretariat": SEC, "chair": CHAIR, "member now": MEMBER, "former member": FORMER,
    "never a member": NEVER, "invited guest": GUEST, "guest not invited": OUTSIDER,
    "auditor": AUDITOR, "another table's secretariat": OTHER_SEC,
}
PUBLISHED, APPROVED, CIRCULATED, DRAFT = ("LRT-2023-09-01", "LRT-2023-10-06",
                                          "LRT-2023-11-03", "LRT-2023-11-17")
STATES = {"published": PUBLISHED, "approved": APPROVED, "circulated": CIRCULATED,
          "draft": DRAFT}
DOC = f"{CIRCULATED}/D1"
ALL = set(STATES.values())
# the meetings (their minutes, documents, actions, agenda, attendance, history) each reads
READS: dict[str, set[str]] = {
    SEC: ALL, CHAIR: ALL, MEMBER: ALL, AUDITOR: ALL,
    FORMER: {PUBLISHED},  # approved while a member; October was approved after they left
    GUEST: {CIRCULATED},  # invited to that meeting only
    NEVER: set(), OUTSIDER: set(), OTHER_SEC: set(),
}
WOO_READERS = {SEC, CHAIR, AUDITOR}  # redactions, and the Woo events in the history
EXPORTERS = {SEC, CHAIR, AUDITOR}
REPORT_READERS = {SEC, CHAIR, MEMBER, AUDITOR}
NOW = datetime(2023, 11, 22, 9, tzinfo=AMSTERDAM)


def at(y: int, mo: int, d: int, h: int = 9) -> datetime:
    return datetime(y, mo, d, h, tzinfo=AMSTERDAM)


def _items(meeting: str) -> list[Item]:
    return [Item(number=1, title="Opening", points=(
        Point(text=f"De voorzitter opent de vergadering van {meeting}."),))]


def build(app: Lrt, clock: SettableClock) -> None:
    for code in ("VNG", "IPO", "BZK", "COA"):
        app.register_organisation(SEC, code, code)
    for key in ("minister", "bestuurder-vng", "ambtenaar-ipo", "medewerker-coa",
                "veiligheidsberaad", "adviseur-elders"):
        app.register_person(SEC, key.replace("-", " ").title(), person_key=key)
    app.register_table(SEC, "LRT", "Landelijke Regietafel", kind=TableKind.NATIONAL,
                       secretariat="JenV", meetings_per_year=12)
    app.register_table(SEC, "ZRT", "Zorgregietafel", kind=TableKind.NATIONAL,
                       secretariat="JenV", meetings_per_year=4)
    app.appoint_chair(SEC, "LRT", "minister")
    app.add_member(SEC, "LRT", person="bestuurder-vng", organisation="VNG",
                   function="bestuurder", since=date(2023, 1, 1))
    app.add_member(SEC, "LRT", person="ambtenaar-ipo", organisation="IPO",
                   function="directeur", since=date(2023, 1, 1))
    app.add_member(SEC, "ZRT", person="medewerker-coa", organisation="COA",
                   function="medewerker", since=date(2023, 1, 1))
    app.register_user(SEC, OTHER_SEC, Role.SECRETARIAT, organisation="BZK")
    app.register_user(SEC, CHAIR, Role.CHAIR, person="minister")
    app.register_user(SEC, MEMBER, Role.MEMBER, organisation="VNG", person="bestuurder-vng")
    app.register_user(SEC, FORMER, Role.MEMBER, organisation="IPO", person="ambtenaar-ipo")
    app.register_user(SEC, NEVER, Role.MEMBER, organisation="COA", person="medewerker-coa")
    app.register_user(SEC, GUEST, Role.GUEST, person="veiligheidsberaad")
    app.register_user(SEC, OUTSIDER, Role.GUEST, person="adviseur-elders")
    app.register_user(SEC, AUDITOR, Role.AUDITOR)

    def meeting(start: datetime) -> str:
        key = app.schedule_meeting(SEC, "LRT", start, "Den Haag")
        app.add_agenda_item(SEC, key, "Opening")
        return key

    def held_and_drafted(key: str, start: datetime, drafted: datetime) -> None:
        clock.set(start.replace(hour=12))
        app.hold_meeting(SEC, key)
        app.record_attendance(SEC, key, "bestuurder-vng", _present())
        clock.set(drafted)
        app.draft_minutes(SEC, key, _items(key))
        app.agree_action(SEC, key, item=1, text=f"VNG levert de notitie van {key} aan.",
                         owners=["VNG"])

    clock.set(at(2023, 8, 1))  # after the registrations
    keys = [meeting(at(*d, 10)) for d in ((2023, 9, 1), (2023, 10, 6), (2023, 11, 3),
                                         (2023, 11, 17))]
    assert keys == [PUBLISHED, APPROVED, CIRCULATED, DRAFT]
    held_and_drafted(PUBLISHED, at(2023, 9, 1), at(2023, 9, 4))
    app.circulate_minutes(SEC, PUBLISHED, at(2023, 9, 8, 12))
    held_and_drafted(APPROVED, at(2023, 10, 6), at(2023, 10, 9))
    app.approve_minutes(SEC, PUBLISHED, at_meeting=APPROVED)
    app.circulate_minutes(SEC, APPROVED, at(2023, 10, 13, 12))
    clock.set(at(2023, 10, 10))
    app.add_redaction(SEC, PUBLISHED, passage="De voorzitter opent", ground="5.2",
                      reason="persoonlijke beleidsopvatting")
    app.publish_minutes(SEC, PUBLISHED)
    clock.set(at(2023, 10, 20))
    app.end_membership(SEC, "LRT", 2, date(2023, 10, 31))
    held_and_drafted(CIRCULATED, at(2023, 11, 3), at(2023, 11, 6))
    app.approve_minutes(SEC, APPROVED, at_meeting=CIRCULATED)
    app.circulate_minutes(SEC, CIRCULATED, at(2023, 11, 24, 12))
    app.invite_guest(SEC, CIRCULATED, "veiligheidsberaad")
    assert app.add_document(SEC, CIRCULATED, "Conceptbrief", "Geheime concepttekst") == DOC
    app.open_comment_round(SEC, DOC, at(2023, 11, 24, 12))
    app.comment(SEC, DOC, "Een opmerking van VNG.", for_person="bestuurder-vng")
    held_and_drafted(DRAFT, at(2023, 11, 17), at(2023, 11, 20))
    clock.set(NOW)


def _present() -> Any:
    from lrt_domain.meetings import Presence

    return Presence.PRESENT


@pytest.fixture(scope="module")
def cli(module_store: TestStore) -> Iterator[Cli]:
    cli = Cli(db=module_store, clock=SettableClock(at(2023, 7, 1)))
    cli.ok("init", "--admin", SEC, "--organisation", "JenV", "--organisation-name", "JenV",
           user=None)
    clock = cli.clock
    app = Lrt(env=module_store.env(create_tables=False), clock=clock)
    try:
        build(app, clock)
    finally:
        app.close()
    yield Cli(db=module_store, clock=SettableClock(NOW))


def shown(cli: Cli, user: str, *args: str) -> Any:
    return cli.json(*args, user=user)


def refused(cli: Cli, user: str, *args: str) -> None:
    assert_one_line_error(cli.invoke(*args, "--json", user=user), 1, "may not")


# --- the views of one meeting, in each state --------------------------------------------

MEETING_VIEWS = {  # view -> (command, how a shown result names the meeting)
    "minutes show": (lambda k: ("minutes", "show", k), lambda d, k: d["meeting"] == k),
    "amendment list": (lambda k: ("amendment", "list", k), lambda d, k: d == []),
    "comment list (minutes)": (lambda k: ("comment", "list", k), lambda d, k: d == []),
    "meeting show": (lambda k: ("meeting", "show", k), lambda d, k: d["key"] == k),
    "agenda list": (lambda k: ("agenda", "list", k), lambda d, k: d[0]["title"] == "Opening"),
    "attendance list": (lambda k: ("attendance", "list", k),
                        lambda d, k: d[0]["person"] == "bestuurder-vng"),
    "action show": (lambda k: ("action", "show", f"{k}/A1"),
                    lambda d, k: d["text"] == f"VNG levert de notitie van {k} aan."),
    "history": (lambda k: ("history", k), lambda d, k: any(
        r["event"] == "Minutes.Drafted" for r in d)),
    "minutes redactions": (lambda k: ("minutes", "redactions", k),
                           lambda d, k: isinstance(d, list)),
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("view", MEETING_VIEWS)
@pytest.mark.parametrize("reader", READERS)
def test_a_view_of_one_meeting(cli: Cli, reader: str, view: str, state: str) -> None:
    user, key = READERS[reader], STATES[state]
    command, names = MEETING_VIEWS[view]
    may = user in WOO_READERS if view == "minutes redactions" else key in READS[user]
    if may:
        data = shown(cli, user, *command(key))
        assert names(data, key), (view, data)
    else:
        refused(cli, user, *command(key))


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("reader", READERS)
def test_the_minutes_as_a_document(cli: Cli, reader: str, state: str) -> None:
    """`minutes show --format md` reads what `minutes show` reads, by the same rule."""
    user, key = READERS[reader], STATES[state]
    result = cli.invoke("minutes", "show", key, "--format", "md", user=user)
    if key in READS[user]:
        assert result.exit_code == 0, result.stderr
        assert f"De voorzitter opent de vergadering van {key}." in result.stdout
    else:
        assert_one_line_error(result, 1, "may not read")


@pytest.mark.parametrize("reader", READERS)
def test_the_history_shows_the_woo_events_only_to_who_reads_redactions(cli: Cli,
                                                                      reader: str) -> None:
    user = READERS[reader]
    if PUBLISHED not in READS[user]:
        refused(cli, user, "history", PUBLISHED)
        return
    events = {r["event"] for r in shown(cli, user, "history", PUBLISHED)}
    assert ("Publication.RedactionAdded" in events) is (user in WOO_READERS), events
    assert "Minutes.Approved" in events


@pytest.mark.parametrize("reader", READERS)
def test_the_document_and_its_comments(cli: Cli, reader: str) -> None:
    user = READERS[reader]
    if CIRCULATED in READS[user]:
        assert shown(cli, user, "document", "show", DOC)["text"] == "Geheime concepttekst"
        assert [c["text"] for c in shown(cli, user, "comment", "list", DOC)] == [
            "Een opmerking van VNG."]
        assert shown(cli, user, "history", DOC)[0]["event"] == "Document.Added"
    else:
        refused(cli, user, "document", "show", DOC)
        refused(cli, user, "comment", "list", DOC)
        refused(cli, user, "history", DOC)


HISTORY_OF = {  # an object that is not a meeting's -> who reads its history
    "LRT": {SEC, CHAIR, MEMBER, AUDITOR},  # the table: those who run it, its members now
    "bestuurder-vng": {SEC, OTHER_SEC, AUDITOR},  # the directory: secretariats, auditors
}


@pytest.mark.parametrize("key", HISTORY_OF)
@pytest.mark.parametrize("reader", READERS)
def test_the_history_of_a_table_and_of_a_person(cli: Cli, reader: str, key: str) -> None:
    user = READERS[reader]
    if user in HISTORY_OF[key]:
        assert shown(cli, user, "history", key)[0]["event"].endswith("Registered")
    else:
        refused(cli, user, "history", key)


# --- lists leave out what the reader may not see ----------------------------------------

@pytest.mark.parametrize("reader", READERS)
def test_the_lists(cli: Cli, reader: str, tmp_path: Path) -> None:
    user = READERS[reader]
    reads = READS[user]
    assert {m["meeting"] for m in shown(cli, user, "minutes", "list")} == reads
    assert {m["key"] for m in shown(cli, user, "meeting", "list")} == reads
    actions = shown(cli, user, "action", "list", "--all")
    assert {a["key"].rsplit("/", 1)[0] for a in actions} == reads
    rounds = {r["subject"] for r in shown(cli, user, "deadlines", "--all")}
    assert rounds == {k for k in (PUBLISHED, APPROVED, CIRCULATED, DOC)
                      if k.split("/")[0] in reads}
    due = {r["subject"] for r in shown(cli, user, "deadlines", "--within", "8w")}
    assert {s.split("/")[0] for s in due} <= reads
    # the November action falls due at the next meeting (17 November): overdue
    assert (f"{CIRCULATED}/A1" in due) is (CIRCULATED in reads)
    out = tmp_path / "lrt.ics"
    shown(cli, user, "calendar", "export", "--out", str(out))
    ics = out.read_bytes().decode().replace("\r\n ", "")  # unfolded
    for key in ALL:
        assert (f"VNG levert de notitie van {key} aan." in ics) is (key in reads), key
        assert (f"Actie {key}/A1" in ics) is (key in reads), key


PEOPLE_READERS = {SEC, OTHER_SEC, AUDITOR}  # the names of civil servants: who keeps them
MEMBERS_READERS = {SEC, CHAIR, MEMBER, OTHER_SEC, AUDITOR}  # the table's, by name


@pytest.mark.parametrize("reader", READERS)
def test_the_directory(cli: Cli, reader: str) -> None:
    """Tables and organisations are every user's; the names of persons are not."""
    user = READERS[reader]
    assert {t["code"] for t in shown(cli, user, "table", "list")} == {"LRT", "ZRT"}
    assert len(shown(cli, user, "org", "list")) == 5
    assert shown(cli, user, "table", "show", "LRT")["code"] == "LRT"
    if user in PEOPLE_READERS:
        assert len(shown(cli, user, "person", "list")) == 6
        assert {u["user"] for u in shown(cli, user, "user", "list")} >= set(READERS.values())
    else:
        refused(cli, user, "person", "list")
        refused(cli, user, "user", "list")
    if user in MEMBERS_READERS:
        assert [m["person"] for m in shown(cli, user, "member", "list", "LRT")] == [
            "bestuurder-vng"]
    else:
        refused(cli, user, "member", "list", "LRT")
    if user == FORMER:  # as of their membership, they read the members of then
        assert len(shown(cli, user, "member", "list", "LRT", "--as-of", "2023-10-20")) == 2


@pytest.mark.parametrize("reader", READERS)
def test_the_reports_and_the_export(cli: Cli, reader: str, tmp_path: Path) -> None:
    user = READERS[reader]
    report = ("report", "punctuality", "--table", "LRT", "--year", "2023")
    if user in REPORT_READERS:
        assert shown(cli, user, *report)["table"] == "LRT"
    else:
        refused(cli, user, *report)
    export = ("export", "parliament", "--table", "LRT", "--from", "2023-01-01", "--to",
              "2023-12-31", "--out", str(tmp_path / "kamer"))
    if user in EXPORTERS:
        files = shown(cli, user, *export)["files"]
        assert f"{PUBLISHED}.md" in files and f"{CIRCULATED}.md" not in files
    else:
        refused(cli, user, *export)


# --- as of a date: a former member ------------------------------------------------------

def test_a_former_member_as_of_their_membership_and_as_of_now(cli: Cli) -> None:
    then = ("--as-of", "2023-10-20")
    # as of 20 October they sat at the table: the October draft, as it stood then
    draft = shown(cli, FORMER, "minutes", "show", APPROVED, *then)
    assert draft["status"] == "circulated"
    assert {m["meeting"] for m in shown(cli, FORMER, "minutes", "list", *then)} == {
        PUBLISHED, APPROVED}
    assert shown(cli, FORMER, "action", "show", f"{APPROVED}/A1", *then)["key"]
    assert shown(cli, FORMER, "history", APPROVED, *then)[-1]["event"] == \
        "Minutes.Circulated"
    # now: what came after they left is refused, what was approved while they sat is kept
    refused(cli, FORMER, "minutes", "show", APPROVED)
    refused(cli, FORMER, "action", "show", f"{APPROVED}/A1")
    refused(cli, FORMER, "history", APPROVED)
    assert shown(cli, FORMER, "minutes", "show", PUBLISHED)["status"] == "approved"
    # and a member who never sat there reads nothing, as of then or now
    refused(cli, NEVER, "minutes", "show", APPROVED, *then)
    refused(cli, NEVER, "minutes", "show", PUBLISHED)


def test_the_issue_reproduction_is_refused(cli: Cli) -> None:
    """A guest invited to no meeting: the draft letter, its comments, the history."""
    refused(cli, OUTSIDER, "document", "show", DOC)
    refused(cli, OUTSIDER, "comment", "list", DOC)
    refused(cli, OUTSIDER, "history", CIRCULATED)


def test_the_issue_reproduction_on_the_demo_store(tmp_path: Path) -> None:
    """Issue 12, as a new user tried it: a guest invited to no meeting, on `lrt demo`."""
    demo = Cli(db=tmp_path / "demo.sqlite")
    demo.ok("demo", user=None)
    demo.ok("person", "add", "Nick Nosy", user="secretariaat")
    demo.ok("user", "add", "nosy", "--role", "guest", "--person", "nick-nosy",
            user="secretariaat")
    for args in (("document", "show", "LRT-2023-11-10/D1"),
                 ("comment", "list", "LRT-2023-11-10/D1"), ("history", "LRT-2023-11-10")):
        refused(demo, "nosy", *args)
    assert shown(demo, "nosy", "action", "list", "--all") == []
    assert "LRT-2023-11-10/D1" in shown(demo, "secretariaat", "document", "show",
                                        "LRT-2023-11-10/D1")["key"]
