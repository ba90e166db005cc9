"""Logs are JSON lines with a request id, one per request, and carry no personal data."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

from chalicelib.logs import JsonFormatter


def test_a_booking_logs_json_lines_without_personal_data(client, pilot, caplog):
    caplog.set_level(logging.INFO)
    body = urlencode(
        {"debut": "2026-12-01T08:00Z", "pour": "moi", "prenom": "Amandine", "nom": "Dupontel",
         "telephone": "06 12 34 56 78", "email": "amandine@example.org", "sms": "oui"}
    )  # fmt: skip
    answer = client.http.post(
        "/mds/org-1/motifs/m30/lieux/lieu-1/reserver",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=body,
    )
    token_path = answer.headers["Location"].split("?")[0]
    client.http.get(token_path)
    lines = [JsonFormatter().format(record) for record in caplog.records]
    entries = [json.loads(line) for line in lines]
    requests = [e for e in entries if e["message"] == "request"]
    assert [(e["method"], e["route"], e["status"]) for e in requests] == [
        ("POST", "/mds/{organisation_id}/motifs/{motif_id}/lieux/{lieu_id}/reserver", 303),
        ("GET", "/r/{token}", 200),
    ]
    assert all(e["request_id"] != "-" for e in requests)
    text = "\n".join(lines)
    for personal in ("Amandine", "Dupontel", "612345678", "06 12 34 56 78", "amandine@example.org"):
        assert personal not in text
    assert token_path.split("/")[-1] not in text  # the private link's token
