def test_health_reports_database_and_queue(client, herald_backend):
    body = client.get("/health").get_json()
    assert body["status"] == "ok"
    expected = "sqlite" if herald_backend.name == "embedded" else "postgresql"
    assert body["checks"]["database"]["dialect"] == expected
