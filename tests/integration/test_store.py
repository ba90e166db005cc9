"""Every repository against moto: write, read back, and each access pattern of
chalicelib/store/README.md, including results spread over several pages."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from chalicelib.domain.models import (
    Agent,
    AgentSession,
    Channel,
    NotificationEvent,
    NotificationReceipt,
    RdvStatus,
    ReceiptOutcome,
    Recurrence,
    Reminder,
    Role,
    Service,
    StatusChange,
    Territoire,
    WaitingListEntry,
    receipt_key,
)
from chalicelib.domain.statistics import motif_scope, organisation_scope
from chalicelib.store.models import RdvModel
from tests import factories as f

UTC = UTC


def test_territoire_and_services_are_read_back(store):
    store.catalogue.save_territoire(
        Territoire(id="t-62", name="Pas-de-Calais", departement_number="62")
    )
    store.catalogue.save_service(
        Service(id="pmi", territoire_id="t-62", name="PMI", short_name="PMI")
    )
    store.catalogue.save_service(
        Service(id="ss", territoire_id="t-62", name="Service social", short_name="SSL")
    )
    assert store.catalogue.get_territoire("t-62").retention_days == 730
    assert [s.name for s in store.catalogue.services_of_territoire("t-62")] == [
        "PMI",
        "Service social",
    ]
    assert store.catalogue.get_service("missing") is None


def test_organisations_serving_a_postal_code_or_a_commune(store):
    store.catalogue.save_organisation(f.organisation())
    store.catalogue.save_organisation(
        f.organisation(
            id="org-2",
            name="MDS Nœux-les-Mines",
            postal_codes=("62290", "62100"),
            communes=("Nœux-les-Mines",),
        )
    )
    assert [o.name for o in store.catalogue.organisations_serving("62100")] == [
        "MDS Nœux-les-Mines",
        "MDS Test",
    ]
    assert [o.id for o in store.catalogue.organisations_serving("noeux les mines")] == ["org-2"]
    assert [o.id for o in store.catalogue.organisations_serving(" NŒUX-LES-MINES ")] == ["org-2"]
    assert store.catalogue.organisations_serving("75001") == []


def test_a_sector_change_removes_the_old_postal_codes(store):
    store.catalogue.save_organisation(f.organisation(postal_codes=("62100", "62231")))
    store.catalogue.save_organisation(f.organisation(postal_codes=("62100",)))
    assert store.catalogue.organisations_serving("62231") == []
    assert [o.id for o in store.catalogue.organisations_serving("62100")] == ["org-1"]


def test_motifs_and_lieux_of_an_organisation(store):
    store.catalogue.save_motif(
        f.motif(id="m1", name="Consultation nourrisson", reminder_offsets_minutes=(1440,))
    )
    store.catalogue.save_motif(f.motif(id="m2", name="Bilan 4 ans", duration_minutes=45))
    store.catalogue.save_motif(f.motif(id="m3", organisation_id="org-2", name="Autre"))
    store.catalogue.save_lieu(f.lieu())
    motifs = store.catalogue.motifs_of_organisation("org-1")
    assert [(m.name, m.duration_minutes) for m in motifs] == [
        ("Bilan 4 ans", 45),
        ("Consultation nourrisson", 30),
    ]
    assert store.catalogue.get_motif("m1").reminder_offsets_minutes == (1440,)
    assert store.catalogue.get_motif("m1") == f.motif(
        id="m1", name="Consultation nourrisson", reminder_offsets_minutes=(1440,)
    )
    assert store.catalogue.lieux_of_organisation("org-1") == [f.lieu()]


def test_agents_of_an_organisation_and_by_email(store):
    claire = Agent(
        id="a1",
        email="Claire.Lefebvre@Example.fr",
        first_name="Claire",
        last_name="Lefebvre",
        roles={"org-1": Role.ADMIN, "org-2": Role.AGENT},
    )
    marc = Agent(
        id="a2",
        email="marc@example.fr",
        first_name="Marc",
        last_name="Dubois",
        roles={"org-1": Role.AGENT},
    )
    store.agents.save(claire)
    store.agents.save(marc)
    assert [a.id for a in store.agents.agents_of_organisation("org-1")] == ["a2", "a1"]
    assert [a.id for a in store.agents.agents_of_organisation("org-2")] == ["a1"]
    assert store.agents.get_by_email("claire.lefebvre@example.fr").roles == {
        "org-1": Role.ADMIN,
        "org-2": Role.AGENT,
    }
    assert sorted(store.agents.organisation_ids_of_agent("a1")) == ["org-1", "org-2"]
    # Leaving an organisation removes the agent from its list.
    store.agents.save(replace(claire, roles={"org-1": Role.ADMIN}))
    assert store.agents.agents_of_organisation("org-2") == []


def test_plages_of_a_lieu_over_a_date_range(store):
    store.planning.save_plage(f.plage(id="recurring", recurrence=Recurrence(1, (0, 2))))
    store.planning.save_plage(
        f.plage(
            id="ended",
            first_day=date(2026, 9, 1),
            recurrence=Recurrence(1, (1,), until=date(2026, 10, 31)),
        )
    )
    store.planning.save_plage(f.plage(id="one-off", first_day=date(2026, 12, 24), recurrence=None))
    store.planning.save_plage(f.plage(id="other-lieu", lieu_id="lieu-2"))
    november = store.planning.plages_of_lieu("lieu-1", date(2026, 11, 1), date(2026, 11, 30))
    assert sorted(p.id for p in november) == ["recurring"]
    december = store.planning.plages_of_lieu("lieu-1", date(2026, 12, 1), date(2026, 12, 31))
    assert sorted(p.id for p in december) == ["one-off", "recurring"]
    october = store.planning.plages_of_lieu("lieu-1", date(2026, 10, 1), date(2026, 10, 31))
    assert sorted(p.id for p in october) == ["ended"]
    assert store.planning.plages_of_lieu("lieu-1", date(2026, 10, 1), date(2026, 10, 31))[
        0
    ].recurrence == Recurrence(1, (1,), until=date(2026, 10, 31))
    assert [
        p.id
        for p in store.planning.plages_of_agent("agent-1", date(2026, 12, 1), date(2026, 12, 31))
    ] != []


def test_absences_of_an_organisation_over_a_date_range(store):
    store.planning.save_absence(f.absence(id="a-nov"))
    store.planning.save_absence(
        f.absence(
            id="a-weekly",
            first_day=date(2026, 10, 5),
            end_day=date(2026, 10, 5),
            recurrence=Recurrence(1, (0,)),
        )
    )
    store.planning.save_absence(f.absence(id="a-other-agent", agent_id="agent-2"))
    store.planning.save_absence(
        f.absence(id="a-old", first_day=date(2026, 1, 5), end_day=date(2026, 1, 6))
    )
    found = store.planning.absences_of_organisation("org-1", date(2026, 11, 1), date(2026, 11, 30))
    assert sorted(a.id for a in found) == ["a-nov", "a-other-agent", "a-weekly"]
    only_one = store.planning.absences_of_organisation(
        "org-1", date(2026, 11, 1), date(2026, 11, 30), agent_ids={"agent-2"}
    )
    assert [a.id for a in only_one] == ["a-other-agent"]
    assert sorted(
        a.id
        for a in store.planning.absences_of_agent("agent-1", date(2026, 1, 1), date(2026, 1, 31))
    ) == ["a-old"]


def test_rdvs_of_an_agent_of_a_lieu_and_of_an_organisation(store):
    start = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)
    store.rdvs.save(f.rdv(id="r1", starts_at=start))
    store.rdvs.save(
        f.rdv(id="r2", starts_at=start + timedelta(days=1), agent_id="agent-2", lieu_id="lieu-2")
    )
    store.rdvs.save(f.rdv(id="r3", starts_at=start + timedelta(days=30)))
    store.rdvs.save(f.rdv(id="phone", starts_at=start + timedelta(hours=2), lieu_id=None))
    week = (start - timedelta(days=1), start + timedelta(days=7))
    assert sorted(r.id for r in store.rdvs.of_agent("agent-1", *week)) == ["phone", "r1"]
    assert sorted(r.id for r in store.rdvs.of_lieu("lieu-1", *week)) == ["r1"]
    assert sorted(r.id for r in store.rdvs.of_organisation("org-1", *week)) == ["phone", "r1", "r2"]
    # A rdv that started before the range but runs into it is part of it.
    assert [
        r.id
        for r in store.rdvs.of_agent(
            "agent-1", start + timedelta(minutes=15), start + timedelta(hours=1)
        )
    ] == ["r1"]


def test_a_rdv_keeps_its_status_history_and_is_found_by_its_token_hash(store):
    changed = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)
    rdv = f.rdv(
        status=RdvStatus.SEEN,
        status_history=(StatusChange(RdvStatus.SEEN, changed),),
        manage_token_hash="abc123",
        usager_ids=("u1", "u2"),
    )
    store.rdvs.save(rdv)
    assert store.rdvs.get("rdv-1") == rdv
    assert store.rdvs.get_by_token_hash("abc123") == rdv
    assert store.rdvs.get_by_token_hash("nope") is None


def test_rdvs_of_an_organisation_page_after_page(store):
    start = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)
    for i in range(7):
        store.rdvs.save(f.rdv(id=f"r{i}", starts_at=start + timedelta(hours=i)))
    seen, cursor, pages = [], None, 0
    while True:
        page = store.rdvs.page_of_organisation(
            "org-1", start, start + timedelta(days=1), limit=3, cursor=cursor
        )
        seen += [r.id for r in page.items]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [f"r{i}" for i in range(7)]
    assert pages == 3


def test_queries_follow_dynamodb_pages_transparently(store, monkeypatch):
    """A query answered in several DynamoDB pages still returns every item."""
    from chalicelib.store.connection import shared_connection

    start = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)
    for i in range(25):
        store.rdvs.save(f.rdv(id=f"r{i:02d}", starts_at=start + timedelta(minutes=30 * i)))
    original = RdvModel.by_organisation.query
    monkeypatch.setattr(
        RdvModel.by_organisation,
        "query",
        lambda *args, **kwargs: original(*args, page_size=4, **kwargs),
    )
    queries = []
    shared_connection().client.meta.events.register(
        "before-call.dynamodb.Query", lambda **kw: queries.append(kw["params"])
    )
    found = store.rdvs.of_organisation("org-1", start, start + timedelta(days=1))
    assert sorted(r.id for r in found) == [f"r{i:02d}" for i in range(25)]
    assert len(queries) == 7  # 25 items, 4 a page


def test_usagers_by_phone_and_by_name_prefix(store):
    store.usagers.save(f.usager(id="u1", first_name="Amandine", last_name="Dupont"))
    store.usagers.save(f.usager(id="u2", first_name="Kévin", last_name="Dupont", phone=None))
    store.usagers.save(
        f.usager(id="u3", first_name="Émilie", last_name="Dùpré", phone="+33639980002")
    )
    store.usagers.save(
        f.usager(id="u4", first_name="Sarah", last_name="Leroy", organisation_id="org-2")
    )
    assert [u.id for u in store.usagers.by_phone("org-1", "+33639980001")] == ["u1"]
    assert store.usagers.by_phone("org-2", "+33639980002") == []
    assert [u.id for u in store.usagers.by_name_prefix("org-1", "dup").items] == ["u1", "u2", "u3"]
    assert [u.id for u in store.usagers.by_name_prefix("org-1", "DUPRE").items] == ["u3"]
    assert [u.id for u in store.usagers.by_name_prefix("org-1", "dupont k").items] == ["u2"]


def test_usagers_by_name_prefix_page_after_page(store):
    for i in range(5):
        store.usagers.save(f.usager(id=f"u{i}", first_name=f"Prénom{i}", last_name="Martin"))
    first = store.usagers.by_name_prefix("org-1", "martin", limit=2)
    second = store.usagers.by_name_prefix("org-1", "martin", limit=2, cursor=first.next_cursor)
    third = store.usagers.by_name_prefix("org-1", "martin", limit=2, cursor=second.next_cursor)
    assert [u.id for u in first.items + second.items + third.items] == [f"u{i}" for i in range(5)]
    assert third.next_cursor is None


def test_usager_preferences_and_invalid_email_are_stored(store):
    store.usagers.save(
        f.usager(email="a@example.org", birth_date=date(1990, 4, 1), notify_sms=False)
    )
    store.usagers.mark_email_invalid("usager-1")
    usager = store.usagers.get("usager-1")
    assert (usager.notify_sms, usager.notify_email, usager.email_invalid) == (False, True, True)
    assert usager.birth_date == date(1990, 4, 1)


def test_reminders_due_before_a_time(store):
    base = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)
    reminders = [
        Reminder(rdv_id=f"r{i}", offset_minutes=1440, due_at=base + timedelta(minutes=10 * i))
        for i in range(12)
    ]
    store.reminders.plan(reminders, expires_at=base + timedelta(days=2))
    due = list(store.reminders.due_before(base + timedelta(minutes=55), limit_per_shard=2))
    assert sorted(r.rdv_id for r in due) == [f"r{i}" for i in range(6)]
    assert store.reminders.mark_handled(next(r for r in due if r.rdv_id == "r0")) is True
    stale = Reminder(rdv_id="r1", offset_minutes=1440, due_at=base)  # re-planned since
    assert store.reminders.mark_handled(stale) is False
    due = list(store.reminders.due_before(base + timedelta(minutes=55)))
    assert sorted(r.rdv_id for r in due) == [f"r{i}" for i in range(1, 6)]
    assert store.reminders.of_rdv("r0")[0].sent is True
    assert store.reminders.of_rdv("r1")[0].sent is False


def test_a_send_is_claimed_only_once_and_its_receipt_is_listed(store):
    at = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)
    key = receipt_key(NotificationEvent.RDV_CREATED, Channel.SMS, "+33639980001")
    receipt = NotificationReceipt(
        rdv_id="rdv-1",
        event=NotificationEvent.RDV_CREATED,
        channel=Channel.SMS,
        recipient="+33639980001",
        outcome=ReceiptOutcome.CLAIMED,
        at=at,
        send_key=key,
    )
    assert store.receipts.claim(receipt) is True
    assert store.receipts.claim(receipt) is False
    # An unfinished claim (the sender died) is taken over once it is 5 minutes old.
    assert store.receipts.claim(replace(receipt, at=at + timedelta(minutes=4))) is False
    assert store.receipts.claim(replace(receipt, at=at + timedelta(minutes=6))) is True
    store.receipts.record_outcome(
        "rdv-1", key, ReceiptOutcome.SENT, at, provider_message_id="msg-1"
    )
    [stored] = store.receipts.of_rdv("rdv-1")
    assert (stored.outcome, stored.provider_message_id) == (ReceiptOutcome.SENT, "msg-1")


def test_waiting_list_entries_by_motif_and_lieu(store):
    created = datetime(2026, 11, 1, tzinfo=UTC)
    for i, wanted in enumerate((None, date(2026, 11, 20), date(2026, 12, 31))):
        store.waiting_list.save(
            WaitingListEntry(
                id=f"w{i}",
                organisation_id="org-1",
                motif_id="motif-1",
                lieu_id="lieu-1",
                usager_id=f"u{i}",
                created_at=created + timedelta(hours=i),
                wanted_before=wanted,
            )
        )
    store.waiting_list.save(
        WaitingListEntry(
            id="w-phone",
            organisation_id="org-1",
            motif_id="motif-1",
            lieu_id=None,
            usager_id="u9",
            created_at=created,
        )
    )
    assert [e.id for e in store.waiting_list.of_motif_lieu("motif-1", "lieu-1")] == [
        "w0",
        "w1",
        "w2",
    ]
    assert [
        e.id for e in store.waiting_list.of_motif_lieu("motif-1", "lieu-1", date(2026, 12, 1))
    ] == ["w0", "w2"]
    assert [e.id for e in store.waiting_list.of_motif_lieu("motif-1", None)] == ["w-phone"]


def test_monthly_counters_follow_rdv_changes_and_read_by_month(store):
    from zoneinfo import ZoneInfo

    from chalicelib.domain.changes import create, set_status, write_set

    paris = ZoneInfo("Europe/Paris")

    def commit(change):
        writes = write_set(change, store.rdv_writes.read_days(change.days(paris)), (), paris)
        store.rdv_writes.commit(writes)
        return writes.rdv

    commit(create(f.rdv(id="r1", starts_at=datetime(2026, 10, 5, 8, tzinfo=UTC)), "usager"))
    november = commit(
        create(f.rdv(id="r2", starts_at=datetime(2026, 11, 9, 8, tzinfo=UTC)), "usager")
    )
    commit(set_status(november, RdvStatus.NOSHOW, datetime(2026, 11, 9, 9, tzinfo=UTC), "a-1"))
    for scope in (organisation_scope("org-1"), motif_scope("motif-1")):
        months = store.counters.months(scope, "2026-09", "2026-12")
        assert [
            (m.month, m.counts["created"], m.counts["noshow"], m.counts["unknown"]) for m in months
        ] == [
            ("2026-10", 1, 0, 1),
            ("2026-11", 1, 1, 0),
        ]


def test_agent_sessions_expire_and_are_revoked_everywhere(store):
    now = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)
    for token_hash in ("h1", "h2"):
        store.sessions.save(
            AgentSession(
                token_hash=token_hash,
                agent_id="a1",
                organisation_id="org-1",
                created_at=now,
                last_seen_at=now,
                expires_at=now + timedelta(hours=2),
                absolute_expires_at=now + timedelta(hours=12),
            )
        )
    assert store.sessions.get("h1", now).agent_id == "a1"
    assert store.sessions.get("h1", now + timedelta(hours=3)) is None  # idle
    store.sessions.touch(
        store.sessions.get("h1", now), now + timedelta(hours=1), now + timedelta(hours=3)
    )
    assert store.sessions.get("h1", now + timedelta(hours=2, minutes=30)) is not None
    assert store.sessions.delete_of_agent("a1") == 2
    assert store.sessions.get("h1", now) is None and store.sessions.get("h2", now) is None


def test_create_tables_is_idempotent(aws):
    from chalicelib.settings import get_settings
    from chalicelib.store.connection import create_tables

    assert create_tables(get_settings()) == []


def test_plage_times_are_stored_as_local_wall_clock(store):
    store.planning.save_plage(f.plage(start_time=time(8, 30), end_time=time(12, 15)))
    [plage] = store.planning.plages_of_agent("agent-1", date(2026, 11, 1), date(2026, 11, 30))
    assert (plage.start_time, plage.end_time) == (time(8, 30), time(12, 15))


def test_catalogue_items_are_read_once_and_a_save_is_seen_at_once(store):
    from chalicelib.store.connection import shared_connection

    store.catalogue.save_motif(f.motif(id="m1", duration_minutes=30))
    calls = []
    client = shared_connection().client
    client.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model))
    assert store.catalogue.get_motif("m1").duration_minutes == 30
    assert store.catalogue.get_motif("m1").duration_minutes == 30
    assert len(calls) == 1  # the second read comes from the catalogue cache
    store.catalogue.save_motif(f.motif(id="m1", duration_minutes=45))
    assert store.catalogue.get_motif("m1").duration_minutes == 45


def test_rdvs_of_an_usager_latest_first_and_how_they_were_booked(store):
    from chalicelib.domain.models import BookingChannel

    start = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)
    store.rdvs.save(f.rdv(id="old", starts_at=start, usager_ids=("u1",)))
    store.rdvs.save(
        f.rdv(id="new", starts_at=start + timedelta(days=7), usager_ids=("u1",),
              booked_via=BookingChannel.PHONE)
    )  # fmt: skip
    store.rdvs.save(f.rdv(id="other", starts_at=start, usager_ids=("u2",)))
    rdvs = store.rdvs.of_usager("u1")
    assert [r.id for r in rdvs] == ["new", "old"]
    assert rdvs[0].booked_via is BookingChannel.PHONE and rdvs[1].booked_via.value == "online"
