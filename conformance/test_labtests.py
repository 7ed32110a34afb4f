"""Lab testing (reference §12 LabTests; cctt-rules §1.G and §2.5; rules 36, 56; bulletin II: the
Lab Samples grid shows the item's strain).

The flow runs on packages the test makes itself, from the distributor's TestPassed vape lot, so
no other file's assumptions about the demo's lots are disturbed:

    distributor: new lot (inherits TestPassed) → testing sample → a manifest to the laboratory
    (the distributor registers it, transports it itself and departs; the laboratory receives it,
    accepting the sample)
    laboratory:  POST /labtests/v2/record (a failing pesticide test, PDF COA) → PUT release
    → the lot and sample are TestFailed → the distributor remediates → a second sample → a passing
    record → release → RetestPassed.

Samples reach a laboratory the way Metrc moves them, on a transfer manifest. The manifest
lifecycle steps (register, depart, receive) are tagtrail's `/tagtrail/v1/transfers/...`
endpoints (Metrc offers them only in its web UI), called with raw httpx and the same Basic auth.
"""

import base64
import functools

import pytest

from helpers import (
    assert_envelope,
    assert_ids,
    assert_message,
    assert_pascal,
    assert_rows,
    call_empty,
    describe,
    expect_error,
    expect_raw,
    list_all,
)

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def active(api):
    return api.packages_get_active_v2(license_number=api.lic)["Data"]


def take_tags(api, n):
    tags = api.tags_get_package_available_v2(license_number=api.lic)
    assert len(tags) >= n, f"the demo left only {len(tags)} package tags at {api.lic}"
    return [t["Label"] for t in tags[-n:]]


def package(api, label):
    resp = api.raw("GET", f"/packages/v2/{label}", params={"licenseNumber": api.lic})
    expect_raw(resp, 200)
    return resp.json()


def reserved(api):
    """Labels on the license's registered manifests that have not departed."""
    out = set()
    for t in list_all(api.transfers_get_outgoing_v2, license_number=api.lic):
        if t["TagtrailState"] == "Outgoing":
            out |= {p["PackageLabel"] for p in list_all(functools.partial(api.transfers_get_delivery_package_v2, str(t["Id"])))}
    return out


def new_lot(api, tag, source, qty, testing=False):
    body = [{
        "Tag": tag, "Location": source["LocationName"], "Item": source["Item"]["Name"], "Quantity": qty,
        "UnitOfMeasure": source["UnitOfMeasureName"],
        "Ingredients": [{"Package": source["Label"], "Quantity": qty, "UnitOfMeasure": source["UnitOfMeasureName"]}],
    }]
    fn = api.packages_create_testing_v2 if testing else api.packages_create_v2
    assert_ids(fn(body=body, license_number=api.lic), 1)
    return package(api, tag)


# The distributor's drivers and van (demo data); the distributor transports every manifest (rule 39).
DRIVER = "D4481237"
PLATE = "8TGT123"


def register_manifest(api, recipient, label):
    """`api` (a distributor) registers a manifest of one package to `recipient`, carried by
    itself. Returns the raw response."""
    body = [{
        "TransporterFacilityLicenseNumber": api.lic,
        "DriverLicenseNumber": DRIVER,
        "VehicleLicensePlateNumber": PLATE,
        "Destinations": [{
            "RecipientLicenseNumber": recipient,
            "TransferTypeName": "Transfer",
            "PlannedRoute": "Direct to the laboratory",
            "EstimatedDepartureDateTime": "2026-11-21T08:00:00",
            "EstimatedArrivalDateTime": "2026-11-21T10:00:00",
            "Transporters": [],
            "Packages": [{"PackageLabel": label}],
        }],
    }]
    return api.raw("POST", "/tagtrail/v1/transfers/outgoing", params={"licenseNumber": api.lic}, json=body)


def send(api, lab, label):
    """Sends a sample to the laboratory on a manifest: `api` registers it and departs with it
    (it is the transporter), and the laboratory receives it, accepting the sample."""
    (tid,) = assert_ids(expect_raw(register_manifest(api, lab.lic, label), 200).json(), 1)
    resp = expect_raw(api.raw("POST", "/tagtrail/v1/transfers/depart", params={"licenseNumber": api.lic}, json=[{"TransferId": tid}]), 200)
    assert resp.content == b"", describe(resp)
    # On the road, the sample is not the lab's to test yet.
    assert_rows(expect_error(400, record, lab, label, [("Pesticides", 0, True)]), [0])
    resp = expect_raw(lab.raw("POST", f"/tagtrail/v1/transfers/deliveries/{tid}/receive", params={"licenseNumber": lab.lic},
                              json=[{"PackageLabel": label, "Accepted": True}]), 200)
    assert assert_ids(resp.json(), 1) == [tid], "the delivery id is the transfer id"
    return tid


def record(lab, label, results, pdf=PDF):
    body = [{
        "Label": label,
        "ResultDate": None,
        "DocumentFileName": "coa.pdf" if pdf else None,
        "DocumentFileBase64": base64.b64encode(pdf).decode() if pdf else None,
        "Results": [{"LabTestTypeName": t, "Quantity": q, "Passed": p, "Notes": None} for t, q, p in results],
    }]
    return lab.lab_tests_create_record_v2(body=body, license_number=lab.lic)


@pytest.fixture(scope="module")
def vape_lot(dist):
    # A lot with a location (received packages have none, and new lots take the source's) that is
    # not on one of the demo's open manifests.
    taken = reserved(dist)
    lots = [p for p in active(dist) if p["Item"]["Name"] == "Blue Dream Vape 1g" and p["LabTestingState"] == "TestPassed"
            and not p["IsOnHold"] and p["Quantity"] >= 20 and p["LocationName"] and p["Label"] not in taken]
    assert lots, "the demo's distributor holds a TestPassed vape lot"
    return lots[0]


def test_reference_lists(lab):
    states = lab.lab_tests_get_states_v2()
    for s in ("NotSubmitted", "SubmittedForTesting", "TestPassed", "TestFailed", "RetestPassed", "Remediated", "RandDCompleted"):
        assert s in states
    types = assert_envelope(lab.lab_tests_get_types_v2(page_number="1", page_size="20"), page=1, page_size=20)
    by_name = {t["Name"]: t for t in types}
    assert by_name["Pesticides"]["InformationalOnly"] is False
    assert by_name["Cannabinoids"]["InformationalOnly"] is True
    assert by_name["R&D Potency Screen"]["ResearchAndDevelopment"] is True
    assert_pascal(types[0])
    batches = assert_envelope(lab.lab_tests_get_batches_v2(page_number="1", page_size="20"), page=1, page_size=20)
    assert batches and all(not t["ResearchAndDevelopment"] for t in batches[0]["LabTestTypes"])


def test_fail_remediate_retest_flow_rule_36(dist, lab, licenses, vape_lot):
    """§2.5: fail → remediate → retest pass, with COAs; the lot follows its samples."""
    t_lot, t_s1, t_s2 = take_tags(dist, 3)
    lot = new_lot(dist, t_lot, vape_lot, 10)
    assert lot["LabTestingState"] == "TestPassed", "a repackage of one tested lot keeps its state"
    s1 = new_lot(dist, t_s1, lot, 1, testing=True)
    assert s1["IsTestingSample"] is True and s1["LabTestingState"] == "SubmittedForTesting"

    # The lab cannot record for a sample that was not sent to it.
    assert_rows(expect_error(400, record, lab, t_s1, [("Pesticides", 0, True)]), [0])
    send(dist, lab, t_s1)
    samples = assert_envelope(lab.packages_get_labsamples_v2(license_number=lab.lic))
    mine = [s for s in samples if s["Label"] == t_s1]
    assert mine and mine[0]["LabFacilityLicenseNumber"] == lab.lic
    assert "ItemStrainName" in mine[0], "bulletin II: the lab samples grid carries the item strain"

    ids = assert_ids(record(lab, t_s1, [("Pesticides", 0.9, False), ("Cannabinoids", 11.2, True), ("Heavy Metals", 0, True)]), 3)
    assert package(dist, t_s1)["LabTestingState"] == "TestingInProgress"
    # Until the laboratory releases them, the results are the laboratory's alone (issue 8): the
    # owner sees none, for the sample or its lot; the laboratory sees them unreleased.
    results = assert_envelope(dist.lab_tests_get_results_v2(license_number=dist.lic, package_id=str(lot["Id"])))
    assert not {r["LabTestResultId"] for r in results} & set(ids), "unreleased results stay at the lab"
    at_lab = assert_envelope(lab.lab_tests_get_results_v2(license_number=lab.lic, package_id=str(s1["Id"])))
    assert {r["LabTestResultId"] for r in at_lab} >= set(ids)
    assert all(r["ResultReleased"] is False for r in at_lab if r["LabTestResultId"] in ids)

    call_empty(lab.lab_tests_update_result_release_v2, body=[{"PackageLabel": t_s1}], license_number=lab.lic)
    results = assert_envelope(dist.lab_tests_get_results_v2(license_number=dist.lic, package_id=str(lot["Id"])))
    assert {r["LabTestResultId"] for r in results} >= set(ids), "a lot's results include its samples' once released"
    assert all(r["ResultReleased"] is True for r in results if r["LabTestResultId"] in ids)
    assert package(dist, t_lot)["LabTestingState"] == "TestFailed"
    assert package(dist, t_s1)["LabTestingState"] == "TestFailed"
    # Releasing again: nothing left to release.
    assert_rows(expect_error(400, lab.lab_tests_update_result_release_v2, body=[{"PackageLabel": t_s1}], license_number=lab.lic), [0])

    # The COA is downloadable by the lot's owner and is the PDF that was sent.
    results = assert_envelope(dist.lab_tests_get_results_v2(license_number=dist.lic, package_id=str(lot["Id"])))
    doc_id = next(r["LabTestResultDocumentFileId"] for r in results if r["LabTestResultId"] in ids)
    doc = dist.lab_tests_get_labtestdocument_v2(str(doc_id), license_number=dist.lic)
    assert base64.b64decode(doc["FileContents"]) == PDF
    assert doc["ContentType"] == "application/pdf" and doc["FileDownloadName"] == "coa.pdf"

    call_empty(dist.packages_update_remediate_v2, body=[{"PackageLabel": t_lot, "RemediationMethodName": "Re-extraction", "RemediationDate": None, "RemediationSteps": "CAP-9"}], license_number=dist.lic)
    lot = package(dist, t_lot)
    assert lot["LabTestingState"] == "Remediated" and lot["ContainsRemediatedProduct"] is True
    s2 = new_lot(dist, t_s2, lot, 1, testing=True)
    send(dist, lab, t_s2)
    assert_ids(record(lab, t_s2, [("Pesticides", 0, True)]), 1)
    call_empty(lab.lab_tests_update_result_release_v2, body=[{"PackageLabel": t_s2}], license_number=lab.lic)
    assert package(dist, t_lot)["LabTestingState"] == "RetestPassed"


def test_rule_56_research_results_do_not_change_the_lot(dist, lab, vape_lot):
    t_lot, t_s = take_tags(dist, 2)
    lot = new_lot(dist, t_lot, vape_lot, 5)
    new_lot(dist, t_s, lot, 1, testing=True)
    send(dist, lab, t_s)
    assert_ids(record(lab, t_s, [("R&D Potency Screen", 30, False)], pdf=None), 1)
    call_empty(lab.lab_tests_update_result_release_v2, body=[{"PackageLabel": t_s}], license_number=lab.lic)
    assert package(dist, t_lot)["LabTestingState"] == "TestPassed"
    assert package(dist, t_s)["LabTestingState"] == "RandDCompleted"


def test_error_paths(dist, lab, retail, vape_lot):
    # Only a laboratory records or releases results (Metrc answers 401 for a facility type
    # without the capability).
    assert_message(expect_error(401, dist.lab_tests_create_record_v2, body=[{"Label": vape_lot["Label"], "Results": []}], license_number=dist.lic))
    assert_message(expect_error(401, dist.lab_tests_update_result_release_v2, body=[{"PackageLabel": vape_lot["Label"]}], license_number=dist.lic))
    t_s, = take_tags(dist, 1)
    sample = new_lot(dist, t_s, vape_lot, 1, testing=True)
    # A package that is not a testing sample in the lab's custody cannot be tested there; nor can
    # a sample go on a manifest to a license that is not a lab (the retailer: rule 46, a sample
    # is not in a passing state).
    assert_rows(expect_error(400, record, lab, vape_lot["Label"], [("Pesticides", 0, True)]), [0])
    (err,) = assert_rows(expect_raw(register_manifest(dist, retail.lic, t_s), 400), [0])
    assert "cannot receive" in err["message"], err
    send(dist, lab, t_s)
    # An unknown test type, a missing quantity, and a document that is not a PDF: row errors.
    assert_rows(expect_error(400, record, lab, t_s, [("Astrology", 1, True)]), [0])
    assert_rows(expect_error(400, record, lab, t_s, [("Pesticides", 0, True)], pdf=b"GIF89a not a pdf"), [0])
    # Results of a package are visible to its owner and its lab, not to a stranger.
    assert_message(expect_error(401, retail.lab_tests_get_results_v2, license_number=retail.lic, package_id=str(sample["Id"])))
    assert_message(expect_error(400, dist.lab_tests_get_results_v2, license_number=dist.lic))
