"""GET rate limits (reference §9, rule 69). Runs late (file name) so its burst cannot disturb
other tests; it sleeps 1.5 s afterwards so the limiter's window has passed."""

import threading
import time

import httpx

from helpers import Api, assert_ids, ids_of, list_all, retry_after_seconds, uniq

READERS = 30
GETS_PER_READER = 4  # 120 GETs at one facility
WRITERS = 5


def test_get_burst_gets_429_with_retry_after_rule_69(base_url, creds, licenses, retail):
    lic = licenses["retailer"]
    barrier = threading.Barrier(READERS + WRITERS)
    lock = threading.Lock()
    gets, posts, failures = [], [], []
    write_names = [uniq("Conf Burst Sub") for _ in range(WRITERS)]

    def reader():
        api = Api(base_url, creds["vendor_key"], lic["user_key"], lic=lic["license_number"], retry=False, timeout=30)
        try:
            barrier.wait(timeout=30)
            for _ in range(GETS_PER_READER):
                try:
                    api.strains_get_active_v2(license_number=api.lic, page_number="1", page_size="1")
                    res = (200, None, None)
                except httpx.HTTPStatusError as e:
                    res = (e.response.status_code, e.response.headers.get("Retry-After"), e.response.text[:200])
                with lock:
                    gets.append(res)
        except Exception as e:  # transport errors are failures too
            with lock:
                failures.append(repr(e))
        finally:
            api.close()

    def writer(name):
        api = Api(base_url, creds["vendor_key"], lic["user_key"], lic=lic["license_number"], retry=False, timeout=30)
        try:
            barrier.wait(timeout=30)
            try:
                out = api.sublocations_create_v2(body=[{"Name": name}], license_number=api.lic)
                res = (200, out)
            except httpx.HTTPStatusError as e:
                res = (e.response.status_code, e.response.text[:200])
            with lock:
                posts.append(res)
        except Exception as e:
            with lock:
                failures.append(repr(e))
        finally:
            api.close()

    threads = [threading.Thread(target=reader) for _ in range(READERS)]
    threads += [threading.Thread(target=writer, args=(n,)) for n in write_names]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    elapsed = time.monotonic() - started
    time.sleep(1.5)  # let the limiter's window pass before anything else runs

    assert not failures, f"requests failed without an HTTP answer: {failures[:5]}"
    assert len(gets) == READERS * GETS_PER_READER
    limited = [g for g in gets if g[0] == 429]
    other = [g for g in gets if g[0] != 429]
    assert limited, f"{len(gets)} GETs in {elapsed:.2f}s at one facility from {READERS} threads: no 429"
    assert all(g[0] == 200 for g in other), f"non-429 GET answers must be 200: {[g for g in other if g[0] != 200][:5]}"
    for status, retry_after, body in limited:
        assert retry_after is not None and retry_after.strip(), f"429 without Retry-After: {body!r}"
        assert retry_after_seconds(retry_after) is not None, f"Retry-After {retry_after!r} is neither seconds nor an HTTP-date"

    # writes inside the same burst are never rate limited
    assert len(posts) == WRITERS
    assert all(p[0] == 200 for p in posts), f"writes during the GET burst were refused: {posts}"
    created = [assert_ids(p[1], 1)[0] for p in posts]
    active = ids_of(list_all(retail.sublocations_get_active_v2, license_number=retail.lic))
    assert set(created) <= active


def test_after_burst_gets_succeed_again(make_api, licenses):
    """Limits are per-second windows: after the pause a GET is answered normally (no retry)."""
    lic = licenses["retailer"]
    api = make_api(lic["user_key"], lic=lic["license_number"], retry=False)
    body = api.strains_get_active_v2(license_number=api.lic, page_number="1", page_size="1")
    assert isinstance(body, dict) and "Data" in body
