"""Sign-ins that must succeed, against a real IdP issuing fresh, really signed responses."""

from __future__ import annotations

import urllib.parse

from defusedxml import ElementTree as SafeET

from herald_sso_saml.checks import SAML


def test_an_sp_initiated_sign_in_with_a_signed_assertion_yields_the_identity(make_tenant):
    tenant = make_tenant()
    identity = tenant.sign_in()
    assert identity.subject == "okta|00u1abcd"
    assert identity.email == "ada@acme.test"
    assert identity.display_name == "Ada Lovelace"
    assert set(identity.groups) == {"marketing", "emea-editors"}
    assert identity.session_index
