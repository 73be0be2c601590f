"""IdP metadata as Okta, Microsoft Entra ID and ADFS publish it: what Herald pins from it."""

from __future__ import annotations

import pytest

from herald_sso_saml.idp_metadata import MetadataError, parse_idp_metadata

MD_NS = 'xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"'
PROTO = 'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"'
REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


def _b64(pem: str) -> str:
    return "\n".join(pem.strip().splitlines()[1:-1])


def _key(pem: str, use: str | None = "signing") -> str:
    attr = f' use="{use}"' if use else ""
    return (f"<md:KeyDescriptor{attr}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{_b64(pem)}"
            "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>")


def test_okta_style_metadata_pins_the_entity_sso_url_and_certificate(keys):
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor {MD_NS} '
           'entityID="http://www.okta.com/exk1fcia6d6EMsf331d8">'
           f'<md:IDPSSODescriptor WantAuthnRequestsSigned="false" {PROTO}>{_key(keys["idp"].cert_pem)}'
           "<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>"
           f'<md:SingleSignOnService Binding="{POST}" Location="https://acme.okta.com/app/x/exk1/sso/saml"/>'
           f'<md:SingleSignOnService Binding="{REDIRECT}" Location="https://acme.okta.com/app/x/exk1/sso/saml"/>'
           "</md:IDPSSODescriptor></md:EntityDescriptor>")
    meta = parse_idp_metadata(xml)
    assert meta.entity_id == "http://www.okta.com/exk1fcia6d6EMsf331d8"
    assert meta.sso_redirect_url == "https://acme.okta.com/app/x/exk1/sso/saml"
    assert meta.slo_redirect_url is None
    assert meta.signing_certs == (keys["idp"].cert_pem,)
    assert meta.valid_until is None


def test_entra_style_metadata_with_ws_fed_roles_and_a_key_without_use_pins_that_key(keys):
    xml = (f'<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" ID="_5a1e" '
           'entityID="https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/">'
           '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo/></Signature>'
           '<RoleDescriptor xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706" '
           'xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/'
           'federation/200706"/>'
           f"<IDPSSODescriptor {PROTO}>"
           + _key(keys["idp"].cert_pem, use=None).replace("md:", "").replace("ds:", "")
           .replace("<KeyInfo>", '<KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#">')
           + f'<SingleLogoutService Binding="{REDIRECT}" Location="https://login.microsoftonline.com/x/saml2"/>'
           f'<SingleSignOnService Binding="{REDIRECT}" Location="https://login.microsoftonline.com/x/saml2"/>'
           "</IDPSSODescriptor></EntityDescriptor>")
    meta = parse_idp_metadata(xml)
    assert meta.entity_id == "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/"
    assert meta.slo_redirect_url == "https://login.microsoftonline.com/x/saml2"
    assert meta.signing_certs == (keys["idp"].cert_pem,)


def test_adfs_style_metadata_keeps_both_token_signing_certificates_and_skips_encryption_keys(keys):
    xml = (f'<md:EntityDescriptor {MD_NS} ID="_adfs" entityID="http://adfs.acme.test/adfs/services/trust" '
           'validUntil="2999-01-01T00:00:00.0000000Z">'
           f'<md:SPSSODescriptor {PROTO}>{_key(keys["attacker"].cert_pem)}</md:SPSSODescriptor>'
           f'<md:IDPSSODescriptor {PROTO}>{_key(keys["attacker"].cert_pem, "encryption")}'
           f'{_key(keys["idp"].cert_pem)}{_key(keys["idp-next"].cert_pem)}'
           f'<md:SingleLogoutService Binding="{REDIRECT}" Location="https://adfs.acme.test/adfs/ls/"/>'
           f'<md:SingleSignOnService Binding="{REDIRECT}" Location="https://adfs.acme.test/adfs/ls/"/>'
           "</md:IDPSSODescriptor></md:EntityDescriptor>")
    meta = parse_idp_metadata(xml)
    assert meta.signing_certs == (keys["idp"].cert_pem, keys["idp-next"].cert_pem)
    assert meta.sso_redirect_url == "https://adfs.acme.test/adfs/ls/"
    assert meta.valid_until is not None and meta.valid_until.year == 2999


def test_metadata_without_a_redirect_sso_endpoint_is_refused(keys):
    xml = (f'<md:EntityDescriptor {MD_NS} entityID="https://idp.test"><md:IDPSSODescriptor {PROTO}>'
           f'{_key(keys["idp"].cert_pem)}<md:SingleSignOnService Binding="{POST}" Location="https://idp.test/sso"/>'
           "</md:IDPSSODescriptor></md:EntityDescriptor>")
    with pytest.raises(MetadataError, match="no SingleSignOnService with the HTTP-Redirect binding"):
        parse_idp_metadata(xml)


def test_an_entities_descriptor_must_hold_exactly_one_identity_provider(keys):
    one = (f'<md:EntityDescriptor entityID="https://idp{{n}}.test"><md:IDPSSODescriptor {PROTO}>'
           f'{_key(keys["idp"].cert_pem)}<md:SingleSignOnService Binding="{REDIRECT}" Location="https://x/sso"/>'
           "</md:IDPSSODescriptor></md:EntityDescriptor>")
    single = f'<md:EntitiesDescriptor {MD_NS}>{one.format(n=1)}</md:EntitiesDescriptor>'
    assert parse_idp_metadata(single).entity_id == "https://idp1.test"
    double = f'<md:EntitiesDescriptor {MD_NS}>{one.format(n=1)}{one.format(n=2)}</md:EntitiesDescriptor>'
    with pytest.raises(MetadataError, match="describes 2 identity providers"):
        parse_idp_metadata(double)


def test_a_certificate_that_is_not_one_is_refused():
    xml = (f'<md:EntityDescriptor {MD_NS} entityID="https://idp.test"><md:IDPSSODescriptor {PROTO}>'
           "<md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>bm90IGEgY2VydA=="
           "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
           f'<md:SingleSignOnService Binding="{REDIRECT}" Location="https://idp.test/sso"/>'
           "</md:IDPSSODescriptor></md:EntityDescriptor>")
    with pytest.raises(MetadataError, match="not a valid certificate"):
        parse_idp_metadata(xml)
