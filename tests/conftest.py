"""The store every store-touching test runs on: a SQLite file, and a database on a private
PostgreSQL server started for the test session (`store` is parametrised over both)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# the shared test worlds' asserts explain themselves too (imported after this line)
pytest.register_assert_rewrite("worlds")

from pg_server import PostgresServer, find_bindir  # noqa: E402
from stores import StoreFactory, TestStore  # noqa: E402

STORES = ("sqlite", "postgres")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    if find_bindir() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; .ci/run installs it")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    server = PostgresServer().start()
    yield server
    server.stop()


def _factory(request: pytest.FixtureRequest) -> StoreFactory:
    server = request.getfixturevalue("postgres_server") if request.param == "postgres" \
        else None
    return StoreFactory(request.param, request.getfixturevalue("tmp_path_factory"), server)


@pytest.fixture(params=STORES)
def store_factory(request: pytest.FixtureRequest) -> Iterator[StoreFactory]:
    factory = _factory(request)
    yield factory
    factory.drop()


@pytest.fixture
def store(store_factory: StoreFactory) -> TestStore:
    return store_factory()


@pytest.fixture(scope="module", params=STORES)
def module_store(request: pytest.FixtureRequest) -> Iterator[TestStore]:
    """One store shared by the tests of a module (they must leave it as they found it)."""
    factory = _factory(request)
    yield factory()
    factory.drop()
