"""Pushing to Salesforce: authors upserted as Contacts on Herald's author id, cases linked to
them, leads for sales, all as upserts on External IDs (a second push updates), per-record
refusals kept with Salesforce's words, the one-by-one path of orgs without collections upsert,
Salesforce's limits, and cases read back across query pages."""

from __future__ import annotations

from typing import Any

import pytest

from herald.plugins import CrmRecord, PermanentError, RateLimited, TransientError
from herald_crm_salesforce.limits import ApiUsage, pause_for

AUTHOR = {"id": "aut_ana", "handle": "ana_fan", "name": "Ana Ruiz", "remote_id": "944", "followers": 1200,
          "verified": False}


def case(key: str = "conv_1:rule_1:0", author: dict[str, Any] | None = AUTHOR, **extra: Any) -> CrmRecord:
    fields = {"conversation_id": key.split(":")[0], "network": "x", "account": "heraldhq", "kind": "mention",
              "priority": "urgent", "tags": ["refund"], "language": "en", "author": author,
              "messages": [{"at": "2026-12-07T10:00:00+00:00", "direction": "inbound",
                            "text": "My order never arrived", "url": None}],
              "message": "My order never arrived", "link": "https://herald.example/console/inbox/conv_1", **extra}
    return CrmRecord("case", key, fields)


def lead(key: str = "conv_2:rule_2:0", author: dict[str, Any] | None = AUTHOR) -> CrmRecord:
    record = case(key, author)
    return CrmRecord("lead", key, {**record.fields, "message": "Do you ship to Lisbon? I want 40 units"})


def test_a_case_upserts_the_author_as_a_contact_and_links_the_case_to_it(salesforce, make_sink):
    [result] = make_sink().push_batch([case()])
    assert result.ok and result.crm_id.startswith("500")
    [contact] = salesforce.fake.of("Contact")
    assert contact["Herald_Author_Id__c"] == "aut_ana" and contact["LastName"] == "Ana Ruiz"
    [sf_case] = salesforce.fake.of("Case")
    assert sf_case["ContactId"] == contact["Id"]
    assert sf_case["Origin"] == "Social" and sf_case["Priority"] == "High"
    assert sf_case["Subject"].startswith("x mention from @ana_fan: My order never arrived")
    assert "https://herald.example/console/inbox/conv_1" in sf_case["Description"]
    assert sf_case["Herald_Record_Id__c"] == "conv_1:rule_1:0"
    assert ("PATCH", "/composite/sobjects/Contact/Herald_Author_Id__c") in salesforce.fake.data_requests
    assert ("PATCH", "/composite/sobjects/Case/Herald_Record_Id__c") in salesforce.fake.data_requests


def test_pushing_the_same_records_again_updates_instead_of_duplicating(salesforce, make_sink):
    sink = make_sink()
    first = sink.push_batch([case(), lead()])
    again = sink.push_batch([case(), lead()])
    assert [r.crm_id for r in first] == [r.crm_id for r in again]
    assert (len(salesforce.fake.of("Contact")), len(salesforce.fake.of("Case")), len(salesforce.fake.of("Lead"))) \
        == (1, 1, 1)


def test_a_lead_carries_the_handle_network_and_message(salesforce, make_sink):
    [result] = make_sink().push_batch([lead()])
    assert result.ok and result.crm_id.startswith("00Q")
    [sf_lead] = salesforce.fake.of("Lead")
    assert sf_lead["Company"] == "@ana_fan (x)" and sf_lead["LeadSource"] == "Social"
    assert sf_lead["Description"] == "Do you ship to Lisbon? I want 40 units"


def test_per_record_refusals_stop_only_that_record_with_salesforces_message(salesforce, make_sink):
    salesforce.fake.validation_rules.append(
        lambda sobject, f: "Subject must not mention competitors" if "Globex" in f.get("Subject", "") else None)
    salesforce.fake.duplicate_rules["Lead"] = "Company"
    salesforce.fake.create("Lead", {"LastName": "Old", "Company": "@dup (x)"})
    nameless = {**AUTHOR, "id": "aut_nameless", "name": "", "handle": ""}
    records = [case("c1:r:0"), case("c2:r:0", author=nameless), case("c3:r:0", message="Globex is cheaper"),
               lead("l1:r:0", author={**AUTHOR, "handle": "dup"}), lead("l2:r:0")]
    results = make_sink().push_batch(records)
    assert [r.ok for r in results] == [True, False, False, False, True]
    assert results[1].code == "REQUIRED_FIELD_MISSING" and "Required fields are missing: [LastName]" in results[1].error
    assert results[1].permanent
    assert results[2].code == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    assert results[2].error == "Subject must not mention competitors"
    assert (results[3].code, results[3].error) == ("DUPLICATES_DETECTED", "Use one of these records?")


def test_the_tenants_field_mapping_and_record_types_shape_the_records(salesforce, make_sink):
    sink = make_sink(case_fields={"Herald_Link__c": "link", "Status": "=Escalated", "Priority": ""},
                     case_record_type_id="012000000000AbCAAU")
    assert sink.push_batch([case()])[0].ok
    [sf_case] = salesforce.fake.of("Case")
    assert sf_case["Herald_Link__c"] == "https://herald.example/console/inbox/conv_1"
    assert sf_case["Status"] == "Escalated" and "Priority" not in sf_case
    assert sf_case["RecordTypeId"] == "012000000000AbCAAU"


def test_a_mapped_field_the_org_lacks_fails_the_record_naming_it(salesforce, make_sink):
    [result] = make_sink(case_fields={"Sentiment__c": "language"}).push_batch([case()])
    assert not result.ok and result.code == "INVALID_FIELD" and "Sentiment__c" in result.error


def test_the_author_can_be_upserted_as_a_lead(salesforce, make_sink):
    assert make_sink(author_as="Lead").push_batch([case()])[0].ok
    [author] = salesforce.fake.of("Lead")
    assert author["Herald_Author_Id__c"] == "aut_ana"
    assert salesforce.fake.of("Contact") == [] and "ContactId" not in salesforce.fake.of("Case")[0]


@pytest.mark.parametrize("update_status", [200, 204])
def test_without_collections_upsert_records_are_upserted_one_by_one(salesforce, make_sink, update_status):
    salesforce.fake.collections_upsert = False
    salesforce.fake.update_status = update_status
    sink = make_sink()
    first = sink.push_batch([case(), lead()])
    again = sink.push_batch([case(), lead()])
    assert all(r.ok for r in first + again)
    assert [r.crm_id for r in first] == [r.crm_id for r in again]  # a 204 update's id is looked up
    assert len(salesforce.fake.of("Case")) == 1
    assert ("PATCH", "/sobjects/Case/Herald_Record_Id__c/conv_1%3Arule_1%3A0") in salesforce.fake.data_requests \
        or ("PATCH", "/sobjects/Case/Herald_Record_Id__c/conv_1:rule_1:0") in salesforce.fake.data_requests


def test_several_records_holding_one_external_id_refuse_that_record(salesforce, make_sink):
    salesforce.fake.collections_upsert = False
    for _ in range(2):
        salesforce.fake._insert("Case", {"Herald_Record_Id__c": "conv_1:rule_1:0"})
    [result] = make_sink().push_batch([case()])
    assert not result.ok and result.code == "MULTIPLE_CHOICES"


def test_request_limit_exceeded_is_rate_limited(salesforce, make_sink):
    salesforce.fake.api_used = salesforce.fake.api_limit
    with pytest.raises(RateLimited) as caught:
        make_sink().push_batch([case()])
    assert caught.value.code == "REQUEST_LIMIT_EXCEEDED" and caught.value.message == "TotalRequests Limit exceeded."


def test_salesforce_down_is_transient(salesforce, make_sink):
    salesforce.fake.down = 5
    with pytest.raises(TransientError):
        make_sink().push_batch([case()])


def test_push_of_one_record_raises_salesforces_refusal(salesforce, make_sink):
    with pytest.raises(PermanentError) as caught:
        make_sink().push(case(author={**AUTHOR, "name": "", "handle": ""}))
    assert caught.value.code == "REQUIRED_FIELD_MISSING"


def test_limit_info_slows_pushes_as_the_daily_limit_nears(salesforce, make_sink):
    sink = make_sink(limit_slow_at=0.5, limit_stop_at=0.9, slow_delay_seconds=100, stop_delay_seconds=3600)
    sink.push_batch([case()])
    assert sink.next_batch_delay() == 0.0
    salesforce.fake.api_used = 2800  # 56 % after this batch's calls
    sink.push_batch([case()])
    assert 0 < sink.next_batch_delay() < 100
    salesforce.fake.api_used = 4600
    sink.push_batch([case()])
    assert sink.next_batch_delay() == 3600


def test_limit_info_header_forms_are_read():
    assert ApiUsage.from_header("api-usage=18/5000") == ApiUsage(18, 5000)
    assert ApiUsage.from_header("api-usage=25/5000; per-app-api-usage=17/250(appName=sample)") == ApiUsage(25, 5000)
    assert ApiUsage.from_header("per-app-api-usage=17/250(appName=x)") is None
    assert pause_for(ApiUsage(10, 100), slow_at=0.8, stop_at=0.95, slow_delay=300, stop_delay=3600) == 0


def test_case_status_and_owner_are_read_back_across_query_pages(salesforce, make_sink):
    sink = make_sink()
    ids = [r.crm_id for r in sink.push_batch([case(f"conv_{i}:r:0") for i in range(5)])]
    salesforce.fake.set_case(ids[3], status="Escalated", owner="Priya")
    salesforce.fake.page_size = 2
    found = {c.crm_id: c for c in sink.read_cases([*ids, "not an id') OR Id != ('"])}
    assert set(found) == set(ids)
    assert (found[ids[3]].status, found[ids[3]].owner) == ("Escalated", "Priya")
    assert found[ids[3]].number == salesforce.fake.records["Case"][ids[3]]["CaseNumber"]
    assert "OR" not in salesforce.fake.queries[-1]
    assert len([r for r in salesforce.fake.data_requests if r[1].startswith("/query/")]) == 2
