"""The eventsourcing library's own test cases (`eventsourcing.tests.persistence`), run
against what lrt customises of its persistence: the hash-chain application recorders
(SQLite and PostgreSQL) and the JSON transcoder. The module is imported, not its classes,
so that pytest does not collect the abstract bases. Performance and throughput cases are
left out (they time, they do not check)."""

from __future__ import annotations

import os
import tempfile
import unittest
from uuid import uuid4

import pytest
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.tests import persistence as library

from lrt_app.chain import ChainedSQLiteApplicationRecorder
from lrt_app.persistence import JSONTranscoder

TIMING = "a timing, not a check"


class TestChainedSQLiteApplicationRecorder(library.ApplicationRecorderTestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.tmp.name, "lrt.sqlite")

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def create_recorder(self) -> ChainedSQLiteApplicationRecorder:
        recorder = ChainedSQLiteApplicationRecorder(SQLiteDatastore(self.path,
                                                                    lock_timeout=30))
        recorder.create_table()
        return recorder

    def test_insert_select(self) -> None:
        super().test_insert_select()
        # and every event the library's case recorded is bound by the chain, in order
        recorder = self.create_recorder()
        assert recorder.chain_head().length == recorder.count_events() > 0

    @unittest.skip(TIMING)
    def test_performance(self) -> None: ...

    @unittest.skip(TIMING)
    def test_concurrent_throughput(self) -> None: ...


class TestJSONTranscoder(library.TranscoderTestCase):
    """lrt stores pydantic's JSON dump (`model_dump(mode="json")`): plain JSON types only.
    The library's cases for its own typed round trips (tuples, subclasses of dict, list,
    str and int, custom transcodings) do not apply; 9.5.6 does not register the tuple
    transcoding its `test_tuple` expects either."""

    def construct_transcoder(self) -> JSONTranscoder:
        return JSONTranscoder()

    for _name in ("test_tuple", "test_mixed", "test_dict_subclass", "test_list_subclass",
                  "test_str_subclass", "test_int_subclass", "test_custom_type_in_dict",
                  "test_nested_custom_type", "test_custom_type_error"):
        locals()[_name] = unittest.skip("typed round trips: pydantic does them in lrt")(
            lambda self: None)
    del _name


@pytest.mark.usefixtures("postgres_server")
class TestChainedPostgresApplicationRecorder(library.ApplicationRecorderTestCase):
    @pytest.fixture(autouse=True)
    def _database(self, postgres_server):
        self.server = postgres_server
        self.dbname = f"lib{uuid4().hex[:12]}"
        postgres_server.create_database(self.dbname)
        yield
        postgres_server.drop_database(self.dbname)

    def create_recorder(self):
        from eventsourcing.postgres import PostgresDatastore

        from lrt_app.chain_postgres import ChainedPostgresApplicationRecorder

        datastore = PostgresDatastore(dbname=self.dbname, host="127.0.0.1",
                                      port=str(self.server.port), user=self.server.user,
                                      password="", pool_size=4, max_overflow=4)
        self._datastores = getattr(self, "_datastores", []) + [datastore]
        recorder = ChainedPostgresApplicationRecorder(datastore,
                                                      events_table_name="lrt_events")
        recorder.create_table()
        return recorder

    def tearDown(self) -> None:
        for datastore in getattr(self, "_datastores", []):
            datastore.close()

    def test_insert_select(self) -> None:
        super().test_insert_select()
        recorder = self.create_recorder()
        assert recorder.chain_head().length == recorder.count_events() > 0

    @unittest.skip(TIMING)
    def test_performance(self) -> None: ...

    @unittest.skip(TIMING)
    def test_concurrent_throughput(self) -> None: ...
