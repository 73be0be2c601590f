"""Media storage: the local-folder backend and the S3-compatible backend (against a real S3 API
server on loopback) store, stream, find and delete files by key, and no key reaches outside
its namespace."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest

from herald.errors import NotFound
from herald.library.storage import LocalMediaStorage, S3MediaStorage, StorageError, asset_key, check_key

HOSTILE_KEYS = ["../secret", "/etc/passwd", "tenants/../../etc/passwd", "tenants/t/..", "a//b", "a\\b", "",
                "tenants/t/assets/x.png/..", "a/./b", "a\x00b", "~root/x", "tenants/%2e%2e/x"]


@pytest.mark.parametrize("key", HOSTILE_KEYS)
def test_keys_that_could_leave_the_namespace_are_refused(key, tmp_path):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        check_key(key)
    storage = LocalMediaStorage(tmp_path / "media")
    with pytest.raises(ValueError):
        storage.put(key, b"x")
    with pytest.raises(ValueError):
        storage.open(key)


def test_asset_keys_are_namespaced_per_tenant():
    assert asset_key("ten_a", "asset_1") == "tenants/ten_a/assets/asset_1"
    with pytest.raises(ValueError):
        asset_key("../ten_b", "asset_1")


def test_the_local_backend_round_trips_bytes_and_streams(tmp_path):  # type: ignore[no-untyped-def]
    storage = LocalMediaStorage(tmp_path / "media")
    key = asset_key("ten_a", "asset_1")
    assert not storage.exists(key)
    storage.put(key, b"hello")
    assert storage.exists(key) and storage.get(key) == b"hello"
    big = bytes(range(256)) * 4096  # several chunks
    storage.put(key, io.BytesIO(big))
    assert b"".join(storage.open(key)) == big
    assert (tmp_path / "media" / "tenants" / "ten_a" / "assets" / "asset_1").read_bytes() == big
    assert not [p for p in (tmp_path / "media").rglob(".upload-*")]
    storage.delete(key)
    assert not storage.exists(key)
    with pytest.raises(NotFound):
        storage.get(key)


def test_a_symlink_inside_the_folder_cannot_lead_outside_it(tmp_path):  # type: ignore[no-untyped-def]
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"top secret")
    root = tmp_path / "media"
    (root / "tenants").mkdir(parents=True)
    (root / "tenants" / "evil").symlink_to(outside)
    storage = LocalMediaStorage(root)
    with pytest.raises(ValueError):
        storage.get("tenants/evil/secret")
    with pytest.raises(ValueError):
        storage.put("tenants/evil/new", b"x")
    assert not (outside / "new").exists()


# ----------------------------------------------------------------------------- S3
@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    moto_server = pytest.importorskip("moto.server")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def _client(endpoint: str):  # type: ignore[no-untyped-def]
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="herald",
                        aws_secret_access_key="herald-secret")


@pytest.fixture
def bucket(s3_server: str) -> str:
    name = f"herald-{uuid.uuid4().hex[:20]}"
    _client(s3_server).create_bucket(Bucket=name)
    return name


def test_the_s3_backend_round_trips_files_under_its_prefix(s3_server, bucket):  # type: ignore[no-untyped-def]
    storage = S3MediaStorage(bucket, endpoint_url=s3_server, region="us-east-1", access_key_id="herald",
                             secret_access_key="herald-secret", prefix="herald/prod")
    key = asset_key("ten_a", "asset_1")
    assert not storage.exists(key)
    storage.put(key, b"hello")
    assert storage.exists(key) and storage.get(key) == b"hello"
    big = bytes(range(256)) * 8192
    storage.put(key, io.BytesIO(big))
    assert b"".join(storage.open(key)) == big
    listed = _client(s3_server).list_objects_v2(Bucket=bucket)["Contents"]
    assert [o["Key"] for o in listed] == ["herald/prod/tenants/ten_a/assets/asset_1"]
    storage.delete(key)
    assert not storage.exists(key)
    with pytest.raises(NotFound):
        storage.get(key)
    with pytest.raises(ValueError):
        storage.put("../other-prefix/x", b"x")


def test_an_unreachable_or_refusing_s3_service_is_a_storage_error(s3_server):  # type: ignore[no-untyped-def]
    missing_bucket = S3MediaStorage("no-such-bucket", endpoint_url=s3_server, region="us-east-1",
                                    access_key_id="herald", secret_access_key="herald-secret")
    with pytest.raises(StorageError):
        missing_bucket.put("tenants/t/assets/a", b"x")
    import boto3
    from botocore.config import Config

    client = boto3.client("s3", endpoint_url="http://127.0.0.1:9", region_name="us-east-1",
                          aws_access_key_id="x", aws_secret_access_key="y",
                          config=Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=1))
    with pytest.raises(StorageError):
        S3MediaStorage("b", client=client).get("tenants/t/assets/a")


def test_uploads_and_downloads_go_through_s3_when_configured(s3_server, bucket, seed, api, herald_runtime):  # type: ignore[no-untyped-def]
    herald_runtime.settings = replace(herald_runtime.settings, media_storage="s3", s3_bucket=bucket,
                                      s3_endpoint_url=s3_server, s3_region="us-east-1",
                                      s3_access_key_id="herald", s3_secret_access_key="herald-secret")
    t = seed.tenant("acme", {"coffee": None})
    _, token = seed.user(t, "d@acme.test", [("designer", "coffee")])
    png = b"\x89PNG\r\n\x1a\n" + b"\x01" * 1000
    r = api(token).request("POST", f"tenants/{t.id}/assets", content_type="multipart/form-data", data={
        "org_unit_id": t.units["coffee"].id, "kind": "image", "file": (io.BytesIO(png), "logo.png")})
    assert r.status_code == 201, r.get_json()
    asset_id = r.get_json()["id"]
    obj = _client(s3_server).get_object(Bucket=bucket, Key=f"tenants/{t.id}/assets/{asset_id}")
    assert obj["Body"].read() == png
    got = api(token).get(f"tenants/{t.id}/assets/{asset_id}/content")
    assert got.status_code == 200 and got.data == png and got.headers["Content-Type"] == "image/png"
    assert not (herald_runtime.settings.instance_path / "media").exists()
