"""The benchmark suite of issue 7: lrt against the raw limits, in one run, one table.

    make bench                                # or: .venv/bin/python -m bench
    .venv/bin/python -m bench --quick         # the 100k store instead of the 1M one

Figures (medians of several repetitions; ratios of figures measured in this same run):

1. command throughput: a member reports progress on an action (authorise, decide, save with
   its hash-chain link and the views, as the CLI does), one command per transaction on a
   SQLite file; against raw sqlite3 inserting rows of the same size, one transaction per
   row, WAL, synchronous=FULL. Target >= 60% of raw. Also the command without the views.
2. query cost: `lrt action list`, `lrt deadlines`, `lrt minutes show M` as processes on the
   1k-event and the large store (read model caught up beforehand). Target large <= 1.2x 1k.
3. as-of: `Views.as_of(app, T).minutes(actor, M)` in process, for a minutes stream of 10k
   events, at random T. Target <= 20 ms. Baselines: the same question now, and replaying
   the stream through the library's repository.
4. projection rebuild (`lrt projections rebuild`) in events/s; against select + json.loads
   over the stored events. Target >= 50%.
5. CLI start: `lrt --help`, `lrt --version` and a query against `python -c pass` and the
   import of eventsourcing, pydantic and click. Targets: --help <= 100 ms; a query <= 2x
   the import floor.
Also the peak memory (max RSS) of the processes of 2 and 4, and `lrt audit verify` time
per million events.

The stores come from `bench.history` (generated once, kept in bench/.stores).
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import click

from . import history, raw

PYTHON = sys.executable
LRT = str(Path(PYTHON).with_name("lrt"))
USER = history.SEC
# Processes run as installed: with their bytecode cached (this sandbox sets
# PYTHONDONTWRITEBYTECODE, which makes every start compile lrt from source).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@dataclass
class Row:
    figure: str
    value: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    met: str = ""


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("yes" if ok else "NO")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def mb(kilobytes: int) -> str:
    return f"{kilobytes / 1024:.0f} MB"


def median(measure: Callable[[], float], repeat: int) -> float:
    return statistics.median(measure() for _ in range(repeat))


def process(*args: str) -> tuple[float, int]:
    """Wall time and peak memory (max RSS, KB) of one process, run to its end."""
    with tempfile.TemporaryFile() as errors:  # a file: a pipe could fill up and block
        began = time.perf_counter()
        child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=errors, env=ENV)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - began
        if os.waitstatus_to_exitcode(status):
            errors.seek(0)
            raise SystemExit(f"{' '.join(args)} failed: {errors.read().decode()}")
    return elapsed, usage.ru_maxrss


def process_median(args: list[str], repeat: int) -> tuple[float, int]:
    """After one run not counted (it warms the file cache and writes the bytecode)."""
    process(*args)
    runs = [process(*args) for _ in range(repeat)]
    return statistics.median(t for t, _ in runs), max(m for _, m in runs)


def events_in(store: Path) -> int:
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        return db.execute("SELECT MAX(rowid) FROM stored_events").fetchone()[0]


def last_minutes(store: Path) -> str:
    """The LRT's most recent minutes (from the read model's own table); the LRT is run by
    the secretariat that asks, which may read drafts too."""
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        return db.execute("SELECT n.key FROM view_minutes n JOIN view_meetings m "
                          "ON m.key = n.meeting WHERE n.table_code = 'LRT' "
                          "ORDER BY m.starts_at DESC LIMIT 1").fetchone()[0]


def prepare(store: Path) -> None:
    """Bring the store's read model up to date (a read model built by an older lrt is
    rebuilt), so that no measured query pays for it."""
    process(LRT, "--db", str(store), "projections", "catch-up")


# --- 1. command throughput ----------------------------------------------------------------

def command_throughput(tmp: Path, commands: int, repeat: int) -> list[Row]:
    from lrt_app import demo
    from lrt_app.bootstrap import build, install_hooks
    from lrt_app.clock import SettableClock
    from projections.catch_up import catch_up, open_read_model

    def once(n: int) -> tuple[float, float, int]:
        """Commands per second: without projecting, then as the CLI runs them (the views
        written in each command's own transaction, `project_on_save`)."""
        path = tmp / f"commands-{n}.sqlite"
        clock = SettableClock(demo.at("2023-10-01 09:00"))
        app = build(str(path), clock=clock, initialising=True, project_on_save=False)
        try:
            meeting = demo.run(app, clock, say=lambda _: None)
            actions = [app.agree_action(demo.SEC, meeting, item=1, owners=["VNG"],
                                        text=f"VNG werkt punt {i} uit.") for i in range(50)]
            before = app.recorder.max_notification_id()

            def progress(i: int) -> None:
                app.report_progress("spies", actions[i % len(actions)],
                                    f"Voortgang {i}: VNG heeft het overleg met de gemeenten "
                                    "gevoerd; de notitie volgt.")

            alone = _timed(lambda: [progress(i) for i in range(commands)])
            catch_up(app, open_read_model(app))
            install_hooks(app)  # as the CLI runs them
            projected = _timed(lambda: [progress(i) for i in range(commands, 2 * commands)])
            return commands / alone, commands / projected, _average_size(path, after=before)
        finally:
            app.close()

    runs = [once(n) for n in range(repeat)]
    alone, ours = (statistics.median(r[i] for r in runs) for i in (0, 1))
    size = runs[0][2]
    rawr = median(lambda: raw.insert_rows(tmp / "raw.sqlite", commands, size), repeat)
    return [Row("1. command, views in its transaction", f"{ours:,.0f} cmd/s",
                f"{rawr:,.0f} rows/s ({size} B)", f"{ours / rawr:.0%}", ">= 60%",
                verdict(ours / rawr >= 0.6)),
            Row("   command alone (views caught up later)", f"{alone:,.0f} cmd/s",
                f"{rawr:,.0f} rows/s", f"{alone / rawr:.0%}")]


def _average_size(store: Path, *, after: int) -> int:
    """The average size of the events stored after a position: the raw rows' size."""
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        return round(db.execute("SELECT AVG(LENGTH(state)) FROM stored_events WHERE rowid > ?",
                                (after,)).fetchone()[0])


# --- 2. query cost ------------------------------------------------------------------------

def query_cost(small: Path, large: Path, repeat: int) -> list[Row]:
    rows = []
    for name, args in [("action list", ["action", "list"]), ("deadlines", ["deadlines"]),
                       ("minutes show", ["minutes", "show"])]:
        measured = {}
        for store in (small, large):
            extra = [last_minutes(store)] if name == "minutes show" else []
            measured[store] = process_median(
                [LRT, "--db", str(store), "--as", USER, *args, *extra], repeat)
        (t_small, m_small), (t_large, m_large) = measured[small], measured[large]
        ratio = t_large / t_small
        rows.append(Row(f"2. lrt {name}, {events_in(large):,} events",
                        f"{ms(t_large)}, {mb(m_large)}",
                        f"{ms(t_small)}, {mb(m_small)} (1k)", f"{ratio:.2f}x", "<= 1.2x",
                        verdict(ratio <= 1.2)))
    return rows


# --- 3. as-of ------------------------------------------------------------------------------

def as_of(stream_events: int, repeat: int, seed: int) -> list[Row]:
    from lrt_app.bootstrap import build
    from lrt_domain.minutes import Minutes
    from projections.views import Views

    path = history.cached_minutes(stream_events, seed)
    app = build(str(path))
    try:
        key = _only_minutes(path)
        actor = app.actor(USER)
        events = app.events_of(Minutes.id_for(key))
        Views.open(app)  # the read model up to date before anything is timed
        # at its last version: through the library's repository, the whole stream
        replay = median(lambda: _timed(lambda: app.get(Minutes, key, version=len(events))),
                        repeat)
        now = median(lambda: _timed(lambda: Views.open(app).minutes(actor, key)), repeat)
        name = f"3. as-of minutes show, stream of {len(events):,} events"
        baseline = f"{ms(now)} now, {ms(replay)} replay"
        if not hasattr(Views, "as_of"):
            return [Row(name, "n/a (not available)", baseline, "", "<= 20 ms", "n/a")]
        rng = random.Random(seed)
        first, last = events[0].timestamp, events[-1].timestamp
        moments = [first + (last - first) * rng.random() for _ in range(max(repeat, 20))]
        took = statistics.median(
            _timed(lambda t=t: Views.as_of(app, t).minutes(actor, key)) for t in moments)
        return [Row(name, ms(took), baseline, f"{took / now:.2f}x now", "<= 20 ms",
                    verdict(took <= 0.020))]
    finally:
        app.close()


def _only_minutes(path: Path) -> str:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return db.execute("SELECT key FROM view_minutes").fetchone()[0]


def _timed(work: Callable[[], object]) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


# --- 4. projection rebuild, and the audit -------------------------------------------------

def rebuild(store: Path) -> list[Row]:
    """Once each (a rebuild of a large store takes minutes); the store's read model is
    whole again afterwards."""
    n = events_in(store)
    t_lrt, m_lrt = process(LRT, "--db", str(store), "projections", "rebuild")
    t_raw, m_raw = process(PYTHON, "-m", "bench.raw", "decode", str(store))
    ours, base = n / t_lrt, n / t_raw
    return [Row(f"4. projection rebuild, {n:,} events",
                f"{ours:,.0f} ev/s, {mb(m_lrt)}", f"{base:,.0f} ev/s, {mb(m_raw)}",
                f"{ours / base:.0%}", ">= 50%", verdict(ours / base >= 0.5))]


def audit(store: Path) -> list[Row]:
    n = events_in(store)
    # The chain alone: the replay through the rules costs about 0.3 ms an event (README).
    took, peak = process(LRT, "--db", str(store), "audit", "verify", "--chain-only")
    return [Row(f"   audit verify --chain-only, {n:,} events",
                f"{took / n * 1e6:.1f} s per 1M events",
                f"{took:.1f} s, {mb(peak)}")]


# --- 5. CLI start -------------------------------------------------------------------------

def cli_start(small: Path, repeat: int) -> list[Row]:
    floor, _ = process_median([PYTHON, "-c", "pass"], repeat)
    imports, _ = process_median([PYTHON, "-c", "import eventsourcing, pydantic, click"],
                                repeat)
    rows = []
    for args in (["--help"], ["--version"]):
        took, _ = process_median([LRT, *args], repeat)
        ok = took <= 0.100 if args == ["--help"] else None
        rows.append(Row(f"5. lrt {args[0]}", ms(took), f"{ms(floor)} python -c pass",
                        f"{took / floor:.1f}x", "<= 100 ms" if ok is not None else "",
                        verdict(ok) if ok is not None else ""))
    took, _ = process_median([LRT, "--db", str(small), "--as", USER, "action", "list"], repeat)
    rows.append(Row("5. lrt action list (1k store)", ms(took), f"{ms(imports)} import floor",
                    f"{took / imports:.1f}x", "<= 2x", verdict(took <= 2 * imports)))
    return rows


# --- the table ----------------------------------------------------------------------------

def render(rows: list[Row]) -> str:
    head = Row("figure", "lrt", "raw baseline", "ratio", "target", "met?")
    cols = list(vars(head))
    widths = {c: max(len(getattr(r, c)) for r in [head, *rows]) for c in cols}

    def line(r: Row) -> str:
        return " | ".join(getattr(r, c).ljust(widths[c]) for c in cols).rstrip()

    return "\n".join([line(head), "-+-".join("-" * widths[c] for c in cols),
                      *map(line, rows)])


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "?")
    return (f"{os.cpu_count()} CPUs ({model}), Python {sys.version.split()[0]}, "
            f"{date.today().isoformat()}")


@click.command()
@click.option("--quick", is_flag=True, help="The 100k store instead of the 1M one, fewer "
                                            "repetitions.")
@click.option("--large", type=int, help="Events in the large store [1,000,000; --quick "
                                        "100,000].")
@click.option("--repeat", type=int, help="Repetitions per figure [7; --quick 3].")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--only", multiple=True, type=click.Choice(["1", "2", "3", "4", "5", "audit"]),
              help="Measure only these figures (repeat the option).")
def main(quick: bool, large: int | None, repeat: int | None, seed: int,
         only: tuple[str, ...]) -> None:
    """Measure every figure and print one table."""
    large = large or (100_000 if quick else 1_000_000)
    repeat = repeat or (3 if quick else 7)
    wanted = set(only) or {"1", "2", "3", "4", "5", "audit"}
    small_store = history.cached(1_000, seed)
    large_store = history.cached(large, seed)
    click.echo(f"# {machine()}", err=True)
    rows: list[Row] = []
    tmp = Path(tempfile.mkdtemp(prefix="lrt-bench-"))
    try:
        steps: list[tuple[str, Callable[[], list[Row]]]] = [
            ("4", lambda: rebuild(large_store)),  # first: it also brings the views up to date
            ("audit", lambda: audit(large_store)),
            ("2", lambda: query_cost(small_store, large_store, repeat)),
            ("1", lambda: command_throughput(tmp, 300 if quick else 1000, repeat)),
            ("3", lambda: as_of(10_000, repeat, seed)),
            ("5", lambda: cli_start(small_store, max(repeat, 10))),
        ]
        prepare(small_store)
        if "4" not in wanted:  # else the rebuild, measured first, brings it up to date
            prepare(large_store)
        for name, step in steps:
            if name in wanted:
                click.echo(f"# measuring {name} ...", err=True)
                rows += step()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    click.echo(f"# {machine()}")
    click.echo(render(rows))


if __name__ == "__main__":
    main()
