"""The standalone shop's JSON: orjson through Flask's provider, with Flask's conventions."""

import json
from datetime import UTC, datetime


def test_answers_are_compact_sorted_and_end_with_a_newline(client, demo):
    response = client.get("/api/v1/products/better-band")
    raw = response.get_data(as_text=True)
    assert raw.endswith("}\n") and '", "' not in raw and '": ' not in raw
    body = json.loads(raw)
    assert list(body) == sorted(body) and body["slug"] == "better-band"


def test_text_outside_ascii_comes_back_as_written(app):
    with app.app_context():
        raw = app.json.response({"name": "Bänd – “Heavy”", "n": 3}).get_data()
    assert json.loads(raw) == {"name": "Bänd – “Heavy”", "n": 3}
    assert "Bänd".encode() in raw


def test_what_orjson_does_not_know_is_encoded_as_flask_would(app):
    moment = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    with app.app_context():
        ours = json.loads(app.json.dumps({"at": moment, 2: "two"}))
    assert ours == {"at": "Tue, 01 Dec 2026 09:30:00 GMT", "2": "two"}


def test_a_huge_number_in_a_body_is_refused_by_the_schema_not_as_malformed(client, demo):
    token = client.post("/api/v1/carts").get_json()["token"]
    response = client.post(f"/api/v1/carts/{token}/lines",
                           json={"sku": "BB-LIGHT", "quantity": 10 ** 40})
    assert response.status_code == 422 and response.get_json()["reason"] != "malformed_json"
