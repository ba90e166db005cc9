"""Domain failures, named. One place in `web/` turns them into answers (HTML or JSON)
with a French message; none of them is a server error."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A failure the usager or agent can understand and act on."""

    status_code = 400
    message = "La demande n’a pas pu être traitée."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message


class NotFound(DomainError):
    status_code = 404
    message = "Cette page n’existe pas ou plus."


class UnknownLink(NotFound):
    """A private link whose token leads to no rdv (counted per client address)."""

    message = "Ce lien de rendez-vous n’est pas valable."


class MotifClosed(DomainError):
    status_code = 409
    message = "Ce motif n’est plus ouvert à la réservation en ligne."


class FieldErrors(DomainError):
    """Invalid input: one French message per field."""

    status_code = 422
    message = "Certaines informations sont à corriger."

    def __init__(
        self,
        errors: dict[str, str] | None = None,
        status_code: int | None = None,
        message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.errors = dict(errors or {})
        if status_code is not None:
            self.status_code = status_code


class IdempotencyKeyReused(FieldErrors):
    """A booking's idempotency key already made a rdv for another request."""

    message = "Cette clé a déjà servi pour une autre demande."

    def __init__(self) -> None:
        super().__init__({"idempotency_key": self.message})


class SlotTaken(DomainError):
    status_code = 409
    message = "Ce créneau vient d’être réservé. Choisissez-en un autre."

    def __init__(self, next_slots: list[Any] | None = None) -> None:
        super().__init__()
        self.next_slots = next_slots or []


class CancellationTooLate(DomainError):
    status_code = 409
    message = (
        "Il est trop tard pour annuler ou déplacer ce rendez-vous en ligne. "
        "Appelez votre maison départementale des solidarités."
    )


class RdvNotChangeable(DomainError):
    status_code = 409
    message = "Ce rendez-vous ne peut plus être modifié."


class Busy(DomainError):
    """The rdv could not be written after several tries (heavy contention)."""

    status_code = 503
    message = "Le service est très sollicité en ce moment. Réessayez dans un instant."


class LinkExpired(DomainError):
    status_code = 410
    message = "Ce lien n’est plus valable."


class RateLimited(DomainError):
    status_code = 429
    message = (
        "Trop de demandes de rendez-vous en peu de temps. "
        "Réessayez plus tard ou appelez votre maison départementale des solidarités."
    )


class TooManyUnknownLinks(RateLimited):
    """A client address tried too many private links that lead nowhere."""

    code = "too_many_unknown_links"

    def __init__(self, retry_after_seconds: int) -> None:
        minutes = max(1, -(-retry_after_seconds // 60))
        super().__init__(
            "Trop de liens de rendez-vous inconnus depuis votre connexion. Vérifiez le lien "
            "reçu par SMS ou par e-mail, puis réessayez dans "
            f"{minutes} minute{'s' if minutes > 1 else ''}."
        )
        self.retry_after_seconds = retry_after_seconds
