"""Four eyes in the operators' console (fourEyes="true"): a reviewer's approval of an identity
link takes effect only when a second reviewer of the department approves too. The first
approval is kept in the journal, so a restart of portierd between the two reviewers keeps it;
the same reviewer approving twice is still one approval; a rejection drops it."""
import tempfile

import pytest

from console_harness import ConsoleSandbox


@pytest.fixture(scope="module")
def sandbox():
    with tempfile.TemporaryDirectory(prefix="portier-console-four-eyes-") as folder:
        # Bruno reviews the Steueramt's links too, so that it has two reviewers: rita and bruno.
        box = ConsoleSandbox(folder, four_eyes=True, also_reviews={"bruno": "steueramt"})
        try:
            yield box
        finally:
            box.stop()


def decide(box, user, link, decision="approve", reason=""):
    session, token = box.signed_in(user)
    return session.post(f"{box.api}identity-links/{link}/decision",
                        json={"decision": decision, "reason": reason},
                        headers={"X-CSRF-Token": token})


def test_a_rejection_needs_one_reviewer_and_drops_the_first_approval(sandbox):
    link = sandbox.pending_link()
    assert decide(sandbox, "rita", link).status_code == 202
    rejected = decide(sandbox, "bruno", link, "reject", "not the same person")
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["state"] == "rejected"
    late = decide(sandbox, "bruno", link)
    assert late.status_code == 409, late.text


def test_a_first_approval_survives_a_restart_and_the_second_reviewer_decides(sandbox):
    link = sandbox.pending_link()  # a new one: the account's last link was rejected
    first = decide(sandbox, "rita", link)
    assert first.status_code == 202, first.text
    assert first.json()["awaitingSecondReviewer"] and first.json()["firstApprovalBy"] == "rita"
    again = decide(sandbox, "rita", link)  # one reviewer is not two pairs of eyes
    assert again.status_code == 202, again.text

    sandbox.restart_portierd()

    rita, _ = sandbox.signed_in("rita")
    shown = rita.get(f"{sandbox.api}identity-links/{link}").json()
    assert (shown["state"], shown.get("firstApprovalBy")) == ("pending", "rita"), shown
    second = decide(sandbox, "bruno", link)
    assert second.status_code == 200, second.text
    assert (second.json()["state"], second.json()["decidedBy"]) == ("active", "console:rita+bruno")
    assert "firstApprovalBy" not in rita.get(f"{sandbox.api}identity-links/{link}").json()
