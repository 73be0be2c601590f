"""The Salesforce settings a tenant gives: defaults, what is required, and refusals that name
the wrong field."""

import pytest
from marshmallow import ValidationError

from herald_crm_salesforce import SalesforceSettings
from herald_crm_salesforce.settings import SETTINGS


def test_salesforce_settings_default_to_production_login_and_need_a_client_id():
    assert "client_id" in SalesforceSettings().validate({})
    loaded = SalesforceSettings().load({"client_id": "cid"})
    assert loaded["login_url"] == "https://login.salesforce.com"
    assert loaded["auth_flow"] == "jwt_bearer" and loaded["author_as"] == "Contact"
    assert "api_version" in SalesforceSettings().validate({"client_id": "c", "api_version": "59"})


def test_a_field_map_naming_an_unknown_herald_value_or_a_bad_field_is_refused():
    errors = SalesforceSettings().validate({"client_id": "c", "case_fields": {"Subject": "mood"},
                                            "lead_fields": {"Bad Field": "=x"}})
    assert set(errors) == {"case_fields", "lead_fields"}
    assert "mood" in str(errors["case_fields"])


def test_a_private_key_that_is_not_a_pem_rsa_key_is_refused():
    with pytest.raises(ValidationError) as caught:
        SalesforceSettings().load({"client_id": "c", "private_key_pem": "-----BEGIN NOTHING-----"})
    assert "private_key_pem" in caught.value.messages


def test_every_credential_is_a_secret_setting():
    assert set(SETTINGS.secret_fields) == {"client_secret", "private_key_pem", "refresh_token", "password"}


def test_a_record_type_id_must_look_like_one():
    assert "case_record_type_id" in SalesforceSettings().validate({"client_id": "c", "case_record_type_id": "x"})
