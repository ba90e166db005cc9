"""Bytes of each public page (HTML with its inline CSS; the pages load no other file
and no JavaScript), uncompressed and gzipped. Target: under 30 KB uncompressed.
Run: `.venv/bin/python bench/bench_page_weight.py`."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, date, datetime
from urllib.parse import urlencode

from _setup import moto_store

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def main() -> None:
    from chalice.test import Client

    import app as app_module
    from chalicelib.services import context
    from devtools.demo_data import load_demo_data

    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    context.now = lambda: now
    with moto_store() as store:
        load_demo_data(store, date(2026, 11, 23))
        with Client(app_module.app) as client:
            pages: list[tuple[str, str, object]] = []

            def get(name: str, url: str):
                response = client.http.get(url)
                assert response.status_code in (200, 404, 422), (url, response.status_code)
                pages.append((name, url, response))
                return response.body.decode()

            get("accueil", "/")
            get("recherche 62100", "/recherche?lieu=62100")
            get("services", "/mds/mds-calais-2")
            get("motifs", "/mds/mds-calais-2/services/pmi")
            lieux = get("lieux", "/mds/mds-calais-2/motifs/mds-calais-2-consultation-nourrisson")
            lieu = re.search(r'href="(/mds/[^"]+/lieux/[^"]+)"', lieux).group(1)
            slots = get("créneaux (semaine)", lieu + "?semaine=2026-11-30")
            form_url = re.search(r'href="([^"]+/reserver\?debut=[^"]+)"', slots).group(1)
            form_url = form_url.replace("&amp;", "&")
            get("formulaire", form_url)
            debut = form_url.split("debut=")[1].replace("%3A", ":")
            body = {"debut": debut, "pour": "moi", "prenom": "Amandine", "nom": "Dupont",
                    "telephone": "01 23", "sms": "oui"}  # fmt: skip
            error = client.http.post(form_url.split("?")[0], headers=FORM, body=urlencode(body))
            pages.append(("formulaire avec erreurs", form_url, error))
            body["telephone"] = "06 12 34 56 78"
            booked = client.http.post(form_url.split("?")[0], headers=FORM, body=urlencode(body))
            location = booked.headers["Location"]
            get("confirmation", location)
            token_path = location.split("?")[0]
            get("lien privé (gérer)", token_path)
            get("déplacer (semaine)", token_path + "/deplacer")
            get("lien inconnu", "/r/inconnu")

    print("| page | bytes | gzip |")
    print("|---|---|---|")
    for name, _url, response in pages:
        body = response.body if isinstance(response.body, bytes) else response.body.encode()
        print(f"| {name} | {len(body):,} | {len(gzip.compress(body)):,} |".replace(",", " "))


if __name__ == "__main__":
    main()
