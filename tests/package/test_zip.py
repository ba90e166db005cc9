"""The built zip is the product: unpacked into an empty folder and imported with only
what the Lambda runtime adds (boto3 and its dependencies), it serves a public page
from DynamoDB (moto's server) and renders an e-mail."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from devtools.localenv import free_port

# What AWS's Python 3.11 runtime provides besides the standard library.
LAMBDA_RUNTIME = ("boto3", "botocore", "jmespath", "s3transfer", "urllib3", "dateutil", "six.py")

SCRIPT = r"""
import json, sys
from datetime import date
import app
from chalicelib.settings import get_settings
from chalicelib.store import get_store
from chalicelib.store.connection import create_tables
from chalicelib.services.demo_data import load_demo_data
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
                  "html": html, "paths": [m.__file__ for m in (sys.modules["jinja2"], sys.modules["pynamodb"])]}))
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
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": f"{unpacked}{os.pathsep}{runtime}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-3",
        "RDVSOL_STAGE": "test",
        "RDVSOL_TABLE_PREFIX": "rdvsol-zip-",
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
