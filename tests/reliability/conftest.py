"""The reliability tests use the application fixtures of the integration tests (a `world`
with a user of every role, on the `store` of either kind)."""

from integration.conftest import (  # noqa: F401
    app,
    circulated,
    clock,
    db_env,
    make_app,
    meetings,
    world,
)
