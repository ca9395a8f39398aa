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
        self.user = user
        self.clock = clock

    def open_app(self, *, must_exist: bool = True) -> Lrt:
        from lrt_app.application import Lrt
        from lrt_app.settings import store_env

        return Lrt(env=store_env(self.db, must_exist=must_exist), clock=self.clock)

    @cached_property
    def app(self) -> Lrt:
        return self.open_app()

    def views(self) -> Views:
        from projections.views import Views

        return Views.open(self.app)

    def actor(self) -> Actor:
        return self.app.actor(self.user)

    def now(self) -> Any:
        return self.app.clock.now()

    def close(self) -> None:
        app = self.__dict__.pop("app", None)
        if app is not None:
            app.close()


pass_session = click.make_pass_decorator(Session)
