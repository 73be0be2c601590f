from herald_crm_salesforce import SalesforceSettings


def test_salesforce_settings_default_to_production_login_and_need_a_client_id():
    assert "client_id" in SalesforceSettings().validate({})
    loaded = SalesforceSettings().load({"client_id": "cid"})
    assert loaded["login_url"] == "https://login.salesforce.com"
    assert "api_version" in SalesforceSettings().validate({"client_id": "c", "api_version": "59"})
