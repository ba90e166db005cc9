"""The home page through a real browser, on a phone-sized screen."""

import pytest
import requests

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


def test_home_page_is_in_french_and_fits_a_phone(live_server, page):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.title().startswith("Prendre rendez-vous")
    assert page.locator("h1").count() == 1
    assert "maison départementale des solidarités" in page.locator("h1").inner_text()
    field = page.get_by_label("Votre code postal ou votre commune")
    assert field.is_visible()
    # Nothing wider than the screen: no horizontal scrolling on a 375 px phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "home-375")


def test_demo_data_is_in_moto_tables(live_server):
    """The live server created the tables in moto's server and loaded the pilot MDS."""
    import boto3

    client = boto3.client(
        "dynamodb",
        endpoint_url=live_server.moto_url,
        region_name="eu-west-3",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    names = client.list_tables()["TableNames"]
    assert "rdvsol-local-organisations" in names
    assert "rdvsol-local-rdvs" in names
    item = client.get_item(
        TableName="rdvsol-local-organisations", Key={"id": {"S": "mds-calais-2"}}
    )["Item"]
    assert item["name"]["S"] == "MDS Calais II"
    # moto's own dashboard answers on the same server.
    assert requests.get(live_server.moto_url + "/moto-api/", timeout=5).status_code == 200
