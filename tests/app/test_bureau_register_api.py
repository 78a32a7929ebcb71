"""The county employment register for bureau systems' keys (``GET /api/v1/bureau/register``):
the register of the key's region as the auditors' JSON gives it, nothing of another region,
403 for an employer's key, 401 without a key, each read in the access log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.api.bureau_schemas import RegisterOut
from app.extensions import db
from app.models import AccessLogEntry
from app.services import exports
from tests.app.test_bureau_register import DAY, county  # noqa: F401 (the dataset fixture)
from tests.conftest import bearer, login

URL = f"/api/v1/bureau/register?day={DAY}"


@pytest.fixture
def keys(county):  # noqa: F811
    """Bureau keys of the county (430121) and of another region (110101)."""
    return county | {"mine": exports.create_bureau_key("430121", "县人社局系统", "test")[1],
                     "far": exports.create_bureau_key("110101", "外地系统", "test")[1],
                     "city": exports.create_bureau_key("4301", "市局系统", "test")[1]}


def test_a_bureau_key_reads_the_register_of_its_region_as_auditors_do(client, keys):
    answer = client.get(URL, headers=bearer(keys["mine"]))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    data = answer.get_json()
    RegisterOut.model_validate(data)  # the answer is what the OpenAPI document says
    assert [e["region_code"] for e in data["employers"]] == ["430121"]
    assert data["totals"]["in_service"] == 6 and data["without_contract"][0]["workers"] == 2
    login(client, "auditor")  # the same region's auditor sees the same register
    assert client.get(f"/bureau/register.json?day={DAY}").get_json() == data
    city = RegisterOut.model_validate(
        client.get(f"{URL}&region=430102", headers=bearer(keys["city"])).get_json()).model_dump()
    assert [e["region_code"] for e in city["employers"]] == ["430102"]
    logged = db.session.scalars(select(AccessLogEntry).where(
        AccessLogEntry.action == "register").order_by(AccessLogEntry.seq)).all()
    assert [(e.role, e.scope) for e in logged] == [
        ("bureau_api", "region:430121"), ("auditor", "region:430121"),
        ("bureau_api", "region:4301")]


def test_another_regions_key_sees_nothing_of_this_one(client, keys):
    data = RegisterOut.model_validate(client.get(URL, headers=bearer(keys["far"])).get_json()) \
        .model_dump()
    assert data["employers"] == [] and data["without_contract"] == []
    assert data["totals"]["in_service"] == 0
    narrowed = client.get(f"{URL}&region=430121", headers=bearer(keys["far"])).get_json()
    assert narrowed["employers"] == []  # a region parameter never widens the key's scope


def test_employer_keys_get_403_no_key_401_bad_input_422(client, keys):
    assert client.get(URL, headers=bearer(keys["api_key"])).status_code == 403
    assert client.get(URL).status_code == 401
    assert client.get(URL, headers=bearer("lbk_nope_nope")).status_code == 401
    bad = client.get("/api/v1/bureau/register?day=2027-13-01", headers=bearer(keys["mine"]))
    assert bad.status_code == 422 and "day" in bad.get_json()["fields"]
