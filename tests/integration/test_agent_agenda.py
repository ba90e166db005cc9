"""The agents' day through the pages (moto): the home (today, « À renseigner »), an
agent's day and week, the lieux and a lieu's day; scoped by the session's organisation,
with a constant number of DynamoDB requests per page."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

from chalicelib.domain.changes import create, set_status
from chalicelib.domain.models import (
    Agent,
    BookingChannel,
    CreatedBy,
    RdvStatus,
    Role,
)
from chalicelib.services import agent_auth
from chalicelib.services.booking import BookingRequest, Person, book_rdv
from chalicelib.services.write_path import propose, write
from tests import factories as f
from tests.integration.conftest import NOW

PASSWORD = "un mot de passe long"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


# --- signing in (as tests/integration/test_agent_auth.py) -------------------------------


@pytest.fixture
def clock(monkeypatch):
    from chalicelib.services import context

    state = {"now": NOW}
    monkeypatch.setattr(context, "now", lambda: state["now"])
    return state


@pytest.fixture
def agent(store, pilot):
    agent = replace(pilot.agents[0], password_hash=agent_auth.hash_password(PASSWORD))
    store.agents.save(agent)
    return agent


def sign_in(client, agent) -> str:
    answer = client.http.post(
        "/agents/connexion",
        headers=FORM,
        body=urlencode({"email": agent.email, "mot_de_passe": PASSWORD}),
    )
    assert answer.status_code == 303
    return answer.headers["Set-Cookie"].split(";")[0]


@pytest.fixture
def cookie(client, agent, clock):
    return sign_in(client, agent)


def get(client, cookie, path):
    answer = client.http.get(path, headers={"Cookie": cookie})
    assert answer.status_code == 200, (path, answer.status_code)
    return answer.body.decode()


# --- what a page shows ---------------------------------------------------------------------


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    """A Paris wall-clock time in November-December 2026 (UTC+1) as UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC) - timedelta(hours=1)


def text(html: str) -> str:
    """What a reader sees: tags out, entities and spaces tidied."""
    import html as html_module

    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section(html: str, heading_id: str) -> str:
    """From a heading to the next one of the same level."""
    start = html.index(f'id="{heading_id}"')
    end = html.find("<h2", start)
    return html[start : end if end > 0 else len(html)]


class _Grid(HTMLParser):
    """The agenda grid as a reader of the table sees it: (row header, column header) →
    the text of the cell over it, rowspans applied."""

    def __init__(self) -> None:
        super().__init__()
        self.in_grid = False
        self.columns: list[str] = []
        self.rows: list[str] = []
        self.cells: dict[tuple[int, int], str] = {}
        self.covered: dict[tuple[int, int], tuple[int, int]] = {}
        self.kinds: dict[tuple[int, int], str] = {}
        self.part: str | None = None
        self.buffer: list[str] = []
        self.row = -1
        self.col = 0
        self.current: tuple[int, int] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "grid" in (attrs.get("class") or ""):
            self.in_grid = True
        if not self.in_grid:
            return
        if tag in ("thead", "tbody"):
            self.part = tag
        elif tag == "tr" and self.part == "tbody":
            self.row += 1
            self.col = 0
        elif tag in ("th", "td"):
            self.buffer = []
            if self.part == "tbody" and tag == "td":
                while (self.row, self.col) in self.covered:
                    self.col += 1
                span = int(attrs.get("rowspan", 1))
                self.current = (self.row, self.col)
                self.kinds[self.current] = attrs.get("class", "")
                for extra in range(span):
                    self.covered[(self.row + extra, self.col)] = self.current
                self.col += 1

    def handle_endtag(self, tag):
        if not self.in_grid:
            return
        value = " ".join("".join(self.buffer).split())
        if tag == "table":
            self.in_grid = False
        elif tag == "th" and self.part == "thead":
            self.columns.append(value)
        elif tag == "th" and self.part == "tbody":
            self.rows.append(value)
        elif tag == "td" and self.current is not None:
            self.cells[self.current] = value
            self.current = None

    def handle_data(self, data):
        if self.in_grid:
            self.buffer.append(data)

    def at(self, row_label: str, column_start: str) -> str:
        """The cell over row `row_label` in the column whose header starts with it."""
        row = self.rows.index(row_label)
        col = next(i for i, c in enumerate(self.columns[1:]) if c.startswith(column_start))
        origin = self.covered[(row, col)]
        return self.cells[origin]

    def kind(self, row_label: str, column_start: str) -> str:
        row = self.rows.index(row_label)
        col = next(i for i, c in enumerate(self.columns[1:]) if c.startswith(column_start))
        return self.kinds[self.covered[(row, col)]]


def grid_of(html: str) -> _Grid:
    parser = _Grid()
    parser.feed(html)
    return parser


# --- rdvs written through the write path -----------------------------------------------------


def usager(store, id, first, last, organisation_id="org-1"):
    person = f.usager(id=id, first_name=first, last_name=last, organisation_id=organisation_id)
    store.usagers.save(person)
    return person


def agent_rdv(
    store,
    id,
    starts_at,
    usager_id,
    *,
    agent_id="agent-1",
    motif_id="m30",
    minutes=30,
    lieu_id="lieu-1",
    via=BookingChannel.PHONE,
    status=None,
    organisation_id="org-1",
):
    """A rdv an agent booked (by phone or at the desk), through the write path; then
    marked with `status` if given."""
    rdv = f.rdv(
        id=id,
        organisation_id=organisation_id,
        motif_id=motif_id,
        agent_id=agent_id,
        lieu_id=lieu_id,
        starts_at=starts_at,
        duration_minutes=minutes,
        usager_ids=(usager_id,),
        created_by=CreatedBy.AGENT,
        created_by_agent_id=agent_id,
        created_at=starts_at - timedelta(days=3),
        booked_via=via,
    )
    committed = write(store, lambda n: propose(store, create(rdv, agent_id), (), force=True), None)
    stored = committed.rdv
    if status is not None:
        change = set_status(stored, status, stored.ends_at, agent_id)
        stored = write(store, lambda n: propose(store, change, ()), None).rdv
    return stored


def online_rdv(store, pilot, starts_at, first="Léa", last="Moreau"):
    request = BookingRequest(
        organisation=pilot.organisation,
        motif=pilot.motif,
        lieu=pilot.lieu,
        starts_at=starts_at,
        contact=Person(first, last),
        child=None,
        phone="+33639980099",
        email=None,
        notify_sms=True,
        notify_email=False,
    )
    return book_rdv(store, request, NOW).rdv


TODAY = date(2026, 11, 23)  # NOW: Monday 23 November 2026, 9:00 in Paris


@pytest.fixture
def day_of_agent_1(store, pilot):
    """Agent 1's Monday 23 November (now: 9:00), and their past weeks."""
    usager(store, "u-amandine", "Amandine", "Dupont")
    usager(store, "u-kevin", "Kevin", "Leroy")
    usager(store, "u-ines", "Inès", "Lambert")
    usager(store, "u-yanis", "Yanis", "Hadj")
    rdvs = {
        # Today: one over already (8:00, not marked), one by phone, one booked online.
        "early": agent_rdv(store, "r-early", paris(TODAY, 8), "u-ines", via=BookingChannel.DESK),
        "call": agent_rdv(
            store,
            "r-call",
            paris(TODAY, 10),
            "u-kevin",
            motif_id="mtel",
            lieu_id=None,
            via=BookingChannel.PHONE,
        ),
        "online": online_rdv(store, pilot, paris(TODAY, 11)),
        # Past, still unknown: two of the last 8 weeks, one older (not listed).
        "last_week": agent_rdv(
            store, "r-last-week", paris(date(2026, 11, 16), 9, 30), "u-amandine"
        ),
        "weeks_ago": agent_rdv(store, "r-weeks-ago", paris(date(2026, 10, 5), 11), "u-yanis"),
        "too_old": agent_rdv(store, "r-too-old", paris(date(2026, 9, 14), 9), "u-kevin"),
        # Past and marked: not to mark.
        "seen": agent_rdv(
            store, "r-seen", paris(date(2026, 11, 18), 9), "u-kevin", status=RdvStatus.SEEN
        ),
        # Another agent's, unknown: not on agent 1's home.
        "other": agent_rdv(
            store, "r-other", paris(date(2026, 11, 17), 9), "u-kevin", agent_id="agent-2"
        ),
    }
    return rdvs


# --- the home ----------------------------------------------------------------------------------


def test_the_home_lists_todays_rdvs_in_order_with_how_they_were_booked(
    client, cookie, day_of_agent_1
):
    page = get(client, cookie, "/agents")
    today = section(page, "aujourdhui")
    assert "3 rendez-vous aujourd’hui" in text(today)
    rows = [text(r) for r in re.findall(r"<tr>\s*<td.*?</tr>", today, re.S)]
    assert len(rows) == 3
    assert rows[0].startswith("8h00–8h30") and "Inès Lambert" in rows[0]
    assert "MDS Test – site principal" in rows[0] and "À renseigner" in rows[0]
    assert rows[0].endswith("à l’accueil")
    assert rows[1].startswith("10h00–10h30") and "Kevin Leroy" in rows[1]
    assert "Entretien téléphonique" in rows[1] and "par téléphone À venir par téléphone" in rows[1]
    assert rows[2].startswith("11h00–11h30") and "Léa Moreau" in rows[2]
    assert "Consultation nourrisson" in rows[2] and rows[2].endswith("À venir en ligne")
    # Each rdv links to its page, each usager to their record.
    assert f'href="/agents/rdv/{day_of_agent_1["call"].id}"' in today
    assert 'href="/agents/usagers/u-kevin"' in today


def test_a_rdv_at_home_says_so(client, cookie, store, pilot):
    from chalicelib.domain.models import LocationType

    store.catalogue.save_motif(
        f.motif(id="mdom", name="Visite à domicile", location_type=LocationType.HOME)
    )
    usager(store, "u-home", "Jessica", "Vasseur")
    agent_rdv(store, "r-home", paris(TODAY, 14), "u-home", motif_id="mdom", lieu_id=None)
    row = text(section(get(client, cookie, "/agents"), "aujourdhui"))
    assert "Visite à domicile à domicile À venir par téléphone" in row


def test_a_to_mark_list_counts_the_past_unknown_rdvs_oldest_first(client, cookie, day_of_agent_1):
    page = get(client, cookie, "/agents")
    to_mark = section(page, "a-renseigner")
    assert "À renseigner (3)" in text(to_mark)
    assert "3 rendez-vous passés n’ont pas encore de statut" in text(to_mark)
    rows = [text(r) for r in re.findall(r"<tr>\s*<td.*?</tr>", to_mark, re.S)]
    assert [r.split(" ")[0:2] for r in rows] == [
        ["lun.", "05/10"],
        ["lun.", "16/11"],
        ["lun.", "23/11"],
    ]
    assert "Yanis Hadj" in rows[0] and "Amandine Dupont" in rows[1] and "Inès Lambert" in rows[2]
    listed = "".join(rows)
    # Not listed: marked, older than 8 weeks, upcoming, another agent's.
    assert "14/09" not in listed and "18/11" not in listed and "17/11" not in listed
    assert "Léa Moreau" not in listed
    assert f'href="/agents/rdv/{day_of_agent_1["last_week"].id}"' in to_mark


def test_marking_a_rdv_takes_it_off_the_list(client, cookie, store, day_of_agent_1, clock):
    stored = store.rdvs.get("r-weeks-ago")
    write(
        store,
        lambda n: propose(store, set_status(stored, RdvStatus.NOSHOW, NOW, "agent-1"), ()),
        None,
    )
    to_mark = text(section(get(client, cookie, "/agents"), "a-renseigner"))
    assert "À renseigner (2)" in to_mark and "Yanis Hadj" not in to_mark
    # Later in the day, the 10:00 call is over and joins the list.
    clock["now"] = NOW + timedelta(hours=1, minutes=30)
    assert "À renseigner (3)" in text(section(get(client, cookie, "/agents"), "a-renseigner"))


def test_an_agent_with_nothing_today_and_nothing_to_mark_is_told_so(client, cookie):
    page = text(get(client, cookie, "/agents"))
    assert "Bonjour Agent" in page
    assert "Vous n’avez aucun rendez-vous aujourd’hui." in page
    assert "À renseigner (0)" in page and "Tous vos rendez-vous passés sont renseignés" in page


# --- an agent's day and week ---------------------------------------------------------------


def test_the_day_view_shows_the_plage_shaded_and_the_rdvs_at_their_time(
    client, cookie, day_of_agent_1
):
    page = get(client, cookie, "/agents/agenda?jour=2026-11-23")
    assert "<h1>Mon agenda" in page and "Lundi 23 novembre 2026" in page
    grid = grid_of(page)
    assert grid.columns[1] == "Agent 1 9h00–12h00 · MDS Test – site principal"
    assert grid.rows[0] == "8h00" and grid.rows[-1] == "11h30"  # 8:00 to 12:00, half hours
    assert grid.kind("8h00", "Agent 1") == "rdvs outside"  # before the plage
    assert grid.at("8h00", "Agent 1").startswith("8h00–8h30 : rendez-vous de Inès Lambert")
    assert grid.kind("9h00", "Agent 1") == "plage" and grid.at("9h00", "Agent 1") == "Libre"
    call = grid.at("10h00", "Agent 1")
    assert "Kevin Leroy" in call and "Entretien téléphonique · par téléphone" in call
    assert "À venir pris par téléphone" in call
    assert "Léa Moreau" in grid.at("11h00", "Agent 1") and "pris en ligne" in grid.at(
        "11h00", "Agent 1"
    )
    assert "Consultation nourrisson · MDS Test – site principal" in grid.at("11h00", "Agent 1")
    nav = text(page[page.index('class="agenda-nav') :])
    assert "← Jour précédent" in nav and "Jour suivant →" in nav
    assert 'href="/agents/agenda?jour=2026-11-22"' in page
    assert 'href="/agents/agenda?jour=2026-11-24"' in page
    assert 'href="/agents/agenda?semaine=2026-11-23"' in page


def test_a_time_forced_over_another_rdv_shares_its_cell(client, cookie, store, pilot):
    usager(store, "u-amandine", "Amandine", "Dupont")
    usager(store, "u-kevin", "Kevin", "Leroy")
    tuesday = date(2026, 12, 1)
    agent_rdv(store, "r-first", paris(tuesday, 9), "u-amandine", motif_id="m45", minutes=45)
    agent_rdv(store, "r-forced", paris(tuesday, 9, 30), "u-kevin")  # over the first one
    grid = grid_of(get(client, cookie, "/agents/agenda?jour=2026-12-01"))
    both = grid.at("9h00", "Agent 1")
    assert both.index("Amandine Dupont") < both.index("Kevin Leroy")
    assert grid.at("9h45", "Agent 1") == both  # one cell, from 9:00 to 10:00
    assert grid.at("10h00", "Agent 1") == "Libre"


def test_the_day_view_is_today_by_default(client, cookie, day_of_agent_1):
    page = get(client, cookie, "/agents/agenda")
    assert "Lundi 23 novembre 2026" in page and "Léa Moreau" in page


@pytest.fixture
def week_of_agent_1(store, pilot):
    usager(store, "u-amandine", "Amandine", "Dupont")
    usager(store, "u-kevin", "Kevin", "Leroy")
    store.planning.save_absence(
        f.absence(
            id="formation",
            first_day=date(2026, 12, 2),
            end_day=date(2026, 12, 2),
            start_time=time(10),
            end_time=time(11),
            title="Formation",
        )
    )
    tuesday = agent_rdv(
        store,
        "r-tuesday",
        paris(date(2026, 12, 1), 9),
        "u-amandine",
        motif_id="m45",
        minutes=45,
        via=BookingChannel.DESK,
    )
    cancelled = agent_rdv(
        store, "r-cancelled", paris(date(2026, 12, 3), 10), "u-kevin", status=RdvStatus.EXCUSED
    )
    return tuesday, cancelled


def test_the_week_view_shows_plages_an_absence_and_rdvs_day_by_day(client, cookie, week_of_agent_1):
    page = get(client, cookie, "/agents/agenda?semaine=2026-12-02")  # any day of the week
    assert "Semaine du lundi 30 novembre 2026" in page
    grid = grid_of(page)
    assert [c.split(" 9h00")[0] for c in grid.columns[1:]] == [
        "lundi 30 novembre",
        "mardi 1er décembre",
        "mercredi 2 décembre",
        "jeudi 3 décembre",
        "vendredi 4 décembre",
    ]  # no weekend: nothing happens on it
    assert all(c.endswith("9h00–12h00 · MDS Test – site principal") for c in grid.columns[1:])
    # Quarter hours: the 45-minute rdv ends at 9:45.
    assert grid.rows[:4] == ["9h00", "9h15", "9h30", "9h45"]
    tuesday = grid.at("9h15", "mardi")
    assert tuesday.startswith("9h00–9h45") and "Amandine Dupont" in tuesday
    assert "Bilan de santé 4 ans" in tuesday and "pris à l’accueil" in tuesday
    assert grid.at("9h45", "mardi") == "Libre"
    assert grid.kind("10h15", "mercredi") == "absence"
    assert grid.at("10h15", "mercredi") == "Absence : Formation"
    assert grid.kind("11h00", "mercredi") == "plage"
    # A cancelled rdv frees its time: listed under the grid, not in it.
    assert grid.kind("10h00", "jeudi") == "plage"
    cancelled = text(page[page.index("<h2>Rendez-vous annulés") :])
    assert "Kevin Leroy" in cancelled and "Annulé par l’usager" in cancelled
    assert "Mercredi 2 décembre 2026, de 10h00 à 11h00 : Formation" in text(page)
    assert 'href="/agents/agenda?semaine=2026-11-23"' in page  # previous week
    assert 'href="/agents/agenda?semaine=2026-12-07"' in page  # next week
    assert 'href="/agents/agenda?jour=2026-12-01"' in page  # a day's own view


def test_a_public_holiday_closes_the_plages(client, cookie):
    page = get(client, cookie, "/agents/agenda?jour=2026-12-25")  # Christmas, a Friday
    assert "Jour férié" in page
    assert "Aucune plage d’ouverture ni aucun rendez-vous ce jour-là." in page


def test_another_agent_of_the_organisation_can_be_shown(client, cookie, day_of_agent_1):
    page = get(client, cookie, "/agents/agenda?jour=2026-11-17&agent=agent-2")
    assert "<h1>Agenda de Agent 2" in page
    assert "Kevin Leroy" in grid_of(page).at("9h00", "Agent 2")
    # Its links keep to that agent.
    assert 'href="/agents/agenda?jour=2026-11-18&amp;agent=agent-2"' in page
    assert '<option value="agent-2" selected>' in page


def test_an_unreadable_day_is_not_found(client, cookie):
    answer = client.http.get("/agents/agenda?jour=2026-13-45", headers={"Cookie": cookie})
    assert answer.status_code == 404 and "date n’est pas valable" in answer.body.decode()


# --- the lieux and a lieu's day ------------------------------------------------------------------


def test_the_lieux_of_the_organisation_are_listed(client, cookie, other_organisation):
    page = get(client, cookie, "/agents/lieux")
    assert "MDS Test – site principal" in page
    assert 'href="/agents/lieux/lieu-1?jour=2026-11-23"' in page
    assert "Ailleurs" not in page


def test_an_archived_lieu_leaves_the_list_but_its_days_stay_open(client, cookie, store):
    lieu = store.catalogue.get_lieu("lieu-1")
    store.catalogue.save_lieu(replace(lieu, archived_at=datetime(2026, 11, 1, tzinfo=UTC)))
    assert "/agents/lieux/lieu-1" not in get(client, cookie, "/agents/lieux")
    assert "MDS Test – site principal" in get(client, cookie, "/agents/lieux/lieu-1")


def test_a_lieus_day_puts_its_agents_side_by_side(client, cookie, store, pilot):
    usager(store, "u-amandine", "Amandine", "Dupont")
    usager(store, "u-kevin", "Kevin", "Leroy")
    usager(store, "u-ines", "Inès", "Lambert")
    tuesday = date(2026, 12, 1)
    agent_rdv(store, "r-a1", paris(tuesday, 9), "u-amandine")
    agent_rdv(
        store,
        "r-a2",
        paris(tuesday, 10, 30),
        "u-kevin",
        agent_id="agent-2",
        via=BookingChannel.ONLINE,
    )
    agent_rdv(
        store,
        "r-a2-call",
        paris(tuesday, 9),
        "u-ines",
        agent_id="agent-2",
        motif_id="mtel",
        lieu_id=None,
    )
    store.planning.save_absence(
        f.absence(
            id="a2-off",
            agent_id="agent-2",
            first_day=tuesday,
            end_day=tuesday,
            start_time=time(11),
            end_time=time(12),
            title="Réunion",
        )
    )
    page = get(client, cookie, "/agents/lieux/lieu-1?jour=2026-12-01")
    assert "<h1>MDS Test – site principal" in page and "Mardi 1er décembre 2026" in page
    assert "3 rendez-vous" in text(page)
    grid = grid_of(page)
    assert [c.split(" ")[0:2] for c in grid.columns[1:]] == [["Agent", "1"], ["Agent", "2"]]
    assert grid.rows[0] == "9h00" and grid.rows[-1] == "11h30"
    first = grid.at("9h00", "Agent 1")
    assert "Amandine Dupont" in first and "MDS Test" not in first  # the lieu goes without saying
    assert "Inès Lambert" in grid.at("9h00", "Agent 2")
    assert "Entretien téléphonique · par téléphone" in grid.at("9h00", "Agent 2")
    assert grid.at("9h30", "Agent 1") == "Libre" and grid.kind("9h30", "Agent 2") == "plage"
    assert "Kevin Leroy" in grid.at("10h30", "Agent 2")
    assert "pris en ligne" in grid.at("10h30", "Agent 2")
    assert grid.at("11h00", "Agent 2") == "Absence : Réunion"
    assert grid.kind("11h00", "Agent 1") == "plage"
    # The week's days, with their rdvs at the lieu, to go to the busiest.
    assert 'data-rdvs="3">mar. 01/12' in page and 'data-rdvs="0">lun. 30/11' in page
    assert "@media print" in page


def test_a_call_during_a_permanence_elsewhere_belongs_to_that_lieus_day(
    client, cookie, store, pilot
):
    store.catalogue.save_lieu(f.lieu(id="lieu-b", name="Permanence du Beau-Marais"))
    store.planning.save_plage(
        f.plage(
            id="plage-2-b",
            agent_id="agent-2",
            lieu_id="lieu-b",
            motif_ids=("mtel",),
            first_day=date(2026, 12, 1),
            start_time=time(14),
            end_time=time(17),
            recurrence=None,
        )
    )
    usager(store, "u-ines", "Inès", "Lambert")
    agent_rdv(store, "r-call", paris(date(2026, 12, 1), 15), "u-ines", agent_id="agent-2",
              motif_id="mtel", lieu_id=None)  # fmt: skip
    main = get(client, cookie, "/agents/lieux/lieu-1?jour=2026-12-01")
    assert "Inès Lambert" not in main and 'data-rdvs="0">mar. 01/12' in main
    elsewhere = grid_of(get(client, cookie, "/agents/lieux/lieu-b?jour=2026-12-01"))
    assert [c.split(" 14h00")[0] for c in elsewhere.columns[1:]] == ["Agent 2"]
    assert "Inès Lambert" in elsewhere.at("15h00", "Agent 2")
    assert elsewhere.kind("15h00", "Agent 2") == "rdvs"  # within the plage


def test_an_agent_with_a_rdv_at_the_lieu_but_no_plage_there_has_a_column(
    client, cookie, store, pilot
):
    store.planning.delete_plage("plage-2")
    usager(store, "u-kevin", "Kevin", "Leroy")
    agent_rdv(store, "r-forced", paris(date(2026, 12, 1), 14), "u-kevin", agent_id="agent-2")
    grid = grid_of(get(client, cookie, "/agents/lieux/lieu-1?jour=2026-12-01"))
    assert [c.split(" ")[1] for c in grid.columns[1:]] == ["1", "2"]
    assert grid.kind("14h00", "Agent 2") == "rdvs outside"
    assert "Hors plage" in grid.at("14h00", "Agent 2")


def test_a_day_without_plages_at_the_lieu_says_so(client, cookie):
    page = get(client, cookie, "/agents/lieux/lieu-1?jour=2026-12-05")  # a Saturday
    assert "Aucune plage d’ouverture ni aucun rendez-vous dans ce lieu ce jour-là." in page


# --- scoping ----------------------------------------------------------------------------------


@pytest.fixture
def other_organisation(store):
    store.catalogue.save_organisation(f.organisation(id="org-2", name="MDS Ailleurs"))
    store.catalogue.save_lieu(f.lieu(id="lieu-2", organisation_id="org-2", name="Ailleurs"))
    store.agents.save(
        Agent(
            id="agent-9",
            email="a9@example.fr",
            first_name="Agent",
            last_name="9",
            roles={"org-2": Role.AGENT},
        )
    )
    store.planning.save_plage(
        f.plage(id="plage-9", agent_id="agent-9", organisation_id="org-2", lieu_id="lieu-2")
    )
    usager(store, "u-secret", "Secret", "Ailleurs", organisation_id="org-2")
    agent_rdv(
        store,
        "r-secret",
        paris(TODAY, 9),
        "u-secret",
        agent_id="agent-9",
        lieu_id="lieu-2",
        organisation_id="org-2",
    )


@pytest.mark.parametrize(
    "path",
    [
        "/agents/lieux/lieu-2",
        "/agents/lieux/lieu-2?jour=2026-11-23",
        "/agents/agenda?agent=agent-9",
        "/agents/agenda?semaine=2026-11-23&agent=agent-9",
        "/agents/lieux/nowhere",
        "/agents/agenda?agent=nobody",
    ],
)
def test_another_organisations_lieu_or_agent_is_not_found(client, cookie, other_organisation, path):
    answer = client.http.get(path, headers={"Cookie": cookie})
    assert answer.status_code == 404
    assert "Secret" not in answer.body.decode()


def test_an_agent_of_two_organisations_sees_only_the_current_ones(
    client, cookie, store, agent, other_organisation
):
    store.agents.save(replace(agent, roles={"org-1": Role.AGENT, "org-2": Role.AGENT}))
    store.planning.save_plage(
        f.plage(
            id="plage-1-elsewhere",
            agent_id="agent-1",
            organisation_id="org-2",
            lieu_id="lieu-2",
            start_time=time(14),
            end_time=time(17),
        )
    )
    agent_rdv(
        store,
        "r-elsewhere",
        paris(TODAY, 15),
        "u-secret",
        agent_id="agent-1",
        lieu_id="lieu-2",
        organisation_id="org-2",
    )
    page = get(client, cookie, "/agents/agenda?jour=2026-11-23")
    assert "Secret" not in page and "14h00–17h00" not in page
    assert "Secret" not in get(client, cookie, "/agents")


@pytest.mark.parametrize(
    "path", ["/agents", "/agents/agenda?jour=2026-12-01", "/agents/lieux", "/agents/lieux/lieu-1"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, pilot, clock, path):
    answer = client.http.get(path)
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/agents/connexion?suite=")


# --- DynamoDB requests per page ----------------------------------------------------------------


class Requests:
    def __init__(self):
        from chalicelib.store.connection import shared_connection

        self.calls: Counter[str] = Counter()
        shared_connection().client.meta.events.register("before-call.dynamodb.*", self._count)

    def _count(self, model, **_kwargs):
        self.calls[model.name] += 1

    def of(self, client, cookie, path) -> Counter[str]:
        get(client, cookie, path)  # warms the catalogue cache
        self.calls.clear()
        get(client, cookie, path)
        return Counter(self.calls)


def more_rdvs(store, first, count):
    for n in range(first, first + count):
        usager(store, f"u-more-{n}", "Prénom", f"Nom{n}")
        agent_id = "agent-1" if n % 2 else "agent-2"
        agent_rdv(
            store,
            f"r-more-{n}",
            paris(date(2026, 12, 1), 9) + timedelta(minutes=30 * (n // 2)),
            f"u-more-{n}",
            agent_id=agent_id,
        )


@pytest.mark.parametrize(
    "path",
    [
        "/agents",
        "/agents/agenda?jour=2026-12-01",
        "/agents/agenda?semaine=2026-12-01",
        "/agents/lieux/lieu-1?jour=2026-12-01",
    ],
)
def test_a_page_makes_as_many_requests_for_many_rdvs_as_for_a_few(
    client, agent, store, path, clock
):
    clock["now"] = datetime(2026, 12, 1, 17, tzinfo=UTC)  # the rdvs are today's, and past
    cookie = sign_in(client, agent)
    counter = Requests()
    more_rdvs(store, 0, 2)
    few = counter.of(client, cookie, path)
    more_rdvs(store, 2, 12)
    many = counter.of(client, cookie, path)
    assert few == many
    assert "Scan" not in many
    # Besides the session's reads: a Query per kind (rdvs, plages, absences, members),
    # a BatchGet of the agents and one of the usagers; the catalogue is cached.
    assert many["Query"] <= 4 and many["BatchGetItem"] <= 2
