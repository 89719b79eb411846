"""`partyday`: migrate databases, run the whole stack locally, inspect dead letters."""
import argparse
import json
import sys

from partyday_common.settings import SERVICES, get_settings


def _migrate(args) -> int:
    from partyday_common.migrations import upgrade

    for service in args.services or SERVICES:
        upgrade(service)
        print(f"migrated {service}")
    return 0


def _declare(args) -> int:
    from partyday_common.consumer import declare_subscriptions
    from partyday_common.settings import load_service_class

    queues = declare_subscriptions(get_settings().amqp_uri, [load_service_class(name) for name in SERVICES])
    print("\n".join(f"declared {queue}" for queue in queues))
    return 0


def _run(args) -> int:
    from partyday_common.devstack import run_stack

    return run_stack(host=args.host, port=args.port, demo=not args.no_demo)


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

    migrate = commands.add_parser("migrate", help="bring service databases to the latest schema")
    migrate.add_argument("services", nargs="*", choices=[[]] + list(SERVICES), default=[],
                         metavar="SERVICE")
    migrate.set_defaults(handler=_migrate)

    declare = commands.add_parser(
        "declare-queues", help="declare every event subscription's queue before any service starts")
    declare.set_defaults(handler=_declare)

    run = commands.add_parser("run", help="migrate, start every service and the gateway, load demo data")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--no-demo", action="store_true", help="do not load the demo organisation tree")
    run.set_defaults(handler=_run)

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
