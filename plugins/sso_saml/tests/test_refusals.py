"""Responses that must be refused, each with its own precise reason. The IdP is real; hostile
variants are built by changing its XML before signing (then signing it properly) or after."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest

from herald.plugins import SsoRefused
from herald_sso_saml.testing import DIGEST_SHA1, SHA1, b64


def refused(tenant, xml: str, state) -> str:
    with pytest.raises(SsoRefused) as caught:
        tenant.provider.complete(tenant.ctx, b64(xml), state)
    return caught.value.reason


def unsigned(tenant, **respond):
    """A fresh request and the IdP's answer to it, not yet signed."""
    start, request_id = tenant.start()
    xml = tenant.idp.respond(request_id, tenant.acs, tenant.entity_id, sign_assertion=False, **respond)
    return start, request_id, xml


def signed(tenant, **respond):
    start, request_id = tenant.start()
    return start, tenant.idp.respond(request_id, tenant.acs, tenant.entity_id, **respond)


# ------------------------------------------------------------------------- signatures
def test_an_unsigned_response_is_refused_even_when_no_signature_is_wanted(make_tenant):
    tenant = make_tenant(settings={"want_assertions_signed": False, "want_response_signed": False})
    start, _, xml = unsigned(tenant)
    assert refused(tenant, xml, start.state) == (
        "The Response is unsigned; Herald requires a signed Response or Assertion.")


def test_an_unsigned_assertion_is_refused_when_signed_assertions_are_wanted(make_tenant):
    tenant = make_tenant()
    start, xml = signed(tenant, sign_response=True, sign_assertion=False)
    assert refused(tenant, xml, start.state) == (
        "The Assertion is not signed, and this tenant requires signed Assertions.")


def test_an_unsigned_response_envelope_is_refused_when_signed_responses_are_wanted(make_tenant):
    tenant = make_tenant(settings={"want_response_signed": True})
    start, xml = signed(tenant)
    assert refused(tenant, xml, start.state) == (
        "The Response is not signed, and this tenant requires signed Responses.")


def test_an_assertion_signed_by_another_key_is_refused(make_tenant, keys):
    tenant = make_tenant()
    start, _, xml = unsigned(tenant)
    forged = tenant.idp.sign(xml, "Assertion", key=keys["attacker"])
    assert refused(tenant, forged, start.state) == (
        "The Assertion signature does not verify with the identity provider certificate pinned for this tenant.")


def test_an_attribute_changed_after_signing_is_refused(make_tenant):
    tenant = make_tenant()
    start, xml = signed(tenant)
    assert "emea-editors" in xml
    tampered = xml.replace("emea-editors", "tenant-admins")
    assert "does not verify" in refused(tenant, tampered, start.state)


def test_a_name_id_changed_after_signing_the_response_is_refused(make_tenant):
    tenant = make_tenant(settings={"want_response_signed": True, "want_assertions_signed": False})
    start, xml = signed(tenant, sign_response=True, sign_assertion=False)
    tampered = xml.replace(">okta|00u1abcd<", ">okta|00u1admin<")
    assert refused(tenant, tampered, start.state) == (
        "The Response signature does not verify with the identity provider certificate pinned for this tenant.")


def test_sha1_signatures_are_refused_when_the_tenant_refuses_sha1(make_tenant):
    tenant = make_tenant()  # refuse_sha1 is on by default
    start, xml = signed(tenant, sign_alg=SHA1, digest_alg=DIGEST_SHA1)
    assert refused(tenant, xml, start.state) == (
        "The Assertion signature uses SHA-1 (http://www.w3.org/2000/09/xmldsig#rsa-sha1), which this tenant refuses.")


def test_a_sha1_digest_under_a_sha256_signature_is_refused_too(make_tenant):
    tenant = make_tenant()
    start, xml = signed(tenant, digest_alg=DIGEST_SHA1)
    assert refused(tenant, xml, start.state) == (
        "The Assertion digest uses SHA-1 (http://www.w3.org/2000/09/xmldsig#sha1), which this tenant refuses.")


# ------------------------------------------------------------------------- signature wrapping (XSW)
def _assertion(xml: str) -> str:
    return re.search(r"<ns1:Assertion .*?</ns1:Assertion>", xml, re.S).group(0)


def _evil(assertion: str, new_id: str) -> str:
    """The attacker's copy: another subject, another ID, no signature."""
    evil = re.sub(r"<ns2:Signature .*?</ns2:Signature>", "", assertion, flags=re.S)
    evil = re.sub(r'ID="[^"]+"', f'ID="{new_id}"', evil, count=1)
    return evil.replace(">okta|00u1abcd<", ">okta|00u1admin<").replace("ada@acme.test", "mallory@acme.test")


def test_xsw_an_evil_assertion_wrapping_the_signed_one_is_refused(make_tenant):
    tenant = make_tenant()
    start, xml = signed(tenant)
    original = _assertion(xml)
    evil = _evil(original, "id-evil")
    # the signed original hides inside the evil assertion's Advice, where a naive verifier finds it
    wrapped = evil.replace("</ns1:Assertion>", f"<ns1:Advice>{original}</ns1:Advice></ns1:Assertion>")
    attack = xml.replace(original, wrapped)
    assert refused(tenant, attack, start.state) == "The Response holds 2 assertions; exactly one is accepted."


def test_xsw_a_second_assertion_beside_the_signed_one_is_refused(make_tenant):
    tenant = make_tenant()
    start, xml = signed(tenant)
    original = _assertion(xml)
    attack = xml.replace(original, _evil(original, "id-evil") + original)
    assert refused(tenant, attack, start.state) == "The Response holds 2 assertions; exactly one is accepted."


def test_xsw_a_duplicated_assertion_with_the_same_id_is_refused(make_tenant):
    tenant = make_tenant()
    start, xml = signed(tenant)
    original = _assertion(xml)
    assertion_id = re.search(r'ID="([^"]+)"', original).group(1)
    attack = xml.replace(original, _evil(original, assertion_id) + original)
    assert refused(tenant, attack, start.state) == f"The Response repeats the ID {assertion_id!r}; IDs must be unique."


def test_xsw_the_signature_moved_to_the_response_to_cover_a_hidden_assertion_is_refused(make_tenant):
    tenant = make_tenant(settings={"want_assertions_signed": False})
    start, xml = signed(tenant)
    original = _assertion(xml)
    signature = re.search(r"<ns2:Signature .*?</ns2:Signature>", original, re.S).group(0)
    assertion_id = re.search(r'ID="([^"]+)"', original).group(1)
    # the Response now "carries" the assertion's signature; the evil assertion replaces the original
    attack = xml.replace(original, _evil(original, "id-evil"))
    attack = attack.replace("</ns1:Issuer>", "</ns1:Issuer>" + signature, 1)
    response_id = re.search(r'<ns0:Response [^>]*ID="([^"]+)"', xml).group(1)
    assert refused(tenant, attack, start.state) == (
        f"The Response signature references '#{assertion_id}', not the Response ID {response_id!r}.")


def test_xsw_a_signature_moved_inside_the_subject_is_refused(make_tenant):
    tenant = make_tenant()
    start, xml = signed(tenant)
    original = _assertion(xml)
    signature = re.search(r"<ns2:Signature .*?</ns2:Signature>", original, re.S).group(0)
    moved = original.replace(signature, "").replace("</ns1:Subject>", signature + "</ns1:Subject>")
    assert refused(tenant, xml.replace(original, moved), start.state) == (
        "A signature sits inside <Subject>; only the Response or the Assertion may be signed.")


def test_xsw_a_second_signature_on_the_signed_assertion_is_refused(make_tenant):
    tenant = make_tenant()
    start, xml = signed(tenant)
    original = _assertion(xml)
    signature = re.search(r"<ns2:Signature .*?</ns2:Signature>", original, re.S).group(0)
    doubled = original.replace(signature, signature + re.sub(r' Id="[^"]+"', "", signature, count=1))
    assert refused(tenant, xml.replace(original, doubled), start.state) == (
        "The Assertion carries more than one signature.")


# ------------------------------------------------------------------------- time
def test_an_assertion_past_not_on_or_after_beyond_the_skew_is_refused(make_tenant, clock):
    tenant = make_tenant(settings={"clock_skew_seconds": 60})
    start, xml = signed(tenant)
    clock.offset = timedelta(minutes=5, seconds=61)  # the IdP gives five minutes
    assert refused(tenant, xml, start.state).startswith("The SubjectConfirmationData expired at ")


def test_an_assertion_just_past_not_on_or_after_but_within_the_skew_is_accepted(make_tenant, clock):
    tenant = make_tenant(settings={"clock_skew_seconds": 60})
    start, xml = signed(tenant)
    clock.offset = timedelta(minutes=5, seconds=30)
    assert tenant.provider.complete(tenant.ctx, b64(xml), start.state).email == "ada@acme.test"


def test_conditions_not_on_or_after_in_the_past_is_refused(make_tenant, clock):
    tenant = make_tenant(settings={"clock_skew_seconds": 0})
    start, _, xml = unsigned(tenant)
    past = (clock() - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    xml = re.sub(r'(<ns1:Conditions [^>]*NotOnOrAfter=")[^"]+', rf"\g<1>{past}", xml)
    reason = refused(tenant, tenant.idp.sign(xml, "Assertion"), start.state)
    assert reason.startswith(f"The Assertion expired at {past}")


def test_an_assertion_not_valid_before_a_future_time_is_refused(make_tenant, clock):
    tenant = make_tenant(settings={"clock_skew_seconds": 120})
    start, xml = signed(tenant)
    clock.offset = -timedelta(minutes=3)  # Herald's clock is three minutes behind the IdP's
    assert refused(tenant, xml, start.state).startswith("The Assertion is not valid before ")


def test_a_passed_session_not_on_or_after_is_refused(make_tenant, clock):
    tenant = make_tenant()
    start, xml = signed(tenant, session_not_on_or_after=(clock() - timedelta(minutes=10)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"))
    assert "(SessionNotOnOrAfter)" in refused(tenant, xml, start.state)


# ------------------------------------------------------------------------- audience, destination, recipient
def test_a_response_for_another_audience_is_refused(make_tenant):
    tenant = make_tenant()
    start, _, xml = unsigned(tenant)
    xml = xml.replace(f"<ns1:Audience>{tenant.entity_id}<", "<ns1:Audience>https://other-app.test/sp<")
    reason = refused(tenant, tenant.idp.sign(xml, "Assertion"), start.state)
    assert reason == ("The Assertion's audience ['https://other-app.test/sp'] does not include this tenant's SP "
                      "entity ID 'https://herald.test/auth/sso/acme/saml/metadata'.")


def test_a_response_for_another_destination_is_refused(make_tenant):
    tenant = make_tenant()
    start, request_id = tenant.start()
    xml = tenant.idp.respond(request_id, "https://evil.test/acs", tenant.entity_id)
    assert refused(tenant, xml, start.state) == (
        "The Response Destination 'https://evil.test/acs' is not this tenant's ACS URL "
        "'https://herald.test/auth/sso/acme/saml/callback'.")


def test_an_empty_destination_is_refused(make_tenant):
    tenant = make_tenant()
    start, _, xml = unsigned(tenant)
    xml = xml.replace(f'Destination="{tenant.acs}"', 'Destination=""')
    assert refused(tenant, tenant.idp.sign(xml, "Assertion"), start.state) == (
        "The Response has an empty or missing Destination.")


def test_a_wrong_subject_confirmation_recipient_is_refused(make_tenant):
    tenant = make_tenant()
    start, _, xml = unsigned(tenant)
    xml = xml.replace(f'Recipient="{tenant.acs}"', 'Recipient="https://evil.test/acs"')
    assert refused(tenant, tenant.idp.sign(xml, "Assertion"), start.state) == (
        "The SubjectConfirmation Recipient 'https://evil.test/acs' is not this tenant's ACS URL "
        "'https://herald.test/auth/sso/acme/saml/callback'.")


# ------------------------------------------------------------------------- InResponseTo
def test_an_unknown_in_response_to_is_refused(make_tenant):
    tenant = make_tenant()
    start, _ = tenant.start()
    xml = tenant.idp.respond("id-never-issued", tenant.acs, tenant.entity_id)
    assert refused(tenant, xml, start.state) == (
        "The Response InResponseTo 'id-never-issued' names no sign-in request Herald issued to this browser.")


def test_an_answer_to_another_browsers_request_is_refused_even_with_idp_initiated_allowed(make_tenant):
    tenant = make_tenant(settings={"allow_idp_initiated": True})
    _, other_request = tenant.start()
    xml = tenant.idp.respond(other_request, tenant.acs, tenant.entity_id)
    assert "names no sign-in request Herald issued" in refused(tenant, xml, None)


def test_an_idp_initiated_response_is_refused_when_the_tenant_does_not_allow_it(make_tenant):
    tenant = make_tenant()
    xml = tenant.idp.respond(None, tenant.acs, tenant.entity_id)
    assert refused(tenant, xml, None) == (
        "Unsolicited Response (IdP-initiated sign-in), which this tenant does not allow.")


def test_an_unsolicited_assertion_passed_off_as_the_answer_to_a_request_is_refused(make_tenant):
    tenant = make_tenant()
    start, request_id = tenant.start()
    unsolicited = tenant.idp.respond(None, tenant.acs, tenant.entity_id)  # only the assertion is signed
    attack = unsolicited.replace("<ns0:Response ", f'<ns0:Response InResponseTo="{request_id}" ', 1)
    assert refused(tenant, attack, start.state) == (
        f"The SubjectConfirmationData InResponseTo None does not match the request {request_id!r}.")


def test_an_unsolicited_response_while_a_request_is_pending_is_refused(make_tenant):
    tenant = make_tenant()
    start, _ = tenant.start()
    xml = tenant.idp.respond(None, tenant.acs, tenant.entity_id)
    assert "has no InResponseTo" in refused(tenant, xml, start.state)


# ------------------------------------------------------------------------- replay
def test_a_replayed_assertion_is_refused_with_an_in_memory_cache(make_tenant):
    tenant = make_tenant()
    start, xml = signed(tenant)
    assert tenant.provider.complete(tenant.ctx, b64(xml), start.state).email == "ada@acme.test"
    assert re.fullmatch(r"The Assertion '[^']+' was already used \(replay\)\.", refused(tenant, xml, start.state))


def test_a_second_assertion_answering_an_already_answered_request_is_refused(make_tenant):
    tenant = make_tenant()
    start, request_id = tenant.start()
    first = tenant.idp.respond(request_id, tenant.acs, tenant.entity_id)
    second = tenant.idp.respond(request_id, tenant.acs, tenant.entity_id)  # a fresh assertion ID
    tenant.provider.complete(tenant.ctx, b64(first), start.state)
    assert refused(tenant, second, start.state) == (
        f"The sign-in request {request_id!r} was already answered (replay).")


def test_a_replayed_assertion_is_refused_by_another_process_sharing_the_redis_cache(make_tenant, redis_replay):
    first = make_tenant(replay=redis_replay)
    start, xml = signed(first)
    assert first.provider.complete(first.ctx, b64(xml), start.state).email == "ada@acme.test"
    # another web process: a fresh provider instance, the same Redis
    from herald_sso_saml import SamlProvider

    other = SamlProvider(first.ctx.tenant_id, first.provider.settings)
    with pytest.raises(SsoRefused, match=r"was already used \(replay\)"):
        other.complete(first.ctx, b64(xml), start.state)


def test_a_replayed_idp_initiated_assertion_is_refused(make_tenant, redis_replay):
    tenant = make_tenant(replay=redis_replay, settings={"allow_idp_initiated": True})
    xml = tenant.idp.respond(None, tenant.acs, tenant.entity_id)
    tenant.provider.complete(tenant.ctx, b64(xml), None)
    assert "was already used (replay)" in refused(tenant, xml, None)


# ------------------------------------------------------------------------- tenants
def test_a_response_for_tenant_a_is_refused_at_tenant_b_sharing_the_same_idp(make_tenant):
    acme = make_tenant("acme")
    beta = make_tenant("beta")  # trusts the same IdP entity and key
    _, request_a = acme.start()
    xml_for_acme = acme.idp.respond(request_a, acme.acs, acme.entity_id)
    start_b, _ = beta.start()
    reason = refused(beta, xml_for_acme, start_b.state)
    assert reason == ("The Assertion's audience ['https://herald.test/auth/sso/acme/saml/metadata'] does not "
                      "include this tenant's SP entity ID 'https://herald.test/auth/sso/beta/saml/metadata'.")


def test_a_response_from_another_tenants_idp_is_refused(make_tenant):
    acme = make_tenant("acme")
    beta = make_tenant("beta", idp_entity="https://idp.beta.test/saml/metadata", idp_key="other-idp")
    start_b, request_b = beta.start()
    # acme's IdP answers beta's request, addressed to beta: only the key and issuer give it away
    xml = acme.idp.respond(request_b, beta.acs, beta.entity_id)
    assert "signature does not verify" in refused(beta, xml, start_b.state)


def test_a_response_issued_by_another_entity_with_the_right_key_is_refused(make_tenant):
    tenant = make_tenant()
    start, _, xml = unsigned(tenant)
    xml = xml.replace(">https://idp.acme.test/saml/metadata<", ">https://idp.evil.test/metadata<")
    assert refused(tenant, tenant.idp.sign(xml, "Assertion"), start.state) == (
        "The Response Issuer 'https://idp.evil.test/metadata' is not this tenant's identity provider "
        "'https://idp.acme.test/saml/metadata'.")


# ------------------------------------------------------------------------- malformed input
def test_a_callback_without_a_saml_response_is_refused(make_tenant):
    tenant = make_tenant()
    with pytest.raises(SsoRefused, match="no SAMLResponse"):
        tenant.provider.complete(tenant.ctx, {}, None)
    with pytest.raises(SsoRefused, match="not valid base64"):
        tenant.provider.complete(tenant.ctx, {"SAMLResponse": "%%%not-base64"}, None)


def test_a_response_with_a_dtd_is_refused_before_anything_is_expanded(make_tenant):
    tenant = make_tenant()
    bomb = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&b;</samlp:Response>')
    with pytest.raises(SsoRefused, match="DTDs or entities"):
        tenant.provider.complete(tenant.ctx, {"SAMLResponse": base64.b64encode(bomb.encode()).decode()}, None)


def test_an_error_status_is_refused_with_the_idp_status(make_tenant):
    tenant = make_tenant()
    start, request_id = tenant.start()
    error = tenant.idp.server.create_error_response(request_id, tenant.acs, (
        "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed", "wrong password"))
    assert refused(tenant, str(error), start.state).startswith(
        "The identity provider answered status urn:oasis:names:tc:SAML:2.0:status:Responder")


def test_a_response_without_a_name_id_is_refused(make_tenant):
    tenant = make_tenant()
    start, _, xml = unsigned(tenant)
    xml = re.sub(r"(<ns1:NameID [^>]*>)[^<]+(</ns1:NameID>)", r"\1\2", xml)
    assert refused(tenant, tenant.idp.sign(xml, "Assertion"), start.state) == (
        "The Assertion has no NameID (or an empty one).")


def test_a_duplicated_attribute_name_is_refused(make_tenant):
    tenant = make_tenant()
    start, _, xml = unsigned(tenant)
    attribute = re.search(r'<ns1:Attribute Name="groups".*?</ns1:Attribute>', xml, re.S).group(0)
    xml = xml.replace(attribute, attribute + attribute.replace("marketing", "tenant-admins"))
    assert refused(tenant, tenant.idp.sign(xml, "Assertion"), start.state) == (
        "The Assertion states the attribute 'groups' more than once.")


def test_a_sign_in_without_an_email_is_refused(make_tenant):
    tenant = make_tenant()
    start, xml = signed(tenant, attributes={"displayName": ["No Mail"]})
    assert refused(tenant, xml, start.state).startswith("The Assertion carries no email address")


# ------------------------------------------------------------------------- encryption
def test_an_encrypted_assertion_is_refused_when_the_tenant_has_no_sp_key(make_tenant, keys):
    tenant = make_tenant()
    start, xml = signed(tenant, sign_response=True, encrypt_for=keys["sp"].cert_pem)
    assert refused(tenant, xml, start.state).startswith(
        "The assertion is encrypted, but this tenant has no SP key to decrypt it")


def test_an_assertion_encrypted_for_another_key_is_refused(make_tenant, keys):
    tenant = make_tenant(settings={"sp_private_key_pem": keys["sp"].key_pem,
                                   "sp_certificate_pem": keys["sp"].cert_pem})
    start, xml = signed(tenant, sign_response=True, encrypt_for=keys["attacker"].cert_pem)
    assert refused(tenant, xml, start.state) == (
        "The encrypted assertion could not be decrypted with this tenant's SP key.")


def test_an_encrypted_assertion_whose_response_was_altered_after_signing_is_refused(make_tenant, keys):
    tenant = make_tenant(settings={"sp_private_key_pem": keys["sp"].key_pem, "sp_certificate_pem": keys["sp"].cert_pem,
                                   "want_response_signed": True, "want_assertions_signed": False})
    start, xml = signed(tenant, sign_response=True, sign_assertion=False, encrypt_for=keys["sp"].cert_pem)
    tampered = re.sub(r'IssueInstant="[^"]+"', 'IssueInstant="2020-01-01T00:00:00Z"', xml, count=1)
    assert tampered != xml
    assert refused(tenant, tampered, start.state) == (
        "The Response signature does not verify with the identity provider certificate pinned for this tenant.")


def test_a_comment_slipped_into_the_signed_name_id_does_not_truncate_it(make_tenant):
    # Canonicalization drops comments, so the signature still verifies; a reader that stops at
    # the comment would see "admin@acme.test" (the CVE-2017-11427 family). Herald reads it whole.
    tenant = make_tenant()
    start, xml = signed(tenant, name_id="admin@acme.test.evil.test",
                        attributes={"email": ["admin@acme.test.evil.test"]})
    injected = xml.replace("admin@acme.test.evil.test", "admin@acme.test<!---->.evil.test")
    identity = tenant.provider.complete(tenant.ctx, b64(injected), start.state)
    assert (identity.subject, identity.email) == ("admin@acme.test.evil.test", "admin@acme.test.evil.test")
