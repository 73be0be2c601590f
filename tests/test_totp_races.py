"""Second-factor enrolment under concurrency: racing requests over real HTTP, each on its own
thread and database connection, never answer 500; the last enrolment is the one in force."""

from __future__ import annotations

import threading

import pyotp
import requests

from herald.auth.models import TotpFactor

RACERS = 8


def _race(url: str, token: str, path: str, json: dict | None = None) -> list[requests.Response]:  # type: ignore[type-arg]
    answers: list[requests.Response] = []
    start = threading.Barrier(RACERS)

    def one() -> None:
        start.wait()
        answers.append(requests.post(url + path, json=json, headers={"Authorization": f"Bearer {token}"}, timeout=60))

    threads = [threading.Thread(target=one) for _ in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def test_concurrent_enrolments_all_succeed_and_leave_one_factor(seed, live_herald, herald_runtime):
    t = seed.tenant("acme", {"brand": None})
    person, token = seed.user(t, "alice@acme.test")
    answers = _race(live_herald, token, "/api/v1/me/totp")
    assert sorted(r.status_code for r in answers) == [201] * RACERS, [r.text for r in answers]
    with herald_runtime.db.transaction() as session:
        factor = session.get(TotpFactor, person.id)
        assert factor is not None and factor.confirmed_at is None
        in_force = herald_runtime.box.open(factor.secret)["secret"]
    assert in_force in {r.json()["secret"] for r in answers}  # one of the answers, whole


def test_one_code_confirms_once_even_when_sent_concurrently(seed, live_herald, herald_runtime):
    t = seed.tenant("acme", {"brand": None})
    _, token = seed.user(t, "alice@acme.test")
    enrolled = requests.post(live_herald + "/api/v1/me/totp", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    code = pyotp.TOTP(enrolled.json()["secret"]).now()
    answers = _race(live_herald, token, "/api/v1/me/totp/confirm", {"code": code})
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200] + [409] * (RACERS - 1), [r.text for r in answers]
    assert all(r.headers["Content-Type"].startswith("application/") for r in answers)
