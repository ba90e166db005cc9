"""`make run`'s whole pipeline: a booking's confirmation goes through the SQS queue,
the local consumer, moto's SNS and SES, and shows on the local outbox page."""

from __future__ import annotations

import re
import time

import pytest
import requests

pytestmark = pytest.mark.e2e


def test_a_booking_confirmation_reaches_the_local_outbox(live_server):
    base = live_server.url
    lieux = requests.get(f"{base}/mds/mds-calais-2/motifs/mds-calais-2-bilan-4-ans", timeout=10)
    lieu_path = re.search(r'href="(/mds/[^"]+/lieux/[^"]+)"', lieux.text).group(1)
    slots = requests.get(base + lieu_path, timeout=10).text
    if "Aucun créneau libre" in slots:
        slots = requests.get(
            base + re.search(r'href="([^"]+semaine=[^"#]+)#semaine"', slots).group(1), timeout=10
        ).text
    form_url = re.search(r'href="([^"]+/reserver\?debut=[^"]+)"', slots).group(1)
    debut = requests.utils.unquote(form_url.split("debut=")[1])
    answer = requests.post(
        base + form_url.split("?")[0],
        data={
            "debut": debut,
            "pour": "moi",
            "prenom": "Inès",
            "nom": "Outbox",
            "telephone": "07 81 23 45 60",
            "email": "ines@example.org",
            "sms": "oui",
            "rappel_email": "oui",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 303, answer.text[:500]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        outbox = requests.get(f"{base}/local/envois", timeout=10).text
        if "+33781234560" in outbox and "ines@example.org" in outbox:
            break
        time.sleep(0.5)
    assert "+33781234560" in outbox
    assert "RDV PMI confirmé le" in outbox
    assert "ines@example.org" in outbox and "rendez-vous.ics" in outbox
    assert "Bilan" not in outbox  # the motif is never in a message
