"""Admin commands: `python -m devtools.manage create-tables | load-demo`.

They act on the stage of the environment's settings (RDVSOL_*): moto locally, or a
real AWS account with credentials in the environment."""

from __future__ import annotations

import argparse
import sys
from datetime import date


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.manage")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("create-tables", help="create every missing table (idempotent)")
    commands.add_parser("load-demo", help="load the demo data (idempotent)")
    args = parser.parse_args(argv)

    from chalicelib.settings import get_settings
    from chalicelib.store import get_store
    from chalicelib.store.connection import create_tables

    settings = get_settings()
    if args.command == "create-tables":
        created = create_tables(settings)
        print(f"{len(created)} table(s) created: {', '.join(created) or 'none missing'}")
    elif args.command == "load-demo":
        from chalicelib.services.demo_data import load_demo_data

        summary = load_demo_data(get_store(settings), date.today())
        print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
