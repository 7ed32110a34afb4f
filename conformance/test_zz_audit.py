"""Journal integrity, run last (file name): stop the server, `tagtrail audit verify` must pass;
tamper with journal entry 2 behind the server's back, verify must fail and name entry 2
(rule 6: append-only, immutable event log)."""

import re
import sqlite3
import subprocess



def _verify(server):
    p = server.cli("audit", "verify", "--database-url", server.verify_url, timeout=300)
    return p.returncode, (p.stdout or "") + (p.stderr or "")


def _tamper(server):
    if server.database_url:
        for sql in ("DROP TRIGGER journal_no_update ON journal", "UPDATE journal SET reason='tampered' WHERE seq=2"):
            p = subprocess.run(["psql", "-v", "ON_ERROR_STOP=1", server.database_url, "-c", sql], capture_output=True, text=True, timeout=60)
            assert p.returncode == 0, f"psql {sql!r} failed: {p.stdout}{p.stderr}"
            if sql.startswith("UPDATE"):
                assert "UPDATE 1" in p.stdout, f"journal entry 2 not found: {p.stdout}"
    else:
        con = sqlite3.connect(server.verify_url)
        try:
            con.execute("DROP TRIGGER journal_no_update")
            cur = con.execute("UPDATE journal SET reason='tampered' WHERE seq=2")
            assert cur.rowcount == 1, "journal entry 2 not found"
            con.commit()
        finally:
            con.close()


def test_audit_verify_then_detect_tampering_rule_6(server):
    assert server.proc is not None and server.proc.poll() is None, "the server died during the run:\n" + server.log_tail()
    stopped = server.stop(timeout=30)
    assert stopped, "the server did not exit within 30 s of SIGTERM"

    rc, out = _verify(server)
    assert rc == 0, f"audit verify failed on an untouched journal (exit {rc}):\n{out}"

    _tamper(server)

    rc, out = _verify(server)
    assert rc != 0, f"audit verify accepted a tampered journal:\n{out}"
    assert re.search(r"(?i)(entry|seq(uence)?|row|record|#)\s*(no\.?\s*)?[:=#]?\s*2\b", out), (
        f"audit verify output does not name entry 2:\n{out}"
    )
