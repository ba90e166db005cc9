"""Admin commands, on the stage of the environment's settings (RDVSOL_*): moto locally,
or a real AWS account with credentials in the environment.

    python -m devtools.manage create-tables
    python -m devtools.manage load-demo
    python -m devtools.manage create-organisation --id mds-calais-2 --name "MDS Calais II" \\
        --territoire pas-de-calais --territoire-name Pas-de-Calais --departement 62 \\
        --phone "03 21 00 00 00" --address "…, 62100 Calais" --postal-codes 62100,62231
    python -m devtools.manage create-admin --organisation mds-calais-2 \\
        --email claire@departement.fr --first-name Claire --last-name Lefebvre
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import uuid
from datetime import date


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.manage")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("create-tables", help="create every missing table (idempotent)")
    commands.add_parser("load-demo", help="load the demo data (idempotent)")
    org = commands.add_parser("create-organisation", help="create or update an MDS")
    org.add_argument("--id", required=True)
    org.add_argument("--name", required=True)
    org.add_argument("--territoire", required=True)
    org.add_argument("--territoire-name", required=True)
    org.add_argument("--departement", required=True)
    org.add_argument("--phone", required=True)
    org.add_argument("--address", required=True)
    org.add_argument("--postal-codes", required=True, help="comma-separated")
    org.add_argument("--communes", default="", help="comma-separated")
    admin = commands.add_parser("create-admin", help="create the first admin agent of an MDS")
    admin.add_argument("--organisation", required=True)
    admin.add_argument("--email", required=True)
    admin.add_argument("--first-name", required=True)
    admin.add_argument("--last-name", required=True)
    args = parser.parse_args(argv)

    from chalicelib.settings import get_settings
    from chalicelib.store import get_store
    from chalicelib.store.connection import create_tables

    settings = get_settings()
    store = get_store(settings)
    if args.command == "create-tables":
        created = create_tables(settings)
        print(f"{len(created)} table(s) created: {', '.join(created) or 'none missing'}")
    elif args.command == "load-demo":
        from devtools.demo_data import load_demo_data

        print(load_demo_data(store, date.today()))
    elif args.command == "create-organisation":
        from chalicelib.domain.models import Organisation, Territoire

        if store.catalogue.get_territoire(args.territoire) is None:
            store.catalogue.save_territoire(
                Territoire(args.territoire, args.territoire_name, args.departement)
            )
        store.catalogue.save_organisation(
            Organisation(
                id=args.id,
                territoire_id=args.territoire,
                name=args.name,
                phone=args.phone,
                address=args.address,
                postal_codes=tuple(c.strip() for c in args.postal_codes.split(",") if c.strip()),
                communes=tuple(c.strip() for c in args.communes.split(",") if c.strip()),
            )
        )
        print(f"organisation {args.id} saved")
    elif args.command == "create-admin":
        return _create_admin(store, args)
    return 0


def _create_admin(store, args) -> int:
    from chalicelib.domain.models import Agent, Role
    from chalicelib.services.agent_auth import hash_password

    if store.catalogue.get_organisation(args.organisation) is None:
        print(f"Unknown organisation {args.organisation}: create it first.", file=sys.stderr)
        return 1
    if store.agents.get_by_email(args.email) is not None:
        print(f"An agent with the e-mail {args.email} already exists.", file=sys.stderr)
        return 1
    password = os.environ.get("RDVSOL_ADMIN_PASSWORD") or getpass.getpass("Mot de passe : ")
    if len(password) < 12:
        print("The password needs at least 12 characters.", file=sys.stderr)
        return 1
    store.agents.save(
        Agent(
            id=str(uuid.uuid4()),
            email=args.email,
            first_name=args.first_name,
            last_name=args.last_name,
            roles={args.organisation: Role.ADMIN},
            password_hash=hash_password(password),
        )
    )
    print(f"admin {args.email} created for {args.organisation}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
