"""`make run`: moto's server, the tables, the demo data, `chalice local` (with the local
outbox pages) and the local scheduler, all in this one process, so that Ctrl-C stops
everything it started.

Ports: PORT (default 8000) for the app, MOTO_PORT (default 5000) for moto.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from datetime import date
from pathlib import Path

from devtools import localenv

ROOT = Path(__file__).resolve().parents[1]


def start_moto(host: str, port: int):
    from moto.server import ThreadedMotoServer

    from devtools.moto_atomic import make_dynamodb_atomic

    make_dynamodb_atomic()
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    return server


def answer_unknown_paths_like_the_gateway() -> None:
    """`chalice local` answers an unknown path or method with API Gateway's raw 403
    « Missing Authentication Token »; the deployed stage answers with the French
    gateway responses of infra/template.py. Make the local server give those."""
    from chalice import local

    from infra.template import gateway_responses

    [(_, api)] = gateway_responses().items()
    missing = api["Properties"]["DefinitionBody"]["x-amazon-apigateway-gateway-responses"][
        "MISSING_AUTHENTICATION_TOKEN"
    ]
    answer_headers = {
        name.removeprefix("gatewayresponse.header."): value.strip("'")
        for name, value in missing["responseParameters"].items()
    }

    class NotFoundLikeTheGateway(local.LocalGatewayException):
        CODE = int(missing.get("statusCode", 404))

    handle_request = local.LocalGateway.handle_request

    def handle(self, method, path, headers, body):
        try:
            return handle_request(self, method=method, path=path, headers=headers, body=body)
        except local.ForbiddenError as error:
            if b"Missing Authentication Token" not in (error.body or b""):
                raise
            accept = (headers.get("accept") or headers.get("Accept") or "").split(",")[0]
            kind = "text/html" if accept.strip().startswith("text/html") else "application/json"
            raise NotFoundLikeTheGateway(
                {**answer_headers, "Content-Type": f"{kind}; charset=utf-8"},
                missing["responseTemplates"][kind].encode(),
            ) from None

    local.LocalGateway.handle_request = handle


def start_app_server(host: str, port: int):
    """`chalice local`'s server, started from Python with a deeper listen backlog
    (its default of 5 resets connections under concurrent bookings)."""
    from chalice.cli.factory import CLIFactory
    from chalice.local import LocalDevServer, ThreadedHTTPServer

    ThreadedHTTPServer.request_queue_size = 128
    answer_unknown_paths_like_the_gateway()
    ThreadedHTTPServer.daemon_threads = True
    sys.path.insert(0, str(ROOT))
    from chalice.local import create_local_server

    import app as app_module
    from devtools.local_pages import local_pages

    # The outbox pages exist only here: app.py (hence the Lambda zip) never has them.
    app_module.app.register_blueprint(local_pages)
    config = CLIFactory(str(ROOT)).create_config_obj(chalice_stage_name="dev")
    server: LocalDevServer = create_local_server(app_module.app, config, host, port)
    thread = threading.Thread(target=server.server.serve_forever, name="chalice-local", daemon=True)
    thread.start()
    return server, app_module.app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "5000")))
    parser.add_argument("--no-demo", action="store_true", help="do not load the demo data")
    parser.add_argument("--no-scheduler", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for noisy in ("werkzeug", "pynamodb", "botocore"):  # moto's requests, SDK internals
        logging.getLogger(noisy).setLevel(logging.WARNING)
    for name, port in (("PORT", args.port), ("MOTO_PORT", args.moto_port)):
        if not localenv.port_is_free(args.host, port):
            print(f"Le port {port} est déjà utilisé : choisissez-en un autre avec {name}=...")
            return 2

    # Ctrl-C and SIGTERM stop everything. A process started in the background by a
    # non-interactive shell (a Makefile recipe, a script's `&`) inherits SIGINT as
    # ignored, and Python then installs no handler: install it explicitly.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    localenv.apply(localenv.local_environment(args.host, args.port, args.moto_port))

    moto = app_server = scheduler = poller = None
    try:
        moto = start_moto(args.host, args.moto_port)
        from chalicelib.settings import get_settings
        from chalicelib.store import get_store
        from chalicelib.store.connection import create_tables

        settings = get_settings()
        created = create_tables(settings)
        print(f"Tables DynamoDB prêtes ({len(created)} créées) sur {settings.aws_endpoint_url}")
        from devtools.messaging import ensure_local_messaging

        ensure_local_messaging(settings)
        summary = None
        if not args.no_demo:
            from devtools.demo_data import load_demo_data

            summary = load_demo_data(get_store(settings), date.today())
        app_server, app = start_app_server(args.host, args.port)
        if not args.no_scheduler:
            from chalicelib.notify.clients import client
            from devtools.scheduler import QueuePoller, SchedulerLoop

            scheduler = SchedulerLoop(app)
            scheduler.start()
            poller = QueuePoller(app, client("sqs", settings))
            poller.start()
        print()
        print(f"RDV Solidarités tourne sur http://{args.host}:{args.port}/")
        if summary:
            print(
                f"Données de démonstration : {summary.organisations} MDS, {summary.agents} agents,"
                f" {summary.rdvs} rendez-vous. Essayez le code postal 62100 ou 62290."
            )
            print(f"Tableau de bord des agents : http://{args.host}:{args.port}/agents/connexion")
            for who, email in summary.logins:
                print(f"  {who} : {email} / {summary.agent_password}")
        print(f"SMS et e-mails envoyés : http://{args.host}:{args.port}/local/envois")
        print(f"AWS simulé (moto) : http://{args.host}:{args.moto_port}/moto-api/")
        print("Ctrl-C pour tout arrêter.", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("\nArrêt…", flush=True)
    finally:
        if scheduler:
            scheduler.stop()
        if poller:
            poller.stop()
            poller.join(timeout=5)
        if app_server:
            app_server.server.shutdown()
            app_server.server.server_close()
        if moto:
            moto.stop()
    return 0


if __name__ == "__main__":
    code = main()
    # Everything this process started is stopped by now. What is left are the idle
    # threads of moto's server still holding the SDK's kept-alive connections; a normal
    # exit would wait for them (about 10 s), long after Ctrl-C. Leave at once.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
