"""What every command shares: the store, the acting user, and (in tests) the clock.

Heavy modules (pydantic, eventsourcing, the application) are imported here, on first use,
so that `lrt --help` and `lrt --version` answer at once."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from lrt_app.application import Lrt
    from lrt_domain.base import Actor
    from projections.views import Views


class Session:
    def __init__(self, db: str | None = None, user: str | None = None, clock: Any = None):
        self.db = db
        self.requested_user = user
        self.clock = clock

    def open_app(self, *, initialising: bool = False) -> Lrt:
        from lrt_app.application import Lrt
        from lrt_app.settings import store

        location = store(self.db, must_exist=not initialising, create_tables=initialising)
        app = Lrt(env=location.env, clock=self.clock)
        if not initialising:
            try:
                app.check_store(location.name)
            except BaseException:
                app.close()
                raise
        return app

    @cached_property
    def app(self) -> Lrt:
        return self.open_app()

    @cached_property
    def user(self) -> str | None:
        """The acting user: --as on SQLite; the database login on PostgreSQL."""
        return self.app.login(self.requested_user)

    def views(self) -> Views:
        """The read side, for a registered user only (on PostgreSQL: the login's user)."""
        from projections.views import Views

        self.actor()
        return Views.open(self.app)

    def actor(self) -> Actor:
        return self.app.actor(self.user)

    def now(self) -> Any:
        return self.app.clock.now()

    def close(self) -> None:
        self.__dict__.pop("user", None)
        app = self.__dict__.pop("app", None)
        if app is not None:
            app.close()


pass_session = click.make_pass_decorator(Session)
