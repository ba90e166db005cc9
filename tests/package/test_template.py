"""The packaged CloudFormation template: its tables are exactly the PynamoDB models'
(the code and the infrastructure cannot drift), every resource it names is the name the
app's settings derive from the stage, and its IAM policies grant each function what it
uses, no more, with no wildcard on DynamoDB, SQS, SNS or SES."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import subprocess
from collections import defaultdict
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from chalicelib.settings import RETIRED, Settings, resource_names
from chalicelib.store.models import ALL_MODELS
from infra.template import FUNCTIONS, ROOT, STAGES, main, merge_template, policy

# What a prod function loads, from the environment `.chalice/config.json` gives it (no
# secret key: `chalice package` loads the app so, and the names need none).
CONFIG = json.loads((Path(__file__).resolve().parents[2] / ".chalice" / "config.json").read_text())
PROD = Settings.from_environ(CONFIG["stages"]["prod"]["environment_variables"])
PREFIX = PROD.table_prefix
# The region the prod functions call: the one their policies must name.
REGION = PROD.aws_region
# The placeholders `make test` packages prod with (AWS's documentation account id and a
# reserved domain): the Makefile's TEST_ACCOUNT_ID and TEST_SES_DOMAIN.
ACCOUNT = "123456789012"
SES_DOMAIN = "example.org"


def test_prod_settings_name_the_prod_resources():
    assert PROD.stage == "prod"
    assert PREFIX == "rdvsol-prod-"
    assert PROD.notifications_queue == "rdvsol-prod-notifications"
    assert PROD.ses_configuration_set == "rdvsol-prod"


def tables_of(template):
    return {
        r["Properties"]["TableName"]: r
        for r in template["Resources"].values()
        if r["Type"] == "AWS::DynamoDB::Table"
    }


def test_tables_and_indexes_are_exactly_those_of_the_models(template):
    tables = tables_of(template)
    assert set(tables) == {PREFIX + m.table_basename for m in ALL_MODELS}
    for model in ALL_MODELS:
        table = tables[PREFIX + model.table_basename]["Properties"]
        schema = model._get_schema()
        assert {(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]} == {
            (k["AttributeName"], k["KeyType"]) for k in schema["key_schema"]
        }, model.__name__
        declared = {
            i["IndexName"]: ({(k["AttributeName"], k["KeyType"]) for k in i["KeySchema"]},
                             i["Projection"]["ProjectionType"])
            for i in table.get("GlobalSecondaryIndexes", [])
        }  # fmt: skip
        expected = {
            i["index_name"]: ({(k["AttributeName"], k["KeyType"]) for k in i["key_schema"]},
                              i["projection"]["ProjectionType"])
            for i in schema["global_secondary_indexes"]
        }  # fmt: skip
        assert declared == expected, model.__name__
        ttl = model._ttl_attribute()
        declared_ttl = table.get("TimeToLiveSpecification", {}).get("AttributeName")
        assert declared_ttl == (ttl.attr_name if ttl else None), model.__name__
        assert table["BillingMode"] == "PAY_PER_REQUEST"
        assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert table["DeletionProtectionEnabled"] is True  # prod


def test_queue_topic_and_alarms_exist(template):
    resources = template["Resources"].values()
    queues = {r["Properties"]["QueueName"] for r in resources if r["Type"] == "AWS::SQS::Queue"}
    assert queues == {PROD.notifications_queue, PROD.notifications_dlq}
    topics = {r["Properties"]["TopicName"] for r in resources if r["Type"] == "AWS::SNS::Topic"}
    assert topics == {PROD.ses_feedback_topic, PROD.names.alarms_topic}
    [configuration_set] = [
        r["Properties"]["Name"] for r in resources if r["Type"] == "AWS::SES::ConfigurationSet"
    ]
    assert configuration_set == PROD.ses_configuration_set
    queue = template["Resources"]["NotificationsQueue"]["Properties"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] == PROD.max_delivery_attempts
    alarms = [r for r in resources if r["Type"] == "AWS::CloudWatch::Alarm"]
    assert {a["Properties"]["MetricName"] for a in alarms} == {
        "ApproximateNumberOfMessagesVisible",
        "Errors",
        "SMSMonthToDateSpentUSD",
    }


def test_functions_consume_the_queue_and_topic_the_settings_name(template):
    """`chalice package` wires the consumers from the names the app read for the stage."""
    resources = template["Resources"]
    [sqs] = resources["DeliverNotifications"]["Properties"]["Events"].values()
    assert sqs["Type"] == "SQS"
    assert sqs["Properties"]["Queue"]["Fn::Sub"].endswith(f":{PROD.notifications_queue}")
    [sns] = resources["SesFeedback"]["Properties"]["Events"].values()
    assert sns["Type"] == "SNS"
    assert sns["Properties"]["Topic"]["Fn::Sub"].endswith(f":{PROD.ses_feedback_topic}")


def test_functions_get_the_stage_and_no_resource_name(template):
    for function, logical in FUNCTIONS.items():
        variables = template["Resources"][logical]["Properties"]["Environment"]["Variables"]
        assert variables["RDVSOL_STAGE"] == "prod", function
        assert not set(variables) & set(RETIRED), function
        # Not secret: every function has them, none falls back to a local default.
        assert variables["RDVSOL_BASE_URL"] == {"Ref": "PublicBaseUrl"}, function
        assert variables["RDVSOL_EMAIL_SENDER"] == {"Ref": "EmailSender"}, function


def test_the_api_stage_is_throttled(template):
    """Every route and method of the API's stage, with rate and burst from parameters whose
    defaults fit a département's site."""
    api = template["Resources"]["RestAPI"]
    assert api["Type"] == "AWS::Serverless::Api"
    assert api["Properties"]["StageName"] == CONFIG["stages"]["prod"]["api_gateway_stage"]
    assert api["Properties"]["MethodSettings"] == [
        {
            "ResourcePath": "/*",
            "HttpMethod": "*",
            "ThrottlingRateLimit": {"Ref": "ApiThrottlingRateLimit"},
            "ThrottlingBurstLimit": {"Ref": "ApiThrottlingBurstLimit"},
        }
    ]
    rate = template["Parameters"]["ApiThrottlingRateLimit"]
    burst = template["Parameters"]["ApiThrottlingBurstLimit"]
    assert rate["Type"] == burst["Type"] == "Number"
    # Below API Gateway's account-wide defaults (10,000 a second, bursts of 5,000), above
    # a busy morning's few requests a second.
    assert 10 <= rate["Default"] <= burst["Default"] <= 1000


# What API Gateway answers by itself, in French: response type → (status, or None for
# API Gateway's own; the API's error code; the message; whether the page links home).
GATEWAY_ANSWERS = {
    "MISSING_AUTHENTICATION_TOKEN": ("404", "not_found", "Cette page n’existe pas.", True),
    "THROTTLED": (
        "429",
        "too_many_requests",
        "Trop de demandes en ce moment. Réessayez dans une minute.",
        False,
    ),
    "DEFAULT_4XX": (
        None,
        "bad_request",
        "La demande n’a pas pu être traitée. Revenez à la page précédente, ou repartez de "
        "l’accueil.",
        True,
    ),
    "DEFAULT_5XX": (
        None,
        "unavailable",
        "Le service est momentanément indisponible. Réessayez dans quelques minutes.",
        False,
    ),
}


def gateway_responses_of(template) -> dict[str, dict]:
    definition = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    return definition["x-amazon-apigateway-gateway-responses"]


class _Page(HTMLParser):
    """The text of a page's paragraphs, its links, its language."""

    def __init__(self) -> None:
        super().__init__()
        self.paragraphs: list[str] = []
        self.links: list[str] = []
        self.lang: str | None = None
        self._in_p = False

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        elif tag == "p":
            self._in_p = True
            self.paragraphs.append("")
        elif tag == "a":
            self.links.append(attributes.get("href"))

    def handle_endtag(self, tag) -> None:
        if tag == "p":
            self._in_p = False

    def handle_data(self, data) -> None:
        if self._in_p:
            self.paragraphs[-1] += data


def test_api_gateway_answers_in_the_definition_it_deploys(template):
    """In the API's definition, which SAM deploys again whenever it changes: separate
    AWS::ApiGateway::GatewayResponse resources would miss the stage's deployment and be
    dropped when the next definition overwrites the API."""
    responses = gateway_responses_of(template)
    assert set(responses) == set(GATEWAY_ANSWERS)
    assert not [r for r in template["Resources"].values() if "GatewayResponse" in r["Type"]]
    for response_type, (status, *_) in GATEWAY_ANSWERS.items():
        # DEFAULT_4XX and DEFAULT_5XX keep API Gateway's status (413, 502, 504…).
        assert responses[response_type].get("statusCode") == status, response_type


def test_api_gateway_answers_carry_the_apps_security_headers(template):
    """The very headers every answer of the app carries, as static values (within single
    quotes); the Content-Type is the template's own (HTML or JSON)."""
    from chalicelib.web.templating import HTML_HEADERS, SECURITY_HEADERS

    for response_type, response in gateway_responses_of(template).items():
        parameters = response["responseParameters"]
        assert all(k.startswith("gatewayresponse.header.") for k in parameters), response_type
        assert all(v[0] == v[-1] == "'" for v in parameters.values()), response_type
        headers = {
            k.removeprefix("gatewayresponse.header."): v[1:-1] for k, v in parameters.items()
        }
        assert headers == SECURITY_HEADERS, response_type
        assert headers == {k: v for k, v in HTML_HEADERS.items() if k != "Content-Type"}


def test_api_gateway_answers_in_french(template):
    """A page for browsers (Accept: text/html), the API's error shape for the others; the
    same French message, in ASCII (the Content-Type has no charset) and with no `$` (which
    would start a variable of the template)."""
    from chalicelib.web.api_models import Error

    for response_type, response in gateway_responses_of(template).items():
        _, code, message, home_link = GATEWAY_ANSWERS[response_type]
        templates = response["responseTemplates"]
        assert set(templates) == {"text/html", "application/json"}, response_type
        for body in templates.values():
            assert body.isascii() and "$" not in body, response_type
        error = Error.model_validate(json.loads(templates["application/json"])).error
        assert (error.code, error.message) == (code, message), response_type
        page = _Page()
        page.feed(templates["text/html"])
        assert page.lang == "fr", response_type
        assert page.paragraphs[0] == message, response_type
        assert page.links == (["/"] if home_link else []), response_type
        if home_link:
            assert page.paragraphs[1] == "Revenir à l’accueil"


def test_one_sweep_at_a_time_and_a_capped_consumer(template):
    """Two overlapping sweeps are harmless (each send is claimed) but one is enough; the
    consumer reads at most NotificationsMaxConcurrency batches at once, so that SMS and
    e-mails stay within the providers' rates, without a reserved concurrency (which would
    throttle the SQS pollers and push messages towards the dead-letter queue)."""
    resources = template["Resources"]
    reserved = {
        function: resources[logical]["Properties"].get("ReservedConcurrentExecutions")
        for function, logical in FUNCTIONS.items()
    }
    assert reserved == {
        "api_handler": None,
        "reminder_sweep": 1,
        "waiting_list_sweep": 1,
        "deliver_notifications": None,
        "ses_feedback": None,
    }
    [sqs] = resources["DeliverNotifications"]["Properties"]["Events"].values()
    assert sqs["Type"] == "SQS"
    assert sqs["Properties"]["ScalingConfig"] == {
        "MaximumConcurrency": {"Ref": "NotificationsMaxConcurrency"}
    }
    cap = template["Parameters"]["NotificationsMaxConcurrency"]
    assert cap["Default"] == cap["MinValue"] == 2  # SQS event sources take 2 at least


def test_the_build_names_the_account_and_the_domain_it_was_given(template):
    """`make test` gave placeholders; the policies name them and nothing else."""
    text = json.dumps(policies(template))
    assert set(re.findall(r"arn:aws:[a-z0-9-]+:[a-z0-9-]*:(\d+):", text)) == {ACCOUNT}
    assert set(re.findall(r":identity/([^\"]+)", text)) == {SES_DOMAIN}


@pytest.mark.parametrize("stage", STAGES)
def test_the_policies_name_the_region_the_functions_call(stage, template):
    """The functions call the region of RDVSOL_AWS_REGION (.chalice/config.json); every
    ARN of their policies names it, whatever region packaged them."""
    environment = CONFIG["stages"][stage]["environment_variables"]
    called = Settings.from_environ(environment).aws_region
    text = json.dumps([policy(stage, function) for function in FUNCTIONS])
    assert set(re.findall(r"arn:aws:[a-z0-9-]+:([a-z0-9-]*):", text)) == {called}
    if stage == "prod":
        built = json.dumps(policies(template))
        assert set(re.findall(r"arn:aws:[a-z0-9-]+:([a-z0-9-]*):", built)) == {REGION}
        for logical in FUNCTIONS.values():
            variables = template["Resources"][logical]["Properties"]["Environment"]["Variables"]
            assert variables["RDVSOL_AWS_REGION"] == REGION


def test_the_email_sender_must_be_at_the_packaged_domain(template):
    """The SES grant names one domain: a sender elsewhere (or a test build deployed with
    the real sender) is refused by CloudFormation, before any e-mail fails."""
    sender = template["Parameters"]["EmailSender"]
    # CloudFormation matches the whole value, like fullmatch (Java's syntax, same here).
    pattern = re.compile(sender["AllowedPattern"])
    for accepted in (
        "RDV Solidarités <ne-pas-repondre@example.org>",
        "ne-pas-repondre@example.org",
        "RDV Solidarités <Ne-Pas-Repondre@Example.ORG>",
    ):
        assert pattern.fullmatch(accepted), accepted
    for refused in (
        "RDV Solidarités <ne-pas-repondre@rdv-solidarites.pasdecalais.fr>",
        "ne-pas-repondre@example.org.evil.example",
        "ne-pas-repondre@mail.example.org",
        "ne-pas-repondre@exampleXorg",
        "RDV <a@example.org> <b@evil.example>",
        "",
    ):
        assert not pattern.fullmatch(refused), refused
    assert SES_DOMAIN in sender["ConstraintDescription"]


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({}, ["AWS_ACCOUNT_ID", "RDVSOL_SES_DOMAIN"]),
        ({"AWS_ACCOUNT_ID": ACCOUNT}, ["RDVSOL_SES_DOMAIN"]),
        ({"RDVSOL_SES_DOMAIN": SES_DOMAIN}, ["AWS_ACCOUNT_ID"]),
        ({"AWS_ACCOUNT_ID": "1234", "RDVSOL_SES_DOMAIN": SES_DOMAIN}, ["AWS_ACCOUNT_ID"]),
        ({"AWS_ACCOUNT_ID": ACCOUNT, "RDVSOL_SES_DOMAIN": "a@b.fr"}, ["RDVSOL_SES_DOMAIN"]),
    ],
)
def test_the_generator_refuses_a_missing_account_or_domain(environ, named, tmp_path, capsys):
    assert main(["prod", str(tmp_path)], environ) == 2
    assert not list(tmp_path.iterdir())
    error = capsys.readouterr().err
    for variable in ("AWS_ACCOUNT_ID", "RDVSOL_SES_DOMAIN"):
        assert (f"{variable}:" in error) == (variable in named), (variable, error)


def test_make_package_stops_at_once_without_the_account_or_the_domain():
    """Before building anything: no virtualenv step, no vendor folder, no policies."""
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in ("AWS_ACCOUNT_ID", "RDVSOL_SES_DOMAIN", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    }
    answer = subprocess.run(
        ["make", "--no-print-directory", "package", "STAGE=dev", "AWS_ACCOUNT_ID=" + ACCOUNT],
        cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert answer.returncode != 0
    assert "RDVSOL_SES_DOMAIN" in answer.stderr
    # make echoes each recipe line it runs: none of the package's ran.
    assert "rm -rf" not in answer.stdout
    assert "infra.template" not in answer.stdout


@pytest.mark.parametrize("variable", ["AWS_DEFAULT_REGION", "AWS_REGION"])
def test_make_package_refuses_another_region_at_once(variable):
    """A stack deployed elsewhere would make its tables out of the functions' reach (they
    call RDVSOL_AWS_REGION's): `make package` says so before building anything."""
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in ("AWS_DEFAULT_REGION", "AWS_REGION", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    }
    environ[variable] = "eu-west-1"
    answer = subprocess.run(
        ["make", "--no-print-directory", "package", "STAGE=dev",
         "AWS_ACCOUNT_ID=" + ACCOUNT, "RDVSOL_SES_DOMAIN=" + SES_DOMAIN],
        cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert answer.returncode != 0
    assert f"{variable}=eu-west-1" in answer.stderr
    assert f"export {variable}={REGION}" in answer.stderr
    assert "rm -rf" not in answer.stdout
    assert "infra.template" not in answer.stdout


def functions_of(template) -> dict[str, dict]:
    return {
        logical: r
        for logical, r in template["Resources"].items()
        if r["Type"] == "AWS::Serverless::Function"
    }


def test_every_function_logs_to_a_group_of_the_stack_with_a_retention(template):
    """Each function is named, and its `/aws/lambda/<name>` group (the one Lambda writes
    to) is the stack's, kept 365 days by default, and made before the function runs."""
    functions = functions_of(template)
    assert set(functions) == set(FUNCTIONS.values())
    groups = {
        logical: r["Properties"]
        for logical, r in template["Resources"].items()
        if r["Type"] == "AWS::Logs::LogGroup"
    }
    assert len(groups) == len(functions)
    for function, logical in FUNCTIONS.items():
        name = functions[logical]["Properties"]["FunctionName"]
        assert name == f"rdv-solidarites-prod-{function}"
        [group] = [g for g, p in groups.items() if p["LogGroupName"] == f"/aws/lambda/{name}"]
        assert groups[group]["RetentionInDays"] == {"Ref": "LogRetentionInDays"}
        assert group in functions[logical]["DependsOn"], function
    retention = template["Parameters"]["LogRetentionInDays"]
    assert retention["Default"] == 365
    assert retention["Default"] in retention["AllowedValues"]


def test_functions_write_only_to_their_own_log_group(template):
    """The stack makes the groups: a function may not create one (which would keep its
    logs forever), nor write to another function's."""
    for function, statements in policies(template).items():
        name = template["Resources"][FUNCTIONS[function]]["Properties"]["FunctionName"]
        own = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{name}:log-stream:x"
        assert allowed(statements, "logs:PutLogEvents", own), function
        assert allowed(statements, "logs:CreateLogStream", own), function
        for other in set(FUNCTIONS) - {function}:
            foreign = own.replace(f"-{function}:", f"-{other}:")
            assert not allowed(statements, "logs:PutLogEvents", foreign), (function, other)
        assert not any(
            a.startswith("logs:") and a not in ("logs:CreateLogStream", "logs:PutLogEvents")
            for s in statements
            for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
        ), function


@pytest.mark.parametrize("stage", STAGES)
def test_every_generated_name_is_the_settings_name(stage):
    """For each stage it deploys, the generator names only what the settings derive."""
    names = resource_names(stage)
    resources = merge_template(stage, SES_DOMAIN)["Resources"]
    named = {
        "AWS::SQS::Queue": {names.notifications_queue, names.notifications_dlq},
        "AWS::SNS::Topic": {names.ses_feedback_topic, names.alarms_topic},
        "AWS::SES::ConfigurationSet": {names.ses_configuration_set},
        "AWS::DynamoDB::Table": {names.table_prefix + m.table_basename for m in ALL_MODELS},
    }
    key = {"AWS::SQS::Queue": "QueueName", "AWS::SNS::Topic": "TopicName",
           "AWS::SES::ConfigurationSet": "Name", "AWS::DynamoDB::Table": "TableName"}  # fmt: skip
    for kind, expected in named.items():
        found = {r["Properties"][key[kind]] for r in resources.values() if r.get("Type") == kind}
        assert found == expected, (stage, kind)
    consumer = policy(stage, "deliver_notifications")
    [consume] = [s for s in consumer["Statement"] if s["Sid"] == "ConsumeNotifications"]
    assert consume["Resource"].endswith(f":{names.notifications_queue}")
    [email] = [s for s in consumer["Statement"] if s["Sid"] == "SendEmail"]
    assert email["Resource"][1].endswith(f":configuration-set/{names.ses_configuration_set}")


def policies(template) -> dict[str, list[dict]]:
    """Statements of each function's role, by Chalice function name."""
    found = {}
    for function, logical in FUNCTIONS.items():
        role = template["Resources"][logical]["Properties"]["Role"]["Fn::GetAtt"][0]
        documents = template["Resources"][role]["Properties"]["Policies"]
        found[function] = [s for d in documents for s in d["PolicyDocument"]["Statement"]]
    return found


def test_no_wildcard_on_dynamodb_sqs_sns_or_ses(template):
    for function, statements in policies(template).items():
        for statement in statements:
            actions = (
                statement["Action"]
                if isinstance(statement["Action"], list)
                else [statement["Action"]]
            )
            assert all("*" not in a for a in actions), (function, statement)
            resources = statement.get("Resource", [])
            resources = resources if isinstance(resources, list) else [resources]
            assert "*" not in resources, (function, statement)
            for resource in resources:
                if resource.startswith(("arn:aws:dynamodb", "arn:aws:sqs", "arn:aws:ses")):
                    # Only the index sub-resource may end in a wildcard.
                    assert "*" not in resource.replace("/index/*", ""), (function, resource)


def allowed(statements, action: str, resource: str) -> bool:
    for s in statements:
        actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        if action not in actions:
            continue
        if "NotResource" in s:
            if not fnmatch.fnmatch(resource, s["NotResource"]):
                return True
            continue
        patterns = s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
        if any(fnmatch.fnmatch(resource, p) for p in patterns):
            return True
    return False


# IAM's names for API operations that have no action of their own.
IAM_ACTION = {"SendMessageBatch": "SendMessage", "DeleteMessageBatch": "DeleteMessage"}
TRANSACT = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
            "ConditionCheck": "ConditionCheckItem"}  # fmt: skip


@pytest.fixture
def recorder(store):
    """Every AWS call the code makes, as (IAM action, resource ARN)."""
    from chalicelib.notify.clients import client
    from chalicelib.store.connection import shared_connection

    calls = []

    def record(model, params, **_):
        calls.extend(_grants(model.service_model.endpoint_prefix, model.name, params))

    shared_connection().client.meta.events.register("before-parameter-build.*.*", record)
    for service in ("sqs", "sns", "ses"):
        client(service, store.settings).meta.events.register("before-parameter-build.*.*", record)
    return calls


def _table(name: str, index: str | None = None) -> str:
    tested = resource_names("test").table_prefix  # the tests' stage, as prod's tables
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name.replace(tested, PREFIX)}"
    return arn + (f"/index/{index}" if index else "")


def _grants(service, operation, params):
    if service == "dynamodb":
        if operation == "TransactWriteItems":
            return [
                (f"dynamodb:{TRANSACT[kind]}", _table(value["TableName"]))
                for item in params["TransactItems"]
                for kind, value in item.items()
            ]
        if "RequestItems" in params:
            return [(f"dynamodb:{operation}", _table(name)) for name in params["RequestItems"]]
        return [(f"dynamodb:{operation}", _table(params["TableName"], params.get("IndexName")))]
    action = f"{service}:{IAM_ACTION.get(operation, operation)}"
    if service == "sqs":
        return [(action, f"arn:aws:sqs:{REGION}:{ACCOUNT}:{PROD.notifications_queue}")]
    if service == "sns":
        return [(action, params.get("PhoneNumber", "+33600000000"))]
    if service == "ses":
        return [(action, f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{SES_DOMAIN}")]
    return []


class _RecordedReads:
    """Stands for the `secret_key` descriptor of Settings and notes each read."""

    def __init__(self, descriptor, reads: list) -> None:
        self.descriptor, self.reads = descriptor, reads

    def __get__(self, settings, owner=None):
        if settings is not None:
            self.reads.append("secret_key")
        return self.descriptor.__get__(settings, owner)

    def __set__(self, settings, value) -> None:
        self.descriptor.__set__(settings, value)


@pytest.fixture
def exercised(store, pilot, client, recorder, monkeypatch):
    """Run what each function does; per function, its AWS calls and its reads of the
    secret key."""
    from chalicelib.services import booking, feedback, manage, notifications, waiting_list
    from tests.integration.conftest import NOW, TUESDAY_9H
    from tests.integration.test_booking import request_for
    from tests.integration.test_notifications import drain

    secret_reads: list[str] = []
    monkeypatch.setattr(
        Settings, "secret_key", _RecordedReads(Settings.__dict__["secret_key"], secret_reads)
    )
    calls, secrets = defaultdict(list), defaultdict(int)

    def done(function: str) -> None:
        calls[function] += recorder[:]
        secrets[function] += len(secret_reads)
        recorder.clear()
        secret_reads.clear()

    # api_handler: pages, booking, cancel, move (through HTTP handlers and use cases).
    client.http.get("/recherche?lieu=62100")
    client.http.get("/mds/org-1/motifs/m30/lieux/lieu-1?semaine=2026-11-30")
    booked = booking.book_rdv(store, request_for(pilot), NOW)
    manage.move_by_usager(store, booked.manage_token, TUESDAY_9H + timedelta(days=2), NOW)
    other = booking.book_rdv(store, request_for(pilot, phone="+33612345679"), NOW)
    waiting_list.join(store, store.rdvs.get(booked.rdv.id), NOW)
    manage.cancel_by_usager(store, other.manage_token, NOW)
    done("api_handler")
    # The booked rdv waits: the sweep finds free time earlier than it (before the admins
    # below archive its motif).
    found = waiting_list.sweep_free_time(store, NOW, lambda: 60_000)
    assert found.queued, "the waiting-list sweep found no earlier free time"
    done("waiting_list_sweep")
    # The dashboard: an agent signs in, admins set up the MDS (the same store calls as
    # the setup pages), the statistics.
    _dashboard_calls(store, pilot, client)
    done("api_handler")
    # The moved rdv's day-before reminder (the move's SMS stood for the 2-day one).
    swept = notifications.send_due_reminders(store, TUESDAY_9H + timedelta(days=1), lambda: 60_000)
    assert swept.queued, "the sweep had nothing to do"
    done("reminder_sweep")
    bodies = drain(store)
    recorder.clear()  # (the test's own reads of the queue)
    senders = notifications.Senders.from_store(store)
    for body in bodies:
        notifications.deliver(store, body, NOW, 1, senders)
    # The consumer's own reads of its queue are Lambda's event source mapping, as the role.
    recorder.append(
        ("sqs:ReceiveMessage", f"arn:aws:sqs:{REGION}:{ACCOUNT}:{PROD.notifications_queue}")
    )
    done("deliver_notifications")
    marked = feedback.handle_ses_feedback(
        store, {"notificationType": "Complaint",
                "complaint": {"complainedRecipients": [{"emailAddress": "amandine@example.org"}]}},
        NOW,
    )  # fmt: skip
    assert marked, "the feedback marked no address"
    done("ses_feedback")
    assert set(calls) == set(FUNCTIONS)
    return calls, secrets


def _dashboard_calls(store, pilot, client) -> None:
    from dataclasses import replace
    from urllib.parse import urlencode

    from chalicelib.domain.models import Role
    from chalicelib.services import agent_auth
    from tests import factories as f
    from tests.integration.conftest import NOW

    admin = replace(pilot.agents[0], roles={"org-1": Role.ADMIN},
                    password_hash=agent_auth.hash_password("un mot de passe long"))  # fmt: skip
    store.agents.save(admin)
    signed = client.http.post(
        "/agents/connexion",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=urlencode({"email": admin.email, "mot_de_passe": "un mot de passe long"}),
    )
    cookie = signed.headers["Set-Cookie"].split(";")[0]
    for path in ("/agents", "/agents/statistiques", "/agents/plages", "/agents/parametres/lieux"):
        assert client.http.get(path, headers={"Cookie": cookie}).status_code == 200, path
    store.catalogue.save_lieu(replace(pilot.lieu, archived_at=NOW))
    store.catalogue.save_motif(replace(store.catalogue.get_motif("m30"), archived_at=NOW))
    store.catalogue.save_organisation(store.catalogue.get_organisation("org-1"))
    plage = store.planning.get_plage("plage-1")
    store.planning.save_plage(replace(plage, id="plage-x"))
    store.planning.delete_plage("plage-x")
    store.planning.save_absence(f.absence(id="absence-x"))
    store.planning.delete_absence("absence-x")


def test_every_call_of_each_function_is_granted(template, exercised):
    """Run what each function does, record its AWS calls, check its policy allows them."""
    by_function, _ = exercised
    statements = policies(template)
    for function, calls in by_function.items():
        assert calls, function
        for action, arn in set(calls):
            assert allowed(statements[function], action, arn), (function, action, arn)


def test_the_secret_key_goes_only_to_the_functions_that_read_it(template, exercised):
    """The API and the consumer derive private links; the sweep and the SES feedback never
    read the key, so their Lambda environment does not hold it."""
    _, secret_reads = exercised
    readers = {function for function, reads in secret_reads.items() if reads}
    assert readers == {"api_handler", "deliver_notifications"}
    given = {
        function
        for function, logical in FUNCTIONS.items()
        if "RDVSOL_SECRET_KEY"
        in template["Resources"][logical]["Properties"]["Environment"]["Variables"]
    }
    assert given == readers
    for function in readers:
        variables = template["Resources"][FUNCTIONS[function]]["Properties"]["Environment"]
        assert variables["Variables"]["RDVSOL_SECRET_KEY"] == {"Ref": "SecretKey"}
