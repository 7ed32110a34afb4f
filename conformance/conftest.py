"""Session fixtures: start `tagtrail demo`, read its credentials, hand out Metrc clients.

Environment:
  TAGTRAIL_BIN                         server binary (default <repo>/target/debug/tagtrail)
  TAGTRAIL_CONFORMANCE_DATABASE_URL    postgres://... to run against PostgreSQL; absent = SQLite
  TAGTRAIL_CONFORMANCE_KEEP=1          keep the temporary data directory after the run
  TAGTRAIL_CONFORMANCE_TWO_NODES=1     (PostgreSQL) a second `tagtrail serve` on the same database,
                                       and every request through a round-robin balancer
                                       (nodes.py)
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from helpers import RETRY_STATS, RUN_STATE, Api, coverage, list_all
from nodes import Balancer

REPO = Path(__file__).resolve().parent.parent
LICENSE_TYPES = ("cultivator", "manufacturer", "distributor", "testing_lab", "retailer")
READY_TIMEOUT_S = float(os.environ.get("TAGTRAIL_CONFORMANCE_READY_TIMEOUT", "180"))

_SESSION_INFO: dict = {}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `tagtrail demo` process and everything needed to talk to it and to its database."""

    def __init__(self, binary: str, data_dir: Path, database_url: str | None):
        self.binary = binary
        self.data_dir = data_dir
        self.database_url = database_url
        self.port = _free_port()
        self.listen_url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / "server.log"
        self.proc: subprocess.Popen | None = None
        self.creds: dict | None = None
        self.stop_returncode = None

    @property
    def backend(self) -> str:
        return "postgres" if self.database_url else "sqlite"

    @property
    def verify_url(self) -> str:
        """The --database-url for operator commands (SQLite: DIR/tagtrail.db)."""
        return self.database_url or str(self.data_dir / "tagtrail.db")

    def log_tail(self, n=60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "<no server log>"

    def start(self):
        # The ledger alone: this suite is about its wire format (the workbench has its own tests).
        cmd = [self.binary, "demo", "--no-workbench", "--data-dir", str(self.data_dir), "--listen", f"127.0.0.1:{self.port}"]
        if self.database_url:
            cmd += ["--database-url", self.database_url]
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + READY_TIMEOUT_S
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"`{' '.join(cmd)}` exited with {self.proc.returncode} before it was ready.\n{self.log_tail()}"
                )
            try:
                r = httpx.get(self.listen_url + "/openapi.json", timeout=2.0)
                last = r.status_code
                if r.status_code == 200:
                    break
            except httpx.HTTPError as e:
                last = repr(e)
            time.sleep(0.25)
        else:
            self.stop()
            raise RuntimeError(f"server not ready after {READY_TIMEOUT_S}s (last: {last}).\n{self.log_tail()}")
        cred_path = self.data_dir / "credentials.json"
        for _ in range(40):
            try:
                self.creds = json.loads(cred_path.read_text())
                break
            except (OSError, ValueError):
                time.sleep(0.25)
        else:
            self.stop()
            raise RuntimeError(f"{cred_path} missing or not JSON after readiness.\n{self.log_tail()}")

    def stop(self, timeout=30.0):
        """SIGTERM and wait. Returns True when the process ended within `timeout`."""
        if self.proc is None or self.proc.poll() is not None:
            return True
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.stop_returncode = self.proc.wait(timeout=timeout)
            return True
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.stop_returncode = self.proc.wait(timeout=10)
            return False
        finally:
            try:
                self._log.close()
            except Exception:
                pass

    def cli(self, *args, timeout=120) -> subprocess.CompletedProcess:
        """Runs an operator command of the same binary."""
        return subprocess.run(
            [self.binary, *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )


class SecondNode(Server):
    """`tagtrail serve` on the demo's database, configured as the demo is (its webhook key,
    private webhook targets allowed)."""

    def start(self):
        cmd = [
            self.binary, "serve", "--database-url", self.database_url, "--listen", f"127.0.0.1:{self.port}",
            "--webhook-key-file", str(self.data_dir / "webhook.key"), "--webhook-allow-private",
        ]
        self._log = open(self.data_dir / "server-2.log", "ab")
        self.log_path = self.data_dir / "server-2.log"
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the second node exited with {self.proc.returncode}.\n{self.log_tail()}")
            try:
                if httpx.get(self.listen_url + "/openapi.json", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"the second node was not ready after {READY_TIMEOUT_S}s.\n{self.log_tail()}")


def _second_node(binary, data_dir, db_url, first):
    second = SecondNode(binary, data_dir, db_url)
    second.start()
    balancer = Balancer(_free_port(), [first.listen_url, second.listen_url])
    balancer.start()
    return second, balancer


@pytest.fixture(scope="session")
def server():
    binary = os.environ.get("TAGTRAIL_BIN") or str(REPO / "target" / "debug" / "tagtrail")
    if not os.path.exists(binary):
        pytest.exit(f"tagtrail binary not found at {binary} (set TAGTRAIL_BIN)", returncode=2)
    db_url = os.environ.get("TAGTRAIL_CONFORMANCE_DATABASE_URL") or None
    data_dir = Path(tempfile.mkdtemp(prefix="tagtrail-conformance-"))
    srv = Server(binary, data_dir, db_url)
    _SESSION_INFO.update(backend=srv.backend, data_dir=str(data_dir), database_url=srv.verify_url)
    print(f"\n[conformance] backend={srv.backend} data_dir={data_dir} url={srv.listen_url}", file=sys.stderr)
    two = bool(db_url) and os.environ.get("TAGTRAIL_CONFORMANCE_TWO_NODES") == "1"
    if two:
        # Both processes read it: one rate limit kept in the database for the two nodes.
        os.environ["TAGTRAIL_SHARED_RATE_LIMITS"] = "true"
    srv.start()
    second, balancer = None, None
    if two:
        second, balancer = _second_node(binary, data_dir, db_url, srv)
        srv.creds["base_url"] = balancer.url
        print(f"\n[conformance] two nodes: {srv.listen_url} and {second.listen_url} behind {balancer.url}", file=sys.stderr)
    yield srv
    if balancer:
        print(f"\n[conformance] the balancer sent {balancer.sent} requests to the two nodes", file=sys.stderr)
        assert min(balancer.sent) > 0, "both nodes served requests"
        balancer.stop()
    if second:
        second.stop()
    srv.stop()
    if os.environ.get("TAGTRAIL_CONFORMANCE_KEEP") != "1":
        shutil.rmtree(data_dir, ignore_errors=True)
    else:
        print(f"\n[conformance] kept {data_dir}", file=sys.stderr)


@pytest.fixture(scope="session")
def creds(server):
    c = server.creds
    for k in ("base_url", "vendor_key", "licenses", "restricted"):
        assert k in c, f"credentials.json lacks {k!r}"
    return c


@pytest.fixture(scope="session")
def base_url(creds):
    return creds["base_url"].rstrip("/")


@pytest.fixture(scope="session")
def licenses(creds):
    by_type = {}
    for lic in creds["licenses"]:
        by_type[lic["license_type"]] = lic
    missing = [t for t in LICENSE_TYPES if t not in by_type]
    assert not missing, f"credentials.json has no license of type {missing}"
    return by_type


_apis: list[Api] = []


@pytest.fixture(scope="session")
def make_api(base_url, creds):
    """make_api(user_key, lic=None, vendor_key=None, retry=True) -> Api"""

    def make(user_key, lic=None, vendor_key=None, retry=True):
        api = Api(base_url, vendor_key if vendor_key is not None else creds["vendor_key"], user_key, lic=lic, retry=retry)
        _apis.append(api)
        return api

    yield make
    for a in _apis:
        a.close()


def _api_for(make_api, licenses, kind):
    lic = licenses[kind]
    return make_api(lic["user_key"], lic=lic["license_number"])


@pytest.fixture(scope="session")
def cult(make_api, licenses):
    return _api_for(make_api, licenses, "cultivator")


@pytest.fixture(scope="session")
def manu(make_api, licenses):
    return _api_for(make_api, licenses, "manufacturer")


@pytest.fixture(scope="session")
def dist(make_api, licenses):
    return _api_for(make_api, licenses, "distributor")


@pytest.fixture(scope="session")
def lab(make_api, licenses):
    return _api_for(make_api, licenses, "testing_lab")


@pytest.fixture(scope="session")
def retail(make_api, licenses):
    return _api_for(make_api, licenses, "retailer")


@pytest.fixture(scope="session")
def all_apis(cult, manu, dist, lab, retail):
    return {"cultivator": cult, "manufacturer": manu, "distributor": dist, "testing_lab": lab, "retailer": retail}


@pytest.fixture(scope="session")
def restricted_user(creds, licenses):
    """A distributor user lacking Manage Items but holding View Employees."""
    dist_lic = licenses["distributor"]["license_number"]
    for u in creds["restricted"]:
        perms = {p.lower() for p in u.get("permissions", [])}
        if u["license_number"] == dist_lic and "manage items" not in perms and "view employees" in perms:
            return u
    pytest.fail(f"credentials.json has no restricted distributor user without Manage Items: {creds['restricted']!r}")


@pytest.fixture(scope="session")
def restricted(make_api, restricted_user):
    return make_api(restricted_user["user_key"], lic=restricted_user["license_number"])


@pytest.fixture(scope="session")
def uoms(manu):
    out = manu.units_of_measure_get_active_v2()
    assert isinstance(out, list) and out, f"no active units of measure: {out!r}"
    return out


@pytest.fixture(scope="session")
def categories(manu):
    cats = list_all(manu.items_get_categories_v2, license_number=manu.lic)
    assert cats, "no item categories"
    return {c["Name"]: c for c in cats}


_DESELECTED = {"n": 0}


def pytest_deselected(items):
    _DESELECTED["n"] += len(items)


def pytest_collection_finish(session):
    """Tells the coverage guard (test_zz_coverage.py) whether the whole suite was selected: every
    test file of this directory has a selected test and nothing was deselected (-k, -m)."""
    here = Path(__file__).resolve().parent
    files = {p.name for p in here.glob("test_*.py")}
    selected = {Path(str(i.fspath)).name for i in session.items}
    missing = sorted(files - selected)
    if _DESELECTED["n"]:
        RUN_STATE.update(full_run=False, why_partial=f"{_DESELECTED['n']} tests deselected")
    elif missing:
        RUN_STATE.update(full_run=False, why_partial=f"files not selected: {', '.join(missing)}")
    else:
        RUN_STATE.update(full_run=True, why_partial="")


def pytest_terminal_summary(terminalreporter):
    if _SESSION_INFO:
        terminalreporter.write_line(
            f"[conformance] backend={_SESSION_INFO.get('backend')} database={_SESSION_INFO.get('database_url')}"
        )
    terminalreporter.write_line(
        f"[conformance] GETs retried after 429 (outside the rate-limit test): {RETRY_STATS['retried_429']}"
    )
    cov = coverage()
    called = [ep for ep, statuses in cov.items() if statuses]
    terminalreporter.write_line(
        f"[conformance] Metrc v2 endpoints of metrc-v2-endpoints.tsv called: {len(called)}/{len(cov)}"
    )
