"""Keeping the read model up to date continuously, until interrupted.

On PostgreSQL, the library's `ProjectionRunner` follows the event log through its
subscription (LISTEN/NOTIFY) and resumes from the view's tracking position. SQLite has no
subscriptions, so there the read model catches up at a fixed interval."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from lrt_app.application import Lrt

from .catch_up import catch_up, open_read_model, require_write


def follow(app: Lrt, env: dict[str, str], *, stop: threading.Event,
           interval: float = 1.0, applied: Callable[[int], None] | None = None) -> None:
    """Apply every new event as it is recorded, until `stop` is set."""
    model = open_read_model(app)
    require_write(model)  # PostgreSQL: the projector's login (or the owner's) only
    done = catch_up(app, model)  # the backlog in batches, before following
    if applied and done:
        applied(done)
    if not app.is_postgres:
        while not stop.wait(interval):
            done = catch_up(app, model)
            if applied and done:
                applied(done)
        return

    from eventsourcing.projection import Projection, ProjectionRunner

    from .postgres_read_model import PostgresReadModel

    class LrtProjection(Projection[PostgresReadModel]):
        name = app.name  # the view's tracking table is then the one catch-up uses

        def process_event(self, domain_event: Any, tracking: Any) -> None:
            n = self.view.process(tracking.application_name,
                                  [(domain_event, tracking.notification_id)])
            if applied and n:
                applied(n)

    with ProjectionRunner(application_class=Lrt, projection_class=LrtProjection,
                          view_class=PostgresReadModel, env=env) as runner:
        while not stop.is_set():
            runner.run_forever(timeout=interval)  # re-raises an error of the runner
