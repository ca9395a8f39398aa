"""Bad input gets one clear line on stderr and changes nothing.

Exit 2: the command line itself is wrong (unknown command or option, a malformed date, a
missing or conflicting option). Exit 1: a well-formed command the store refuses (an unknown
id, a rule of the domain, a role that may not, a missing store). Either way: exactly one line
starting with "Error:", no traceback, nothing on stdout, and every stored event as before.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lrt_domain.errors import InvalidInput
from lrt_domain.minutes import Item, Point, PointKind

from worlds.command_line import SEC, Cli, assert_one_line_error, store_fingerprint

M = "LRT-2023-11-10"  # held; minutes drafted, never circulated
LATER = "LRT-2023-12-01"  # held, so approval there would be possible
FUTURE = "LRT-2024-01-19"  # planned
D1 = f"{M}/D1"  # its comment round closed on 10 November 12:00
A1 = f"{M}/A1"  # open
A2 = f"{M}/A2"  # cancelled


@pytest.fixture(scope="module")
def store(module_store) -> Cli:
    """A store part-way through a cycle. The tests only try commands that must be refused,
    so they share it; `Cli.refused` checks that each left every event as it was."""
    cli = Cli(db=module_store)
    cli.at("2023-10-02 09:00")
    assert cli.invoke("init", "--admin", SEC, "--organisation", "JenV",
                      "--organisation-name", "Ministerie van JenV").exit_code == 0
    cli.new("org", "add", "VNG", "Vereniging van Nederlandse Gemeenten")
    cli.new("person", "add", "Liesbeth Spies", "--id", "spies")
    cli.new("person", "add", "Oud Lid", "--id", "oud")
    cli.new("user", "add", "spies", "--role", "member", "--organisation", "VNG",
            "--person", "spies")
    cli.new("user", "add", "oud", "--role", "member", "--organisation", "VNG",
            "--person", "oud")
    cli.ok("user", "deactivate", "oud", "--reason", "vertrokken")
    cli.new("user", "add", "woo", "--role", "auditor")
    cli.new("table", "add", "LRT", "Landelijke Regietafel", "--secretariat", "JenV")
    cli.new("member", "add", "LRT", "spies", "--organisation", "VNG", "--function",
            "bestuurder VNG", "--since", "2023-09-01")
    cli.at("2023-11-03 16:00")
    assert cli.new("meeting", "schedule", "LRT", "--at", "2023-11-10 09:15",
                   "--place", "Webex") == M
    cli.new("agenda", "add", M, "Opening")
    cli.new("agenda", "add", M, "WVTTK")
    assert cli.new("document", "add", M, "Conceptbrief", "--text", "tekst") == D1
    cli.ok("document", "send", D1)
    cli.ok("document", "round", D1, "--deadline", "2023-11-10 12:00")
    cli.at("2023-11-10 09:15")
    cli.ok("meeting", "hold", M)
    cli.at("2023-11-14 10:00")
    cli.new("minutes", "draft", M)  # empty, one item per agenda item
    assert cli.new("action", "add", M, "--item", "1", "--owner", "VNG", "--text", "x",
                   "--due", "2023-11-30") == A1
    assert cli.new("action", "add", M, "--item", "2", "--owner", "VNG", "--text", "y") == A2
    cli.ok("action", "cancel", A2, "--reason", "vervallen")
    assert cli.new("meeting", "schedule", "LRT", "--at", "2023-12-01 10:00",
                   "--place", "Webex") == LATER
    assert cli.new("meeting", "schedule", "LRT", "--at", "2024-01-19 10:00",
                   "--place", "Webex") == FUTURE
    cli.at("2023-12-01 10:00")
    cli.ok("meeting", "hold", LATER)
    cli.at("2023-12-04 10:00")
    return cli


USAGE = [  # (id, user, args, fragments of the error line) -> exit 2
    ("malformed-datetime", SEC, ["meeting", "schedule", "LRT", "--at", "10-11-2023 09:15",
                                 "--place", "Webex"], ["'--at'", "10-11-2023 09:15"]),
    ("impossible-time", SEC, ["document", "round", D1, "--deadline", "2024-01-10 25:00"],
     ["'--deadline'"]),
    ("malformed-date", SEC, ["member", "add", "LRT", "spies", "--organisation", "VNG",
                             "--function", "f", "--since", "2023-02-30"], ["'--since'"]),
    ("malformed-due", SEC, ["action", "add", M, "--item", "1", "--owner", "VNG", "--text", "x",
                            "--due", "morgen"], ["'--due'", "morgen"]),
    ("malformed-on", SEC, ["member", "list", "LRT", "--on", "10-11-2023"], ["'--on'"]),
    ("unknown-command", SEC, ["meetnig", "list"], ["meetnig"]),
    ("unknown-subcommand", SEC, ["meeting", "approve", M], ["approve"]),
    ("unknown-option", SEC, ["meeting", "list", "--colour"], ["--colour"]),
    ("missing-option", SEC, ["minutes", "object", M], ["--text"]),
    ("missing-argument", SEC, ["agenda", "add", M], ["TITLE"]),
    ("bad-choice", SEC, ["user", "add", "x", "--role", "boss"], ["'--role'", "boss"]),
    ("bad-presence", SEC, ["attendance", "record", M, "spies", "half"], ["half"]),
    ("not-a-number", SEC, ["amendment", "accept", M, "een"], ["een"]),
    ("zero-meetings-a-year", SEC, ["table", "rhythm", "LRT", "0"], ["0"]),
    ("received-at-without-for", SEC, ["comment", "add", D1, "--text", "x",
                                      "--received-at", "2023-11-10 11:00"], ["--for"]),
    ("text-and-from", SEC, ["document", "add", M, "Brief", "--text", "x", "--from",
                            __file__], ["--text", "--from"]),
    ("neither-text-nor-from", SEC, ["document", "add", M, "Brief"], ["--text"]),
    ("from-missing-file", SEC, ["minutes", "revise", M, "--from", "/nonexistent/v.md"],
     ["'--from'"]),
    # a NUL in a file name: the OS refuses it with a ValueError click does not expect
    ("nul-in-export-dir", SEC, ["export", "parliament", "--table", "LRT", "--from",
                                "2023-01-01", "--to", "2023-12-31", "--out", "a\x00b"],
     ["--out", "NUL"]),
    ("nul-in-from-file", SEC, ["minutes", "revise", M, "--from", "\x00"], ["--from", "NUL"]),
    ("as-of-malformed", SEC, ["deadlines", "--as-of", "31-12-2023"], ["--as-of"]),
    # invalid UTF-8 (Python reads such bytes as lone surrogates): named, refused at once
    ("invalid-utf8-agenda", SEC, ["agenda", "add", FUTURE, "Op\udcffening"],
     ["argument 4", "'Op\\xffening' is not valid UTF-8"]),
    ("invalid-utf8-person", SEC, ["person", "add", "Jan \udcc3\udca9 Jansen"],
     ["argument 3", "not valid UTF-8"]),
    ("invalid-utf8-table", SEC, ["table", "add", "T\udcff", "Tafel", "--secretariat", "JenV"],
     ["argument 3", "not valid UTF-8"]),
    ("invalid-utf8-option", SEC, ["table", "add", "T", "Tafel", "--secretariat", "Jen\udcff"],
     ["--secretariat", "not valid UTF-8"]),
    ("invalid-utf8-as", None, ["--as", "sec\udcff", "org", "list"],
     ["--as: 'sec\\xff' is not valid UTF-8"]),
    ("invalid-utf8-as-equals", None, ["--as=sec\udcff", "org", "list"], ["--as", "UTF-8"]),
    ("invalid-utf8-id", SEC, ["meeting", "show", "LRT-2023\udcff"], ["argument 3", "UTF-8"]),
    ("invalid-utf8-after-flag", SEC, ["minutes", "show", "--json", M + "\udcff"],
     ["argument 4", "UTF-8"]),
    ("lone-surrogate", SEC, ["history", "\ud800"], ["argument 2", "'\\ud800'"]),
    ("from-file-too-large", SEC, ["minutes", "revise", M, "--from", "HUGE"],
     ["'--from'", "larger than 1024 KiB"]),
    ("official-on-and-as-of", SEC, ["minutes", "show", M, "--official-on", "2023-12-01",
                                    "--as-of", "2023-12-01"], ["exclude each other"]),
]

REFUSED = [  # (id, user, args, fragments of the error line) -> exit 1
    # unknown ids
    ("unknown-meeting", SEC, ["meeting", "hold", "LRT-2099-01-01"], ["LRT-2099-01-01"]),
    ("unknown-meeting-show", SEC, ["meeting", "show", "LRT-2099-01-01"], ["LRT-2099-01-01"]),
    ("unknown-table", SEC, ["meeting", "schedule", "XYZ", "--at", "2024-02-01 10:00",
                            "--place", "Webex"], ["XYZ"]),
    ("unknown-person", SEC, ["member", "add", "LRT", "niemand", "--organisation", "VNG",
                             "--function", "f", "--since", "2023-09-01"], ["niemand"]),
    ("unknown-organisation", SEC, ["action", "add", M, "--item", "1", "--owner", "XYZ",
                                   "--text", "x"], ["XYZ"]),
    ("unknown-action", SEC, ["action", "done", f"{M}/A9"], [f"{M}/A9"]),
    ("unknown-minutes", SEC, ["minutes", "circulate", LATER, "--deadline", "2024-01-01 12:00"],
     ["no minutes", LATER]),
    ("unknown-agenda-item", SEC, ["action", "add", M, "--item", "9", "--owner", "VNG",
                                  "--text", "x"], ["no item 9"]),
    ("unknown-amendment", SEC, ["amendment", "accept", M, "7"], ["no amendment 7"]),
    ("unknown-history", SEC, ["history", "NIETS"], ["NIETS"]),
    # end before start
    ("until-before-since", SEC, ["member", "add", "LRT", "spies", "--organisation", "VNG",
                                 "--function", "f", "--since", "2023-09-01",
                                 "--until", "2023-08-01"], ["until"]),
    ("due-before-meeting", SEC, ["action", "add", M, "--item", "1", "--owner", "VNG",
                                 "--text", "x", "--due", "2023-11-01"], ["due"]),
    # deadlines in the past
    ("round-deadline-past", SEC, ["document", "round", D1, "--deadline", "2023-11-20 12:00"],
     ["deadline", "past"]),
    ("circulate-deadline-past", SEC, ["minutes", "circulate", M,
                                      "--deadline", "2023-12-01 12:00"], ["deadline", "past"]),
    # forbidden transitions
    ("approve-draft-minutes", SEC, ["minutes", "approve", M, "--at-meeting", LATER],
     ["never circulated"]),
    ("approve-how", SEC, ["minutes", "approve", M], ["--at-meeting", "--written-procedure"]),
    ("correct-draft-minutes", SEC, ["minutes", "correct", M, "--item", "1", "--text", "x",
                                    "--reason", "y"], ["only approved minutes are corrected"]),
    ("amend-draft-minutes", "spies", ["amendment", "propose", M, "--item", "1", "--text", "x"],
     ["not circulated"]),
    ("hold-held-meeting", SEC, ["meeting", "hold", M], ["held"]),
    ("hold-future-meeting", SEC, ["meeting", "hold", FUTURE], [FUTURE, "before it starts"]),
    ("attendance-future-meeting", SEC, ["attendance", "record", FUTURE, "spies", "present"],
     ["not started"]),
    ("complete-cancelled-action", SEC, ["action", "done", A2], ["cancelled"]),
    ("carry-to-earlier-meeting", SEC, ["action", "carry", A1, "--to", M], ["not later"]),
    ("draft-minutes-twice", SEC, ["minutes", "draft", M], ["already exists"]),
    ("duplicate-organisation", SEC, ["org", "add", "VNG", "Nog een VNG"], ["VNG"]),
    ("duplicate-organisation-other-case", SEC, ["org", "add", "vng", "Nog een VNG"],
     ["organisation vng already exists (as VNG)"]),
    # what no document (XML, DOCX) can hold, refused at input naming field and character
    ("agenda-title-ffff", SEC, ["agenda", "add", FUTURE, "Rond\uffffvraag"],
     ["title: contains a character that cannot be stored in a document (U+FFFF at "
      "character 5)"]),
    ("agenda-title-fffe", SEC, ["agenda", "add", FUTURE, "\ufffe"], ["title", "U+FFFE"]),
    ("agenda-title-vertical-tab", SEC, ["agenda", "add", FUTURE, "a\x0bb"],
     ["title: contains control characters (U+000B at character 2)"]),
    ("document-text-unit-separator", SEC, ["document", "add", FUTURE, "Brief", "--text",
                                           "teks\x1ft"], ["text", "U+001F"]),
    ("action-text-ffff", SEC, ["action", "add", M, "--item", "1", "--owner", "VNG",
                               "--text", "x\uffff"], ["text", "U+FFFF"]),
    ("person-name-form-feed", SEC, ["person", "add", "Jan\x0cJansen"], ["name", "U+000C"]),
    # the comment round on D1 closed at 12:00 on 10 November
    ("comment-after-deadline", "spies", ["comment", "add", D1, "--text", "Te laat."],
     ["closed"]),
    ("recorded-comment-received-after-deadline", SEC,
     ["comment", "add", D1, "--text", "Te laat.", "--for", "spies",
      "--received-at", "2023-11-10 12:05"], ["closed"]),
    ("received-in-the-future", SEC, ["comment", "add", D1, "--text", "x", "--for", "spies",
                                     "--received-at", "2023-12-31 12:00"], ["future"]),
    ("comment-on-minutes-without-round", "spies", ["comment", "add", M, "--text", "x"],
     ["no comment round"]),
    ("secretariat-comment-without-for", SEC, ["comment", "add", D1, "--text", "x"], ["--for"]),
    # wrong roles
    ("member-schedules-meeting", "spies", ["meeting", "schedule", "LRT", "--at",
                                           "2024-03-01 10:00", "--place", "Webex"],
     ["spies", "member", "schedule meetings"]),
    ("member-registers-organisation", "spies", ["org", "add", "IPO", "Interprovinciaal"],
     ["spies", "member"]),
    ("member-completes-action", "spies", ["action", "done", A1], ["spies", "member"]),
    ("member-comments-for-someone-else", "spies", ["comment", "add", D1, "--text", "x",
                                                   "--for", "oud"], ["spies"]),
    ("auditor-adds-organisation", "woo", ["org", "add", "IPO", "Interprovinciaal"],
     ["woo", "auditor"]),
    ("auditor-adds-user", "woo", ["user", "add", "x", "--role", "auditor"], ["woo", "auditor"]),
    ("auditor-schedules-meeting", "woo", ["meeting", "schedule", "LRT", "--at",
                                          "2024-03-01 10:00", "--place", "Webex"],
     ["woo", "auditor"]),
    ("auditor-adds-agenda-item", "woo", ["agenda", "add", FUTURE, "Opening"],
     ["woo", "auditor"]),
    ("auditor-circulates-minutes", "woo", ["minutes", "circulate", M,
                                           "--deadline", "2024-01-01 12:00"],
     ["woo", "auditor"]),
    ("auditor-comments", "woo", ["comment", "add", D1, "--text", "x"], ["woo", "auditor"]),
    ("auditor-reports-progress", "woo", ["action", "progress", A1, "--note", "x"],
     ["woo", "auditor"]),
    ("auditor-completes-action", "woo", ["action", "done", A1], ["woo", "auditor"]),
    ("auditor-deactivates-user", "woo", ["user", "deactivate", "spies", "--reason", "x"],
     ["woo", "auditor"]),
    # empty or blank text
    ("empty-agenda-title", SEC, ["agenda", "add", FUTURE, ""], ["title"]),
    ("blank-action-text", SEC, ["action", "add", M, "--item", "1", "--owner", "VNG",
                                "--text", "   "], ["text"]),
    ("empty-progress-note", SEC, ["action", "progress", A1, "--note", ""], ["note"]),
    ("empty-organisation-name", SEC, ["org", "add", "IPO", ""], ["name"]),
    ("empty-place", SEC, ["meeting", "schedule", "LRT", "--at", "2024-03-01 10:00",
                          "--place", ""], ["place"]),
    # who acts
    ("unknown-user", "ghost", ["org", "add", "IPO", "Interprovinciaal"], ["ghost"]),
    ("unknown-user-reading", "ghost", ["history", M], ["ghost"]),
    ("no-user", None, ["org", "add", "IPO", "Interprovinciaal"], ["--as"]),
    ("deactivated-user", "oud", ["action", "progress", A1, "--note", "x"], ["deactivated"]),
    ("init-twice", None, ["init", "--admin", "x", "--organisation", "JenV",
                          "--organisation-name", "JenV"], ["already initialised"]),
    ("nul-in-key-file", SEC, ["--key-file", "\x00", "org", "list"], ["key file"]),
    ("official-before-approval", SEC, ["minutes", "show", M, "--official-on", "2023-12-20"],
     ["not approved on 2023-12-20", "status then: draft"]),
]


@pytest.mark.parametrize("user,args,fragments", [c[1:] for c in USAGE],
                         ids=[c[0] for c in USAGE])
def test_usage_errors_exit_2(store: Cli, user: str | None, args: list[str],
                             fragments: list[str], tmp_path: Path) -> None:
    if "HUGE" in args:  # a file of one byte more than --from reads
        from cli.params import MAX_FILE

        huge = tmp_path / "huge.md"
        huge.write_bytes(b"## 1. Opening\n" + b"- x\n" * (MAX_FILE // 4))
        args = [str(huge) if a == "HUGE" else a for a in args]
    store.refused(*args, code=2, user=user, fragments=tuple(fragments))


@pytest.mark.parametrize("user,args,fragments", [c[1:] for c in REFUSED],
                         ids=[c[0] for c in REFUSED])
def test_refused_commands_exit_1(store: Cli, user: str | None, args: list[str],
                                 fragments: list[str]) -> None:
    if user is None and args[0] != "init" and store.store.kind == "postgres":
        fragments = ["no user 'postgres'"]  # there, the database login acts
    if args[0] == "init" and store.store.kind == "postgres":
        # there, `init` on a store upgrades it (stamps, grants) and records no event
        before = store_fingerprint(store.db)
        assert "upgraded" in store.ok(*args, user=user)
        assert store_fingerprint(store.db) == before
        return
    store.refused(*args, code=1, user=user, fragments=tuple(fragments))


def test_malformed_minutes_text_is_refused(store: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "verslag.md"
    bad.write_text("- een punt zonder kop\n", encoding="utf8")
    store.refused("minutes", "revise", M, "--from", str(bad), fragments=("line 1",))
    bad.write_text("## 1. Opening\nlos zinnetje\n", encoding="utf8")
    store.refused("minutes", "revise", M, "--from", str(bad), fragments=("line 2",))
    # text before the first item is reported, not dropped unseen
    bad.write_text("# Verslag\n\nDe voorzitter opent om 10 uur.\n## 1. Opening\n- x\n",
                   encoding="utf8")
    store.refused("minutes", "revise", M, "--from", str(bad), fragments=(
        "text line 3: text before the first agenda item",))
    # what no document can hold, in a point and in a title (the repro: U+FFFF was stored,
    # then `--format docx` failed)
    bad.write_text("## 1. Opening\n- Wel\uffffkom.\n", encoding="utf8")
    store.refused("minutes", "revise", M, "--from", str(bad), fragments=(
        "item 1 point: contains a character that cannot be stored in a document (U+FFFF",))
    bad.write_text("## 1. Ope\x07ning\n- Welkom.\n", encoding="utf8")
    store.refused("minutes", "revise", M, "--from", str(bad), fragments=(
        "item 1 title: contains control characters (U+0007 at character 4)",))
    # the repro's heading of spaces (it spun 35 s in a backtracking pattern) is read, in
    # linear time, and its title refused by the domain for its length; a line longer than
    # a point may be (MAX_LINE) is refused by the parser
    bad.write_text("## 1. a" + " " * 60_000 + "b\n", encoding="utf8")
    store.refused("minutes", "revise", M, "--from", str(bad), fragments=(
        "item 1 title: longer than 500 characters",))
    bad.write_text("## 1. a\n- " + "x" * 100_001 + "\n", encoding="utf8")
    store.refused("minutes", "revise", M, "--from", str(bad), fragments=(
        "text line 2: longer than 100000 characters",))
    bad.write_bytes(b"## 1. Caf\xe9\n")  # Latin-1, not UTF-8
    store.refused("minutes", "revise", M, "--from", str(bad), code=2,
                  fragments=("'--from'", "cannot read"))


def test_the_permission_is_checked_before_the_text_is_read(store: Cli, tmp_path: Path
                                                           ) -> None:
    """A member's revision is refused for who they are, whatever the text: a malformed
    text and a costly one get the same refusal, so no parsing ran before it."""
    for text in ("- een punt zonder kop\n", "## 1. a" + " " * 60_000 + "b\n",
                 "## 1. Opening\n- Wel\uffffkom.\n"):
        f = tmp_path / "verslag.md"
        f.write_text(text, encoding="utf8")
        for command in ("revise", "draft"):
            store.refused("minutes", command, M, "--from", str(f), user="spies",
                          fragments=("user spies (member) may not",))


def held(cli: Cli) -> str:
    """A store with one held meeting of the LRT (agenda: Opening, WVTTK)."""
    assert cli.invoke("init", "--admin", SEC, "--organisation", "JenV",
                      "--organisation-name", "JenV", user=None).exit_code == 0
    cli.new("table", "add", "LRT", "Landelijke Regietafel", "--secretariat", "JenV")
    cli.at("2023-11-03 16:00")
    assert cli.new("meeting", "schedule", "LRT", "--at", "2023-11-10 09:15",
                   "--place", "Webex") == M
    cli.new("agenda", "add", M, "Opening")
    cli.new("agenda", "add", M, "WVTTK")
    cli.at("2023-11-10 12:00")
    cli.ok("meeting", "hold", M)
    return M


@pytest.fixture
def fresh(store_factory) -> Cli:
    """The command line on a fresh store (this module's `store` is the shared one)."""
    return Cli(db=store_factory())


def test_a_byte_order_mark_and_the_rendered_heading_are_read(fresh: Cli, tmp_path: Path
                                                             ) -> None:
    cli = fresh
    meeting = held(cli)
    text = tmp_path / "verslag.md"
    text.write_bytes("\ufeff<!-- uit Word -->\n# LRT\n\n| | |\n|---|---|\n| Omschrijving | LRT |"
                     "\n\n## 1. Opening\n- Welkom.\n".encode("utf8"))
    assert cli.new("minutes", "draft", meeting, "--from", str(text)) == meeting
    shown = cli.json("minutes", "show", meeting)
    assert [(i["title"], [p["text"] for p in i["points"]]) for i in shown["items"]] == [
        ("Opening", ["Welkom."])]
    # and the Markdown the store renders reads back in as the same items
    rendered = tmp_path / "weer.md"
    cli.ok("minutes", "show", meeting, "--format", "md", "--out", str(rendered))
    cli.refused("minutes", "revise", meeting, "--from", str(rendered),
                fragments=("changes nothing",))


def test_invalid_utf8_from_a_real_command_line(tmp_path: Path) -> None:
    """As a shell passes it: bytes, not text. The real `lrt` executable."""
    import subprocess

    from worlds.command_line import lrt_executable

    db = tmp_path / "lrt.sqlite"
    exe = str(lrt_executable()).encode()
    init = subprocess.run([exe, b"--db", str(db).encode(), b"init", b"--admin", b"sec",
                           b"--organisation", b"JenV", b"--organisation-name", b"JenV"],
                          capture_output=True)
    assert init.returncode == 0, init.stderr
    before = store_fingerprint(db)
    for args in ([b"org", b"add", b"VNG", b"Vereniging \xff"],
                 [b"--as", b"s\xe9c", b"org", b"list"],
                 [b"person", b"add", b"Ren\xe9e"]):
        run = subprocess.run([exe, b"--db", str(db).encode(), *args], capture_output=True,
                             env={"LRT_USER": "sec", "PATH": "/usr/bin:/bin"})
        assert run.returncode == 2, run
        assert run.stdout == b""
        assert run.stderr.count(b"\n") == 1 and b"is not valid UTF-8 text" in run.stderr, \
            run.stderr
        assert b"Traceback" not in run.stderr
    assert store_fingerprint(db) == before


def test_the_refusals_left_the_store_usable(store: Cli) -> None:
    """After all those refusals, a good command still works and the views are intact."""
    before, _ = store_fingerprint(store.db)
    store.ok("action", "progress", A1, "--note", "Onderweg.", user="spies")
    assert store_fingerprint(store.db)[0] == before + 1
    assert [a["key"] for a in store.json("action", "list")] == [A1]
    assert store.json("projections", "status")["behind"] == 0


def test_no_store(tmp_path: Path) -> None:
    for args in (["org", "list"], ["projections", "status"],
                 ["org", "add", "VNG", "Vereniging van Nederlandse Gemeenten"]):
        cli = Cli(db=tmp_path / "missing.sqlite")
        assert_one_line_error(cli.invoke(*args), 1, "no store at", "lrt init")
        assert not cli.db.exists(), "a failed command created the store"
    cli = Cli(db=tmp_path / "no" / "such" / "dir.sqlite")
    assert_one_line_error(cli.invoke("init", "--admin", SEC, "--organisation", "JenV",
                                     "--organisation-name", "JenV", user=None), 1, "db:")
    assert not (tmp_path / "no").exists()


def test_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    not_a_store = tmp_path / "notes.sqlite"
    not_a_store.write_bytes(b"these are my notes, not a database\n" * 10)
    cli = Cli(db=not_a_store)
    assert_one_line_error(cli.invoke("org", "list"), 1, "store")
    assert_one_line_error(cli.invoke("init", "--admin", SEC, "--organisation", "JenV",
                                     "--organisation-name", "JenV", user=None), 1, "store")
    assert not_a_store.read_bytes() == b"these are my notes, not a database\n" * 10



def test_the_minutes_parser_on_hostile_lines() -> None:
    """Linear in a line's length (the old heading pattern backtracked quadratically on
    '## 1. a', spaces, 'b': 51 s for 60 KB); a heading number too long for an item, a
    header block, a comment and a byte order mark."""
    from lrt_app.minutes_text import MAX_LINE, parse

    wide = "## 1. a" + " " * (MAX_LINE - 8) + "b"
    assert [(it.number, it.title[0], it.title[-1]) for it in parse(wide)] == [(1, "a", "b")]
    assert parse("## " + "1" * 5000) == []  # a title line, not item 111...
    with pytest.raises(InvalidInput, match=r"^text line 2: longer than 100000 characters"):
        parse("## 1. Opening\n- " + "x" * MAX_LINE)
    assert parse("\ufeff# T\n<!-- a\n  b -->\n| x | y |\n## 2) Twee\n- Besluit: ja") == [
        Item(number=2, title="Twee", points=(Point(kind=PointKind.DECISION, text="ja"),))]
    with pytest.raises(InvalidInput, match=r"^text line 3: text before the first agenda"):
        parse("# T\n<!-- a -->\nlos\n## 1. x")
