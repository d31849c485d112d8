"""The journal's PostgreSQL goes away under a running portierd: calls are refused (never
answered as accepted), /readyz says why, and once the database is back the instance connects
again by itself and accepts the same call as before."""
import re
import tempfile

import harness
from harness import open_case_envelope, report_status_envelope, wait_until
from pg_server import PostgresServer

JOURNAL = ('<journal instance="solo"><postgresql conninfo="env:PORTIER_PG" pool="2"/>'
           "</journal>")


def ready(portier):
    return harness.http("GET", portier.url + "/readyz", timeout=2)


def test_lost_database_is_reported_and_connected_again():
    with tempfile.TemporaryDirectory(prefix="portier-pg-outage-") as folder, \
            PostgresServer(fsync=False) as pg:
        pg.create_database("portier")
        sim = harness.Sim(folder)
        portier = harness.Portier(folder, sim, journal_xml=JOURNAL,
                                  extra_env={"PORTIER_PG": pg.conninfo("portier")})
        try:
            status, _, body = portier.post_soap(open_case_envelope("steueramt", "open-1"))
            assert status == 200, body
            bpid = re.search(rb"<p:businessProcessId>([^<]+)<", body).group(1).decode()

            # The database refuses new connections and drops the ones it has.
            pg.sql("postgres", "ALTER DATABASE portier ALLOW_CONNECTIONS false")
            pg.sql("postgres", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = 'portier'")
            call = report_status_envelope("steueramt", "during-outage", bpid)
            status, _, body = portier.post_soap(call)
            assert status != 200 and b"reportStatusResponse" not in body, body
            assert b"Fault" in body
            status, _, body = wait_until(lambda: (r := ready(portier))[0] == 503 and r,
                                         timeout=15, what="/readyz to report the journal")
            assert b"PostgreSQL" in body or b"journal" in body, body

            pg.sql("postgres", "ALTER DATABASE portier ALLOW_CONNECTIONS true")
            wait_until(lambda: ready(portier)[0] == 200, timeout=15,
                       what="/readyz green again after the database came back")
            status, _, body = portier.post_soap(call)
            assert status == 200 and b"reportStatusResponse" in body, body
            key = "steueramt/during-outage/portal/1"
            wait_until(lambda: sim.portal()["keys"].get(key, {}).get("applied") == 1,
                       what="the call accepted after the outage at the portal")
        finally:
            portier.stop()
            sim.stop()
