"""Figure 7 (issue 16, point 5): the minutes as DOCX, and their text parsed, at 1k, 10k and
100k bullets; the cost per bullet must not grow with the size (ratio of the largest to the
smallest <= 1.5x).

    .venv/bin/python -m bench.documents            # prints the figures
    .venv/bin/python -m bench --only 7             # the rows in the suite's table

The minutes: 20 bullets per agenda item, as `Views.minutes_document` gives them (plain
data: no store); one bullet in ten with inline Markdown (bold and a link, each link to a
target of its own), the others plain text of about 130 characters, as the seeds' points
are. The cost per bullet is the time beyond that of the same document with one item of 20
bullets (the fixed cost: python-docx's template, the house layout, the heading), divided
by the bullets; for the parser, `minutes_text.parse` of the text `to_markdown` writes.
Measured in CPU time (`_timed`), with the cyclic garbage collector paused (the code's own cost, the target) and
with it running (see `_paused`).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

SIZES = (1_000, 10_000, 100_000)
PER_ITEM = 20
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)


def minutes(bullets: int) -> dict[str, Any]:
    items = []
    for i in range(max(1, bullets // PER_ITEM)):
        points = []
        for j in range(min(PER_ITEM, bullets) if bullets else PER_ITEM):
            if j % 10 == 0:
                text = (f"VNG levert **de notitie over punt {i}.{j}** aan; zie "
                        f"[het overzicht](https://example.org/lrt/{i}/{j}).")
            else:
                text = (f"Punt {i}.{j}: de gemeenten melden de stand van de opvang; VNG en "
                        "COA bespreken de verdeling en komen terug op de planning.")
            points.append({"kind": ("point", "decision", "action")[j % 3], "text": text})
        items.append({"number": i + 1, "title": f"Agendapunt {i + 1}", "points": points})
    return {"table_name": "Landelijke Regietafel Migratie & Integratie", "table": "LRT",
            "meeting": "LRT-2026-12-03", "starts_at_local": "2026-12-03T10:00:00+01:00",
            "status": "draft", "version": 1, "place": "Den Haag", "present": ["Dhr. A (VNG)"],
            "absent": [], "approval": None, "corrections": [], "items": items,
            "secretariat_name": "Ministerie van JenV"}


def _timed(work: Callable[[], object]) -> float:
    """The process's CPU time (user and system: page faults included) for `work`: on a
    shared machine the wall-clock time also counts the other processes' turns, which
    moved this figure's ratio between 1.0x and 2x from run to run."""
    began = time.process_time()
    work()
    return time.process_time() - began


def _paused(work: Callable[[], object], collector: bool) -> float:
    """The time of `work`; without `collector`, with the cyclic garbage collector paused.
    Each of its full passes walks every object made so far, and more objects made means
    more passes: at 100k bullets the collector's share grows with the size (the parser's
    CPU time per bullet: 6.0 / 3.3 / 4.7 us at 1k / 10k / 100k paused, 6.3 / 5.0 / 12.6 us
    with it, on 3 December 2026). The paused figure is the code's own cost; both are
    shown."""
    gc.collect()
    if not collector:
        gc.disable()
    try:
        return _timed(work)
    finally:
        gc.enable()


def per_bullet(repeat: int, collector: bool = False) -> dict[str, dict[int, float]]:
    """Seconds per bullet beyond the fixed cost, for DOCX and for parsing, at each size."""
    from lrt_app.minutes_render import to_docx, to_markdown
    from lrt_app.minutes_text import parse

    out: dict[str, dict[int, float]] = {"docx": {}, "parse": {}}
    base = minutes(PER_ITEM)
    base_text = to_markdown(base)

    def timed(work: Callable[[], object], times: int) -> float:
        """The fastest of `times` runs: the least disturbed by the machine's other work
        (the fixed cost is subtracted, so its noise would weigh on the smallest size)."""
        return min(_paused(work, collector) for _ in range(times))

    fixed_docx = timed(lambda: to_docx(base, now=NOW), 25)
    fixed_parse = timed(lambda: parse(base_text), 25)
    for size in SIZES:
        # more runs where a run is short: its noise weighs most on the smallest size
        times = {1_000: max(25, repeat), 10_000: max(7, repeat)}.get(size, max(2, min(repeat, 3)))
        text = to_markdown(minutes(size))  # parsed with only the text alive
        parsed = timed(lambda: parse(text), times)
        del text
        m = minutes(size)
        docx = timed(lambda: to_docx(m, now=NOW), times)
        bullets = sum(len(it["points"]) for it in m["items"]) - PER_ITEM
        del m
        out["docx"][size] = max(docx - fixed_docx, 0) / bullets
        out["parse"][size] = max(parsed - fixed_parse, 0) / bullets
    return out


def figures(repeat: int) -> list[tuple[str, str, float, bool]]:
    """Per format and collector setting: its name, the cost per bullet at each size, the
    ratio of the cost per bullet at the largest size to that at the smallest, and whether
    the collector ran."""
    out = []
    for collector in (False, True):
        measured = per_bullet(repeat, collector)
        for name, label in (("docx", "DOCX (to_docx)"), ("parse", "Markdown parsing")):
            per = measured[name]
            small, large = per[SIZES[0]], per[SIZES[-1]]
            out.append((label, " / ".join(f"{per[s] * 1e6:,.0f} us" for s in SIZES),
                        large / small if small else float("inf"), collector))
    return out


if __name__ == "__main__":
    for label, value, ratio, collector in figures(3):
        print(f"{label}{' (collector on)' if collector else ''}: {value} per bullet at "
              f"1k / 10k / 100k, {ratio:.2f}x")
