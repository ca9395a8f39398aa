"""`lrt minutes redactions|redact|unredact|publish` through the command line, on SQLite and
PostgreSQL: the published files never hold a civil servant's name, office holders stay
named, a lifted redaction is named again, a passage is withheld under 5.2, the inventory
lists every redaction; refusals are one line and write nothing."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from .test_documents_print import Text, body_text, pdf_facts, squeeze
from worlds.command_line import SEC, Cli

M1, M2 = "LRT-2023-11-10", "LRT-2023-12-01"
OPINION = "Persoonlijk vind ik dit voorstel onverstandig."
MINUTES = f"""\
## 1. Opening en mededelingen
- De voorzitter opent; mw. K. Morren (IPO) licht de cijfers toe.
## 2. Huisvesting statushouders
- Liesbeth Spies vraagt om tempo. {OPINION}
- Actie: VNG levert een notitie aan.
"""


def setup(cli: Cli, tmp: Path, *, approve: bool = True, minutes: str = MINUTES) -> None:
    """A table with an office holder (Spies, VNG) and a civil servant (Morren, IPO), both
    at the meeting of 10 November and named in its minutes; approved on 1 December."""
    cli.at("2023-10-02 09:00")
    assert cli.invoke("init", "--admin", SEC, "--organisation", "JenV",
                      "--organisation-name", "Ministerie van JenV", user=None).exit_code == 0
    for code in ("VNG", "IPO"):
        cli.new("org", "add", code, f"Organisatie {code}")
    cli.new("person", "add", "Liesbeth Spies", "--title", "Mevr.")
    cli.new("person", "add", "Karin Morren", "--title", "Mw.")
    cli.new("user", "add", "spies", "--role", "member", "--organisation", "VNG",
            "--person", "liesbeth-spies")
    cli.new("user", "add", "woo", "--role", "auditor")
    cli.new("table", "add", "LRT", "Landelijke Regietafel", "--secretariat", "JenV")
    cli.new("member", "add", "LRT", "liesbeth-spies", "--organisation", "VNG", "--function",
            "bestuurder VNG", "--since", "2023-09-01", "--office-holder")
    cli.new("member", "add", "LRT", "karin-morren", "--organisation", "IPO", "--function",
            "beleidsadviseur IPO", "--since", "2023-09-01", "--civil-servant")
    cli.new("meeting", "schedule", "LRT", "--at", "2023-11-10 09:15", "--place", "Webex")
    cli.new("agenda", "add", M1, "Opening en mededelingen")
    cli.new("agenda", "add", M1, "Huisvesting statushouders")
    cli.new("meeting", "schedule", "LRT", "--at", "2023-12-01 10:00", "--place", "Webex")
    cli.at("2023-11-10 10:00")
    cli.ok("meeting", "hold", M1)
    cli.ok("attendance", "record", M1, "liesbeth-spies", "present")
    cli.ok("attendance", "record", M1, "karin-morren", "remote")
    cli.at("2023-11-14 10:00")
    text = tmp / "verslag.md"
    text.write_text(minutes, encoding="utf8")
    cli.new("minutes", "draft", M1, "--from", str(text))
    cli.ok("minutes", "circulate", M1, "--deadline", "2023-11-21 12:00")
    if approve:
        cli.at("2023-12-01 10:00")
        cli.ok("meeting", "hold", M2)
        cli.ok("minutes", "approve", M1, "--at-meeting", M2)
    cli.at("2024-01-08 10:00")


@pytest.fixture
def woo(cli: Cli, tmp_path: Path) -> Cli:
    setup(cli, tmp_path)
    return cli


def published_files(out: Path) -> dict[str, str]:
    """The text files written (the PDF is read by `pdf_facts`)."""
    return {p.name: p.read_text(encoding="utf8") for p in sorted(out.iterdir())
            if p.suffix != ".pdf"}


def test_the_default_redactions_with_where_they_occur(woo):
    rows = woo.json("minutes", "redactions", M1)
    assert [(r["number"], r["person"], r["origin"], r["ground"], r["in_force"], r["where"])
            for r in rows] == [
        (1, "karin-morren", "default", "5.1.2e", True,
         ["aanwezigheid", "agendapunt 1, punt 1"])]
    assert "karin-morren" in woo.ok("minutes", "redactions", M1)
    assert woo.json("minutes", "redactions", M1, user="woo") == rows


def test_publish_redacts_civil_servants_and_names_office_holders(woo, tmp_path):
    assert woo.new("minutes", "redact", M1, "--passage", OPINION, "--ground", "5.2",
                   "--reason", "persoonlijke beleidsopvatting") == "2"
    woo.at("2024-01-09 14:00")
    out = tmp_path / "openbaar"
    data = woo.json("minutes", "publish", M1, "--out", str(out))
    files = published_files(out)
    assert set(files) == {f"{M1}-openbaar.md", f"{M1}-openbaar.html", f"{M1}-inventaris.md",
                          f"{M1}-openbaar.xml"}  # the DiWoo metadata holds no name either
    assert data["files"]["pdf"] == str(out / f"{M1}-openbaar.pdf")
    pdf = pdf_facts((out / f"{M1}-openbaar.pdf").read_bytes())  # PDF/A, the same text
    assert pdf["pdfa"] == ("2", "B") and all(pdf["fonts"].values())
    files["pdf"] = body_text(pdf["pages"], ["Landelijke Regietafel", "Datum 10 november 2023",
                                            f"Onze referentie {M1}"])
    assert squeeze(files["pdf"]) == squeeze(Text.of(files[f"{M1}-openbaar.html"]))
    for content in files.values():
        assert "Morren" not in content and "Karin" not in content
        assert OPINION not in content
    md = files[f"{M1}-openbaar.md"]
    assert "Mevr. Spies (VNG)" in md and "Liesbeth Spies vraagt om tempo. [5.2]" in md
    assert "[5.1.2e] (IPO) (digitaal)" in md and "mw. [5.1.2e] (IPO)" not in md
    assert "De voorzitter opent; [5.1.2e] (IPO) licht" in md
    # the digests recorded are those of the files written
    assert data["public_digest"] == hashlib.sha256(
        (out / f"{M1}-openbaar.md").read_bytes()).hexdigest()
    assert data["html_digest"] == hashlib.sha256(
        (out / f"{M1}-openbaar.html").read_bytes()).hexdigest()
    assert (data["publication"], data["text_version"], data["approved_version"]) == (1, 1, 1)
    assert data["text_digest"] == data["approved_digest"]
    # the inventory: each redaction with ground, decider (by role) and time
    assert [(r["number"], r["what"], r["ground"], r["decided_by"], r["decided_at"])
            for r in data["inventory"]] == [
        (1, "naam van persoon 1", "5.1.2e", "secretariaat JenV (standaard voor ambtenaren)",
         "2024-01-09T14:00+01:00"),
        (2, "passage", "5.2", "secretariaat JenV", "2024-01-08T10:00+01:00")]
    inventory = files[f"{M1}-inventaris.md"]
    assert "| 1 | naam van persoon 1 | 5.1.2e | secretariaat JenV (standaard voor " \
           "ambtenaren) | 9 januari 2024, 14:00 | 2 |" in inventory
    assert "| 2 | passage | 5.2 | secretariaat JenV | 8 januari 2024, 10:00 | 1 |" in inventory
    assert not re.search(rf"\b{SEC}\b", inventory)  # the decider's login is not public
    # the unredacted text stays in the store, for those who may read it
    assert "Morren" in woo.ok("minutes", "show", M1)
    history = woo.json("history", M1)
    assert "Morren" in str(history)


def test_a_lifted_redaction_is_named_again(woo, tmp_path):
    assert woo.ok("minutes", "unredact", M1, "1", "--reason",
                  "mw. Morren stemt in met vermelding").startswith("redaction 1 of")
    (row,) = woo.json("minutes", "redactions", M1)
    assert (row["in_force"], row["lifted"]["user"], row["lifted"]["reason"]) == (
        False, SEC, "mw. Morren stemt in met vermelding")
    out = tmp_path / "openbaar"
    woo.ok("minutes", "publish", M1, "--out", str(out))
    md = (out / f"{M1}-openbaar.md").read_text(encoding="utf8")
    assert "Mw. Morren (IPO) (digitaal)" in md and "mw. K. Morren (IPO) licht" in md
    assert "Er is niets weggelakt." in (out / f"{M1}-inventaris.md").read_text(encoding="utf8")


@pytest.mark.parametrize("user, args", [
    ("spies", ("minutes", "redact", M1, "--person", "liesbeth-spies", "--ground", "5.1.2e",
               "--reason", "r")),
    ("woo", ("minutes", "unredact", M1, "1", "--reason", "r")),
    ("woo", ("minutes", "publish", M1, "--out", "OUT")),
    ("spies", ("minutes", "publish", M1, "--out", "OUT")),
    ("spies", ("minutes", "redactions", M1)),
])
def test_a_forbidden_role_is_refused_and_writes_nothing(woo, tmp_path, user, args):
    out = tmp_path / "out"
    args = tuple(str(out) if a == "OUT" else a for a in args)
    woo.refused(*args, user=user, fragments=("may not",))
    assert not out.exists() or not any(out.iterdir())


def test_unapproved_minutes_cannot_be_published(cli, tmp_path):
    setup(cli, tmp_path, approve=False)
    out = tmp_path / "out"
    cli.refused("minutes", "publish", M1, "--out", str(out),
                fragments=("are circulated; only approved minutes are published",))
    assert not out.exists()  # a refused publication leaves no --out directory behind
    assert list(tmp_path.glob(".out.*")) == []  # nor its staging directory


@pytest.mark.parametrize("args, code, fragment", [
    (("minutes", "redact", M1, "--ground", "5.2", "--reason", "r"), 2,
     "give one of --person, --passage or --name"),
    (("minutes", "redact", M1, "--person", "x", "--passage", "y", "--ground", "5.2",
      "--reason", "r"), 2, "give one of --person, --passage or --name"),
    (("minutes", "redact", M1, "--passage", OPINION, "--ground", "5.1.1", "--reason", "r"),
     2, "'5.1.1' is not one of"),
    (("minutes", "redact", M1, "--passage", "Staat er niet", "--ground", "5.2",
      "--reason", "r"), 1, "passage: does not occur in minutes"),
    (("minutes", "redact", M1, "--person", "niemand", "--ground", "5.2", "--reason", "r"),
     1, "person: no person 'niemand'"),
    (("minutes", "redact", M1, "--person", "karin-morren", "--ground", "5.1.2e",
      "--reason", "r"), 1, "karin-morren is already redacted"),
    (("minutes", "redact", M1, "--passage", OPINION, "--ground", "5.2", "--reason", " "),
     1, "reason: must not be empty"),
    (("minutes", "unredact", M1, "7", "--reason", "r"), 1, "have no redaction 7"),
    (("minutes", "unredact", M1, "x", "--reason", "r"), 2, "'x' is not a valid integer"),
    (("minutes", "redactions", "LRT-1999-01-01"), 1, "no minutes 'LRT-1999-01-01'"),
    (("minutes", "publish", M1), 2, "Missing option '--out'"),
])
def test_bad_input_is_one_line_and_writes_nothing(woo, args, code, fragment):
    woo.refused(*args, code=code, fragments=(fragment,))


def test_publishing_unchanged_again_says_so_records_and_writes_nothing(woo, tmp_path):
    from worlds.command_line import store_fingerprint

    woo.ok("minutes", "publish", M1, "--out", str(tmp_path / "a"))
    before = store_fingerprint(woo.db)
    for out in ("a", "b"):  # over the files written, or into a new directory
        said = woo.ok("minutes", "publish", M1, "--out", str(tmp_path / out))
        assert said == (f"minutes {M1} were already published as they are (publication 1); "
                        "nothing changed since; nothing written\n")
    assert woo.json("minutes", "publish", M1, "--out", str(tmp_path / "b"))["changed"] is False
    assert store_fingerprint(woo.db) == before
    assert not (tmp_path / "b").exists()


def test_an_unwritable_out_directory_records_nothing(woo, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    woo.refused("minutes", "publish", M1, "--out", str(blocker / "sub"), code=2,
                fragments=("cannot write in",))


def test_the_redactions_as_they_stood_at_an_earlier_record_time(woo):
    woo.ok("minutes", "unredact", M1, "1", "--reason", "toestemming")
    woo.at("2024-01-10 09:00")
    (now,) = woo.json("minutes", "redactions", M1)
    (then,) = woo.json("minutes", "redactions", M1, "--as-of", "2024-01-07")
    assert (now["in_force"], then["in_force"]) == (False, True)


def test_an_edited_read_model_never_reaches_a_publication(cli, tmp_path):
    """A writer edits the draft's state in the read model before the genuine approval:
    the publication is rendered from the events and holds the true text."""
    setup(cli, tmp_path, approve=False)
    cli.ok("projections", "catch-up")  # PostgreSQL: the draft in the read model first
    cli.store.execute("UPDATE view_state SET state = replace(state, 'onverstandig', "
                      "'verstandig en UITSTEKEND') WHERE kind = 'minutes'")
    cli.ok("meeting", "hold", M2)
    cli.ok("minutes", "approve", M1, "--at-meeting", M2)
    assert "UITSTEKEND" in str(cli.json("minutes", "show", M1))  # the read model lies
    out = tmp_path / "openbaar"
    data = cli.json("minutes", "publish", M1, "--out", str(out))
    md = (out / f"{M1}-openbaar.md").read_text(encoding="utf8")
    assert OPINION in md and "UITSTEKEND" not in md
    assert data["public_digest"] == hashlib.sha256(md.encode("utf8")).hexdigest()


# --- names the directory does not hold: suggested by deduce, confirmed or dismissed ----------

UNKNOWN = MINUTES.replace(
    "- Actie: VNG", "- Dhr. Pieter de Groot (gemeente Utrecht) stuurt de cijfers; De Groot "
    "belt daarna Karel Appel.\n- Actie: VNG")


def test_names_not_in_the_directory_are_suggested_confirmed_or_dismissed(cli, tmp_path):
    """The one test that runs deduce (its model is built once per process: the second
    store reuses it). Asking records nothing; confirming redacts the name in every form;
    dismissing leaves it in clear; neither is suggested again; each decision is an event
    with who and in which role."""
    from worlds.command_line import store_fingerprint

    setup(cli, tmp_path, minutes=UNKNOWN)
    before = store_fingerprint(cli.db)
    rows = cli.json("minutes", "redactions", M1, "--suggest")
    names = {r["name"]: r for r in rows}
    assert {"Pieter de Groot", "Karel Appel"} <= set(names), rows
    assert all(r["status"] == "suggested" for r in rows)
    assert names["Karel Appel"]["where"] == ["agendapunt 2, punt 2"]
    # the directory's persons are redacted (or named) as persons, never suggested
    assert not any(w in n for n in names for w in ("Morren", "Spies", "VNG", "IPO"))
    assert store_fingerprint(cli.db) == before  # asking records nothing

    number = cli.new("minutes", "redact", M1, "--name", "Pieter de Groot", "--ground",
                     "5.1.2e", "--reason", "ambtenaar gemeente (voorstel deduce)")
    cli.ok("minutes", "dismiss", M1, "Karel Appel", "--reason", "kunstenaar, geen deelnemer")
    left = {r["name"]: r for r in cli.json("minutes", "redactions", M1, "--suggest")}
    assert "Pieter de Groot" not in left and "De Groot" not in left  # redacted: every form
    assert left["Karel Appel"]["status"] == "dismissed"
    assert left["Karel Appel"]["dismissed"]["user"] == SEC
    assert left["Karel Appel"]["dismissed"]["role"] == "secretariat"
    assert [r for r in left.values() if r["status"] == "suggested"] == []

    (added,) = [r for r in cli.json("minutes", "redactions", M1) if r["kind"] == "name"]
    assert (str(added["number"]), added["name"], added["occurrences"]) == (
        number, "Pieter de Groot", 2)
    assert added["decided"]["role"] == "secretariat"
    out = tmp_path / "openbaar"
    cli.ok("minutes", "publish", M1, "--out", str(out))
    public = published_files(out)[f"{M1}-openbaar.md"]
    assert "Groot" not in public and "Pieter" not in public
    assert "[5.1.2e] (gemeente Utrecht)" in public and "[5.1.2e] belt" in public
    assert "Karel Appel" in public
    inventory = published_files(out)[f"{M1}-inventaris.md"]
    assert "naam van persoon 2" in inventory and "Groot" not in inventory
    history = cli.ok("history", M1)
    assert "SuggestionDismissed" in history or "suggestion dismissed" in history.lower()


@pytest.mark.parametrize("args, code, fragment", [
    (("minutes", "redact", M1, "--name", "Karin Morren", "--ground", "5.1.2e", "--reason",
      "r"), 1, "is person karin-morren of the directory; redact it with --person"),
    (("minutes", "redact", M1, "--name", "Jan Jansen", "--ground", "5.1.2e", "--reason",
      "r"), 1, "name: 'Jan Jansen' does not occur in minutes"),
    (("minutes", "redact", M1, "--name", "Pieter de Groot", "--passage", "x", "--ground",
      "5.2", "--reason", "r"), 2, "give one of --person, --passage or --name"),
    (("minutes", "redact", M1, "--name", "...", "--ground", "5.1.2e", "--reason", "r"), 1,
     "is not a name"),
    (("minutes", "dismiss", M1, "Jan Jansen", "--reason", "r"), 1, "does not occur"),
    (("minutes", "dismiss", M1, "Karel Appel"), 2, "Missing option '--reason'"),
    (("minutes", "dismiss", M1, "Karel Appel", "--reason", "r"), 1, "may not",
     ),
])
def test_names_refused_in_one_line_and_nothing_written(cli, tmp_path, args, code, fragment):
    from worlds.command_line import store_fingerprint

    setup(cli, tmp_path, minutes=UNKNOWN)
    before = store_fingerprint(cli.db)
    user = "spies" if fragment == "may not" else SEC
    cli.refused(*args, code=code, user=user, fragments=(fragment,))
    assert store_fingerprint(cli.db) == before


def test_a_name_is_dismissed_or_redacted_once(woo_names):
    woo_names.ok("minutes", "dismiss", M1, "Karel  Appel", "--reason", "geen deelnemer")
    woo_names.refused("minutes", "dismiss", M1, "karel appel", "--reason", "r",
                      fragments=("'karel appel' was already dismissed",))
    woo_names.new("minutes", "redact", M1, "--name", "Pieter de Groot", "--ground", "5.1.2e",
                  "--reason", "r")
    woo_names.refused("minutes", "redact", M1, "--name", "PIETER DE GROOT", "--ground",
                      "5.1.2e", "--reason", "r", fragments=("already redacted",))
    # lifted like any added redaction, by its number: the name is public again
    (added,) = [r for r in woo_names.json("minutes", "redactions", M1) if r["kind"] == "name"]
    woo_names.ok("minutes", "unredact", M1, str(added["number"]), "--reason", "toestemming")


@pytest.fixture
def woo_names(cli: Cli, tmp_path: Path) -> Cli:
    setup(cli, tmp_path, minutes=UNKNOWN)
    return cli


def test_a_phone_number_is_redacted_by_default_and_can_be_lifted(cli, tmp_path):
    setup(cli, tmp_path, minutes=MINUTES.replace("vraagt om tempo.",
                                                 "vraagt om tempo (bel 06-12345678)."))
    (row,) = [r for r in cli.json("minutes", "redactions", M1) if r["kind"] == "phone"]
    assert (row["phone"], row["origin"], row["where"]) == (
        "0612345678", "default", ["agendapunt 2, punt 1"])
    cli.ok("minutes", "publish", M1, "--out", str(tmp_path / "a"))
    files = published_files(tmp_path / "a")
    assert "(bel [5.1.2e])" in files[f"{M1}-openbaar.md"]
    assert not any("12345678" in text for text in files.values())
    assert "| telefoonnummer | 5.1.2e |" in files[f"{M1}-inventaris.md"]
    cli.ok("minutes", "unredact", M1, str(row["number"]), "--reason", "algemeen nummer")
    cli.ok("minutes", "publish", M1, "--out", str(tmp_path / "b"))
    assert "(bel 06-12345678)" in published_files(tmp_path / "b")[f"{M1}-openbaar.md"]
