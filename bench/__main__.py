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
3. as-of: `Views.as_of(app, T).minutes(actor, M)` in process, for one minutes with 10k
   events of its own, its comments and its amendment proposals (`history.long_minutes`:
   round after round of comments, each in its own stream, and an accepted amendment,
   through the `Lrt` commands), at random T between the first and the last. Target
   <= 10 ms. Baselines: the same question now, and replaying the minutes' own stream
   through the library's repository. Also the read model's snapshot bytes of those
   streams against their events' stored bytes: target <= 2x (linear); the minutes' own
   events' bytes are shown beside.
4. projection rebuild (`lrt projections rebuild`) in events/s; against select + json.loads
   over the stored events, in the same run. Target >= 50%. And `lrt audit verify` (the
   chain and the rules): target <= 10 s per million events.
5. CLI start: `lrt --help` against `python -c "import click"` (target <= 1.3x),
   `lrt --version`, and a query (`action list`, 1k store) against the import of
   eventsourcing, pydantic and click (target <= 1.5x).
6. contention (`bench.concurrency`): 16 writers commenting in one round against 16
   writers on independent aggregates, commands/s, on SQLite and PostgreSQL: target >= 80%;
   and 50 writers in one round: 0 lost, 0 "try again".
7. documents (`bench.documents`): the minutes as DOCX, and their text parsed, at 1k, 10k
   and 100k bullets; the cost per bullet at 100k against that at 1k: target <= 1.5x. And
   (`bench.appends`) 10k agenda items appended to one meeting, and 10k comments to one
   round, one command each: the CPU time per append of the last 1k against the first 1k,
   target <= 1.5x.
Also the peak memory (max RSS) of the processes of 2 and 4. The machine and its load
(before and after) head the table: figures on a loaded machine are worth less.

The stores come from `bench.history` (generated once, kept in bench/.stores).
"""

from __future__ import annotations

import json
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
from datetime import date, datetime
from pathlib import Path
from uuid import UUID

import click

from . import appends, documents, history, raw

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
    """One minutes with `stream_events` events of its own, its comments and its amendment
    proposals (`history.long_minutes`: round after round of comments, each in its own
    stream, and an accepted amendment), written through the command side."""
    from lrt_app.bootstrap import build
    from lrt_domain.minutes import Minutes
    from projections.views import Views

    path = history.cached_minutes(stream_events, seed)
    app = build(str(path))
    try:
        key = _only_minutes(path)
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            ids = history.stream_ids(db, key)
            times = [t for (t,) in db.execute(
                "SELECT recorded_at FROM view_versions WHERE id IN (SELECT value FROM "
                "json_each(?)) ORDER BY position", (json.dumps(ids),))]
        actor = app.actor(USER)
        own = len(app.events_of(Minutes.id_for(key)))
        sizes = snapshot_bytes(path, ids)
        Views.open(app)  # the read model up to date before anything is timed
        # at its last version: the minutes' own stream through the library's repository
        replay = median(lambda: _timed(lambda: app.get(Minutes, key, version=own)), repeat)
        now = median(lambda: _timed(lambda: Views.open(app).minutes(actor, key)), repeat)
        name = (f"3. as-of minutes show, {len(times):,} events: {own:,} of the minutes, "
                f"{len(times) - own:,} its comments and proposals")
        baseline = f"{ms(now)} now, {ms(replay)} replay"
        if not hasattr(Views, "as_of"):
            return [Row(name, "n/a (not available)", baseline, "", "<= 10 ms", "n/a"), sizes]
        rng = random.Random(seed)
        first, last = (datetime.fromisoformat(times[0]), datetime.fromisoformat(times[-1]))
        moments = [first + (last - first) * rng.random() for _ in range(max(repeat, 20))]
        took = statistics.median(
            _timed(lambda t=t: Views.as_of(app, t).minutes(actor, key)) for t in moments)
        return [Row(name, ms(took), baseline, f"{took / now:.2f}x now", "<= 10 ms",
                    verdict(took <= 0.010)), sizes]
    finally:
        app.close()


def snapshot_bytes(path: Path, ids: list[str]) -> Row:
    """The read model's snapshots of the streams `ids` (`view_snapshots` and their parts,
    and the library's own snapshots table if the store has one) against the bytes of their
    events as stored
    (`stored_events.state`)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        events = n = own = 0
        for sid in ids:
            size, count = db.execute(
                "SELECT COALESCE(SUM(LENGTH(state)), 0), COUNT(*) FROM stored_events "
                "WHERE originator_id = ? OR originator_id = ?", (sid, str(UUID(sid)))
            ).fetchone()
            events, n = events + size, n + count
            own = own or size  # the first: the minutes
        snaps = sum(db.execute(f"SELECT COALESCE(SUM(LENGTH({column})), 0) FROM {table} "
                               "WHERE id IN (SELECT value FROM json_each(?))",
                               (json.dumps(ids),)).fetchone()[0]
                    for table, column in (("view_snapshots", "state"),
                                          ("view_snapshot_parts", "items")))
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'snapshots'").fetchone():
            snaps += db.execute("SELECT COALESCE(SUM(LENGTH(state)), 0) FROM snapshots"
                                ).fetchone()[0]
    ratio = snaps / events
    return Row(f"3. snapshot bytes, those {n:,} events", f"{snaps / 1e6:,.2f} MB",
               f"{events / 1e6:,.2f} MB of events ({own / 1e6:,.2f} the minutes')",
               f"{ratio:.2f}x", "<= 2x",
               verdict(ratio <= 2))


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
    """`lrt audit verify`: the chain and the log's rules (the target), and the chain alone."""
    n = events_in(store)
    rows = []
    for extra, name in (([], "4. audit verify"),
                        (["--chain-only"], "   audit verify --chain-only")):
        took, peak = process(LRT, "--db", str(store), "--as", USER, "audit", "verify", *extra)
        per_million = took / n * 1e6
        rows.append(Row(f"{name}, {n:,} events", f"{per_million:.1f} s per 1M events",
                        f"{took:.1f} s, {mb(peak)}", "", "<= 10 s" if not extra else "",
                        verdict(per_million <= 10) if not extra else ""))
    return rows


# --- 5. CLI start -------------------------------------------------------------------------

def cli_start(small: Path, repeat: int) -> list[Row]:
    click_floor, _ = process_median([PYTHON, "-c", "import click"], repeat)
    imports, _ = process_median([PYTHON, "-c", "import eventsourcing, pydantic, click"],
                                repeat)
    rows = []
    for args in (["--help"], ["--version"]):
        took, _ = process_median([LRT, *args], repeat)
        ratio = took / click_floor
        target = args == ["--help"]
        rows.append(Row(f"5. lrt {args[0]}", ms(took), f"{ms(click_floor)} import click",
                        f"{ratio:.2f}x", "<= 1.3x" if target else "",
                        verdict(ratio <= 1.3) if target else ""))
    took, _ = process_median([LRT, "--db", str(small), "--as", USER, "action", "list"], repeat)
    rows.append(Row("5. lrt action list (1k store)", ms(took), f"{ms(imports)} import floor",
                    f"{took / imports:.2f}x", "<= 1.5x", verdict(took <= 1.5 * imports)))
    # completing a meeting id, as bash asks it (`eval "$(_LRT_COMPLETE=bash_source lrt)"`)
    line = f"lrt --db {small} --as {USER} minutes show LRT-20"
    took = median(lambda: _completion(line), repeat)
    rows.append(Row("5. completing a meeting id (1k store)", ms(took),
                    f"{ms(imports)} import floor", f"{took / imports:.2f}x"))
    return rows


def _completion(line: str) -> float:
    env = {**ENV, "_LRT_COMPLETE": "bash_complete", "COMP_WORDS": line,
           "COMP_CWORD": str(len(line.split()) - 1)}
    began = time.perf_counter()
    done = subprocess.run([LRT], env=env, capture_output=True, text=True)
    took = time.perf_counter() - began
    if done.returncode or "plain,LRT-" not in done.stdout:
        raise SystemExit(f"completion gave no meeting: {done.stdout}{done.stderr}")
    return took


# --- 6. contention ------------------------------------------------------------------------

def contention(commands: int, crowd: int, stores: tuple[str, ...]) -> list[Row]:
    """16 writers on one round against 16 on independent aggregates, and a crowd of
    writers on one round (bench.concurrency's processes, released at once)."""
    from . import concurrency

    rows = []
    for kind in stores:
        place = concurrency.Stores(kind, fsync=True)
        try:
            one = concurrency.run(concurrency.prepared(place.new()), "comment", 16, commands)
            apart = concurrency.run(concurrency.prepared(place.new()), "register", 16,
                                    commands)
            ratio = one["per_second"] / apart["per_second"]
            rows.append(Row(f"6. 16 writers on one round, {kind}",
                            f"{one['per_second']:,.0f} cmd/s, {one['failed']} try again",
                            f"{apart['per_second']:,.0f} cmd/s independent", f"{ratio:.0%}",
                            ">= 80%", verdict(ratio >= 0.8)))
            env = concurrency.prepared(place.new())
            before = _comments(env)
            many = concurrency.run(env, "comment", crowd, max(2, commands // 4))
            stored = _comments(env) - before
            lost = many["commands"] - many["failed"] - stored
            rows.append(Row(f"6. {crowd} writers on one round, {kind}",
                            f"{lost} lost, {many['failed']} try again",
                            f"{many['commands']} commands, {stored} stored", "",
                            "0 and 0", verdict(lost == 0 and many["failed"] == 0)))
        finally:
            place.close()
    return rows


def _comments(env: dict[str, str]) -> int:
    """The comments stored in the store of `env`."""
    from lrt_app.bootstrap import application
    from lrt_domain.comment_rounds import CommentSubmitted
    from lrt_domain.comments import Comment

    app = application(env, project_on_save=False)
    try:  # both forms: on the subject (before issue 16), in their own streams
        return sum(len(batch) for topic in (CommentSubmitted.TOPIC, Comment.Submitted.TOPIC)
                   for batch in _batches(app, topic))
    finally:
        app.close()


def _batches(app: object, topic: str) -> list[list[object]]:
    out, position = [], 0
    while batch := app.recorder.select_notifications(  # type: ignore[attr-defined]
            start=position, limit=10_000, topics=[topic], inclusive_of_start=False):
        out.append(batch)
        position = batch[-1].id
    return out


# --- 7. documents and appends ------------------------------------------------------------

def documents_rows(repeat: int) -> list[Row]:
    """The target on the code's own cost (the garbage collector paused); with it running,
    shown below (`bench.documents._paused`). Then the appends (`bench.appends`)."""
    return [Row(f"7. {label}, per bullet at 1k / 10k / 100k", value, "1k bullets",
                f"{ratio:.2f}x", "<= 1.5x", verdict(ratio <= 1.5)) if not collector else
            Row(f"   {label}, the collector on", value, "1k bullets", f"{ratio:.2f}x")
            for label, value, ratio, collector in documents.figures(repeat)] + [
        Row(f"7. appending {label}, per append: last 1k of {appends.APPENDS // 1000}k",
            f"{last * 1e3:.2f} ms", f"{first * 1e3:.2f} ms (first 1k)",
            f"{last / first:.2f}x", "<= 1.5x", verdict(last <= 1.5 * first))
        for label, first, last in appends.figures()]


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
            f"{date.today().isoformat()}, load average {load()}")


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


@click.command()
@click.option("--quick", is_flag=True, help="The 100k store instead of the 1M one, fewer "
                                            "repetitions.")
@click.option("--large", type=int, help="Events in the large store [1,000,000; --quick "
                                        "100,000].")
@click.option("--repeat", type=int, help="Repetitions per figure [7; --quick 3].")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--only", multiple=True,
              type=click.Choice(["1", "2", "3", "4", "5", "6", "7", "audit"]),
              help="Measure only these figures (repeat the option).")
@click.option("--stores", "contended", multiple=True,
              type=click.Choice(["sqlite", "postgres"]), help="Stores of figure 6 [both].")
def main(quick: bool, large: int | None, repeat: int | None, seed: int,
         only: tuple[str, ...], contended: tuple[str, ...]) -> None:
    """Measure every figure and print one table."""
    large = large or (100_000 if quick else 1_000_000)
    repeat = repeat or (3 if quick else 7)
    wanted = set(only) or {"1", "2", "3", "4", "5", "6", "7", "audit"}
    began = time.perf_counter()
    load_before = load()
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
            ("6", lambda: contention(12 if quick else 40, 50,
                                     contended or ("sqlite", "postgres"))),
            ("7", lambda: documents_rows(repeat)),
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
    click.echo(f"# {machine()} (at the start: {load_before}); "
               f"{'--quick, ' if quick else ''}{time.perf_counter() - began:.0f} s")
    click.echo(render(rows))


if __name__ == "__main__":
    main()
