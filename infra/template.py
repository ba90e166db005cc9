"""What `chalice package` does not make, for one stage, generated from the code itself:

- `build/<stage>/resources.json`, merged into Chalice's SAM template: every DynamoDB
  table and index of the PynamoDB models (on-demand, point-in-time recovery, TTL,
  deletion protection on prod), the notification queue and its dead-letter queue, the
  SNS topic of SES feedback, the SES configuration set, the CloudWatch alarms; each
  function's name, log group (with a retention) and settings (the secret key only where
  it is read); the API stage's throttling and the notification consumer's concurrency;
  API Gateway's own error answers (unknown path, throttling, its 4xx and 5xx) in French
  with the app's security headers;
- `.chalice/policy-<stage>-<function>.json`, the IAM policy of each Lambda function,
  limited to the actions and resources it uses (no `*` on DynamoDB, SQS, SNS or SES).

Generated from the models and from FUNCTION_ACCESS below, so tables, grants and code
cannot drift apart; every name comes from `chalicelib.settings.resource_names`, which
the app uses for the same stage. `make package STAGE=prod` runs it before `chalice package`.
Usage: python -m infra.template STAGE OUTPUT_DIR, with AWS_ACCOUNT_ID (12 digits) and
RDVSOL_SES_DOMAIN (the sender's domain, verified in SES) in the environment.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chalicelib.settings import LOCAL_STAGES, ResourceNames, Settings, resource_names

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("dev", "prod")
CHALICE_CONFIG = json.loads((ROOT / ".chalice" / "config.json").read_text())
APP_NAME = CHALICE_CONFIG["app_name"]
# The values CloudWatch Logs accepts for a log group's retention, in days.
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                  2192, 2557, 2922, 3288, 3653)  # fmt: skip

# Which tables each Lambda function reads or writes (by the models' base names).
ALL_TABLES = "*tables*"
READ = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"]
WRITE = [
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
]
# "secret": the function derives private-link tokens (chalicelib/services/tokens.py) or
# booking fingerprints, so it gets RDVSOL_SECRET_KEY; the others never see the key.
FUNCTION_ACCESS: dict[str, dict[str, Any]] = {
    # The web pages and the JSON API: browse, book, cancel, move, rate limits.
    "api_handler": {
        "secret": True,
        "read": [ALL_TABLES],
        "write": [
            "rdvs",
            "usagers",
            "agent-days",
            "counters",
            "reminders",
            "rate-limits",
            "agent-sessions",
            "agent-links",
            "agents",
            "memberships",
            "waiting-list",
            # The admins' setup pages, and each agent's plages and absences.
            "lieux",
            "motifs",
            "organisations",
            "sectors",
            "plages",
            "absences",
        ],
        "sqs_send": True,
        # The agents' password links (reset, invitation) are e-mailed from the page.
        "email": True,
    },
    # The reminder sweep: due reminders out, messages in the queue.
    "reminder_sweep": {"read": ["reminders"], "write": ["reminders"], "sqs_send": True},
    # The waiting list's daytime sweep: every entry, their rdvs, the free slots of their
    # motif (the slot engine: motifs, lieux, plages, absences, rdvs, the territoire's
    # public holidays), `slot_freed` messages in the queue. It writes nothing.
    "waiting_list_sweep": {
        "read": [
            "waiting-list",
            "rdvs",
            "motifs",
            "lieux",
            "organisations",
            "plages",
            "absences",
            "territoires",
        ],
        "sqs_send": True,
    },
    # The notification consumer: reads a rdv's context, claims and records receipts; its
    # messages carry the rdv's private link.
    "deliver_notifications": {
        "secret": True,
        "read": [
            "rdvs",
            "motifs",
            "organisations",
            "services",
            "lieux",
            "usagers",
            "agents",
            "reminders",
            "receipts",
            # A freed slot: the waiting list's entries, their rdvs, whether it is still
            # free (the slot engine: plages, absences, the territoire's public holidays).
            "waiting-list",
            "waiting-offers",
            "plages",
            "absences",
            "territoires",
            "rate-limits",
        ],
        # Receipts; a reminder found in the quiet hours is made due again at 8:00; a
        # reminder sent is recorded on its rdv through the write path (rdv and counters);
        # the offers of freed slots and the count of an usager's offers of the day.
        "write": ["receipts", "reminders", "rdvs", "counters", "waiting-offers", "rate-limits"],
        "sqs_consume": True,
        # An SMS of the usager's own change waits (sent back to the queue with a delay).
        "sqs_send": True,
        "sms": True,
        "email": True,
    },
    # SES bounces and complaints: the address is marked invalid on the rdvs reached at
    # it (through the write path) and on the usagers' records.
    "ses_feedback": {"read": ["usagers", "rdvs"], "write": ["usagers", "rdvs"]},
}


def names(stage: str) -> ResourceNames:
    """The stage's resource names: the very ones the app derives from its stage."""
    if stage in LOCAL_STAGES:
        raise ValueError(f"{stage} is a local stage: moto plays its resources")
    return resource_names(stage)


def region(stage: str) -> str:
    """The region a stage's functions call (`RDVSOL_AWS_REGION` in .chalice/config.json),
    so the region their policies name.

    The stack's resources are made in the region it is deployed to, the functions call
    this one: `make package` refuses an AWS_DEFAULT_REGION (or AWS_REGION) other than it,
    the one the README's commands deploy to. Policies written with `${AWS::Region}` would
    not make another region work: they would follow the stack's tables there, and the
    functions would still call this region."""
    names(stage)
    return Settings.from_environ(
        CHALICE_CONFIG["stages"][stage]["environment_variables"]
    ).aws_region


def _logical(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


def _keys(key_schema: list[dict[str, str]]) -> list[dict[str, str]]:
    """HASH first, then RANGE: the order CloudFormation requires."""
    return sorted(key_schema, key=lambda k: k["KeyType"] != "HASH")


def table_resources(stage: str) -> dict[str, Any]:
    from chalicelib.store.models import ALL_MODELS

    resources = {}
    for model in ALL_MODELS:
        schema = model._get_schema()
        definitions = {
            d["AttributeName"]: d["AttributeType"] for d in schema["attribute_definitions"]
        }
        indexes = []
        for index in schema["global_secondary_indexes"]:
            for d in index["attribute_definitions"]:
                definitions[d["AttributeName"]] = d["AttributeType"]
            indexes.append(
                {
                    "IndexName": index["index_name"],
                    "KeySchema": _keys(index["key_schema"]),
                    "Projection": index["projection"],
                }
            )
        properties: dict[str, Any] = {
            "TableName": names(stage).table_prefix + model.table_basename,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [
                {"AttributeName": k, "AttributeType": v} for k, v in sorted(definitions.items())
            ],
            "KeySchema": _keys(schema["key_schema"]),
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "DeletionProtectionEnabled": stage == "prod",
            "SSESpecification": {"SSEEnabled": True},
        }
        if indexes:
            properties["GlobalSecondaryIndexes"] = indexes
        ttl = model._ttl_attribute()
        if ttl is not None:
            properties["TimeToLiveSpecification"] = {
                "AttributeName": ttl.attr_name,
                "Enabled": True,
            }
        resources[f"Table{_logical(model.table_basename)}"] = {
            "Type": "AWS::DynamoDB::Table",
            "DeletionPolicy": "Retain" if stage == "prod" else "Delete",
            "UpdateReplacePolicy": "Retain" if stage == "prod" else "Delete",
            "Properties": properties,
        }
    return resources


def messaging_resources(
    stage: str, max_receive_count: int = Settings.max_delivery_attempts
) -> dict[str, Any]:
    """The queue's redrive count is the number of deliveries the consumer tries."""
    n = names(stage)
    return {
        "NotificationsDeadLetterQueue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {"QueueName": n.notifications_dlq, "MessageRetentionPeriod": 1209600},
        },
        "NotificationsQueue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": n.notifications_queue,
                "VisibilityTimeout": 180,
                "RedrivePolicy": {
                    "deadLetterTargetArn": {"Fn::GetAtt": ["NotificationsDeadLetterQueue", "Arn"]},
                    "maxReceiveCount": max_receive_count,
                },
            },
        },
        "SesFeedbackTopic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"TopicName": n.ses_feedback_topic},
        },
        "SesConfigurationSet": {
            "Type": "AWS::SES::ConfigurationSet",
            "Properties": {"Name": n.ses_configuration_set},
        },
        "SesFeedbackDestination": {
            "Type": "AWS::SES::ConfigurationSetEventDestination",
            "Properties": {
                "ConfigurationSetName": {"Ref": "SesConfigurationSet"},
                "EventDestination": {
                    "Name": "bounces-and-complaints",
                    "Enabled": True,
                    "MatchingEventTypes": ["bounce", "complaint"],
                    "SnsDestination": {"TopicARN": {"Ref": "SesFeedbackTopic"}},
                },
            },
        },
        "AlarmTopic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"TopicName": n.alarms_topic},
        },
        "DeadLetterQueueAlarm": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmDescription": (
                    "Des notifications ont échoué après tous les essais (file d'erreurs non vide)."
                ),
                "Namespace": "AWS/SQS",
                "MetricName": "ApproximateNumberOfMessagesVisible",
                "Dimensions": [{"Name": "QueueName", "Value": n.notifications_dlq}],
                "Statistic": "Maximum",
                "Period": 300,
                "EvaluationPeriods": 1,
                "Threshold": 0,
                "ComparisonOperator": "GreaterThanThreshold",
                "TreatMissingData": "notBreaching",
                "AlarmActions": [{"Ref": "AlarmTopic"}],
            },
        },
        "LambdaErrorsAlarm": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmDescription": "Erreurs des fonctions Lambda de RDV Solidarités.",
                "Namespace": "AWS/Lambda",
                "MetricName": "Errors",
                "Statistic": "Sum",
                "Period": 300,
                "EvaluationPeriods": 1,
                "Threshold": 5,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                "TreatMissingData": "notBreaching",
                "AlarmActions": [{"Ref": "AlarmTopic"}],
            },
        },
        "SmsSpendAlarm": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmDescription": "Dépense SMS du mois proche de la limite du compte (80 %).",
                "Namespace": "AWS/SNS",
                "MetricName": "SMSMonthToDateSpentUSD",
                "Statistic": "Maximum",
                "Period": 3600,
                "EvaluationPeriods": 1,
                "Threshold": {"Ref": "SmsMonthlySpendAlarmUSD"},
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                "TreatMissingData": "notBreaching",
                "AlarmActions": [{"Ref": "AlarmTopic"}],
            },
        },
    }


FUNCTIONS = {
    "api_handler": "APIHandler",
    "reminder_sweep": "ReminderSweep",
    "waiting_list_sweep": "WaitingListSweep",
    "deliver_notifications": "DeliverNotifications",
    "ses_feedback": "SesFeedback",
}


def function_name(stage: str, function: str) -> str:
    """A Lambda function's name: `<app>-<stage>-<function>`, as `chalice deploy` names it.

    Set explicitly (SAM would otherwise let CloudFormation make `<stack>-<id>-<random>`),
    so that the function's log group is named in advance: created with its retention
    before the function first runs (Lambda would make one that keeps logs forever), and
    the only group the function's role may write to."""
    names(stage)  # a deployed stage, and a valid stage name
    name = f"{APP_NAME}-{stage}-{function}"
    if len(name) > 64:
        raise ValueError(f"{name}: a Lambda function name has at most 64 characters")
    return name


def log_group_name(stage: str, function: str) -> str:
    """The group Lambda writes a function's logs to."""
    return f"/aws/lambda/{function_name(stage, function)}"


def log_group_resources(stage: str) -> dict[str, Any]:
    return {
        f"{logical}LogGroup": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": log_group_name(stage, function),
                "RetentionInDays": {"Ref": "LogRetentionInDays"},
            },
        }
        for function, logical in FUNCTIONS.items()
    }


def function_variables(function: str) -> dict[str, Any]:
    """Deploy-time settings of one function (merged into Chalice's environment variables).

    The secret key goes only to the functions that use it. The other settings are not
    secret and go to every function, so that none falls back to a local default."""
    variables: dict[str, Any] = {
        "RDVSOL_BASE_URL": {"Ref": "PublicBaseUrl"},
        "RDVSOL_EMAIL_SENDER": {"Ref": "EmailSender"},
        "RDVSOL_SMS_SENDER_ID": {"Ref": "SmsSenderId"},
    }
    if FUNCTION_ACCESS[function].get("secret"):
        variables["RDVSOL_SECRET_KEY"] = {"Ref": "SecretKey"}
    return variables


def function_settings(stage: str) -> dict[str, Any]:
    """What the merge adds to each of Chalice's functions: its name, its settings, and its
    log group first."""
    return {
        logical: {
            "DependsOn": [f"{logical}LogGroup"],
            "Properties": {
                "FunctionName": function_name(stage, function),
                "Environment": {"Variables": function_variables(function)},
            },
        }
        for function, logical in FUNCTIONS.items()
    }


def consumer_settings() -> dict[str, Any]:
    """At most NotificationsMaxConcurrency batches of the queue at once (merged into the
    consumer's SQS event, which Chalice names `<function>SqsEventSource`).

    SMS and e-mails have per-second quotas (SNS's SMS rate, SES's sending rate: 14 a
    second is a common first production quota): an uncapped consumer meets a burst of
    reminders with 5 concurrent batches and more, and the providers throttle its sends.
    Capped on the event source mapping, not by a reserved concurrency: Lambda's SQS
    pollers ignore the latter, and each batch it throttles goes back to the queue with
    one receive spent, towards the dead-letter queue, without having been tried."""
    return {
        "DeliverNotifications": {
            "Properties": {
                "Events": {
                    "DeliverNotificationsSqsEventSource": {
                        "Properties": {
                            "ScalingConfig": {
                                "MaximumConcurrency": {"Ref": "NotificationsMaxConcurrency"}
                            }
                        }
                    }
                }
            }
        }
    }


def api_settings() -> dict[str, Any]:
    """The stage's throttling, for every route and method (merged into Chalice's RestAPI)."""
    return {
        "RestAPI": {
            "Properties": {
                "MethodSettings": [
                    {
                        "ResourcePath": "/*",
                        "HttpMethod": "*",
                        "ThrottlingRateLimit": {"Ref": "ApiThrottlingRateLimit"},
                        "ThrottlingBurstLimit": {"Ref": "ApiThrottlingBurstLimit"},
                    }
                ]
            }
        }
    }


# What API Gateway answers by itself, before any Lambda runs, in English and without the
# app's headers: an unknown path or a method no route has (403 "Missing Authentication
# Token"), the stage's throttling (429 "Too Many Requests"), and its other 4xx and 5xx
# (a body too large, Lambda timing out or crashing…). Response type → (status, or None to
# keep API Gateway's own; the API's error code; the French message; a link to the home
# page). The messages are the app's own tone (chalicelib/web/errors.py).
GATEWAY_RESPONSES: dict[str, tuple[str | None, str, str, bool]] = {
    # A route that does not exist: not found, not "forbidden".
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


def _static_value(value: str) -> str:
    """A static value of a gateway response parameter: the text within single quotes.

    API Gateway takes what lies between the first and the last quote, quotes inside
    included: the CSP's `'none'` and `'self'` need no escaping (DataBiosphere/azul sends
    its CSP so, `src/azul/terraform.py`, and its integration test
    `test_default_4xx_response_headers` reads it back from a deployed API)."""
    if any(c in value for c in "\r\n"):
        raise ValueError(f"a header value on one line, not {value!r}")
    return f"'{value}'"


def _ascii(text: str) -> str:
    """Gateway responses carry a Content-Type without a charset (the template's key, see
    gateway_responses): the bodies are ASCII, every other character a reference (HTML)
    or an escape (JSON), read alike whatever charset the client assumes."""
    return text.encode("ascii", "xmlcharrefreplace").decode("ascii")


def _error_page(message: str, home_link: bool) -> str:
    from html import escape

    link = '<p><a href="/">Revenir à l’accueil</a></p>\n' if home_link else ""
    return _ascii(
        "<!doctype html>\n"
        '<html lang="fr">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>RDV Solidarités</title>\n"
        "<style>body{font-family:system-ui,sans-serif;line-height:1.5;max-width:40rem;"
        "margin:2rem auto;padding:0 1rem}</style>\n"
        "</head>\n<body>\n<main>\n<h1>RDV Solidarités</h1>\n"
        f"<p>{escape(message)}</p>\n{link}</main>\n</body>\n</html>\n"
    )


def gateway_responses() -> dict[str, Any]:
    """API Gateway's own answers in French, with the app's security headers (merged into
    the API's OpenAPI definition, `x-amazon-apigateway-gateway-responses`).

    In the definition, not as `AWS::ApiGateway::GatewayResponse` resources: a stage serves
    the API as of its last deployment, and SAM deploys the API again only when its
    definition changes (the deployment's logical id is a hash of it). Separate resources
    would reach the API after the stage's deployment, so not the stage, and the next change
    of the definition, which replaces the whole API (PutRestApi, overwrite), would drop
    them (aws/serverless-application-model#390, #623). Inside the definition they are
    deployed with it, and a change of a message or header deploys the stage again.

    Which template answers: API Gateway picks a response's mapping template by the
    request's `Accept` header, its first media type only, without parameters (developer
    guide, "Select a VTL mapping template" and "Content type conversions"); without
    `Accept` it takes `application/json`, and an `Accept` no template matches (`*/*`) gets
    the first template. The guide documents this for integration responses; gateway
    responses key their templates by content type the same way, and the answer's
    Content-Type is the key chosen. So a browser (`Accept: text/html,…`) gets the French
    page, an API client (`application/json`, or nothing) the API's error shape, and
    `curl`'s `*/*` either one: each says the same thing. The templates are not Velocity:
    `$` would start a variable, and the bodies have none. The keys carry no charset,
    hence ASCII bodies (_ascii).

    Every header of SECURITY_HEADERS, the ones every answer of the app carries; not its
    Content-Type, which comes with the template chosen."""
    from chalicelib.web.templating import SECURITY_HEADERS

    headers = {
        f"gatewayresponse.header.{name}": _static_value(value)
        for name, value in SECURITY_HEADERS.items()
    }
    responses: dict[str, Any] = {}
    for response_type, (status, code, message, home_link) in GATEWAY_RESPONSES.items():
        response: dict[str, Any] = {
            "responseParameters": dict(headers),
            "responseTemplates": {
                "application/json": json.dumps({"error": {"code": code, "message": message}}),
                "text/html": _error_page(message, home_link),
            },
        }
        if status is not None:
            response["statusCode"] = status
        responses[response_type] = response
    return {
        "RestAPI": {
            "Properties": {"DefinitionBody": {"x-amazon-apigateway-gateway-responses": responses}}
        }
    }


def _merged(*fragments: dict[str, Any]) -> dict[str, Any]:
    """Fragments of resources merged key by key (as Chalice merges the template), so that
    two fragments may each add properties to one resource."""
    merged: dict[str, Any] = {}
    for fragment in fragments:
        for key, value in fragment.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = _merged(merged[key], value)
            else:
                merged[key] = value
    return merged


def sender_pattern(sender_domain: str) -> str:
    """What the EmailSender parameter accepts: an address of the domain the build's SES
    grant names (a bare address, or `Name <address>`), so that a stack cannot be given a
    sender its functions may not send from (nor a build for another domain deployed)."""
    domain = sender_domain.replace(".", "\\.")
    return rf"(?i)^([^<>@]*<[^<>@\s]+@{domain}>|[^<>@\s]+@{domain})$"


def merge_template(stage: str, sender_domain: str) -> dict[str, Any]:
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {
            "SecretKey": {
                "Type": "String",
                "NoEcho": True,
                "MinLength": 32,
                "Description": (
                    "Clé secrète des liens privés, au moins 32 caractères : "
                    "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
                ),
            },
            "PublicBaseUrl": {
                "Type": "String",
                "Description": "Adresse publique, ex. https://rdv.solidarites.pasdecalais.fr",
            },
            "EmailSender": {
                "Type": "String",
                "Description": (
                    f"Expéditeur des e-mails, du domaine {sender_domain} vérifié dans SES, "
                    f"ex. RDV Solidarités <ne-pas-repondre@{sender_domain}>"
                ),
                "AllowedPattern": sender_pattern(sender_domain),
                "ConstraintDescription": (
                    f"une adresse du domaine {sender_domain}, celui que les droits SES de "
                    "cette version nomment (RDVSOL_SES_DOMAIN à l'empaquetage)"
                ),
            },
            "SmsSenderId": {"Type": "String", "MaxLength": 11, "Default": "RDVSolidar"},
            # A département's site sees a few requests a second at its busiest (usagers
            # booking, a few hundred agents at work): 50 a second, with bursts of 100, is
            # ten times that, and caps what a flood costs in Lambda and DynamoDB.
            "ApiThrottlingRateLimit": {
                "Type": "Number",
                "Default": 50,
                "MinValue": 1,
                "Description": "Requêtes par seconde acceptées par l'API, en régime établi",
            },
            "ApiThrottlingBurstLimit": {
                "Type": "Number",
                "Default": 100,
                "MinValue": 1,
                "Description": "Requêtes acceptées d'un coup par l'API, en pointe",
            },
            "NotificationsMaxConcurrency": {
                "Type": "Number",
                "Default": 2,
                "MinValue": 2,
                "MaxValue": 1000,
                "Description": (
                    "Lots de notifications envoyés en parallèle (2 au moins) : selon les quotas "
                    "SMS et e-mails du compte"
                ),
            },
            "LogRetentionInDays": {
                "Type": "Number",
                "Default": 365,
                "AllowedValues": list(RETENTION_DAYS),
                "Description": "Durée de conservation des journaux des fonctions (jours)",
            },
            "SmsMonthlySpendAlarmUSD": {
                "Type": "Number",
                "Default": 80,
                "Description": "Alarme quand la dépense SMS du mois atteint ce montant (USD)",
            },
        },
        "Resources": _merged(
            table_resources(stage),
            messaging_resources(stage),
            log_group_resources(stage),
            function_settings(stage),
            consumer_settings(),
            api_settings(),
            gateway_responses(),
        ),
        "Outputs": {
            "NotificationsQueueUrl": {"Value": {"Ref": "NotificationsQueue"}},
            "AlarmTopicArn": {"Value": {"Ref": "AlarmTopic"}},
        },
    }


def policy(stage: str, function: str) -> dict[str, Any]:
    """The IAM policy document of one function (Chalice reads it as a JSON file)."""
    from chalicelib.store.models import ALL_MODELS

    access = FUNCTION_ACCESS[function]
    # Chalice's policy files are plain JSON: `{account}` and `{sender_domain}` are filled
    # in by render_policy from the deployer's environment.
    every_table = [m.table_basename for m in ALL_MODELS]
    n = names(stage)
    where = f"{region(stage)}:{{account}}"

    def tables(selection: list[str]) -> list[str]:
        chosen = every_table if ALL_TABLES in selection else selection
        arns = []
        for name in chosen:
            table = f"arn:aws:dynamodb:{where}:table/{n.table_prefix}{name}"
            arns += [table, table + "/index/*"]
        return arns

    statements: list[dict[str, Any]] = [
        {
            # The stack creates the group (with its retention): the function only writes.
            "Sid": "Logs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"arn:aws:logs:{where}:log-group:{log_group_name(stage, function)}:*",
        },
        {
            "Sid": "ReadTables",
            "Effect": "Allow",
            "Action": READ,
            "Resource": tables(access["read"]),
        },
    ]
    if access.get("write"):
        statements.append(
            {
                "Sid": "WriteTables",
                "Effect": "Allow",
                "Action": WRITE,
                "Resource": tables(access["write"]),
            }
        )
    queue_arn = f"arn:aws:sqs:{where}:{n.notifications_queue}"
    if access.get("sqs_send"):
        statements.append(
            {
                "Sid": "QueueNotifications",
                "Effect": "Allow",
                "Action": ["sqs:SendMessage", "sqs:GetQueueUrl"],
                "Resource": queue_arn,
            }
        )
    if access.get("sqs_consume"):
        statements.append(
            {
                "Sid": "ConsumeNotifications",
                "Effect": "Allow",
                "Action": [
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:ChangeMessageVisibility",
                    "sqs:GetQueueAttributes",
                ],
                "Resource": queue_arn,
            }
        )
    if access.get("sms"):
        # SMS to a phone number has no resource ARN: allow publishing to anything that is
        # not a topic (so not to the topics of this or any account).
        statements.append(
            {
                "Sid": "SendSms",
                "Effect": "Allow",
                "Action": ["sns:Publish", "sns:CheckIfPhoneNumberIsOptedOut"],
                "NotResource": "arn:aws:sns:*:*:*",
            }
        )
    if access.get("email"):
        statements.append(
            {
                "Sid": "SendEmail",
                "Effect": "Allow",
                "Action": ["ses:SendRawEmail"],
                "Resource": [
                    f"arn:aws:ses:{where}:identity/{{sender_domain}}",
                    f"arn:aws:ses:{where}:configuration-set/{n.ses_configuration_set}",
                ],
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def render_policy(document: dict[str, Any], account_id: str, sender_domain: str) -> dict[str, Any]:
    text = (
        json.dumps(document)
        .replace("{account}", account_id)
        .replace("{sender_domain}", sender_domain)
    )
    return json.loads(text)


ACCOUNT_ID = re.compile(r"[0-9]{12}")
DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


class MissingDeployInput(ValueError):
    """The account or the SES domain of a build is unset or malformed."""


def deploy_inputs(environ: Mapping[str, str]) -> tuple[str, str]:
    """The AWS account and the SES domain that a build's IAM policies name. Required: a
    build for another account, or for a domain SES does not send from, deploys fine and
    then fails at its first call, so nothing is defaulted."""
    account_id = environ.get("AWS_ACCOUNT_ID", "").strip()
    sender_domain = environ.get("RDVSOL_SES_DOMAIN", "").strip().lower()
    problems = []
    if not ACCOUNT_ID.fullmatch(account_id):
        problems.append(
            "AWS_ACCOUNT_ID: the 12 digits of the AWS account to deploy to"
            + (f", not {account_id!r}" if account_id else " (unset)")
        )
    if not DOMAIN.fullmatch(sender_domain):
        problems.append(
            "RDVSOL_SES_DOMAIN: the domain of the e-mail sender, verified in SES,"
            " e.g. rdv-solidarites.pasdecalais.fr"
            + (f", not {sender_domain!r}" if sender_domain else " (unset)")
        )
    if problems:
        raise MissingDeployInput("\n".join(problems))
    return account_id, sender_domain


def write(stage: str, output: Path, account_id: str, sender_domain: str) -> None:
    output.mkdir(parents=True, exist_ok=True)
    (output / "resources.json").write_text(
        json.dumps(merge_template(stage, sender_domain), indent=2, ensure_ascii=False)
    )
    for function in FUNCTION_ACCESS:
        path = ROOT / ".chalice" / f"policy-{stage}-{function}.json"
        path.write_text(
            json.dumps(render_policy(policy(stage, function), account_id, sender_domain), indent=2)
        )


def main(argv: list[str], environ: Mapping[str, str] | None = None) -> int:
    import os

    if len(argv) != 2 or argv[0] not in STAGES:
        print(__doc__)
        return 2
    try:
        account_id, sender_domain = deploy_inputs(os.environ if environ is None else environ)
    except MissingDeployInput as error:
        print(f"Cannot package stage {argv[0]}:\n{error}", file=sys.stderr)
        return 2
    write(argv[0], Path(argv[1]), account_id, sender_domain)
    print(f"Stage {argv[0]} packaged for AWS account {account_id}, SES domain {sender_domain}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
