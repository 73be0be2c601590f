from herald_sso_saml import SamlSettings


def test_saml_settings_need_idp_metadata_and_refuse_idp_initiated_by_default():
    assert "idp_metadata_xml" in SamlSettings().validate({})
    loaded = SamlSettings().load({"idp_metadata_xml": "<EntityDescriptor/>"})
    assert loaded["allow_idp_initiated"] is False
    assert "clock_skew_seconds" in SamlSettings().validate({"idp_metadata_xml": "x", "clock_skew_seconds": 3600})
