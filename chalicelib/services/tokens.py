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


def offer_token(rdv_id: str, slot: str, secret_key: str) -> str:
    """The link of a freed slot (its start and lieu, `offer_slot_key`) offered to a rdv
    on the waiting list: 128 bits under the secret key, the same for a redelivered
    message (its send is then skipped, or retried with the same link), stored hashed."""
    message = f"waiting-offer:{rdv_id}:{slot}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()[:16]).decode().rstrip("=")
