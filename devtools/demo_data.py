"""Demo data: Pas-de-Calais and the two pilot MDS (Calais II, Nœux-les-Mines).

Deterministic: identifiers are derived from names, the pseudo-random choices use a
fixed seed, and dates are relative to the given day. Idempotent: catalogue, agents,
plages and usagers are written with a put; rdvs go through the write path's unit of
work (agent-days, counters, reminders) once, and are skipped when they exist.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.changes import BY_USAGER, RdvChange, create, set_status, write_set
from chalicelib.domain.models import (
    Absence,
    Agent,
    CreatedBy,
    Lieu,
    LocationType,
    Motif,
    Organisation,
    PlageOuverture,
    Rdv,
    RdvStatus,
    Recurrence,
    Role,
    Service,
    StatusChange,
    Territoire,
    Usager,
)
from chalicelib.services.agent_auth import hash_password
from chalicelib.store import Store
from devtools.demo_history import history_rdvs, load_history, plage_rdv

PARIS = ZoneInfo("Europe/Paris")
NAMESPACE = uuid.UUID("5b0c1d6e-6a62-4e62-8062-000000000062")

DEMO_AGENT_EMAIL = "claire.lefebvre@demo.rdv-solidarites.fr"
DEMO_AGENT_PASSWORD = "demo-rdv-62"  # demo data only, printed by `make run`

# Weeks of plages before and after the week of `today`; rdvs of the PAST_WEEKS go
# through the write path, older ones (HISTORY_WEEKS back) are bulk-loaded with the
# counters they make (devtools/demo_history.py).
PAST_WEEKS = 8
FUTURE_WEEKS = 12
HISTORY_WEEKS = 52


def demo_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


@dataclass(frozen=True)
class DemoSummary:
    organisations: int
    agents: int
    plages: int
    absences: int
    usagers: int
    rdvs: int
    agent_email: str
    agent_password: str
    # One login per MDS (an agent) and an admin, for `make run`'s banner.
    logins: tuple[tuple[str, str], ...] = ()


def load_demo_data(store: Store, today: date) -> DemoSummary:
    territoire = Territoire(id="pas-de-calais", name="Pas-de-Calais", departement_number="62")
    store.catalogue.save_territoire(territoire)

    pmi = Service(id="pmi", territoire_id=territoire.id, name="PMI", short_name="PMI")
    social = Service(
        id="service-social", territoire_id=territoire.id, name="Service social", short_name="SSL"
    )
    for service in (pmi, social):
        store.catalogue.save_service(service)

    organisations = [
        Organisation(
            id="mds-calais-2",
            territoire_id=territoire.id,
            name="MDS Calais II",
            phone="03 21 00 62 10",
            address="4 rue de la Solidarité, 62100 Calais",
            email="mds-calais2@demo.rdv-solidarites.fr",
            postal_codes=("62100", "62231"),
            communes=("Calais", "Coquelles", "Sangatte"),
        ),
        Organisation(
            id="mds-noeux-les-mines",
            territoire_id=territoire.id,
            name="MDS Nœux-les-Mines",
            phone="03 21 00 62 29",
            address="12 avenue de la Mine, 62290 Nœux-les-Mines",
            email="mds-noeux@demo.rdv-solidarites.fr",
            postal_codes=("62290", "62670"),
            communes=("Nœux-les-Mines", "Mazingarbe"),
        ),
    ]
    lieux = {
        "mds-calais-2": [
            Lieu(
                id="lieu-calais-2-principal",
                organisation_id="mds-calais-2",
                name="MDS Calais II – site principal",
                address="4 rue de la Solidarité, 62100 Calais",
                phone="03 21 00 62 10",
                opening_info="Du lundi au vendredi, 8h30–12h et 13h30–17h",
            ),
            Lieu(
                id="lieu-calais-2-beau-marais",
                organisation_id="mds-calais-2",
                name="Permanence du Beau-Marais",
                address="Centre social du Beau-Marais, 1 place des Tilleuls, 62100 Calais",
                phone="03 21 00 62 11",
                opening_info="Mardi et jeudi",
            ),
        ],
        "mds-noeux-les-mines": [
            Lieu(
                id="lieu-noeux-principal",
                organisation_id="mds-noeux-les-mines",
                name="MDS Nœux-les-Mines – site principal",
                address="12 avenue de la Mine, 62290 Nœux-les-Mines",
                phone="03 21 00 62 29",
                opening_info="Du lundi au vendredi, 8h30–12h et 13h30–17h",
            ),
        ],
    }

    summary = defaultdict(int)
    loaded_at = datetime.now(UTC)
    usager_count = 0
    rdv_count = 0
    histories: list[list[Rdv]] = []
    password_hash = hash_password(DEMO_AGENT_PASSWORD)
    for number, organisation in enumerate(organisations):
        store.catalogue.save_organisation(organisation)
        for lieu in lieux[organisation.id]:
            store.catalogue.save_lieu(lieu)
        motifs = _motifs(organisation.id, pmi.id, social.id)
        for motif in motifs.values():
            store.catalogue.save_motif(motif)
        agents = _agents(organisation.id, pmi.id, social.id, number, password_hash)
        for agent in agents:
            store.agents.save(agent)
        plages = _plages(organisation.id, agents, motifs, lieux[organisation.id], today)
        for plage in plages:
            store.planning.save_plage(plage)
        absences = _absences(organisation.id, agents, today)
        for absence in absences:
            store.planning.save_absence(absence)
        usagers = _usagers(organisation.id, number, today)
        for usager in usagers:
            store.usagers.save(usager)
        rdvs = _rdvs(motifs, plages, absences, usagers, today, seed=62 + number)
        for rdv in rdvs:
            _record(store, rdv, motifs, loaded_at)
        # Loaded once every write-path rdv is in: moto copies a table for each item of a
        # transaction, so transactions made before the bulk rows stay cheap.
        histories.append(history_rdvs(motifs, plages, usagers, today, seed=6200 + number))
        summary["agents"] += len(agents)
        summary["plages"] += len(plages)
        summary["absences"] += len(absences)
        usager_count += len(usagers)
        rdv_count += len(rdvs)
    for history in histories:
        load_history(store, history, PARIS)
        rdv_count += len(history)

    return DemoSummary(
        organisations=len(organisations),
        agents=summary["agents"],
        plages=summary["plages"],
        absences=summary["absences"],
        usagers=usager_count,
        rdvs=rdv_count,
        agent_email=DEMO_AGENT_EMAIL,
        agent_password=DEMO_AGENT_PASSWORD,
        logins=(
            ("agent, MDS Calais II", "marc.dubois@demo.rdv-solidarites.fr"),
            ("agent, MDS Nœux-les-Mines", "isabelle.petit@demo.rdv-solidarites.fr"),
            ("admin, MDS Calais II", DEMO_AGENT_EMAIL),
        ),
    )


def _motifs(organisation_id: str, pmi_id: str, social_id: str) -> dict[str, Motif]:
    def motif(key: str, service_id: str, name: str, minutes: int, **options) -> Motif:
        return Motif(
            id=f"{organisation_id}-{key}",
            organisation_id=organisation_id,
            service_id=service_id,
            name=name,
            duration_minutes=minutes,
            **options,
        )

    motifs = [
        motif(
            "consultation-nourrisson",
            pmi_id,
            "Consultation nourrisson",
            30,
            instructions="Apportez le carnet de santé de l’enfant.",
            color="#1e6bb8",
        ),
        motif(
            "bilan-4-ans",
            pmi_id,
            "Bilan de santé 4 ans",
            45,
            instructions="Apportez le carnet de santé et les lunettes de l’enfant s’il en porte.",
            color="#18753c",
        ),
        motif(
            "visite-domicile-puericultrice",
            pmi_id,
            "Visite à domicile de la puéricultrice",
            60,
            location_type=LocationType.HOME,
            min_booking_delay_minutes=24 * 60,
            color="#7b3f9e",
        ),
        motif(
            "premier-rdv-as",
            social_id,
            "Premier rendez-vous avec une assistante sociale",
            45,
            instructions=(
                "Apportez une pièce d’identité et vos derniers justificatifs de ressources."
            ),
            color="#a94400",
        ),
        motif(
            "entretien-telephonique",
            social_id,
            "Entretien téléphonique",
            30,
            location_type=LocationType.PHONE,
            color="#6a4c00",
        ),
        motif(
            "suivi-as",
            social_id,
            "Suivi avec votre assistante sociale",
            45,
            bookable_online=False,
            color="#a10f5b",
        ),
    ]
    return {m.id.removeprefix(f"{organisation_id}-"): m for m in motifs}


def _agents(
    organisation_id: str, pmi_id: str, social_id: str, number: int, password_hash: str
) -> list[Agent]:
    people = [
        [
            ("Claire", "Lefebvre", pmi_id, Role.ADMIN),
            ("Marc", "Dubois", pmi_id, Role.AGENT),
            ("Sophie", "Martin", social_id, Role.AGENT),
            ("Julie", "Caron", social_id, Role.AGENT),
        ],
        [
            ("Nathalie", "Lemaire", pmi_id, Role.ADMIN),
            ("Isabelle", "Petit", pmi_id, Role.AGENT),
            ("Karim", "Benali", social_id, Role.AGENT),
        ],
    ][number]
    agents = []
    for first, last, service_id, role in people:
        email = f"{first.lower()}.{last.lower()}@demo.rdv-solidarites.fr"
        agents.append(
            Agent(
                id=demo_id("agent", email),
                email=email,
                first_name=first,
                last_name=last,
                roles={organisation_id: role},
                service_id=service_id,
                password_hash=password_hash,
            )
        )
    return agents


def _plages(
    organisation_id: str,
    agents: list[Agent],
    motifs: dict[str, Motif],
    lieux: list[Lieu],
    today: date,
) -> list[PlageOuverture]:
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=HISTORY_WEEKS)
    until = monday + timedelta(weeks=FUTURE_WEEKS) - timedelta(days=1)
    pmi = tuple(
        motifs[k].id
        for k in ("consultation-nourrisson", "bilan-4-ans", "visite-domicile-puericultrice")
    )
    social = tuple(motifs[k].id for k in ("premier-rdv-as", "entretien-telephonique", "suivi-as"))
    main = lieux[0]
    other = lieux[-1]
    plages = []

    # What agents read on the plages list (the key names the demo id).
    plage_titles = {"matin": "Matin", "apres-midi": "Après-midi", "permanence": "Permanence"}

    def plage(agent: Agent, key: str, lieu: Lieu, motif_ids, start, end, weekdays, every=1):
        plages.append(
            PlageOuverture(
                id=demo_id("plage", agent.id, key),
                agent_id=agent.id,
                organisation_id=organisation_id,
                lieu_id=lieu.id,
                motif_ids=motif_ids,
                first_day=first,
                start_time=start,
                end_time=end,
                recurrence=Recurrence.weekly(weekdays, every=every, until=until),
                title=plage_titles[key],
            )
        )

    for index, agent in enumerate(agents):
        motif_ids = pmi if agent.service_id == "pmi" else social
        if index % 2 == 0:
            plage(agent, "matin", main, motif_ids, time(9), time(12), (0, 1, 3))
            plage(agent, "apres-midi", main, motif_ids, time(13, 30), time(16, 30), (0, 3))
            plage(agent, "permanence", other, motif_ids, time(9), time(12), (4,), every=2)
        else:
            plage(agent, "matin", main, motif_ids, time(8, 30), time(12), (1, 2, 4))
            plage(agent, "apres-midi", other, motif_ids, time(14), time(17), (1, 3))
    return plages


def _absences(organisation_id: str, agents: list[Agent], today: date) -> list[Absence]:
    monday = today - timedelta(days=today.weekday())
    absences = []
    for index, agent in enumerate(agents):
        day_off = monday + timedelta(weeks=2 + index % 3, days=index % 5)
        absences.append(
            Absence(
                id=demo_id("absence", agent.id, "conge"),
                agent_id=agent.id,
                organisation_id=organisation_id,
                first_day=day_off,
                start_time=time(0),
                end_day=day_off + timedelta(days=1),
                end_time=time(0),
                title="Congé",
            )
        )
        if index % 2 == 0:
            absences.append(
                Absence(
                    id=demo_id("absence", agent.id, "reunion"),
                    agent_id=agent.id,
                    organisation_id=organisation_id,
                    first_day=monday,
                    start_time=time(14),
                    end_day=monday,
                    end_time=time(16),
                    recurrence=Recurrence.weekly((0,), every=4),
                    title="Réunion d’équipe",
                )
            )
    return absences


FIRST_NAMES = (
    "Amandine", "Kevin", "Laetitia", "Mohamed", "Jessica", "Dylan", "Sarah", "Anthony",
    "Mélanie", "Yanis", "Aurélie", "Nicolas", "Inès", "Jordan", "Émilie", "Rayan",
)  # fmt: skip
LAST_NAMES = (
    "Lefebvre", "Dupont", "Leroy", "Lambert", "Delattre", "Boulanger", "Vasseur", "Hadj",
    "Duhamel", "Lecocq", "Bertin", "Fournier", "Carpentier", "Delbecque", "Mahieu", "Wallet",
)  # fmt: skip


def _usagers(organisation_id: str, number: int, today: date) -> list[Usager]:
    rng = random.Random(620 + number)
    created = datetime(today.year, today.month, today.day, tzinfo=UTC) - timedelta(
        weeks=HISTORY_WEEKS + 4
    )
    usagers = []
    for index in range(24):
        first = FIRST_NAMES[(index + number) % len(FIRST_NAMES)]
        last = LAST_NAMES[(index * 7 + number) % len(LAST_NAMES)]
        # ARCEP keeps 06 39 98 xx xx for fiction: no real person gets these texts.
        phone = f"+3363998{number}{index:03d}"
        parent = Usager(
            id=demo_id("usager", organisation_id, str(index)),
            organisation_id=organisation_id,
            first_name=first,
            last_name=last,
            birth_date=date(1985 + rng.randrange(15), rng.randrange(1, 13), rng.randrange(1, 28)),
            phone=phone,
            email=f"{first.lower()}.{last.lower()}{index}@example.org" if index % 3 else None,
            created_at=created,
        )
        usagers.append(parent)
        if index % 4 == 0:
            usagers.append(
                Usager(
                    id=demo_id("usager", organisation_id, str(index), "enfant"),
                    organisation_id=organisation_id,
                    first_name=FIRST_NAMES[(index + 5) % len(FIRST_NAMES)],
                    last_name=last,
                    birth_date=today - timedelta(days=rng.randrange(60, 4 * 365)),
                    responsable_id=parent.id,
                    created_at=created,
                )
            )
    return usagers


def _rdvs(
    motifs: dict[str, Motif],
    plages: list[PlageOuverture],
    absences: list[Absence],
    usagers: list[Usager],
    today: date,
    seed: int,
) -> list[Rdv]:
    """Past rdvs with their outcomes (but each agent's last few), and a few upcoming
    ones, on free plage times."""
    from chalicelib.domain.recurrence import occurrence_days

    rng = random.Random(seed)
    monday = today - timedelta(days=today.weekday())
    start_day = monday - timedelta(weeks=PAST_WEEKS)
    end_day = monday + timedelta(weeks=3)
    absent = {(a.agent_id, a.first_day) for a in absences if a.recurrence is None}
    busy: dict[tuple[str, date], list[tuple[datetime, datetime]]] = defaultdict(list)
    adults = [u for u in usagers if u.responsable_id is None]
    children = [u for u in usagers if u.responsable_id is not None]
    by_id = {m.id: m for m in motifs.values()}
    now = datetime.combine(today, time(12), tzinfo=PARIS).astimezone(UTC)
    rdvs = []
    for plage in plages:
        for day in occurrence_days(plage.first_day, plage.recurrence, start_day, end_day):
            if (plage.agent_id, day) in absent or rng.random() < 0.4:
                continue
            motif = by_id[rng.choice(plage.motif_ids)]
            starts = datetime.combine(day, plage.start_time, tzinfo=PARIS)
            starts += timedelta(minutes=motif.duration_minutes * rng.randrange(3))
            ends = starts + motif.duration
            if ends.time() > plage.end_time:
                continue
            spans = busy[(plage.agent_id, day)]
            if any(s < ends and starts < e for s, e in spans):
                continue
            spans.append((starts, ends))
            starts_utc = starts.astimezone(UTC)
            child = motif.service_id == "pmi" and children
            usager = rng.choice(children if child else adults)
            created_at = starts_utc - timedelta(days=rng.randrange(2, 20))
            history: tuple[StatusChange, ...] = ()
            status = RdvStatus.UNKNOWN
            if starts_utc < now:
                status = rng.choices(
                    (RdvStatus.SEEN, RdvStatus.NOSHOW, RdvStatus.EXCUSED, RdvStatus.REVOKED),
                    weights=(75, 12, 9, 4),
                )[0]
                history = (StatusChange(status, starts_utc + motif.duration),)
            online = rng.random() < 0.5
            # Most rdvs booked two days ahead or more got their reminder.
            reminded = starts_utc < now and created_at <= starts_utc - timedelta(days=2)
            reminded_at = (
                starts_utc - timedelta(days=1) if reminded and rng.random() < 0.85 else None
            )
            rdvs.append(
                plage_rdv(
                    demo_id("rdv", plage.id, day.isoformat(), starts.time().isoformat()),
                    plage,
                    motif,
                    starts_utc,
                    usager,
                    online,
                    created_at=created_at,
                    status=status,
                    status_history=history,
                    reminded_at=reminded_at,
                )
            )
    return _left_to_mark(rdvs, datetime.combine(today, time(0), tzinfo=PARIS))


def _left_to_mark(rdvs: list[Rdv], midnight: datetime, per_agent: int = 3) -> list[Rdv]:
    """Each agent's last rdvs before today stay `unknown`, as if not marked yet: the
    home's « À renseigner » shows them whatever the weekday the demo is loaded on."""
    past: dict[str, list[Rdv]] = defaultdict(list)
    for rdv in rdvs:
        if rdv.ends_at <= midnight:
            past[rdv.agent_id].append(rdv)
    unmarked = {
        r.id for agent_rdvs in past.values() for r in sorted(agent_rdvs, key=_start)[-per_agent:]
    }
    return [
        replace(r, status=RdvStatus.UNKNOWN, status_history=()) if r.id in unmarked else r
        for r in rdvs
    ]


def _start(rdv: Rdv) -> datetime:
    return rdv.starts_at


def _record(store: Store, rdv: Rdv, motifs: dict[str, Motif], loaded_at: datetime) -> None:
    """Write a demo rdv through the write path's unit of work, as it would have been
    made: booked as `unknown`, then marked with its outcome. So its agent's day holds
    its time and the counters follow the same rules as the use cases'. Skipped when it
    exists (loading twice changes nothing). No notification is queued: this is history,
    not news; reminders are planned from the loading time on."""
    if store.rdvs.get(rdv.id) is not None:
        return
    offsets = next(m for m in motifs.values() if m.id == rdv.motif_id).reminder_offsets_minutes
    by = BY_USAGER if rdv.created_by is CreatedBy.USAGER else (rdv.created_by_agent_id or "")
    booked = replace(rdv, status=RdvStatus.UNKNOWN, status_history=())
    stored = _commit(store, replace(create(booked, by), at=loaded_at), offsets)
    if rdv.status is not RdvStatus.UNKNOWN:
        [outcome] = rdv.status_history
        _commit(store, set_status(stored, rdv.status, outcome.at, rdv.agent_id), offsets)


def _commit(store: Store, change: RdvChange, offsets: tuple[int, ...]) -> Rdv:
    days = store.rdv_writes.read_days(change.days(PARIS))
    writes = write_set(change, days, offsets, PARIS)
    store.rdv_writes.commit(writes)
    return writes.rdv
