"""`partyday`: the operations every deployment runs, one service at a time: migrate a service's database,
declare a service's event subscriptions, inspect and replay dead letters."""

import argparse
import json
import sys
from importlib import import_module

from partyday_common.settings import SERVICES, get_settings


def service_class(target: str):
    """The class `module:Class` names, as `nameko run` takes it: the process loads that service only."""
    module, _, name = target.partition(":")
    if not name:
        raise argparse.ArgumentTypeError(f"{target!r} is not module:Class")
    try:
        return getattr(import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise argparse.ArgumentTypeError(f"no service class {target!r}: {exc}") from exc


def _migrate(args) -> int:
    from partyday_common.migrations import upgrade

    for service in args.services:
        upgrade(service)
        print(f"migrated {service}")
    return 0


def _declare(args) -> int:
    from partyday_common.consumer import declare_subscriptions

    queues = declare_subscriptions(get_settings().amqp_uri, args.service_classes)
    print("\n".join(f"declared {queue}" for queue in queues))
    return 0


def _dead_letters(args) -> int:
    from partyday_common import deadletters

    uri = get_settings().amqp_uri
    if args.action == "count":
        print(deadletters.count(uri))
    elif args.action == "list":
        print(json.dumps(deadletters.inspect(uri, args.limit), ensure_ascii=False, indent=2))
    else:
        print(f"replayed {deadletters.replay(uri, args.limit)} message(s)")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="partyday", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    migrate = commands.add_parser("migrate", help="bring a service's database to the latest schema")
    migrate.add_argument("services", nargs="+", choices=SERVICES, metavar="SERVICE")
    migrate.set_defaults(handler=_migrate)

    declare = commands.add_parser(
        "declare-queues", help="declare a service's event subscriptions before it or any producer starts"
    )
    declare.add_argument(
        "service_classes",
        nargs="+",
        type=service_class,
        metavar="SERVICE_CLASS",
        help="module:Class, e.g. partyday_plans.service:PlansService",
    )
    declare.set_defaults(handler=_declare)

    dlq = commands.add_parser("dead-letters", help="count, list or replay dead-lettered messages")
    dlq.add_argument("action", choices=["count", "list", "replay"])
    dlq.add_argument("--limit", type=int, default=None)
    dlq.set_defaults(handler=_dead_letters)

    args = parser.parse_args(argv)
    if args.command == "dead-letters" and args.action == "list" and args.limit is None:
        args.limit = 50
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
