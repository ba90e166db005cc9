"""The built zip is the product: unpacked into an empty folder and imported with only
what the Lambda runtime adds (boto3 and its dependencies), it serves a public page
from DynamoDB (moto's server) and renders an e-mail. Development-only code (devtools/:
demo data, outbox pages, local messaging set-up) is neither in the zip nor in the API."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from devtools.localenv import free_port

ROOT = Path(__file__).resolve().parents[2]

# What AWS's Python 3.11 runtime provides besides the standard library.
LAMBDA_RUNTIME = ("boto3", "botocore", "jmespath", "s3transfer", "urllib3", "dateutil", "six.py")

SCRIPT = r"""
import json, sys
from datetime import date
import app
from chalicelib.settings import get_settings
from chalicelib.store import get_store
from chalicelib.store.connection import create_tables
from devtools.demo_data import load_demo_data  # the work tree's, seeding moto only
create_tables(get_settings())
load_demo_data(get_store(), date(2026, 11, 23))
event = {"resource": "/recherche", "path": "/recherche", "httpMethod": "GET",
         "headers": {"Host": "rdv.example.fr"}, "multiValueHeaders": {},
         "queryStringParameters": {"lieu": "62100"}, "multiValueQueryStringParameters": {"lieu": ["62100"]},
         "pathParameters": None, "stageVariables": None, "body": None, "isBase64Encoded": False,
         "requestContext": {"resourcePath": "/recherche", "httpMethod": "GET", "stage": "api",
                            "identity": {"sourceIp": "127.0.0.1"}, "requestId": "test"}}
class Context:
    function_name = "api_handler"; memory_limit_in_mb = 512; aws_request_id = "test"
    def get_remaining_time_in_millis(self): return 29000
page = app.app(event, Context())
from datetime import datetime, timezone
from chalicelib.domain.models import NotificationEvent
from chalicelib.notify.messages import RdvFacts, email_parts
facts = RdvFacts("PMI", "MDS Calais II", "03 21 00 62 10", datetime(2026, 12, 1, 8, tzinfo=timezone.utc),
                 30, "site principal", "site principal, Calais", "https://x/r/t", "https://x/mds/m")
subject, text, html = email_parts(NotificationEvent.RDV_CREATED, facts)
print(json.dumps({"status": page["statusCode"], "body": page["body"], "subject": subject,
                  "html": html, "routes": sorted(app.app.routes),
                  "paths": [m.__file__ for m in (sys.modules["jinja2"], sys.modules["pynamodb"], sys.modules["chalicelib"])],
                  "devtools": sys.modules["devtools.demo_data"].__file__}))
"""


@pytest.fixture
def moto_server():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def test_the_unpacked_zip_serves_a_page_and_renders_an_email(build_dir, tmp_path, moto_server):
    unpacked = tmp_path / "lambda"
    with zipfile.ZipFile(build_dir / "deployment.zip") as archive:
        archive.extractall(unpacked)
    assert (unpacked / "templates" / "public" / "home.html").exists()
    assert not (unpacked / "botocore").exists()  # Lambda's own, not shipped
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    site = Path(__import__("boto3").__file__).parents[1]
    for name in LAMBDA_RUNTIME:
        (runtime / name).symlink_to(site / name)
    # The demo data seeds moto from the work tree's devtools/, which is not in the zip:
    # last on the path, alone, so that chalicelib and the libraries still come from the zip.
    development = tmp_path / "development"
    development.mkdir()
    (development / "devtools").symlink_to(ROOT / "devtools")
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": os.pathsep.join(map(str, (unpacked, runtime, development))),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-3",
        "RDVSOL_STAGE": "test",
        "RDVSOL_AWS_ENDPOINT_URL": moto_server,
        "PYTHONTZPATH": "",  # as on Lambda images without /usr/share/zoneinfo
    }
    # -S: no site-packages at all, only the zip and the runtime's packages.
    result = subprocess.run(
        [sys.executable, "-S", "-c", SCRIPT], env=env, capture_output=True, text=True,
        cwd=tmp_path, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 200
    assert "MDS Calais II" in answer["body"]
    assert "mardi 1er décembre 2026" in answer["subject"]
    assert "Votre rendez-vous est confirmé" in answer["html"]
    assert all(str(unpacked) in path for path in answer["paths"])
    assert answer["devtools"].startswith(str(development))
    # The packaged app, as Lambda imports it, has the public pages and no local page.
    assert "/recherche" in answer["routes"] and "/r/{token}" in answer["routes"]
    assert not [route for route in answer["routes"] if route.startswith("/local")]


# Development-only code: its files, and words only it uses (moto's own API, the demo
# data loader, the moto messaging set-up, the outbox pages' path).
DEVELOPMENT_FILES = ("demo_data.py", "outbox.py", "outbox.html", "local_pages.py")
DEVELOPMENT_WORDS = ("moto-api", "load_demo_data", "ensure_local_messaging", "/local/")
IMPORTS_DEVTOOLS = re.compile(r"^\s*(from|import)\s+devtools\b", re.MULTILINE)


def test_the_zip_holds_no_development_code(build_dir):
    with zipfile.ZipFile(build_dir / "deployment.zip") as archive:
        names = archive.namelist()
        ours = [n for n in names if n == "app.py" or n.startswith(("chalicelib/", "templates/"))]
        sources = {n: archive.read(n).decode() for n in ours if n.endswith(".py")}
    assert {"app.py", "chalicelib/routes/public.py", "templates/layout.html"} <= set(ours)
    assert not [n for n in names if n.split("/")[0] == "devtools"]
    assert not [n for n in names if n.startswith(("templates/local/", "chalicelib/routes/local"))]
    assert not [n for n in ours if n.rsplit("/", 1)[-1] in DEVELOPMENT_FILES]
    mentions = [(n, w) for n, text in sources.items() for w in DEVELOPMENT_WORDS if w in text]
    assert not mentions
    assert not [n for n, text in sources.items() if IMPORTS_DEVTOOLS.search(text)]


def test_the_deployed_api_has_no_local_route(template):
    (api,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::Api"]
    paths = set(api["Properties"]["DefinitionBody"]["paths"])
    assert {"/", "/recherche", "/r/{token}"} <= paths
    assert not [path for path in paths if path.startswith("/local")]
