"""`partyday-dev`: the whole stack on one machine, for development (`make run`, `make migrate`).

Production migrates and declares each service on its own with the runtime command, `partyday migrate SERVICE`
and `partyday declare-queues SERVICE_CLASS` (deploy/)."""

import argparse
import sys


def _run(args) -> int:
    from partyday_dev.devstack import run_stack

    return run_stack(host=args.host, port=args.port, demo=not args.no_demo)


def _migrate(_args) -> int:
    from partyday_dev.devstack import migrate_every_service

    for service in migrate_every_service():
        print(f"migrated {service}")
    return 0


def _declare(_args) -> int:
    from partyday_dev.devstack import declare_every_subscription

    print("\n".join(f"declared {queue}" for queue in declare_every_subscription()))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="partyday-dev", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="migrate, start every service and the gateway, load demo data")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--no-demo", action="store_true", help="do not load the demo organisation tree")
    run.set_defaults(handler=_run)

    migrate = commands.add_parser("migrate", help="bring every service's database to the latest schema")
    migrate.set_defaults(handler=_migrate)

    declare = commands.add_parser("declare-queues", help="declare every service's event subscriptions")
    declare.set_defaults(handler=_declare)

    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
