"""The private manage link's token.

Derived from the rdv's id with an HMAC under the deployment's secret key: 128 bits an
attacker cannot guess without the key, which the notification sender can rebuild days
later for the reminder's link, while the store keeps only its SHA-256 (a leaked table
gives no working link). Changing the secret key invalidates every link."""

from __future__ import annotations

import base64
import hashlib
import hmac


def manage_token(rdv_id: str, secret_key: str) -> str:
    digest = hmac.new(secret_key.encode(), f"manage-link:{rdv_id}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:16]).decode().rstrip("=")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
