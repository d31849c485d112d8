"""The sandbox with the operators' console (sandbox_harness.Sandbox(console=True)) and what the
console tests need: a parked work item of a Steueramt case, a pending identity link of the
Steueramt, a Betreibungsamt case whose registered mail was accepted (with its receipts), and
HTTP sessions that present the sandbox users' client certificates."""
import json
import os
import re
import sys
import uuid

import requests

from harness import http, wait_until, work_items
from sandbox_harness import ENV, ROOT, Sandbox

sys.path.insert(0, os.path.join(ROOT, "deploy/sandbox"))
os.environ.update(ENV)  # the sample flow's clients read their secrets from the environment

from identity_flow import STEUERAMT_SERVICE, Portal  # noqa: E402
from sample_flow import client, header, registered_decision, steueramt_client  # noqa: E402
from zeep.wsse.username import UsernameToken  # noqa: E402

USERS = ("anna", "rita", "bruno")


class ConsoleSandbox(Sandbox):
    def __init__(self, folder, four_eyes=False, also_reviews=None):
        """`four_eyes`: the console's fourEyes="true"; `also_reviews`: {user: department} added
        to those users' departments (e.g. a second reviewer of the Steueramt)."""
        self.four_eyes = four_eyes
        self.also_reviews = also_reviews or {}
        super().__init__(folder, console=True)
        self.api = self.console_url + "api/"

    def _console_config(self, config):
        config = super()._console_config(config)
        if self.four_eyes:
            config = config.replace('<console listener="console">',
                                    '<console listener="console" fourEyes="true">')
            assert 'fourEyes="true"' in config
        for user, department in self.also_reviews.items():
            config, n = re.subn(rf'(<user name="{user}"[^>]*?departments=")([^"]*)"',
                                rf'\1\2 {department}"', config)
            assert n == 1, user
        return config

    def client(self, user=None):
        """A requests session on the console's listener, with `user`'s certificate (or none)."""
        s = requests.Session()
        s.trust_env = False
        s.verify = os.path.join(self.pki, "ca.pem")
        if user:
            s.cert = (os.path.join(self.pki, f"console-{user}.pem"),
                      os.path.join(self.pki, f"console-{user}.key"))
        return s

    def signed_in(self, user):
        """(session, csrf token) of `user` signed in by certificate."""
        s = self.client(user)
        r = s.post(self.api + "session/certificate")
        assert r.status_code == 200, r.text
        return s, r.json()["csrfToken"]

    def parked_case(self):
        """Opens a Steueramt case whose delivery to the portal is refused (400): (bpid, item)."""
        status, _, body = http("POST", self.sim_url + "/_sim/faults", json.dumps(
            {"status": 400, "count": 1, "pathPrefix": "/api/v9/businesscases"}).encode(),
            {"Content-Type": "application/json"})
        assert status in (200, 201, 204), body
        service = steueramt_client(self.url)
        case = service.openBusinessCase(header=header("steueramt", uuid.uuid4().hex[:12]),
                                        serviceId=101, ownerId="profile-4711",
                                        title="Steuererklaerung 2026")
        journal = os.path.join(self.dir, "journal.db")

        def parked():
            items = [i for i in work_items(journal) if i[2] == case.businessProcessId]
            return items[0] if items and items[0][1] == "parked" else None
        wait_until(parked, what="the case's delivery to be parked")
        return case.businessProcessId, parked()[0]

    def pending_link(self):
        """The id of a new pending identity link of the Steueramt (link="review")."""
        portal = Portal(self.url, "portal-sandbox", ENV["PORTIER_PORTAL_HMAC_SECRET"])
        status, answer = portal.check(STEUERAMT_SERVICE)
        assert status == 200 and answer.get("result") == "PENDING_REVIEW", answer
        return answer["link"]["linkId"]

    def registered_case(self):
        """A Betreibungsamt case whose payment order went as registered mail through the
        simulated IncaMail and was accepted there: its bpid, once both receipts are in."""
        service = client(self.url + "/soap/v1?wsdl", wsse=UsernameToken(
            "betreibungsamt", ENV["PORTIER_BETREIBUNGSAMT_SECRET"], use_digest=True))
        case = service.openBusinessCase(header=header("betreibungsamt", uuid.uuid4().hex[:12]),
                                        serviceId=301, ownerId="profile-2323",
                                        title="Betreibung 2026-17")
        registered_decision(service, case, self.incamail_url)  # waits for ACCEPTED
        return case.businessProcessId
