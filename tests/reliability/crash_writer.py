"""A writer for the crash test: a long series of commands on one store, one "DONE" line
(flushed) after each command returns. Run as: python crash_writer.py ENV_JSON START_ISO SEED.

Each line: DONE <n> <kind> <key> <version> — the aggregate the command wrote and the version
it had when the command returned. Every few commands the writer also brings the read model
up to date, so that a kill can land inside a catch-up too."""

from __future__ import annotations

import json
import random
import sys
from datetime import datetime, timedelta

from lrt_app.application import Lrt
from lrt_app.clock import SettableClock
from lrt_domain.actions import Action
from lrt_domain.directory import Person
from lrt_domain.documents import Document
from lrt_domain.meetings import Meeting
from lrt_domain.minutes import Item, Point
from projections.catch_up import catch_up, open_read_model

ADMIN, MEMBER = "admin", "vng-lid"


def main() -> None:
    env = json.loads(sys.argv[1])
    clock = SettableClock(datetime.fromisoformat(sys.argv[2]))
    rnd = random.Random(int(sys.argv[3]))
    app = Lrt(env=env, clock=clock)
    model = open_read_model(app)
    n = 0

    def done(cls: type, key: str) -> None:
        nonlocal n
        n += 1
        version = app.get(cls, key).version
        print(f"DONE {n} {cls.KIND} {key} {version}", flush=True)
        if n % 3 == 0:
            catch_up(app, model)

    print("READY", flush=True)
    while True:
        now = clock.now()
        meeting = app.schedule_meeting(ADMIN, "LRT", now + timedelta(days=3), "Webex")
        done(Meeting, meeting)
        for title in ("Opening", "Huisvesting", "WVTTK"):
            app.add_agenda_item(ADMIN, meeting, title)
            done(Meeting, meeting)
        clock.advance(days=3, hours=2)
        app.hold_meeting(ADMIN, meeting)
        done(Meeting, meeting)
        # one command, 1 + 3 events (the minutes and the actions of its action lines)
        app.draft_minutes(ADMIN, meeting, [
            Item(number=1, title="Opening", points=(
                Point(text="De voorzitter opent de vergadering."),)),
            Item(number=2, title="Huisvesting", points=(
                Point(text="Actie: VNG levert wijziging aan."),
                Point(text="Actie: IPO inventariseert knelpunten."),
                Point(text=f"Gemeenten melden knelpunten {rnd.random()} (actie: COA "
                           "rapporteert).")))])
        done(Minutes, meeting)
        app.circulate_minutes(ADMIN, meeting, clock.now() + timedelta(days=5))
        done(Minutes, meeting)
        app.comment(MEMBER, meeting, f"Opmerking {n}: " + "tekst " * rnd.randint(1, 200))
        done(Minutes, meeting)
        number = app.propose_amendment(MEMBER, meeting, item=1, point=1,
                                       text=f"De voorzitter opent om {n} uur.")
        done(Minutes, meeting)
        app.accept_amendment(ADMIN, meeting, number)
        done(Minutes, meeting)
        action = app.agree_action(ADMIN, meeting, item=2, text="VNG rapporteert.",
                                  owners=["VNG"])
        done(Action, action)
        app.report_progress(MEMBER, action, "Loopt.")
        done(Action, action)
        document = app.add_document(ADMIN, meeting, "Brief", "Concept " * 50)
        done(Document, document)
        person = app.register_person(ADMIN, f"Adviseur {sys.argv[3]} {n}")
        done(Person, person)
        clock.advance(days=6)


from lrt_domain.minutes import Minutes

if __name__ == "__main__":
    main()
