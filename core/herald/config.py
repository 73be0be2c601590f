"""Instance configuration, read once from the environment.

Embedded mode (no ``DATABASE_URL``): SQLite in the instance folder, an in-process queue and
keys generated into the instance folder. Production mode: ``DATABASE_URL`` (PostgreSQL),
``REDIS_URL`` (RQ) and keys from the environment, shared by every web and worker process.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet

from herald.errors import HeraldError


class ConfigError(HeraldError):
    title = "Configuration error"
    slug = "config-error"


def _read_or_create(path: Path, make: callable) -> str:  # type: ignore[valid-type]
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
    return value


DEFAULT_MEDIA_MAX_BYTES = {"image": 10 * 2**20, "gif": 15 * 2**20, "video": 512 * 2**20, "document": 25 * 2**20}


def _media_settings(env: dict[str, str], instance: Path) -> dict[str, object]:
    storage = env.get("HERALD_MEDIA_STORAGE", "local").strip() or "local"
    if storage not in ("local", "s3"):
        raise ConfigError(f"HERALD_MEDIA_STORAGE must be 'local' or 's3', not {storage!r}.")
    limits = dict(DEFAULT_MEDIA_MAX_BYTES)
    for kind in limits:
        raw = env.get(f"HERALD_MEDIA_MAX_{kind.upper()}_BYTES", "").strip()
        if raw:
            if not raw.isdigit() or int(raw) <= 0:
                raise ConfigError(f"HERALD_MEDIA_MAX_{kind.upper()}_BYTES must be a positive number of bytes.")
            limits[kind] = int(raw)
    ttl = env.get("HERALD_MEDIA_URL_TTL", "3600").strip() or "3600"
    if not ttl.isdigit() or int(ttl) <= 0:
        raise ConfigError("HERALD_MEDIA_URL_TTL must be a positive number of seconds.")
    values: dict[str, object] = {
        "media_storage": storage,
        "media_path": Path(env["HERALD_MEDIA_PATH"]).resolve() if env.get("HERALD_MEDIA_PATH") else instance / "media",
        "s3_bucket": env.get("HERALD_S3_BUCKET") or None,
        "s3_endpoint_url": env.get("HERALD_S3_ENDPOINT_URL") or None,
        "s3_region": env.get("HERALD_S3_REGION") or None,
        "s3_access_key_id": env.get("HERALD_S3_ACCESS_KEY_ID") or None,
        "s3_secret_access_key": env.get("HERALD_S3_SECRET_ACCESS_KEY") or None,
        "s3_prefix": env.get("HERALD_S3_PREFIX", "").strip("/"),
        "media_max_bytes": limits,
        "public_url": (env.get("HERALD_PUBLIC_URL") or "").rstrip("/") or None,
        "media_url_ttl": int(ttl),
    }
    if storage == "s3" and not values["s3_bucket"]:
        raise ConfigError("HERALD_MEDIA_STORAGE=s3 needs HERALD_S3_BUCKET.")
    return values


def _request_trust_settings(env: dict[str, str]) -> dict[str, object]:
    """Which proxies may speak for the client (``X-Forwarded-*``) and which ``Host`` values are
    accepted; see docs/operations.md, "Behind a proxy"."""
    proxies: list[str] = []
    for raw in env.get("HERALD_TRUSTED_PROXIES", "").split(","):
        if raw.strip():
            try:
                proxies.append(str(ipaddress.ip_network(raw.strip(), strict=False)))
            except ValueError as exc:
                raise ConfigError(f"HERALD_TRUSTED_PROXIES: {raw.strip()!r} is not an IP address or network.") from exc
    hops = env.get("HERALD_TRUSTED_PROXY_HOPS", "1").strip() or "1"
    if not hops.isdigit() or not 1 <= int(hops) <= 10:
        raise ConfigError("HERALD_TRUSTED_PROXY_HOPS must be a whole number from 1 to 10.")
    hosts = tuple(h.strip().lower() for h in env.get("HERALD_ALLOWED_HOSTS", "").split(",") if h.strip())
    return {"trusted_proxies": tuple(proxies), "trusted_proxy_hops": int(hops), "allowed_hosts": hosts or None}


def _outbound_settings(env: dict[str, str]) -> dict[str, object]:
    """Where Herald may connect on a tenant's behalf; see docs/operations.md, "Outbound connections"."""
    from herald.outbound.policy import ALLOW_ENV, parse_allow_list

    raw = env.get(ALLOW_ENV, "")
    try:
        allow = tuple(rule.text for rule in parse_allow_list(raw))
    except ValueError as exc:
        raise ConfigError(f"{ALLOW_ENV}: {exc}.") from exc
    values: dict[str, object] = {"outbound_allow": allow}
    for name, kind, low, high in (("max_redirects", int, 0, 20), ("timeout_seconds", float, 1, 3600),
                                  ("max_bytes", int, 1024, 2**31)):
        text = env.get(f"HERALD_OUTBOUND_{name.upper()}", "").strip()
        if text:
            try:
                value = kind(text)
            except ValueError:
                value = None
            if value is None or not low <= value <= high:
                raise ConfigError(f"HERALD_OUTBOUND_{name.upper()} must be a number from {low} to {high}.")
            values[f"outbound_{name}"] = value
    overrides = env.get("HERALD_TENANT_OVERRIDES", "")
    values["tenant_overrides"] = tuple(o.strip() for o in overrides.split(",") if o.strip())
    values["plugin_instance_env"] = {k: v for k, v in env.items() if k.startswith("HERALD_") and "__" in k}
    return values


def _audit_settings(env: dict[str, str], instance: Path, embedded: bool, secret: str) -> dict[str, object]:
    """The audit chain's keys (HERALD_AUDIT_KEYS) and the schema owner's URL; see
    docs/operations.md, "The audit log" and "Database roles"."""
    from herald.audit.keys import derived_key, new_key, parse_keys

    raw = env.get("HERALD_AUDIT_KEYS", "").strip()
    if not raw and embedded:
        raw = _read_or_create(instance / "audit.key", lambda: new_key("a1"))
    try:
        keys = parse_keys(raw) if raw else (derived_key(secret),)
    except ValueError as exc:
        raise ConfigError(f"HERALD_AUDIT_KEYS: {exc}.") from exc
    owner = (env.get("HERALD_MIGRATION_DATABASE_URL") or "").strip() or None
    if owner and owner.startswith(("postgres://", "postgresql://")):
        owner = "postgresql+psycopg://" + owner.split("://", 1)[1]
    values: dict[str, object] = {"audit_keys": keys, "migration_database_url": owner}
    path = (env.get("HERALD_AUDIT_CHECKPOINT_FILE") or "").strip()
    values["audit_checkpoint_file"] = Path(path).resolve() if path else None
    target = (env.get("HERALD_AUDIT_CHECKPOINT_SYSLOG") or "").strip()
    if target:
        from herald.audit.checkpoints import syslog_address

        try:
            syslog_address(target)
        except ValueError as exc:
            raise ConfigError(f"HERALD_AUDIT_CHECKPOINT_SYSLOG: {exc}") from exc
    values["audit_checkpoint_syslog"] = target or None
    minutes = (env.get("HERALD_AUDIT_CHECKPOINT_MINUTES") or "").strip()
    if minutes:
        if not minutes.isdigit() or not 1 <= int(minutes) <= 1440:
            raise ConfigError("HERALD_AUDIT_CHECKPOINT_MINUTES must be a whole number of minutes from 1 to 1440.")
        values["audit_checkpoint_minutes"] = int(minutes)
    return values


_INT_SETTINGS = {
    "session_idle_minutes": 60, "session_absolute_hours": 12, "signin_max_failures_per_account": 5,
    "signin_max_failures_per_address": 50, "signin_failure_window_minutes": 15, "invitation_ttl_hours": 72,
    "password_reset_ttl_minutes": 60,
}


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    redis_url: str | None
    secret_key: str
    encryption_keys: tuple[str, ...]
    plugin_allow_list: tuple[str, ...] | None = None
    trace_hooks: bool = False
    queue_name: str = "herald"
    max_request_bytes: int = 1_048_576
    #: content library storage: "local" (a folder) or "s3" (any S3-compatible service)
    media_storage: str = "local"
    media_path: Path | None = None  # local backend; None: <instance>/media
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None  # None: AWS itself
    s3_region: str | None = None
    s3_access_key_id: str | None = None  # None: boto3's own chain (env, profile, instance role)
    s3_secret_access_key: str | None = None
    s3_prefix: str = ""
    #: largest upload accepted per asset kind, in bytes
    media_max_bytes: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_MEDIA_MAX_BYTES))
    #: the URL people and networks reach Herald at (links in emails, SSO callback URLs, signed
    #: media links); None: the request's host, and no media links for networks
    public_url: str | None = None
    media_url_ttl: int = 3600  # seconds a signed media link stays valid
    #: networks whose peers may set X-Forwarded-For/-Proto/-Host/-Port/-Prefix; empty: nobody
    trusted_proxies: tuple[str, ...] = ()
    trusted_proxy_hops: int = 1  # how many trusted proxies stand in front of Herald
    #: Host header values accepted; None: any when public_url is set, else loopback names only
    allowed_hosts: tuple[str, ...] | None = None
    #: hosts, host:port, addresses and networks Herald may connect to although they are not
    #: public (HERALD_OUTBOUND_ALLOW); outbound connections are capped in redirects, time and size
    outbound_allow: tuple[str, ...] = ()
    outbound_max_redirects: int = 3
    outbound_timeout_seconds: float = 120.0
    outbound_max_bytes: int = 10 * 2**20
    #: plugins (or plugin.setting) whose operator-owned settings a tenant admin may override
    tenant_overrides: tuple[str, ...] = ()
    #: HERALD_<PLUGIN>__<SETTING> values: operator-owned plugin settings, checked at start-up
    plugin_instance_env: dict[str, str] = field(default_factory=dict)
    session_cookie_secure: bool = True
    session_idle_minutes: int = 60
    session_absolute_hours: int = 12
    signin_max_failures_per_account: int = 5
    signin_max_failures_per_address: int = 50
    signin_failure_window_minutes: int = 15
    invitation_ttl_hours: int = 72
    password_reset_ttl_minutes: int = 60
    #: (id, secret) pairs that sign audit events and checkpoints, newest (the signing one) first
    audit_keys: tuple[tuple[str, str], ...] = ()
    #: the schema owner's database URL, used by `herald init` / `herald db upgrade` when set;
    #: Herald itself then runs as DATABASE_URL's user with only the grants it needs
    migration_database_url: str | None = None
    #: where Herald itself exports signed checkpoints of the audit chains, every
    #: audit_checkpoint_minutes: a JSON-lines file and/or syslog ("/dev/log", "udp://host:514",
    #: "tcp://host:601"); neither set: only `herald audit checkpoint` exports them
    audit_checkpoint_file: Path | None = None
    audit_checkpoint_syslog: str | None = None
    audit_checkpoint_minutes: int = 60
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def embedded(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: object) -> Settings:
        env = dict(os.environ if env is None else env)
        instance = Path(env.get("HERALD_INSTANCE_PATH") or Path.cwd() / "instance").resolve()
        database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'herald.db'}"
        if database_url.startswith("postgres://"):
            database_url = "postgresql://" + database_url[len("postgres://") :]
        if database_url.startswith("postgresql://"):
            database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
        embedded = database_url.startswith("sqlite")

        keys_env = env.get("HERALD_ENCRYPTION_KEYS", "").strip()
        if keys_env:
            keys = tuple(k.strip() for k in keys_env.split(",") if k.strip())
        elif embedded:
            keys = (_read_or_create(instance / "encryption.key", lambda: Fernet.generate_key().decode()),)
        else:
            raise ConfigError(
                "HERALD_ENCRYPTION_KEYS is not set: with DATABASE_URL set, every Herald process "
                "must share the same key (generate one with `herald keys generate`)."
            )
        for key in keys:
            try:
                Fernet(key)
            except ValueError as exc:
                raise ConfigError(f"HERALD_ENCRYPTION_KEYS holds an invalid Fernet key: {exc}") from exc

        secret = env.get("HERALD_SECRET_KEY", "").strip()
        if not secret:
            if not embedded:
                raise ConfigError("HERALD_SECRET_KEY is not set (required when DATABASE_URL is set).")
            secret = _read_or_create(instance / "secret.key", lambda: secrets.token_urlsafe(48))

        allow = env.get("HERALD_PLUGINS", "").strip()
        values: dict[str, object] = dict(
            **_audit_settings(env, instance, embedded, secret),
            instance_path=instance,
            database_url=database_url,
            redis_url=env.get("REDIS_URL") or None,
            secret_key=secret,
            encryption_keys=keys,
            plugin_allow_list=tuple(a.strip() for a in allow.split(",") if a.strip()) if allow else None,
            trace_hooks=env.get("HERALD_TRACE_HOOKS", "") not in ("", "0", "false"),
            queue_name=env.get("HERALD_QUEUE", "herald"),
            **_media_settings(env, instance),
            **_request_trust_settings(env),
            **_outbound_settings(env),
            session_cookie_secure=env.get("HERALD_SESSION_COOKIE_SECURE", "1").lower() not in ("0", "false", "no"),
        )
        for name, default in _INT_SETTINGS.items():
            raw = env.get(f"HERALD_{name.upper()}", "").strip()
            try:
                values[name] = int(raw) if raw else default
            except ValueError as exc:
                raise ConfigError(f"HERALD_{name.upper()} must be a whole number, not {raw!r}.") from exc
            if values[name] < 1:  # type: ignore[operator]
                raise ConfigError(f"HERALD_{name.upper()} must be at least 1.")
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
