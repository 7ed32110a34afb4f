"""Shared helpers for the tagtrail wire-conformance suite.

Every Metrc v2 call goes through the independent PyPI client `thunkmetrc-client` (0.2.2).
The client's `_send` does `raise_for_status()` and then `response.json()`, so:

* non-2xx answers surface as `httpx.HTTPStatusError` (see `expect_error`);
* Metrc's empty-body 200 answers (every PUT and DELETE here) make the client raise a JSON
  decode error; `call_empty` catches exactly that and checks the recorded raw response.
"""

from __future__ import annotations

import email.utils
import math
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from thunkmetrc.client import MetrcClient

# Counts GETs that the suite's ordinary clients retried after a 429 (honouring Retry-After),
# reported at the end of the run. The rate-limit test uses clients that never retry.
RETRY_STATS = {"retried_429": 0}
_retry_lock = threading.Lock()


class RetryOn429(httpx.BaseTransport):
    """Transport that retries a GET answered with 429 after its Retry-After, as a well-behaved
    Metrc client does (reference §9). Writes are never retried: a 429 on a write is returned
    as is, so a test would see it (writes must never be rate limited)."""

    def __init__(self, max_tries: int = 8):
        self.inner = httpx.HTTPTransport()
        self.max_tries = max_tries

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for attempt in range(self.max_tries):
            resp = self.inner.handle_request(request)
            if resp.status_code != 429 or request.method != "GET" or attempt == self.max_tries - 1:
                return resp
            delay = retry_after_seconds(resp.headers.get("Retry-After"))
            resp.read()
            resp.close()
            with _retry_lock:
                RETRY_STATS["retried_429"] += 1
            time.sleep(min(max(delay if delay is not None else 1.0, 0.05), 5.0))
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.inner.close()


def retry_after_seconds(value):
    """Parses a Retry-After header (delta-seconds or HTTP-date); None when absent/invalid."""
    if value is None or not value.strip():
        return None
    v = value.strip()
    try:
        return float(v)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(v)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max((when - datetime.now(timezone.utc)).total_seconds(), 0.0)


class Recorder:
    """httpx response event hook: keeps the last response, body read."""

    def __init__(self):
        self.last: httpx.Response | None = None

    def __call__(self, response: httpx.Response) -> None:
        response.read()
        self.last = response


# Every request the suite's clients sent and how it was answered, for the endpoint coverage
# guard (test_zz_coverage.py): (method, path, status, routed). `routed` is False when the server
# said the endpoint does not exist (404 "No such endpoint", or 405), so a typo in a test never
# counts as coverage, and when the rate limiter answered (429), which exercised nothing.
CALLS: list[tuple[str, str, int, bool]] = []
_calls_lock = threading.Lock()


def record_call(response: httpx.Response) -> None:
    """httpx response event hook (every `Api` client has it): appends the call to CALLS."""
    response.read()
    routed = response.status_code not in (405, 429)
    if response.status_code == 404:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or str(body.get("Message", "")).startswith("No such endpoint"):
            routed = False
    with _calls_lock:
        CALLS.append((response.request.method, response.request.url.path, response.status_code, routed))


class Api:
    """A `MetrcClient` for one user (and, by default, one license), plus its raw httpx client.

    Attribute access falls through to the MetrcClient, so `api.items_get_active_v2(...)` is the
    PyPI client's own method. `api.lic` is the license number the user works at."""

    def __init__(self, base_url, vendor_key, user_key, lic=None, retry=True, timeout=60.0):
        self.base_url = base_url.rstrip("/")
        self.lic = lic
        self.rec = Recorder()
        transport = RetryOn429() if retry else httpx.HTTPTransport()
        self.http = httpx.Client(event_hooks={"response": [self.rec, record_call]}, transport=transport, timeout=timeout)
        # MetrcClient sets self.http.auth = (vendor_key, user_key).
        self.client = MetrcClient(self.base_url, vendor_key, user_key, client=self.http)
        self.client._conformance_recorder = self.rec

    def __getattr__(self, name):
        return getattr(self.client, name)

    @property
    def last(self) -> httpx.Response | None:
        return self.rec.last

    def raw(self, method, path, **kwargs) -> httpx.Response:
        """Raw call (same Basic auth) for endpoints the PyPI client does not know."""
        return self.http.request(method, self.base_url + path, **kwargs)

    def close(self):
        self.http.close()


# ---------------------------------------------------------------------------------------------
# Calling conventions


def _recorder_of(fn) -> Recorder:
    owner = getattr(fn, "__self__", None)
    rec = getattr(owner, "_conformance_recorder", None)
    assert rec is not None, f"{fn!r} is not a method of a recording MetrcClient"
    return rec


def describe(resp: httpx.Response | None) -> str:
    if resp is None:
        return "<no response recorded>"
    return f"{resp.request.method} {resp.request.url} -> {resp.status_code} {resp.text[:600]!r}"


def call_empty(fn, *args, **kwargs) -> httpx.Response:
    """Calls a client method whose Metrc answer is `200` with an EMPTY body (PUT/DELETE).

    thunkmetrc-client 0.2.2 always calls `response.json()`, which raises a JSON decode error on
    an empty body. That error is the expected outcome; the recorded raw response must then be
    200 with zero bytes of body. Any decoded JSON body or any HTTP error fails the test."""
    rec = _recorder_of(fn)
    rec.last = None
    try:
        out = fn(*args, **kwargs)
    except httpx.HTTPStatusError as e:
        pytest.fail(f"expected 200 with an empty body, got {describe(e.response)}")
    except ValueError:  # json.JSONDecodeError is a ValueError
        resp = rec.last
        assert resp is not None, "no response recorded"
        assert resp.status_code == 200, f"expected 200, got {describe(resp)}"
        assert resp.content == b"", f"expected an empty body, got {describe(resp)}"
        return resp
    pytest.fail(f"expected 200 with an empty body, but the client decoded a JSON body {out!r}: {describe(rec.last)}")


def expect_error(status, fn, *args, **kwargs) -> httpx.Response:
    """Calls a client method and requires an HTTP error with `status` (int or tuple of ints)."""
    statuses = status if isinstance(status, tuple) else (status,)
    rec = getattr(getattr(fn, "__self__", None), "_conformance_recorder", None)
    try:
        out = fn(*args, **kwargs)
    except httpx.HTTPStatusError as e:
        assert e.response.status_code in statuses, f"expected HTTP {status}, got {describe(e.response)}"
        return e.response
    except ValueError:
        pytest.fail(f"expected HTTP {status}, got an empty-body success: {describe(rec.last if rec else None)}")
    pytest.fail(f"expected HTTP {status}, got success {str(out)[:500]!r}")


def expect_raw(resp: httpx.Response, status) -> httpx.Response:
    statuses = status if isinstance(status, tuple) else (status,)
    assert resp.status_code in statuses, f"expected HTTP {status}, got {describe(resp)}"
    return resp


def _json(resp: httpx.Response):
    ctype = resp.headers.get("content-type", "")
    assert "application/json" in ctype.lower(), f"expected a JSON content type, got {ctype!r}: {describe(resp)}"
    try:
        return resp.json()
    except ValueError:
        pytest.fail(f"body is not JSON: {describe(resp)}")


def assert_message(resp: httpx.Response) -> str:
    """`{"Message": "..."}` error body (reference §8)."""
    body = _json(resp)
    assert isinstance(body, dict), f"expected a JSON object with Message, got {describe(resp)}"
    msg = body.get("Message")
    assert isinstance(msg, str) and msg.strip(), f"expected a non-empty string Message, got {describe(resp)}"
    return msg


def assert_rows(resp: httpx.Response, rows) -> list:
    """Validation body: JSON array `[{"row": i, "message": "..."}]`; the set of rows must equal `rows`."""
    assert resp.status_code == 400, f"expected 400, got {describe(resp)}"
    body = _json(resp)
    assert isinstance(body, list) and body, f"expected a non-empty JSON array of row errors, got {describe(resp)}"
    for e in body:
        assert isinstance(e, dict), f"row error is not an object: {e!r}"
        assert isinstance(e.get("row"), int) and not isinstance(e.get("row"), bool), f"row must be an integer: {e!r}"
        assert isinstance(e.get("message"), str) and e["message"].strip(), f"message must be a non-empty string: {e!r}"
    got = sorted({e["row"] for e in body})
    assert got == sorted(set(rows)), f"expected errors for rows {sorted(set(rows))}, got {body!r}"
    return body


def assert_ids(out, n) -> list:
    """Create answer `{"Ids": [...], "Warnings": null | [...]}`."""
    assert isinstance(out, dict), f"expected an object with Ids, got {out!r}"
    assert "Ids" in out and "Warnings" in out, f"expected Ids and Warnings keys, got {out!r}"
    ids = out["Ids"]
    assert isinstance(ids, list) and len(ids) == n, f"expected {n} Ids, got {out!r}"
    assert all(isinstance(i, int) and not isinstance(i, bool) for i in ids), f"Ids must be integers: {out!r}"
    assert len(set(ids)) == n, f"Ids must be distinct: {out!r}"
    assert out["Warnings"] is None or isinstance(out["Warnings"], list), f"Warnings must be null or a list: {out!r}"
    return ids


ENVELOPE_KEYS = ("Data", "Total", "TotalRecords", "PageSize", "RecordsOnPage", "Page", "CurrentPage", "TotalPages")


def assert_envelope(body, page=None, page_size=None) -> list:
    assert isinstance(body, dict), f"expected the paged envelope, got {str(body)[:300]!r}"
    missing = [k for k in ENVELOPE_KEYS if k not in body]
    assert not missing, f"envelope lacks {missing}: keys {sorted(body)}"
    assert isinstance(body["Data"], list)
    for k in ENVELOPE_KEYS[1:]:
        assert isinstance(body[k], int) and not isinstance(body[k], bool), f"{k} must be an integer: {body[k]!r}"
    assert body["Total"] == body["TotalRecords"], f"Total != TotalRecords: {body['Total']} {body['TotalRecords']}"
    assert body["Page"] == body["CurrentPage"], f"Page != CurrentPage: {body['Page']} {body['CurrentPage']}"
    assert body["RecordsOnPage"] == len(body["Data"]), f"RecordsOnPage {body['RecordsOnPage']} != len(Data) {len(body['Data'])}"
    if page is not None:
        assert body["Page"] == page, f"Page {body['Page']} != requested {page}"
    if page_size is not None:
        assert body["PageSize"] == page_size, f"PageSize {body['PageSize']} != requested {page_size}"
        assert len(body["Data"]) <= page_size
    if body["PageSize"] > 0:
        expected_pages = math.ceil(body["Total"] / body["PageSize"])
        if body["Total"] == 0:
            assert body["TotalPages"] in (0, 1), f"TotalPages {body['TotalPages']} for an empty result"
        else:
            assert body["TotalPages"] == expected_pages, f"TotalPages {body['TotalPages']} != ceil({body['Total']}/{body['PageSize']})"
        if page is not None and page < body["TotalPages"]:
            assert body["RecordsOnPage"] == body["PageSize"], "a page before the last must be full"
    return body["Data"]


def list_all(fn, **kwargs) -> list:
    """Reads every page (pageSize 20) of a paged list."""
    out = []
    page = 1
    while True:
        body = fn(page_number=str(page), page_size="20", **kwargs)
        data = assert_envelope(body, page=page, page_size=20)
        out.extend(data)
        if not data or page * 20 >= body["Total"]:
            return out
        page += 1
        assert page < 500, "runaway paging"


def assert_pascal(obj, path="$"):
    """Every object key is PascalCase (reference §4)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            assert isinstance(k, str) and k[:1].isupper(), f"key {path}.{k} is not PascalCase"
            assert_pascal(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:50]):
            assert_pascal(v, f"{path}[{i}]")


def assert_numbers(rec, fields, where=""):
    """Decimal quantities are JSON numbers, not strings (reference §4); null is allowed."""
    for f in fields:
        if f in rec and rec[f] is not None:
            v = rec[f]
            assert isinstance(v, (int, float)) and not isinstance(v, bool), (
                f"{where}{f} must be a JSON number, got {type(v).__name__} {v!r}"
            )


ITEM_NUMBER_FIELDS = (
    "UnitCbdPercent", "UnitCbdContent", "UnitCbdContentDose", "UnitCbdAPercent", "UnitCbdAContent",
    "UnitCbdAContentDose", "UnitThcPercent", "UnitThcContent", "UnitThcContentDose", "UnitThcAPercent",
    "UnitThcAContent", "UnitThcAContentDose", "UnitVolume", "UnitWeight", "UnitQuantity", "NumberOfDoses",
)
STRAIN_NUMBER_FIELDS = ("ThcLevel", "CbdLevel", "IndicaPercentage", "SativaPercentage")


def is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


# ---------------------------------------------------------------------------------------------
# Data builders


def uniq(prefix: str) -> str:
    return f"{prefix} {uuid.uuid4().hex[:10]}"


def iso(dt: datetime, style: str = "Z") -> str:
    dt = dt.astimezone(timezone.utc).replace(microsecond=0)
    if style == "Z":
        return dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return dt.isoformat()  # ...+00:00 (httpx sends the + as %2B)


def now_window(style="Z"):
    now = datetime.now(timezone.utc)
    return iso(now - timedelta(hours=1), style), iso(now + timedelta(hours=1), style)


def past_window():
    """A window of 23 hours that ended 2 hours ago: nothing created by this run is in it."""
    now = datetime.now(timezone.utc)
    return iso(now - timedelta(hours=25)), iso(now - timedelta(hours=2))


def too_long_window():
    now = datetime.now(timezone.utc)
    return iso(now - timedelta(hours=25)), iso(now + timedelta(minutes=5))


def unit_for(uoms, quantity_type, prefer=()):
    names = [u["Name"] for u in uoms if u.get("QuantityType") == quantity_type]
    assert names, f"no active unit of measure with QuantityType {quantity_type}"
    for p in prefer:
        for n in names:
            if n.lower() == p.lower():
                return n
    return names[0]


def category_usable(cat) -> bool:
    """A category we can create items in without uploading photos or documents."""
    for k in ("RequiresProductPhotos", "RequiresLabelPhotos", "RequiresPackagingPhotos", "RequiresProductPDFDocuments"):
        v = cat.get(k) or 0
        if is_int(v) and v > 0:
            return False
    return True


def item_body(cat, name, uoms, strain=None, brand=None, unit=None) -> dict:
    """An item create body that satisfies the category's Requires* flags."""
    qt = cat["QuantityType"]
    weight = unit_for(uoms, "WeightBased", prefer=("Grams",))
    mg = unit_for(uoms, "WeightBased", prefer=("Milligrams", "Grams"))
    body = {
        "ItemCategory": cat["Name"],
        "Name": name,
        "UnitOfMeasure": unit or unit_for(uoms, qt, prefer=("Each", "Grams", "Milliliters")),
    }
    if cat.get("RequiresStrain"):
        assert strain, f"category {cat['Name']} requires a strain"
    if strain:
        body["Strain"] = strain
    if cat.get("RequiresItemBrand") or brand:
        assert brand, f"category {cat['Name']} requires an item brand"
        body["ItemBrand"] = brand
    if cat.get("RequiresAdministrationMethod"):
        body["AdministrationMethod"] = "Oral"
    for comp in ("Cbd", "Thc", "CbdA", "ThcA"):
        if cat.get(f"RequiresUnit{comp}Percent"):
            body[f"Unit{comp}Percent"] = 1.0
        if cat.get(f"RequiresUnit{comp}Content"):
            body[f"Unit{comp}Content"] = 10.0
            body[f"Unit{comp}ContentUnitOfMeasure"] = mg
        if cat.get(f"RequiresUnit{comp}ContentDose"):
            body[f"Unit{comp}ContentDose"] = 5.0
            body[f"Unit{comp}ContentDoseUnitOfMeasure"] = mg
    if cat.get("RequiresUnitVolume"):
        body["UnitVolume"] = 1.0
        body["UnitVolumeUnitOfMeasure"] = unit_for(uoms, "VolumeBased", prefer=("Milliliters",))
    if cat.get("RequiresUnitWeight"):
        body["UnitWeight"] = 1.0
        body["UnitWeightUnitOfMeasure"] = weight
    if cat.get("RequiresServingSize"):
        body["ServingSize"] = "1 piece"
    if cat.get("RequiresSupplyDurationDays"):
        body["SupplyDurationDays"] = 30
    if cat.get("RequiresNumberOfDoses"):
        body["NumberOfDoses"] = 10
    if cat.get("RequiresPublicIngredients"):
        body["PublicIngredients"] = "sugar"
    if cat.get("RequiresDescription"):
        body["Description"] = "conformance suite item"
    if cat.get("RequiresAllergens"):
        body["Allergens"] = "none"
    for k in ("Product", "Label", "Packaging"):
        if cat.get(f"Requires{k}PhotoDescription"):
            body[f"{k}PhotoDescription"] = "n/a"
    return body


def ids_of(records) -> set:
    return {r.get("Id") for r in records}


def names_of(records) -> set:
    return {r.get("Name") for r in records}


# ---------------------------------------------------------------------------------------------
# Endpoint coverage (test_zz_coverage.py): which of the Metrc v2 endpoints of
# metrc-v2-endpoints.tsv (a copy of the project's reference list, 274 rows) the suite called.

ENDPOINTS_TSV = Path(__file__).resolve().parent / "metrc-v2-endpoints.tsv"

# Filled by conftest.py: was the whole suite selected (no -k, no deselection, every file)?
RUN_STATE = {"full_run": False, "why_partial": "not recorded"}


def load_endpoints() -> list[tuple[str, str, str]]:
    """(group, method, path template) of every row of the tsv, in file order."""
    rows = []
    for n, line in enumerate(ENDPOINTS_TSV.read_text().splitlines()):
        if n == 0 or not line.strip():
            continue
        group, method, path = line.split("\t")[:3]
        rows.append((group, method.upper(), path))
    return rows


def _segment_matches(template_seg: str, seg: str) -> bool:
    if template_seg.startswith("{") and template_seg.endswith("}"):
        if not seg:
            return False
        # `/plants/v2/{id}` and `/plants/v2/{label}` share one route: an all-digit segment is an
        # id (as the server decides), anything else a label.
        if template_seg == "{id}":
            return seg.isdigit()
        if template_seg == "{label}":
            return not seg.isdigit()
        return True
    return template_seg == seg


def endpoint_of(method: str, path: str, endpoints) -> tuple[str, str, str] | None:
    """The tsv endpoint a concrete call hit: same method, same segments, the template with the
    most literal segments winning (`/plants/v2/vegetative` is not `/plants/v2/{label}`)."""
    segs = path.rstrip("/").split("/")
    best, best_literals = None, -1
    for ep in endpoints:
        if ep[1] != method:
            continue
        tsegs = ep[2].split("/")
        if len(tsegs) != len(segs) or not all(_segment_matches(t, s) for t, s in zip(tsegs, segs)):
            continue
        literals = sum(1 for t in tsegs if not t.startswith("{"))
        if literals > best_literals:
            best, best_literals = ep, literals
    return best


def coverage(calls=None):
    """{endpoint: [statuses of routed calls]} for every tsv endpoint (empty list = never called)."""
    endpoints = load_endpoints()
    out = {ep: [] for ep in endpoints}
    for method, path, status, routed in list(CALLS if calls is None else calls):
        if not routed:
            continue
        ep = endpoint_of(method, path, endpoints)
        if ep is not None:
            out[ep].append(status)
    return out


# ---------------------------------------------------------------------------------------------
# Tags for the cultivation tests: enough plant and package tags, whatever earlier tests (or the
# demo data) used up, through tagtrail's tag-order extension and the operator's ship-tags.

TAG_ORDERS = "/tagtrail/v1/tags/orders"


def available_tags(api, kind: str) -> list[str]:
    fn = api.tags_get_plant_available_v2 if kind == "plant" else api.tags_get_package_available_v2
    return [t["Label"] for t in fn(license_number=api.lic)]


def ensure_tags(server, api, plant: int = 0, package: int = 0, margin: int = 10) -> None:
    """Orders, ships (`tagtrail admin ship-tags`) and receives tags until `api`'s facility has at
    least `plant` plant tags in one unbroken run (rule 20 counts up from a starting tag) and
    `package` package tags available."""
    want_plant = plant and plant_run(api, plant) is None
    want_pkg = package and len(available_tags(api, "package")) < package
    if not want_plant and not want_pkg:
        return
    order = {"PlantTags": plant + margin if want_plant else 0, "PackageTags": package + margin if want_pkg else 0}
    r = api.raw("POST", TAG_ORDERS, params={"licenseNumber": api.lic}, json=[order])
    expect_raw(r, 200)
    (oid,) = assert_ids(r.json(), 1)
    p = server.cli("admin", "ship-tags", "--database-url", server.verify_url, "--order-id", str(oid))
    assert p.returncode == 0, f"tagtrail admin ship-tags exited {p.returncode}:\n{p.stdout}\n{p.stderr}"
    r = api.raw("PUT", TAG_ORDERS + "/receive", params={"licenseNumber": api.lic}, json=[{"Id": oid}])
    assert r.status_code == 200, f"receive: {describe(r)}"
    if plant:
        assert plant_run(api, plant) is not None, f"no run of {plant} plant tags after order {oid}"


def tag_run(start: str, n: int) -> list[str]:
    """The labels rule 20 uses from `start`: its trailing sequence number (at most 9 digits)
    counted up, as tagtrail (and Metrc's StartingTag) does."""
    digits = 0
    for ch in reversed(start):
        if not ch.isdigit() or digits == 9:
            break
        digits += 1
    head, seq = start[: len(start) - digits], int(start[len(start) - digits:])
    return [f"{head}{seq + i:0{digits}d}" for i in range(n)]


def plant_run(api, n: int) -> str | None:
    """A starting tag whose next `n` labels are all available plant tags, or None."""
    free = available_tags(api, "plant")
    have = set(free)
    for start in sorted(free):
        if all(label in have for label in tag_run(start, n)):
            return start
    return None


def grow_plants(server, api, batch_name: str, n: int, phase: str = "Vegetative", location: str = "Greenhouse A"):
    """`n` plants of batch `batch_name` tagged into `phase` at `location` (rule 20: one plant tag
    each, counted up from a starting tag); [(id, label)] in tag order."""
    ensure_tags(server, api, plant=n)
    start = plant_run(api, n)
    out = api.plant_batches_create_growthphase_v2(
        body=[{"Name": batch_name, "Count": n, "StartingTag": start, "GrowthPhase": phase, "NewLocation": location}],
        license_number=api.lic)
    ids = assert_ids(out, n)
    plants = [api.plants_get_v2(str(i), license_number=api.lic) for i in ids]
    assert sorted(p["Label"] for p in plants) == tag_run(start, n), plants
    return [(p["Id"], p["Label"]) for p in plants]
