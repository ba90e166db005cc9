"""Fifty people submit the same slot at once, over real HTTP (chalice local + moto's
server): each agent free at that time is booked once, everyone else is told the slot
was just taken, nobody gets an error."""

from __future__ import annotations

import re
import threading
from urllib.parse import unquote

import boto3
import pytest
import requests

pytestmark = pytest.mark.e2e

MOTIF_PATH = "/mds/mds-noeux-les-mines/motifs/mds-noeux-les-mines-bilan-4-ans"


def a_slot(base: str) -> tuple[str, str]:
    lieux = requests.get(base + MOTIF_PATH, timeout=10).text
    lieu_path = re.search(r'href="(/mds/[^"]+/lieux/[^"]+)"', lieux).group(1)
    page = requests.get(base + lieu_path, timeout=10).text
    nxt = re.search(r'href="([^"]+semaine=[^"#]+)#semaine">Semaine suivante', page)
    page = requests.get(base + nxt.group(1), timeout=10).text  # next week
    form_url = re.findall(r'href="([^"]+/reserver\?debut=[^"]+)"', page)[2]
    return form_url.split("?")[0], unquote(form_url.split("debut=")[1])


def test_fifty_simultaneous_bookers_never_share_an_agent(live_server):
    base = live_server.url
    action, debut = a_slot(base)
    barrier = threading.Barrier(50)
    answers: list[tuple[int, str]] = []

    def book(i: int) -> None:
        barrier.wait(timeout=30)
        try:
            r = requests.post(
                base + action,
                data={
                    "debut": debut,
                    "pour": "moi",
                    "prenom": "Sarah",
                    "nom": f"Essai{chr(65 + i % 26)}",
                    "telephone": f"06 12 34 5{i // 10} {i % 10}0",
                    "sms": "oui",
                },
                allow_redirects=False,
                timeout=60,
            )
            answers.append((r.status_code, r.text))
        except requests.RequestException as error:
            answers.append((0, repr(error)))

    threads = [threading.Thread(target=book, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    statuses = sorted(status for status, _ in answers)
    assert len(answers) == 50
    assert 0 not in statuses, [text for status, text in answers if status == 0][:2]
    assert all(status in (303, 409) for status in statuses), statuses
    booked = statuses.count(303)
    assert booked >= 1
    assert all(
        "Ce créneau vient d’être réservé" in text for status, text in answers if status == 409
    )

    # What is stored: one rdv per agent at that time, as many as the 303s.
    dynamodb = boto3.client(
        "dynamodb", endpoint_url=live_server.moto_url, region_name="eu-west-3",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip
    start = debut.replace("Z", ":00.000000+0000")
    items = dynamodb.query(
        TableName="rdvsol-local-rdvs",
        IndexName="by-organisation",
        KeyConditionExpression="organisation_id = :o AND starts_at = :s",
        ExpressionAttributeValues={":o": {"S": "mds-noeux-les-mines"}, ":s": {"S": start}},
    )["Items"]
    agents = [item["agent_id"]["S"] for item in items if item["status"]["S"] == "unknown"]
    assert len(agents) == booked
    assert len(set(agents)) == len(agents)
    # And the time is no longer offered.
    again = requests.post(
        base + action,
        data={
            "debut": debut,
            "pour": "moi",
            "prenom": "Tard",
            "nom": "Venu",
            "telephone": "06 98 76 54 32",
            "sms": "oui",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert again.status_code == 409
