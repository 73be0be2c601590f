"""Sign-ins that must succeed, against a real IdP issuing fresh, really signed responses."""

from __future__ import annotations

import urllib.parse
from datetime import timedelta

import pytest
from defusedxml import ElementTree as SafeET

from herald.plugins import SsoRefused
from herald_sso_saml.testing import DIGEST_SHA1, SHA1, b64

MD = "urn:oasis:names:tc:SAML:2.0:metadata"


def test_an_sp_initiated_sign_in_with_a_signed_assertion_yields_the_identity(make_tenant):
    tenant = make_tenant()
    identity = tenant.sign_in()
    assert identity.subject == "okta|00u1abcd"
    assert identity.email == "ada@acme.test"
    assert identity.display_name == "Ada Lovelace"
    assert set(identity.groups) == {"marketing", "emea-editors"}
    assert identity.session_index


def test_a_signed_response_alone_is_accepted_when_the_tenant_wants_signed_responses(make_tenant):
    tenant = make_tenant(settings={"want_response_signed": True, "want_assertions_signed": False})
    identity = tenant.sign_in(sign_response=True, sign_assertion=False)
    assert identity.email == "ada@acme.test"


def test_a_response_and_assertion_both_signed_are_accepted_when_both_are_wanted(make_tenant):
    tenant = make_tenant(settings={"want_response_signed": True, "want_assertions_signed": True})
    assert tenant.sign_in(sign_response=True, sign_assertion=True).subject == "okta|00u1abcd"


def test_an_idp_initiated_sign_in_is_accepted_when_the_tenant_allows_it(make_tenant):
    tenant = make_tenant(settings={"allow_idp_initiated": True})
    xml = tenant.idp.respond(None, tenant.acs, tenant.entity_id)
    identity = tenant.provider.complete(tenant.ctx, b64(xml), None)
    assert identity.email == "ada@acme.test"


def test_entra_style_claim_names_map_to_email_display_name_and_groups(make_tenant):
    claims = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims"
    tenant = make_tenant(settings={
        "email_attribute": f"{claims}/emailaddress", "display_name_attribute": f"{claims}/name",
        "group_attribute": "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"})
    identity = tenant.sign_in(attributes={
        f"{claims}/emailaddress": ["grace@contoso.test"], f"{claims}/name": ["Grace Hopper"],
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups": ["7f3c-sales", "9a1b-admins", "0c2d-x"],
    }, name_id="AAAAAAAAAAAAAAAAAAAAAJr4o0x")
    assert identity.email == "grace@contoso.test"
    assert identity.display_name == "Grace Hopper"
    assert identity.groups == ("7f3c-sales", "9a1b-admins", "0c2d-x")
    assert identity.subject == "AAAAAAAAAAAAAAAAAAAAAJr4o0x"
    assert identity.attributes[f"{claims}/name"] == ("Grace Hopper",)


def test_an_email_address_name_id_is_the_email_when_no_email_attribute_is_sent(make_tenant):
    tenant = make_tenant()
    identity = tenant.sign_in(attributes={}, name_id="ada@acme.test",
                              name_id_format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")
    assert (identity.email, identity.groups, identity.display_name) == ("ada@acme.test", (), "")


def test_session_not_on_or_after_becomes_the_session_expiry(make_tenant, clock):
    tenant = make_tenant()
    ends = (clock() + timedelta(hours=8)).replace(microsecond=0)
    identity = tenant.sign_in(session_not_on_or_after=ends.strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert identity.session_expires_at == ends


def test_during_rollover_both_certificates_in_the_metadata_are_accepted(make_tenant, keys):
    def announcing_the_next_key(idp):
        idp.extra_certs.append(keys["idp-next"].cert_pem)
        return idp.metadata()

    tenant = make_tenant(idp_metadata=announcing_the_next_key)
    assert tenant.sign_in().email == "ada@acme.test"  # signed with the current key
    start, request_id = tenant.start()
    unsigned = tenant.idp.respond(request_id, tenant.acs, tenant.entity_id, sign_assertion=False)
    signed_with_next = tenant.idp.sign(unsigned, "Assertion", key=keys["idp-next"])
    assert tenant.provider.complete(tenant.ctx, b64(signed_with_next), start.state).email == "ada@acme.test"


def test_two_pinned_certificates_replace_the_metadata_certificate(make_tenant, keys):
    tenant = make_tenant(settings={"idp_certificates": [keys["idp-next"].cert_pem, keys["other-idp"].cert_pem]})
    for pair in ("idp-next", "other-idp"):
        start, request_id = tenant.start()
        unsigned = tenant.idp.respond(request_id, tenant.acs, tenant.entity_id, sign_assertion=False)
        xml = tenant.idp.sign(unsigned, "Assertion", key=keys[pair])
        assert tenant.provider.complete(tenant.ctx, b64(xml), start.state).email == "ada@acme.test"
    with pytest.raises(SsoRefused, match="does not verify"):
        tenant.sign_in()  # the metadata's own certificate is no longer pinned


def test_sha1_signatures_are_accepted_only_when_the_tenant_allows_them(make_tenant):
    tenant = make_tenant(settings={"refuse_sha1": False})
    assert tenant.sign_in(sign_alg=SHA1, digest_alg=DIGEST_SHA1).email == "ada@acme.test"


def test_begin_sends_an_authn_request_for_the_tenant_acs_and_keeps_its_id(make_tenant):
    tenant = make_tenant()
    start, request_id = tenant.start()
    assert start.redirect_url.startswith("https://idp.acme.test/saml/sso?SAMLRequest=")
    assert start.state == {"request_id": request_id, "relay": "/console"}
    request = tenant.idp.server.parse_authn_request(
        urllib.parse.parse_qs(urllib.parse.urlsplit(start.redirect_url).query)["SAMLRequest"][0],
        "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect").message
    assert request.assertion_consumer_service_url == tenant.acs
    assert request.issuer.text == tenant.entity_id
    assert request.destination == "https://idp.acme.test/saml/sso"
    assert request.protocol_binding == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


def test_with_an_sp_key_the_authn_request_redirect_is_signed_with_rsa_sha256(make_tenant, keys):
    tenant = make_tenant(settings={"sp_private_key_pem": keys["sp"].key_pem,
                                   "sp_certificate_pem": keys["sp"].cert_pem})
    start, _ = tenant.start()
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(start.redirect_url).query)
    assert query["SigAlg"] == ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"]
    assert query["Signature"]


def test_sp_metadata_names_the_entity_id_the_post_acs_and_the_signing_certificate(make_tenant, keys):
    tenant = make_tenant(settings={"sp_private_key_pem": keys["sp"].key_pem,
                                   "sp_certificate_pem": keys["sp"].cert_pem})
    content_type, body = tenant.provider.metadata(tenant.ctx)
    assert content_type == "application/samlmetadata+xml"
    root = SafeET.fromstring(body)
    assert root.get("entityID") == "https://herald.test/auth/sso/acme/saml/metadata"
    acs = root.find(f"{{{MD}}}SPSSODescriptor/{{{MD}}}AssertionConsumerService")
    assert acs.get("Location") == "https://herald.test/auth/sso/acme/saml/callback"
    assert acs.get("Binding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    uses = {kd.get("use") for kd in root.iter(f"{{{MD}}}KeyDescriptor")}
    assert uses == {"signing", "encryption"}
    formats = [f.text for f in root.iter(f"{{{MD}}}NameIDFormat")]
    assert "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" in formats
    published = "".join(next(root.iter("{http://www.w3.org/2000/09/xmldsig#}X509Certificate")).text.split())
    assert published == "".join(keys["sp"].cert_pem.strip().splitlines()[1:-1])


def test_an_explicit_sp_entity_id_is_used_in_requests_and_expected_as_audience(make_tenant):
    tenant = make_tenant(settings={"sp_entity_id": "urn:herald:acme"})
    assert tenant.entity_id == "urn:herald:acme"
    assert tenant.sign_in().email == "ada@acme.test"


def test_logout_url_sends_a_logout_request_for_the_subject_and_session(make_tenant):
    tenant = make_tenant()
    identity = tenant.sign_in()
    url = tenant.provider.logout_url(tenant.ctx, identity, "https://herald.test/console")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert url.startswith("https://idp.acme.test/saml/slo?")
    assert query["RelayState"] == ["https://herald.test/console"]
    request = tenant.idp.server.parse_logout_request(
        query["SAMLRequest"][0], "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect").message
    assert request.name_id.text == identity.subject
    assert [s.text for s in request.session_index] == [identity.session_index]
    assert tenant.provider.logout_url(tenant.ctx, None, "https://herald.test/") is None


def test_an_encrypted_signed_assertion_is_decrypted_with_the_tenant_sp_key(make_tenant, keys):
    sp = {"sp_private_key_pem": keys["sp"].key_pem, "sp_certificate_pem": keys["sp"].cert_pem}
    tenant = make_tenant(settings={**sp, "want_response_signed": True})
    start, request_id = tenant.start()
    xml = tenant.idp.respond(request_id, tenant.acs, tenant.entity_id, sign_response=True,
                             encrypt_for=keys["sp"].cert_pem)
    assert "EncryptedAssertion" in xml and "ada@acme.test" not in xml
    identity = tenant.provider.complete(tenant.ctx, b64(xml), start.state)
    assert (identity.email, identity.subject) == ("ada@acme.test", "okta|00u1abcd")


def test_sp_metadata_without_an_sp_key_publishes_no_certificate(make_tenant):
    tenant = make_tenant()
    root = SafeET.fromstring(tenant.provider.metadata(tenant.ctx)[1])
    assert list(root.iter(f"{{{MD}}}KeyDescriptor")) == []
    assert root.find(f"{{{MD}}}SPSSODescriptor").get("AuthnRequestsSigned") == "false"
