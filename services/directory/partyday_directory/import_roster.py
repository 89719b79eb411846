"""`partyday-import-roster FILE [--initial-password P] [--report report.json]`: import a CSV or XLSX roster
citywide from a shell, against the running stack.

The file goes to the object store the directory reads (PARTYDAY_MEDIA_STORAGE and its settings, as the
gateway's uploads do), the directory is asked over the bus to import it, and its progress is followed
until the end; then the counts and every rejected row are printed, and the whole report (the import and
every rejected row) is written as JSON with --report.
"""

import argparse
import json
import sys
import time
from pathlib import Path

from nameko.standalone.rpc import ClusterRpcProxy

from partyday_common.errors import DomainError
from partyday_common.pagination import MAX_PAGE_SIZE
from partyday_common.settings import get_settings
from partyday_common.storage import incoming_key, make_storage

POLL_S = 0.5
RPC_TIMEOUT_S = 60


def import_citywide(path: Path, initial_password: str | None, progress) -> dict:
    """The finished import of the file at `path`, with every row it rejected."""
    settings = get_settings()
    key = incoming_key()
    make_storage(settings).put_file(key, str(path), "application/octet-stream")
    with ClusterRpcProxy({"AMQP_URI": settings.amqp_uri}, timeout=RPC_TIMEOUT_S) as cluster:
        started = cluster.directory.start_import(
            {"storage_key": key, "citywide": True, "filename": path.name, "initial_password": initial_password}
        )
        found = started
        while found["state"] in ("queued", "running"):
            time.sleep(POLL_S)
            found = cluster.directory.get_import(started["import_id"], citywide=True, page_size=1)
            progress(found)
        rejected, page = [], 1
        while len(rejected) < found["rejected_rows"]["total"]:
            answer = cluster.directory.get_import(
                started["import_id"], citywide=True, page=page, page_size=MAX_PAGE_SIZE
            )
            rejected += answer["rejected_rows"]["items"]
            page += 1
    return {**found, "rejected_rows": rejected}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="partyday-import-roster", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("file", type=Path, help="the roster, CSV (UTF-8 or GB18030) or XLSX")
    parser.add_argument(
        "--initial-password",
        default=None,
        help="the password of imported members whose row gives none (8 characters or more)",
    )
    parser.add_argument("--report", type=Path, default=None, help="write the whole report here (JSON)")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        parser.error(f"{args.file} is not a file")

    def progress(found: dict) -> None:
        of = f" of {found['total']:,}" if found["total"] is not None else ""
        print(f"  {found['state']}: {found['rows_read']:,}{of} rows read", file=sys.stderr)

    try:
        report = import_citywide(args.file, args.initial_password, progress)
    except DomainError as exc:
        print(f"partyday-import-roster: {exc.code}: {exc.message}", file=sys.stderr)
        return 1
    if args.report:
        args.report.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    if report["state"] == "failed":
        print(f"partyday-import-roster: {report['error']['code']}: {report['error']['message']}", file=sys.stderr)
        return 1
    print(
        f"{report['rows_read']:,} rows: {report['accepted']:,} accepted, {report['unchanged']:,} unchanged, "
        f"{report['rejected']:,} rejected"
    )
    for row in report["rejected_rows"]:
        print(f"  row {row['row']}: {', '.join(row['reasons'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
