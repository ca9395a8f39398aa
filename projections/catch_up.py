"""Bringing the read model up to date: from its last position, in batches."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import IntegrityError, OperationalError

from lrt_app import library_private
from lrt_app.application import Lrt

from .read_model import ReadModel, SQLiteReadModel

BATCH = 500
# A rebuild (and a fold, `projections.verify`) reads and applies this many events at a
# time: a few statements per batch (`ReadModel.apply`) and one commit, so larger batches
# cost less (on SQLite each commit waits for the disk and may copy the WAL into the file:
# 20,000 took about half the time of 5,000 at 100k events). A batch's events and states
# are held in memory (tens of MB); a rebuild stopped between batches resumes from the last.
BULK = 20_000
MAX_COLLISIONS = 100
# PostgreSQL: how long a login that may not write the views (a writer, an auditor) waits for
# 'lrt projections follow' to apply what was recorded before its query
FOLLOWER_WAIT = 2.0


def open_read_model(app: Lrt) -> ReadModel:
    """The read model in the application's own store (same database, same pool)."""
    model: ReadModel
    if app.is_postgres:
        from .postgres_read_model import PostgresReadModel

        model = app.factory.tracking_recorder(PostgresReadModel)  # type: ignore[assignment]
    else:
        model = app.factory.tracking_recorder(SQLiteReadModel)  # type: ignore[assignment]
    model.cipher = app.mapper.cipher  # an encrypted store seals its read model's texts
    return model


def project_on_save(app: Lrt) -> None:
    """SQLite: write the read model in the transaction that saves a command's events, so
    that a command commits (and waits for the disk) once and the views are current when it
    returns. When the views are behind (another writer's events not applied yet), the
    events are left to the next catch-up, which applies them in log order."""
    recorder = app.recorder
    if not hasattr(recorder, "on_inserted") or app.is_postgres:
        return
    model = open_read_model(app)
    if model.outdated():
        return  # the next catch-up rebuilds it first

    def project(c: Any, inserted: list[tuple[int, Any]]) -> None:
        # the same cursor, under the write lock the insert took
        position = library_private.max_tracking_id(model, app.name, c) or 0
        if inserted[0][0] != position + 1:
            return
        model.apply(c, app.name, [(app.mapper.to_domain_event_quickly(stored), n)
                                  for n, stored in inserted])

    recorder.on_inserted = project


def pending(app: Lrt, model: ReadModel) -> int:
    """How many events the read model has not seen yet (ids may have gaps on PostgreSQL,
    so this is an upper bound there)."""
    return (app.recorder.max_notification_id() or 0) - (model.max_tracking_id(app.name) or 0)


def catch_up(app: Lrt, model: ReadModel, *, batch: int = BATCH,
             progress: Callable[[int], None] | None = None) -> int:
    """Apply every event recorded after the read model's position; return how many.
    A read model built by an older lrt is first emptied, then rebuilt."""
    if model.outdated():
        model.reset(app.name)
    done = 0
    collisions = 0
    while True:
        position = model.max_tracking_id(app.name) or 0
        notifications = app.recorder.select_notifications(
            start=position, limit=batch, inclusive_of_start=False)
        if not notifications:
            return done
        events = [(app.mapper.to_domain_event_quickly(n), n.id) for n in notifications]
        try:
            applied = model.process(app.name, events)
        except (IntegrityError, OperationalError):
            # Another process holds or moved the view: read its position again.
            collisions += 1
            if collisions > MAX_COLLISIONS:
                raise
            continue
        done += applied
        if progress:
            progress(len(events))


def require_write(model: ReadModel) -> None:
    """Refuse a login that may read the views but not write them (PostgreSQL: every login
    but the owner's and the projector's) before it tries to bring them up to date."""
    if not model.may_write():
        from lrt_domain.errors import Forbidden

        raise Forbidden("this database login may read the views but not bring them up to "
                        "date; a login in lrt_projector ('lrt projections follow') does that")


def bring_up_to_date(app: Lrt, model: ReadModel, *, wait: float = FOLLOWER_WAIT) -> int:
    """Before a query: catch up, when this login may write the views (SQLite; the owner or
    the projector on PostgreSQL). Any other login waits up to `wait` seconds for the
    follower to reach the end of the log as it stood when the query came in, then reads
    anyway. Returns how many events the views are still behind (an upper bound)."""
    if model.may_write():
        catch_up(app, model)
        return 0
    end = app.recorder.max_notification_id() or 0
    give_up = time.monotonic() + wait
    while True:
        behind = end - (model.max_tracking_id(app.name) or 0)
        if behind <= 0 or time.monotonic() >= give_up:
            return max(behind, 0)
        time.sleep(0.05)


def rebuild(app: Lrt, model: ReadModel, *,
            progress: Callable[[int], None] | None = None) -> int:
    model.reset(app.name)
    with model.bulk_writes():
        return catch_up(app, model, batch=BULK, progress=progress)
