"""Figure 7 (issue 16, point 5): appending to one meeting's agenda, and to one comment round,
item by item through the command side (each command with its views, on a SQLite file); the
CPU time of an append must not grow with what was appended before (the last thousand's per
item / the first thousand's <= 1.5x).

    .venv/bin/python -m bench.appends              # prints the figures
    .venv/bin/python -m bench --only 7             # the rows in the suite's table

Measured in CPU time (`process_time`: the appends' own work, including the read model's
and SQLite's; not the disk's waits, which a shared machine spreads unevenly).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from lrt_domain.dutch_time import AMSTERDAM

APPENDS = 10_000
BLOCK = 1_000  # the appends measured at the start and at the end
ADMIN, MEMBER = "secretariaat", "vng-lid"


def at(*when: int) -> datetime:
    return datetime(*when, tzinfo=AMSTERDAM)  # type: ignore[misc]


def per_append(appends: int = APPENDS) -> dict[str, tuple[float, float]]:
    """CPU seconds per append of the first and the last `BLOCK` appends: agenda items to
    one meeting, comments to one round."""
    from lrt_app.bootstrap import build
    from lrt_app.clock import SettableClock
    from lrt_domain.base import Role
    from lrt_domain.minutes import Item, Point
    from lrt_domain.tables import TableKind

    folder = Path(tempfile.mkdtemp(prefix="lrt-appends-"))
    clock = SettableClock(at(2026, 10, 1, 9))
    app = build(str(folder / "lrt.sqlite"), clock=clock, initialising=True)
    try:
        app.initialise(admin=ADMIN, organisation="JenV",
                       organisation_name="Ministerie van Justitie en Veiligheid")
        app.register_organisation(ADMIN, "VNG", "Vereniging van Nederlandse Gemeenten")
        person = app.register_person(ADMIN, "Bestuurder VNG", person_key="bestuurder-vng")
        app.register_user(ADMIN, MEMBER, Role.MEMBER, organisation="VNG", person=person)
        app.register_table(ADMIN, "LRT", "Landelijke Regietafel Migratie & Integratie",
                           kind=TableKind.NATIONAL, secretariat="JenV", meetings_per_year=12)
        app.add_member(ADMIN, "LRT", person=person, organisation="VNG",
                       function="bestuurder VNG", since=at(2026, 1, 1).date())
        agenda = app.schedule_meeting(ADMIN, "LRT", at(2026, 12, 3, 10), "Den Haag")
        held = app.schedule_meeting(ADMIN, "LRT", at(2026, 11, 5, 10), "Den Haag")
        app.add_agenda_item(ADMIN, held, "Opening")
        clock.set(at(2026, 11, 5, 12))
        app.hold_meeting(ADMIN, held)
        app.draft_minutes(ADMIN, held, [Item(number=1, title="Opening", points=(
            Point(text="De voorzitter opent de vergadering."),))])
        app.circulate_minutes(ADMIN, held, at(2026, 11, 20, 12))

        def item(i: int) -> None:
            app.add_agenda_item(ADMIN, agenda, f"Agendapunt {i}: huisvesting statushouders")

        def comment(i: int) -> None:
            app.comment(MEMBER, held, f"Opmerking {i}: punt 1 graag aanvullen met de "
                                      "stand van de opvang in de gemeenten.")

        return {"agenda": _ends(item, appends), "comments": _ends(comment, appends)}
    finally:
        app.close()
        shutil.rmtree(folder, ignore_errors=True)


def _ends(append: Callable[[int], None], appends: int) -> tuple[float, float]:
    """CPU seconds per append of the first and of the last `BLOCK` of `appends`."""
    first = last = 0.0
    for start in range(0, appends, BLOCK):
        began = time.process_time()
        for i in range(start, start + BLOCK):
            append(i)
        spent = (time.process_time() - began) / BLOCK
        first, last = (spent, spent) if start == 0 else (first, spent)
    return first, last


def figures() -> list[tuple[str, float, float]]:
    """Per kind of append: its name, and the CPU seconds per append at the start and at
    the end."""
    labels = {"agenda": "agenda items, one meeting", "comments": "comments, one round"}
    return [(labels[kind], first, last) for kind, (first, last) in per_append().items()]


if __name__ == "__main__":
    for label, first, last in figures():
        print(f"appending {label}: {first * 1e3:.2f} ms per append at the first "
              f"{BLOCK:,}, {last * 1e3:.2f} ms at the last of {APPENDS:,}: "
              f"{last / first:.2f}x")
