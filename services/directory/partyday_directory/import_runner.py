"""The background of roster imports in every directory process: a managed thread that claims queued imports
(and those whose process died, once their lease ran out) and runs them batch by batch, woken when an import
is started here and otherwise polling, so that a replica or a restarted process picks up what another left."""

import logging
import os
import socket
import uuid

import eventlet
from eventlet import tpool
from eventlet.queue import Empty, LightQueue
from nameko.extensions import DependencyProvider

from partyday_common.db import Database, utcnow
from partyday_common.storage import make_storage
from partyday_directory import imports
from partyday_directory.settings import get_settings

log = logging.getLogger(__name__)

POLL_S = 5.0


class ImportRunner(DependencyProvider):
    """Runs roster imports; entrypoints get it to reach the object store and to wake it."""

    def setup(self):
        self.storage = make_storage(get_settings())
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._wakeups = LightQueue()
        self._running = False

    def start(self):
        self._running = True
        self.container.spawn_managed_thread(self._run, identifier="roster-imports")

    def stop(self):
        self._running = False
        self.wake()

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return self

    def wake(self) -> None:
        self._wakeups.put(None)

    @property
    def _database(self) -> Database:
        return next(extension for extension in self.container.dependencies if isinstance(extension, Database))

    def _run(self) -> None:
        while self._running:
            try:
                while self._running and self._run_next():
                    pass
            except Exception:
                log.exception("a roster import failed unexpectedly; it is resumed once its lease runs out")
            try:
                self._wakeups.get(timeout=POLL_S)
                while not self._wakeups.empty():
                    self._wakeups.get_nowait()
            except Empty:
                pass

    def _run_next(self) -> bool:
        with self._database.transaction() as session:
            import_id = imports.claim(session, self.worker, utcnow())
        if import_id is None:
            return False
        log.info("running roster import %s", import_id)
        try:
            imports.run(
                import_id,
                self.worker,
                self._database.transaction,
                self.storage,
                should_stop=lambda: not self._running,
                pause=eventlet.sleep,
                cpu=tpool.execute,
                ahead=lambda work: eventlet.spawn(tpool.execute, work).wait,
            )
        except imports.LeaseLost:
            log.warning("roster import %s was taken over by another process", import_id)
        return True
