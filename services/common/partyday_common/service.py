"""What every partyday nameko service has: correlation, metrics, a database and a ping."""
from nameko.rpc import rpc as nameko_rpc

from partyday_common.correlation import Correlation
from partyday_common.errors import DomainError
from partyday_common.metrics import ServiceMetrics


def rpc(method):
    """A nameko RPC entrypoint for which a DomainError is an answer, not a fault."""
    return nameko_rpc(expected_exceptions=(DomainError,))(method)


class PartydayService:
    """Base for the service classes; subclasses set `name` and `db = Database(metadata)`."""

    name: str
    correlation = Correlation()
    metrics = ServiceMetrics()

    @rpc
    def ping(self):
        """Readiness: answers when the service consumes RPC and reaches its database."""
        self.db.ping()
        return {"service": self.name, "status": "ok"}
