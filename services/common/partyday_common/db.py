"""A database per service: engines with sane timeouts, and a nameko dependency that
hands each worker explicit transactions in which events are recorded in the outbox."""

import io
import json
import logging
import re
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from nameko.extensions import DependencyProvider
from psycopg2 import errors as psycopg2_errors
from psycopg2 import extensions as psycopg2_extensions
from sqlalchemy import JSON, MetaData, Select, Table, create_engine, event, func, insert, literal, select, text, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from partyday_common.correlation import ACTOR_KEY, CLIENT_IP_KEY, CONTEXT_KEY
from partyday_common.envelope import Envelope
from partyday_common.instants import Instant, as_utc
from partyday_common.settings import get_settings
from partyday_common.tables import OUTBOX, PROCESSED

log = logging.getLogger(__name__)

DATABASE_URL_CONFIG_KEY = "DATABASE_URL"
# A pooled connection idle for longer is tested before use; one in steady use is not, which spares the
# busiest transactions a round trip each (a connection that died in use is caught when it fails, and
# SQLAlchemy then discards the whole pool).
PING_AFTER_IDLE_S = 5.0


class DuplicateEvent(Exception):
    """The event was already processed by this consumer; it must have no second effect."""


class SecondEventTransaction(RuntimeError):
    """An event handler opened a second transaction.

    The processed-event mark commits with the handler's one transaction; work done in a
    second one would be skipped for good if the handler failed in between and the event
    were delivered again.
    """


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    # As many pooled connections as a service runs workers (PARTYDAY_MAX_WORKERS, 10), plus its relay:
    # connections beyond the pool are closed after each use, and a backend per transaction is costly.
    engine = create_engine(
        url,
        pool_size=12,
        max_overflow=8,
        pool_timeout=10,
        connect_args={"connect_timeout": 5, "options": "-c statement_timeout=30000"},
    )
    event.listen(engine, "connect", _note_use)
    event.listen(engine, "checkin", _note_use)

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
        """Test a connection that sat idle in the pool; a dead one is replaced (DisconnectionError)."""
        if time.monotonic() - record.info.get("used_at", 0.0) <= PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError(f"a pooled connection was dead: {exc}") from exc

    return engine


def _note_use(_dbapi_connection, record) -> None:
    if record is not None:
        record.info["used_at"] = time.monotonic()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def emit(
    session: Session, event_type: str, data: dict, version: int = 1, occurred_at: datetime | None = None
) -> Envelope:
    """Record an event in the outbox, inside the caller's transaction.

    It is published by the relay once the transaction commits; if the process dies
    first, the row is still there and the relay of the next process publishes it.
    """
    envelope = Envelope(
        event_type=event_type,
        source=session.info["service"],
        data=data,
        version=version,
        occurred_at=(occurred_at or utcnow()).isoformat(),
        correlation_id=session.info.get("correlation_id"),
    )
    session.execute(
        insert(session.info["outbox_table"]).values(
            event_id=envelope.event_id,
            event_type=event_type,
            body=envelope.to_message(),
            correlation_id=envelope.correlation_id,
            created_at=utcnow(),
        )
    )
    session.info["emitted"] = True
    return envelope


def emit_many(session: Session, event_type: str, payloads: list[dict], version: int = 1) -> None:
    """Record an event per payload in the outbox in one go, inside the caller's transaction, as `emit` does
    one: a bulk import announces thousands at a time."""
    if not payloads:
        return
    now = utcnow()
    envelopes = [
        Envelope(
            event_type=event_type,
            source=session.info["service"],
            data=data,
            version=version,
            occurred_at=now.isoformat(),
            correlation_id=session.info.get("correlation_id"),
        )
        for data in payloads
    ]
    bulk_insert(
        session,
        session.info["outbox_table"],
        [
            {
                "event_id": envelope.event_id,
                "event_type": event_type,
                "body": envelope.to_message(),
                "correlation_id": envelope.correlation_id,
                "created_at": now,
                "attempts": 0,
            }
            for envelope in envelopes
        ],
    )
    session.info["emitted"] = True


COPY_SPECIAL = re.compile(r"[\\\t\n\r]")


def select_by_keys(session: Session, key, keys: list, *columns) -> Select:
    """`select(*columns)` (the key alone by default) of the rows whose `key` column, a unique one, holds one of
    `keys`. On PostgreSQL each key is looked up on its own (a LATERAL subquery of one row), which probes the
    key's index once per key: given a thousand keys as an IN list, `= ANY` or a join, its planner reads the
    whole table instead (ten times slower at 100,000 rows, and a roster import looks up a thousand phones or
    members a batch in a table that grows by as many). Elsewhere an IN list."""
    chosen = columns or (key,)
    if session.get_bind().dialect.name != "postgresql":
        return select(*chosen).where(key.in_(keys))
    distinct = list(dict.fromkeys(keys))
    wanted = func.unnest(literal(distinct, ARRAY(key.type))).table_valued("key").render_derived()
    found = select(*chosen).where(key == wanted.c.key).limit(1).lateral("found")
    return select(*found.c).select_from(wanted).join(found, true())


def bulk_insert(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert rows that all have the same columns, inside the caller's transaction: with COPY on PostgreSQL
    (about twice as fast as a many-row INSERT, and a bulk import writes hundreds of thousands), with one
    many-row INSERT elsewhere; a constraint they break is SQLAlchemy's IntegrityError either way. JSON columns
    take dicts and lists and `Instant` columns aware datetimes (a naive one is refused), as through the ORM."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    columns = list(rows[0])
    copied = [_copied_as(table.c[name].type) for name in columns]
    lines = "".join(
        [
            _copy_line(
                [row[name] if row[name] is None else as_copied(row[name]) for name, as_copied in zip(columns, copied)]
            )
            for row in rows
        ]
    )
    cursor = session.connection().connection.driver_connection.cursor()
    # psycopg2 refuses COPY while a green wait callback is set, as eventlet's monkey patching does under
    # nameko: the COPY blocks the process's other green threads for its few milliseconds instead.
    callback = psycopg2_extensions.get_wait_callback()
    psycopg2_extensions.set_wait_callback(None)
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    try:
        cursor.copy_expert(statement, io.StringIO(lines))
    except psycopg2_errors.IntegrityError as exc:
        raise IntegrityError(statement, None, exc) from exc
    finally:
        psycopg2_extensions.set_wait_callback(callback)
        cursor.close()


def _copied_as(column_type):
    """How COPY takes a column's values: JSON as its text, instants in UTC (refused without an offset)."""
    if isinstance(column_type, JSON):
        return lambda value: json.dumps(value, ensure_ascii=False)
    if isinstance(column_type, Instant):
        return as_utc
    return lambda value: value


def _copy_line(values: list) -> str:
    """A row in COPY's text format: NULL as \\N, booleans as t and f, backslashes, tabs and line breaks
    escaped (looked for once in the whole row, since they are rare)."""
    texts = [
        "\\N" if value is None else ("t" if value else "f") if value is True or value is False else str(value)
        for value in values
    ]
    if COPY_SPECIAL.search("".join(text for value, text in zip(values, texts) if value is not None)):
        texts = [
            text
            if value is None
            else text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
            for value, text in zip(values, texts)
        ]
    return "\t".join(texts) + "\n"


class PreparedStatement:
    """A PostgreSQL statement prepared once per connection (PREPARE) and then run by name (EXECUTE), so that
    it is not parsed and planned again each time. Written with `%(name)s` parameters, whose SQL types
    `types` gives in the order of the EXECUTE's arguments."""

    def __init__(self, name: str, types: dict[str, str], sql: str):
        self.name = name
        self.order = tuple(types)
        numbered = re.sub(r"%\((\w+)\)s", lambda found: f"${self.order.index(found.group(1)) + 1}", sql)
        self.definition = f"PREPARE {name} ({', '.join(types.values())}) AS {numbered}"
        self.call = f"EXECUTE {name} ({', '.join(['%s'] * len(self.order))})"

    def values(self, parameters: dict) -> tuple:
        return tuple(parameters[name] for name in self.order)


class Database(DependencyProvider):
    """The service's own database, plus the relay that publishes its outbox.

    Handlers call `self.db.transaction()` and commit before they answer, so that an
    RPC reply or an event acknowledgement is only sent for work that is durable.
    `subscribed` is the service's SUBSCRIBED (its contracts' events.py): the event types some
    service consumes, which the relay publishes `mandatory`.
    """

    def __init__(self, metadata: MetaData, subscribed: frozenset[str]):
        self.metadata = metadata
        self.subscribed = subscribed

    def setup(self):
        from partyday_common.outbox import OutboxRelay

        service = self.container.service_name
        url = self.container.config.get(DATABASE_URL_CONFIG_KEY) or get_settings().database_url(service)
        self.engine = make_engine(url)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        self.relay = OutboxRelay(
            engine=self.engine,
            table=self.metadata.tables[OUTBOX],
            service=service,
            config=self.container.config,
            subscribed=self.subscribed,
        )

    def start(self):
        self.container.spawn_managed_thread(self.relay.run, identifier="outbox-relay")

    def stop(self):
        self.relay.stop()
        self.engine.dispose()

    def kill(self):
        self.relay.stop()

    def get_dependency(self, worker_ctx):
        return WorkerDatabase(self, worker_ctx)

    @contextmanager
    def transaction(self, **context):
        """A session whose work and outbox rows commit together, the relay woken for its events; `context`
        (correlation_id, actor_id, client_ip) is what its audit entries and events carry. Entrypoints use
        their worker's `transaction()`; a managed thread of the service (an import run) uses this one."""
        session = self.sessionmaker()
        session.info.update(
            service=self.container.service_name,
            outbox_table=self.metadata.tables[OUTBOX],
            metadata=self.metadata,
            **context,
        )
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
        if session.info.get("emitted"):
            self.relay.wake()


class WorkerDatabase:
    def __init__(self, provider: Database, worker_ctx):
        self.provider = provider
        self.worker_ctx = worker_ctx
        self._event_transactions = 0

    @contextmanager
    def transaction(self):
        """A session whose work, outbox rows and processed-event mark commit together."""
        context = self.worker_ctx.context_data
        with self.provider.transaction(
            correlation_id=context.get(CONTEXT_KEY),
            actor_id=context.get(ACTOR_KEY),
            client_ip=context.get(CLIENT_IP_KEY),
        ) as session:
            self._mark_processed(session)
            yield session

    def _mark_processed(self, session: Session) -> None:
        """In an event consumer, claim the event first: a duplicate fails here, before any effect."""
        entrypoint = self.worker_ctx.entrypoint
        if not getattr(entrypoint, "records_processed_events", False):
            return
        self._event_transactions += 1
        if self._event_transactions > 1:
            raise SecondEventTransaction(f"{entrypoint.consumer_name} must do its work in one transaction")
        envelope = self.worker_ctx.args[0]
        try:
            session.execute(
                insert(self.provider.metadata.tables[PROCESSED]).values(
                    event_id=envelope.event_id,
                    consumer=entrypoint.consumer_name,
                    processed_at=utcnow(),
                )
            )
        except IntegrityError as exc:
            raise DuplicateEvent(envelope.event_id) from exc

    @property
    def backend(self) -> str:
        """The database's dialect name: `postgresql` or `sqlite`."""
        return self.provider.engine.dialect.name

    @property
    def client_ip(self) -> str | None:
        return self.worker_ctx.context_data.get(CLIENT_IP_KEY)

    def run_alone(self, statement: "PreparedStatement", parameters: dict) -> tuple | None:
        """Run one statement as its own transaction (autocommit, PostgreSQL), committed when this returns;
        its first row. It spares the session, BEGIN and COMMIT, and the statement is parsed and planned
        once per pooled connection; a constraint it breaks is SQLAlchemy's IntegrityError, as in a session.
        Not for event handlers, whose work commits with the processed-event mark."""
        if self.backend != "postgresql":
            raise RuntimeError("run_alone is for PostgreSQL")
        if getattr(self.worker_ctx.entrypoint, "records_processed_events", False):
            raise SecondEventTransaction("an event handler does its work in its one transaction")
        connection = self.provider.engine.raw_connection()
        driver = connection.driver_connection
        driver.autocommit = True
        try:
            with connection.cursor() as cursor:
                prepared = connection.info.setdefault("prepared_statements", set())
                if statement.name not in prepared:
                    cursor.execute(statement.definition)
                    prepared.add(statement.name)
                cursor.execute(statement.call, statement.values(parameters))
                return cursor.fetchone()
        except self.provider.engine.dialect.dbapi.IntegrityError as exc:
            raise IntegrityError(statement.call, parameters, exc) from exc
        finally:
            if driver.closed:
                connection.invalidate()
            else:
                driver.autocommit = False
            connection.close()

    def ping(self) -> None:
        with self.provider.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
