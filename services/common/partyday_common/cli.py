"""`partyday`: migrate databases, declare subscriptions, inspect dead letters, load a synthetic city,
import a roster."""
import argparse
import json
import sys
from pathlib import Path

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


def _city(args) -> int:
    from partyday_common.migrations import upgrade
    from partyday_directory.city import CityLoadRefused, load_city

    url = args.database_url or get_settings().database_url("directory")
    upgrade("directory", url)
    try:
        stats = load_city(url, args.seed, args.password)
    except CityLoadRefused as exc:
        print(f"partyday city: {exc}", file=sys.stderr)
        return 1
    print(f"loaded {stats['orgs']:,} organisations ({stats['counties']} counties, {stats['townships']} townships, "
          f"{stats['branches']:,} branches) and {stats['members']:,} members in {stats['seconds']:.1f} s")
    return 0


def _import_roster(args) -> int:
    from nameko.standalone.rpc import ClusterRpcProxy

    from partyday_common.errors import DomainError
    from partyday_directory.roster import import_batches, import_report, parse_roster

    try:
        roster = parse_roster(args.file.read())
    except DomainError as exc:
        print(f"partyday import-roster: {exc.code}: {exc.message}", file=sys.stderr)
        return 1
    outcomes = []
    with ClusterRpcProxy({"AMQP_URI": get_settings().amqp_uri}, timeout=120) as cluster:
        for batch in import_batches(roster, 1000):
            outcomes += cluster.directory.import_members(batch, scope_paths=None,
                                                         initial_password=args.initial_password)
            print(f"  {len(outcomes):,} rows sent", file=sys.stderr)
    report = import_report(roster, outcomes)
    if args.report:
        args.report.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"{report['total']:,} rows: {report['accepted']:,} accepted, {report['unchanged']:,} unchanged, "
          f"{report['rejected']:,} rejected")
    for row in report["rows"]:
        if row["status"] == "rejected":
            print(f"  row {row['row']}: {', '.join(row['reasons'])}")
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

    dlq = commands.add_parser("dead-letters", help="count, list or replay dead-lettered messages")
    dlq.add_argument("action", choices=["count", "list", "replay"])
    dlq.add_argument("--limit", type=int, default=None)
    dlq.set_defaults(handler=_dead_letters)

    city = commands.add_parser(
        "city", help="load a deterministic synthetic city (about 9,000 organisations, 208,000 members) "
                     "into the directory database")
    city.add_argument("--seed", type=int, default=20261121, help="the same seed always gives the same city")
    city.add_argument("--password", default="partyday-demo", help="the password of every generated member")
    city.add_argument("--database-url", default=None,
                      help="the directory database (default: its configured URL); migrated to head first")
    city.set_defaults(handler=_city)

    roster = commands.add_parser(
        "import-roster", help="import a CSV or XLSX roster through the running directory service, citywide")
    roster.add_argument("file", type=argparse.FileType("rb"))
    roster.add_argument("--initial-password", default=None,
                        help="the password of imported members whose row gives none (8 characters or more)")
    roster.add_argument("--report", type=Path, default=None, help="write the full row-level report here (JSON)")
    roster.set_defaults(handler=_import_roster)

    args = parser.parse_args(argv)
    if args.command == "dead-letters" and args.action == "list" and args.limit is None:
        args.limit = 50
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
