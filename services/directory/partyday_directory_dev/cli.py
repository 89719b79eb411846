"""`partyday-city`: load the deterministic synthetic city into the directory's database."""

import argparse
import sys

from partyday_common.migrations import upgrade
from partyday_directory.settings import get_settings
from partyday_directory_dev.city import CityLoadRefused, load_city


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="partyday-city",
        description="Load a deterministic synthetic city (about 9,000 organisations, "
        "208,000 members) into the directory database.",
    )
    parser.add_argument("--seed", type=int, default=20261121, help="the same seed always gives the same city")
    parser.add_argument("--password", default="partyday-demo", help="the password of every generated member")
    parser.add_argument(
        "--database-url",
        default=None,
        help="the directory database (default: its configured URL); migrated to head first",
    )
    args = parser.parse_args(argv)
    url = args.database_url or get_settings().database_url("directory")
    upgrade("directory", url)
    try:
        stats = load_city(url, args.seed, args.password)
    except CityLoadRefused as exc:
        print(f"partyday-city: {exc}", file=sys.stderr)
        return 1
    print(
        f"loaded {stats['orgs']:,} organisations ({stats['counties']} counties, {stats['townships']} townships, "
        f"{stats['branches']:,} branches) and {stats['members']:,} members in {stats['seconds']:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
