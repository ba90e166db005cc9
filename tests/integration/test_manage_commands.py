"""The admin commands a département's IT person runs on a fresh deployment."""

from chalicelib.domain.models import Role
from chalicelib.services.agent_auth import verify_password
from devtools import manage


def test_create_an_organisation_then_its_first_admin(store, monkeypatch):
    assert manage.main([
        "create-organisation", "--id", "mds-arras", "--name", "MDS Arras",
        "--territoire", "pas-de-calais", "--territoire-name", "Pas-de-Calais",
        "--departement", "62", "--phone", "03 21 00 00 01", "--address", "1 rue X, 62000 Arras",
        "--postal-codes", "62000, 62223", "--communes", "Arras",
    ]) == 0  # fmt: skip
    assert [o.id for o in store.catalogue.organisations_serving("62223")] == ["mds-arras"]
    monkeypatch.setenv("RDVSOL_ADMIN_PASSWORD", "un mot de passe assez long")
    args = ["create-admin", "--organisation", "mds-arras", "--email", "Admin@Arras.fr",
            "--first-name", "Ada", "--last-name", "Admin"]  # fmt: skip
    assert manage.main(args) == 0
    agent = store.agents.get_by_email("admin@arras.fr")
    assert agent.roles == {"mds-arras": Role.ADMIN}
    assert verify_password(agent.password_hash, "un mot de passe assez long")
    assert manage.main(args) == 1  # not twice


def test_an_admin_needs_an_existing_organisation_and_a_long_password(store, monkeypatch):
    monkeypatch.setenv("RDVSOL_ADMIN_PASSWORD", "court")
    base = ["create-admin", "--email", "a@b.fr", "--first-name", "A", "--last-name", "B"]
    assert manage.main([*base, "--organisation", "nowhere"]) == 1
    assert store.agents.get_by_email("a@b.fr") is None


def test_load_demo_loads_the_demo_data_from_devtools(store, capsys):
    assert manage.main(["load-demo"]) == 0
    assert "organisations=2" in capsys.readouterr().out
    assert [o.id for o in store.catalogue.organisations_serving("62100")] == ["mds-calais-2"]
    assert store.agents.get_by_email("claire.lefebvre@demo.rdv-solidarites.fr") is not None
