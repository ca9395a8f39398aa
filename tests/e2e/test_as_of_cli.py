"""`--as-of` on the command line: what every view said during the cycle, it says again
afterwards when asked as of that record time; "official on" a date gives the approved
text in force then; mistakes are one-line errors."""

from __future__ import annotations

import click
import pytest

from cli.main import lrt

from worlds.command_line import Cycle


def test_every_view_read_during_the_cycle_reads_the_same_as_of_then(cycle: Cycle) -> None:
    assert len(cycle.looked) >= 8
    for name, (args, user, moment) in cycle.looked.items():
        again = cycle.cli.json(*args, "--as-of", moment.isoformat(), user=user)
        assert again == cycle.seen[name], name
    # and the live views have moved on since (so the check above could fail)
    now = cycle.cli.json("minutes", "show", cycle.meeting)
    assert now != cycle.seen["circulated"] and now["status"] == "approved"


def test_as_of_a_date_means_the_end_of_that_day(cycle: Cycle) -> None:
    cli = cycle.cli
    # drafted and circulated on 14 November, amended on 22 November
    assert cli.json("minutes", "show", cycle.meeting, "--as-of", "2023-11-14")["status"] \
        == "circulated"
    assert cli.json("minutes", "show", cycle.meeting, "--as-of", "2023-11-22")["status"] \
        == "revised"
    line = cli.refused("minutes", "show", cycle.meeting, "--as-of", "2023-11-13",
                       fragments=("no minutes",))
    assert cycle.meeting in line


def test_official_on_a_date(cycle: Cycle) -> None:
    cli = cycle.cli
    approved = cli.json("history", cycle.meeting)
    approval = next(r for r in approved if r["event"] == "Minutes.Approved")
    day = approval["recorded_at"][:10]
    official = cli.json("minutes", "show", cycle.meeting, "--official-on", day)
    assert official["status"] == "approved"
    assert official["version"] == official["approval"]["version"]
    cli.refused("minutes", "show", cycle.meeting, "--official-on", "2023-11-22",
                fragments=("were not approved on 2023-11-22", "status then: revised"))
    cli.refused("minutes", "show", cycle.meeting, "--official-on", "2023-11-22",
                "--as-of", "2023-11-22", code=2, fragments=("exclude each other",))


@pytest.mark.parametrize("value", ["gisteren", "2023-13-01", "2023-11-22 25:00", ""])
def test_a_malformed_record_time_is_a_usage_error(cycle: Cycle, value: str) -> None:
    cycle.cli.refused("action", "list", "--as-of", value, code=2,
                      fragments=("--as-of",))


def views(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    """Every command of `lrt` that shows something (it has --json), by its full name."""
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.update(views(command, f"{prefix}{name} "))
        elif any("--json" in p.opts for p in command.params):
            found[f"{prefix}{name}"] = command
    return found


NOT_VIEWS = {"projections status", "projections verify", "audit head",  # about the store
             "audit verify",  # itself
             "minutes publish",  # records a publication now; --json shows what it wrote
             "notify run"}  # decides and sends mail now; --json is its report


def test_every_view_command_accepts_as_of() -> None:
    lrt.load_all()  # every command (lrt imports their modules when first asked for)
    found = views(lrt)
    assert {"minutes show", "deadlines", "action list", "member list", "meeting list",
            "history", "calendar export"} <= set(found)
    missing = [name for name, command in found.items() if name not in NOT_VIEWS
               and not any("--as-of" in p.opts for p in command.params)]
    assert missing == []
