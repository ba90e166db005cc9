"""Cold start as the usager feels it: a fresh interpreter imports the app, then Lambda's
entry point answers an API Gateway event for `GET /recherche?lieu=62100` from DynamoDB.

Against the floor of any Chalice app on DynamoDB: a bare Chalice app whose one route
creates a boto3 DynamoDB client and does one GetItem, invoked the same way. Both read a
moto server on loopback (started here once, tables and one MDS for 62100 saved through
the store). Runs alternate between the two; the figure is the time from process start to
the response, median of 15 each. Target: at most 1.3x. Also the size of the deployment
zip if `make package STAGE=prod` built it.
Run: `.venv/bin/python bench/bench_cold_start.py [RUNS]`."""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devtools.localenv import free_port, local_environment  # noqa: E402

TARGET = 1.3
HOST = "127.0.0.1"
ORGANISATION = ("mds-calais-2", "MDS Calais II")

# What Lambda's Python runtime does for one API Gateway (REST API, proxy) request: import
# the handler's module, then call the handler with the event and a context. The parent
# gives the wall-clock time it started this process; the last line is the measure.
INVOKE = r"""
import json, sys, time
started = float(sys.argv[1])
import app
event = {"resource": "/recherche", "path": "/recherche", "httpMethod": "GET",
         "headers": {"Host": "rdv.example.fr", "Accept": "text/html"},
         "multiValueHeaders": {"Host": ["rdv.example.fr"], "Accept": ["text/html"]},
         "queryStringParameters": {"lieu": "62100"},
         "multiValueQueryStringParameters": {"lieu": ["62100"]},
         "pathParameters": None, "stageVariables": None, "body": None, "isBase64Encoded": False,
         "requestContext": {"resourcePath": "/recherche", "httpMethod": "GET",
                            "path": "/api/recherche", "stage": "api", "requestId": "bench",
                            "accountId": "123456789012",
                            "identity": {"sourceIp": "127.0.0.1", "userAgent": "bench"}}}
class Context:
    function_name = "api_handler"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    aws_request_id = "bench"
    log_group_name = "/aws/lambda/api_handler"
    log_stream_name = "bench"
    invoked_function_arn = "arn:aws:lambda:eu-west-3:123456789012:function:api_handler"
    def get_remaining_time_in_millis(self):
        return 29000
response = app.app(event, Context())
elapsed_ms = (time.time() - started) * 1000
print(json.dumps({"ms": elapsed_ms, "status": response["statusCode"], "body": response["body"]}))
"""

# The floor: one route, one boto3 client, one GetItem.
BARE = """import os

import boto3
from chalice import Chalice

app = Chalice(app_name="bare")


@app.route("/recherche")
def search():
    dynamodb = boto3.client(
        "dynamodb",
        region_name=os.environ["RDVSOL_AWS_REGION"],
        endpoint_url=os.environ["RDVSOL_AWS_ENDPOINT_URL"],
    )
    item = dynamodb.get_item(TableName={table!r}, Key={{"id": {{"S": {key!r}}}}})["Item"]
    return {{"name": item["name"]["S"], "lieu": app.current_request.query_params["lieu"]}}
"""


def start_moto():
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    port = free_port(HOST)
    server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
    server.start()
    return server, port


def populate(environment: dict[str, str]) -> str:
    """Tables and one MDS for 62100, through the store; returns the organisations table."""
    os.environ.update(environment)
    from chalicelib.domain.models import Organisation, Territoire
    from chalicelib.settings import get_settings, reset_settings
    from chalicelib.store import get_store
    from chalicelib.store.connection import create_tables

    reset_settings()
    settings = get_settings()
    create_tables(settings)
    store = get_store(settings)
    store.catalogue.save_territoire(Territoire("pas-de-calais", "Pas-de-Calais", "62"))
    store.catalogue.save_organisation(
        Organisation(
            id=ORGANISATION[0],
            territoire_id="pas-de-calais",
            name=ORGANISATION[1],
            phone="03 21 00 62 10",
            address="1 rue de la Mer, 62100 Calais",
            postal_codes=("62100",),
            communes=("Calais",),
        )
    )
    return settings.table_prefix + "organisations"


def invoke(cwd: Path, environment: dict[str, str]) -> float:
    """One cold start: milliseconds from process start to the response, checked."""
    started = time.time()
    result = subprocess.run(
        [sys.executable, "-c", INVOKE, repr(started)],
        cwd=cwd, env=environment, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"{cwd}: {result.stderr[-2000:]}")
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    if answer["status"] != 200 or ORGANISATION[1] not in answer["body"]:
        raise RuntimeError(f"{cwd}: {answer['status']} {answer['body'][:500]}")
    return answer["ms"]


def describe(times: list[float]) -> str:
    if len(times) < 2:
        return f"{times[0]:.0f} ms"
    low, _, high = statistics.quantiles(times, n=4)
    return f"{statistics.median(times):.0f} ms (quartiles {low:.0f}-{high:.0f})"


def main(runs: int = 15) -> None:
    server, moto_port = start_moto()
    try:
        environment = local_environment(HOST, 8000, moto_port)
        table = populate(environment)
        child_environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **environment}
        with tempfile.TemporaryDirectory() as folder:
            bare = Path(folder)
            (bare / "app.py").write_text(BARE.format(table=table, key=ORGANISATION[0]))
            ours: list[float] = []
            floor: list[float] = []
            for _ in range(2):  # warm the file cache and the server
                invoke(ROOT, child_environment)
                invoke(bare, child_environment)
            for run in range(runs):
                # Alternate which goes first, so that a slow moment hits both alike.
                pair = [(ours, ROOT), (floor, bare)]
                for times, cwd in pair if run % 2 == 0 else reversed(pair):
                    times.append(invoke(cwd, child_environment))
    finally:
        server.stop()
    ratio = statistics.median(ours) / statistics.median(floor)
    print(f"cold start, process start to response, GET /recherche?lieu=62100, {runs} runs each:")
    print(f"  our app:                                 {describe(ours)}")
    print(f"  bare Chalice app, boto3 client, GetItem: {describe(floor)}")
    verdict = "within" if ratio <= TARGET else "above"
    print(f"  ratio {ratio:.2f} ({verdict} the target <= {TARGET})")
    zip_path = ROOT / "build" / "prod" / "deployment.zip"
    if zip_path.exists():
        print(f"deployment.zip: {zip_path.stat().st_size / 1e6:.1f} MB (target < 10 MB)")


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:2]))
