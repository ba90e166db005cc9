"""Statistics: the agents' page of their organisation's monthly figures, its CSV export,
and the public page /stats (département-wide figures, nothing personal, no count under
10). The figures come from the write path's counters (services/statistics.py)."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from chalice import Blueprint, Response

from chalicelib.domain.text import whole_number
from chalicelib.services import context
from chalicelib.services import statistics as stats_service
from chalicelib.web import charts
from chalicelib.web.agents import render_agent, signed_in
from chalicelib.web.errors import html_errors
from chalicelib.web.params import query
from chalicelib.web.templating import DASHBOARD_HEADERS, HTML_HEADERS, render

statistics = Blueprint(__name__)

EXPORT_PATH = "/agents/statistiques/export.csv"


def _params() -> dict[str, str]:
    return statistics.current_request.query_params or {}


def _chart(chart_id: str, title: str, months, noshow, vacancy, guides: bool = True):
    return charts.line_chart(
        chart_id,
        title,
        months,
        [
            charts.Series("Taux d’absence non excusée", noshow, "noshow"),
            charts.Series("Taux de vacance", vacancy, "vacancy"),
        ],
        [
            charts.Guide("Référence (20 %)", 0.20, "baseline"),
            charts.Guide("Objectif (5 %)", 0.05, "target"),
        ]
        if guides
        else [],
    )


@statistics.route("/agents/statistiques", methods=["GET"])
@html_errors
@signed_in(statistics)
def statistics_page(me):
    params = _params()
    view = stats_service.dashboard(
        context.store(),
        me.organisation,
        query(params, "mois") or None,
        query(params, "par") or None,
        query(params, "id") or None,
        context.now(),
    )
    months = [f.month for f in view.history]
    chart = _chart(
        "graphique-mois",
        f"Absences non excusées et vacance, {view.chart_label}, sur 12 mois",
        months,
        [f.noshow_rate for f in view.history],
        [f.vacancy_rate for f in view.history],
    )
    return render_agent(
        "agent/statistiques.html",
        me,
        section="statistiques",
        view=view,
        chart=chart,
        fmt=charts,
        export_path=EXPORT_PATH,
    )


@statistics.route(EXPORT_PATH, methods=["GET"])
@html_errors
@signed_in(statistics)
def export_csv(me):
    """One part of the export (EXPORT_PAGE rdvs at most): each part opens on its own in
    Excel (UTF-8 with a BOM, a header line); `Link: <…>; rel="next"` names the next."""
    params = _params()
    store = context.store()
    first, last = stats_service.export_period(
        store, query(params, "du"), query(params, "au"), context.now()
    )
    cursor = query(params, "suite") or None
    part = stats_service.export_part(store, me.organisation.id, first, last, cursor)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(stats_service.CSV_COLUMNS)
    writer.writerows(part.rows)
    partie = query(params, "partie")
    typed = whole_number(partie)
    number = typed if typed is not None and typed > 0 else 1
    name = f"rdvs-{first.isoformat()}-{last.isoformat()}"
    if cursor or part.next_cursor:
        name += f"-partie-{number}"
    headers = {
        **DASHBOARD_HEADERS,
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{name}.csv"',
    }
    if part.next_cursor:
        following = urlencode(
            {
                "du": first.isoformat(),
                "au": last.isoformat(),
                "suite": part.next_cursor,
                "partie": number + 1,
            }
        )
        headers["Link"] = f'<{EXPORT_PATH}?{following}>; rel="next"'
    return Response(body=out.getvalue(), status_code=200, headers=headers)


@statistics.route("/stats", methods=["GET"])
@html_errors
def public_stats_page():
    store = context.store()
    view = stats_service.public_stats(store, store.settings.public_stats_territoire, context.now())
    months = [m.month for m in view.months]
    chart = _chart(
        "graphique-public",
        f"Absences non excusées et vacance, {view.territoire_name}, sur 12 mois",
        months,
        [m.noshow_rate for m in view.months],
        [m.vacancy_rate for m in view.months],
    )
    # Aggregated, public and the same for everyone: shared caches may keep it an hour.
    headers = {**HTML_HEADERS, "Cache-Control": "public, max-age=3600"}
    return render("public/stats.html", extra_headers=headers, view=view, chart=chart, fmt=charts)
