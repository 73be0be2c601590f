"""pysaml2's SP client and xmlsec1, set up for one tenant for the length of one call.

pysaml2 wants keys and certificates as files; they live in a private temporary directory that
is removed when the call ends, so no key stays on disk and no tenant state is kept."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_UNSPECIFIED
from saml2.sigver import CryptoBackendXmlSec1

XMLSEC_PACKAGE_HINT = "install the xmlsec1 program (Debian/Ubuntu package `xmlsec1`)"


class XmlsecMissing(RuntimeError):
    """xmlsec1 is not installed: SAML signatures can be neither made nor verified."""


def xmlsec_binary() -> str:
    found = shutil.which("xmlsec1")
    if not found:
        raise XmlsecMissing(f"xmlsec1 was not found on PATH: {XMLSEC_PACKAGE_HINT}.")
    return found


@dataclass(frozen=True)
class SpFiles:
    directory: Path
    key_file: str | None
    cert_file: str | None

    def write(self, name: str, text: str) -> str:
        path = self.directory / name
        path.write_text(text)
        return str(path)


@contextmanager
def sp_files(settings: Mapping[str, Any]) -> Iterator[SpFiles]:
    with tempfile.TemporaryDirectory(prefix="herald-saml-") as tmp:
        directory = Path(tmp)
        key_file = cert_file = None
        if settings.get("sp_private_key_pem") and settings.get("sp_certificate_pem"):
            key_file = str(directory / "sp.key")
            Path(key_file).touch(mode=0o600)
            Path(key_file).write_text(settings["sp_private_key_pem"].strip() + "\n")
            cert_file = str(directory / "sp.crt")
            Path(cert_file).write_text(settings["sp_certificate_pem"].strip() + "\n")
        yield SpFiles(directory, key_file, cert_file)


def sp_client(settings: Mapping[str, Any], sp_entity_id: str, acs_url: str, files: SpFiles) -> Saml2Client:
    """A pysaml2 client for building AuthnRequests, LogoutRequests and SP metadata. Responses are
    checked by :mod:`herald_sso_saml.checks`, not by this client."""
    signing = files.key_file is not None
    config: dict[str, Any] = {
        "entityid": sp_entity_id,
        "xmlsec_binary": xmlsec_binary(),
        "delete_tmpfiles": True,
        "service": {"sp": {
            "endpoints": {"assertion_consumer_service": [(acs_url, BINDING_HTTP_POST)]},
            "want_assertions_signed": bool(settings.get("want_assertions_signed", True)),
            "want_response_signed": bool(settings.get("want_response_signed", False)),
            # Herald refuses unsigned responses whatever the two settings above say.
            "want_assertions_or_response_signed": True,
            "authn_requests_signed": signing,
            "allow_unsolicited": bool(settings.get("allow_idp_initiated", False)),
            "name_id_format": [NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_UNSPECIFIED],
        }},
    }
    if signing:
        config["key_file"] = files.key_file
        config["cert_file"] = files.cert_file
        config["encryption_keypairs"] = [{"key_file": files.key_file, "cert_file": files.cert_file}]
    conf = SPConfig()
    conf.load(config)
    return Saml2Client(config=conf)


def crypto() -> CryptoBackendXmlSec1:
    return CryptoBackendXmlSec1(xmlsec_binary(), delete_tmpfiles=True)


__all__ = ["BINDING_HTTP_POST", "BINDING_HTTP_REDIRECT", "SpFiles", "XmlsecMissing", "crypto", "sp_client",
           "sp_files", "xmlsec_binary"]
