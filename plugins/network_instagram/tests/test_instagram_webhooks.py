"""Meta's webhook callback, through Herald's app, on both stacks."""

from __future__ import annotations

import json

from instagram_webhook_kit import SECRET_A, SECRET_B, VERIFY_A
from instagram_webhook_kit import post as _post
from instagram_webhook_kit import sign as _sign
from instagram_webhook_kit import url as _url


def _body(comment_id: str = "17865799348089039", text: str = "Where can I buy this?", time: int = 1755779280) -> bytes:
    return json.dumps({"object": "instagram", "entry": [{"id": "17841400000000001", "time": time, "changes": [
        {"field": "comments", "value": {"from": {"id": "232323", "username": "fan"},
                                        "media": {"id": "17900000000000001", "media_product_type": "FEED"},
                                        "id": comment_id, "parent_id": "1", "text": text}}]}]}).encode()


# ----------------------------------------------------------------------------- handshake
def test_the_handshake_echoes_the_challenge_when_the_verify_token_matches(client, tenants):
    resp = client.get(_url(tenants["alpha"].id), query_string={
        "hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": VERIFY_A})
    assert resp.status_code == 200
    assert resp.get_data(as_text=True) == "1158201444"


def test_the_handshake_is_refused_with_a_wrong_verify_token(client, tenants):
    resp = client.get(_url(tenants["alpha"].id), query_string={
        "hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "beta-verify-token"})
    assert resp.status_code == 403
    assert resp.mimetype == "application/problem+json"
    assert "1158201444" not in resp.get_data(as_text=True)


def test_the_handshake_is_refused_for_a_tenant_without_the_plugin(client, tenants):
    resp = client.get(_url(tenants["gamma"].id), query_string={
        "hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": VERIFY_A})
    assert resp.status_code == 404


# ----------------------------------------------------------------------------- deliveries
def test_a_signed_delivery_becomes_an_instagram_domain_event(client, tenants, received, run_jobs):
    body = _body()
    resp = _post(client, tenants["alpha"].id, body, _sign(SECRET_A, body))
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json() == {"recorded": 1, "duplicates": 0}
    assert run_jobs() == 0
    assert [e.type for e in received] == ["instagram.comments"]
    event = received[0]
    assert event.tenant_id == tenants["alpha"].id
    assert event.data["account_remote_id"] == "17841400000000001"
    assert event.data["value"]["text"] == "Where can I buy this?"
    assert event.data["time"] == 1755779280


def test_a_repeated_delivery_is_recorded_once(client, tenants, received, run_jobs):
    body = _body()
    assert _post(client, tenants["alpha"].id, body, _sign(SECRET_A, body)).get_json()["recorded"] == 1
    again = _post(client, tenants["alpha"].id, body, _sign(SECRET_A, body))
    assert again.status_code == 200 and again.get_json() == {"recorded": 0, "duplicates": 1}
    later = _body(time=1755779999)  # Meta's retry may carry another time
    assert _post(client, tenants["alpha"].id, later, _sign(SECRET_A, later)).get_json()["duplicates"] == 1
    other = _body(comment_id="17865799348089040")
    assert _post(client, tenants["alpha"].id, other, _sign(SECRET_A, other)).get_json()["recorded"] == 1
    run_jobs()
    assert sorted(e.data["value"]["id"] for e in received) == ["17865799348089039", "17865799348089040"]


def test_the_same_change_for_two_tenants_is_recorded_for_each(client, tenants, received, run_jobs):
    body = _body()
    assert _post(client, tenants["alpha"].id, body, _sign(SECRET_A, body)).get_json()["recorded"] == 1
    assert _post(client, tenants["beta"].id, body, _sign(SECRET_B, body)).get_json()["recorded"] == 1
    run_jobs()
    assert sorted(e.tenant_id for e in received) == sorted([tenants["alpha"].id, tenants["beta"].id])


def test_a_delivery_without_a_signature_is_rejected(client, tenants, received, run_jobs):
    resp = _post(client, tenants["alpha"].id, _body(), None)
    assert resp.status_code == 401
    assert resp.get_json()["type"].endswith("webhook-signature-missing")
    run_jobs()
    assert received == []


def test_a_delivery_with_a_bad_signature_is_rejected(client, tenants, received, run_jobs):
    body = _body()
    tampered = body.replace(b"Where can I buy this?", b"Free money at evil.test")
    resp = _post(client, tenants["alpha"].id, tampered, _sign(SECRET_A, body))
    assert resp.status_code == 403
    assert resp.get_json()["type"].endswith("webhook-signature-invalid")
    assert _post(client, tenants["alpha"].id, body, "sha1=" + _sign(SECRET_A, body)[7:]).status_code == 403
    run_jobs()
    assert received == []


def test_a_delivery_signed_with_another_tenants_secret_is_refused(client, tenants, received, run_jobs):
    body = _body()
    resp = _post(client, tenants["alpha"].id, body, _sign(SECRET_B, body))
    assert resp.status_code == 403
    run_jobs()
    assert received == []


def test_deliveries_for_a_tenant_without_the_plugin_are_not_found(client, tenants):
    body = _body()
    assert _post(client, tenants["gamma"].id, body, _sign(SECRET_A, body)).status_code == 404
    assert _post(client, "ten_doesnotexist", body, _sign(SECRET_A, body)).status_code == 404


def test_a_signed_body_that_is_not_a_webhook_payload_is_a_bad_request(client, tenants):
    deep = b'{"object":"instagram","entry":[' + b"[" * 100000 + b"]" * 100000 + b"]}"
    nested = json.dumps({"object": "instagram", "entry": [{"id": "1", "changes": [
        {"field": "comments", "value": json.loads("[" * 200 + "]" * 200)}]}]}).encode()
    for body in (b"not json", b'{"object":"instagram"}', b"[1,2]", deep, nested):
        resp = _post(client, tenants["alpha"].id, body, _sign(SECRET_A, body))
        assert resp.status_code == 400, body
        assert resp.mimetype == "application/problem+json"


def test_a_suspended_tenant_receives_nothing(client, seed, api, tenants, received, run_jobs):
    _, operator = seed.operator()
    resp = api(operator).patch(f"tenants/{tenants['alpha'].id}", {"status": "suspended"})
    assert resp.status_code == 200, resp.get_json()
    body = _body()
    assert _post(client, tenants["alpha"].id, body, _sign(SECRET_A, body)).status_code == 404
    run_jobs()
    assert received == []


def test_simultaneous_copies_of_one_delivery_are_recorded_once(app, tenants, received, run_jobs):
    import threading

    body = _body()
    signature = _sign(SECRET_A, body)
    start = threading.Barrier(6)
    answers: list[dict[str, int]] = []

    def deliver() -> None:
        client = app.test_client()
        start.wait()
        answers.append(_post(client, tenants["alpha"].id, body, signature).get_json())

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(a["recorded"] for a in answers) == [0, 0, 0, 0, 0, 1]
    run_jobs()
    assert len(received) == 1


def test_a_signed_body_with_text_herald_cannot_store_is_refused_and_nothing_is_recorded(client, tenants, received,
                                                                                         run_jobs):
    good = _body().decode()
    cases = [
        (good.replace("Where can I buy this?", "Where\\u0000 can I buy"), 422, "validation-failed"),
        (good.replace("Where can I buy this?", "half \\ud800 a pair"), 422, "validation-failed"),
        (good.replace('"time": 1755779280', '"time": NaN'), 400, "bad-request"),
        (good.replace('"time": 1755779280', '"time": 1' + "0" * 40), 400, "bad-request"),
    ]
    bodies = [(text.encode(), status, slug) for text, status, slug in cases]
    bodies.append((_body().replace(b"Where", b"Wh\xffere"), 400, "invalid-encoding"))
    for body, status, slug in bodies:
        resp = _post(client, tenants["alpha"].id, body, _sign(SECRET_A, body))
        assert resp.status_code == status, (body[:80], resp.get_data(as_text=True))
        assert resp.mimetype == "application/problem+json" and resp.get_json()["type"].endswith("/" + slug)
    run_jobs()
    assert not [e for e in received if e.type.startswith("instagram.")]
