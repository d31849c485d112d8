#pragma once
// The conformance suite: typed tests written against the journal's interfaces only (no SQL),
// run once per store (journal_stores.h), so their names read JournalConformance/sqlite.X and
// JournalConformance/postgresql.X. What only one store does (fsync failures, VFS faults,
// migrations, tampering through SQL) stays in that store's own tests.
//
// Work-item ids are never written as numbers: PostgreSQL's identity sequences skip the ids of
// rolled-back inserts, so tests name an item by the intake that made it (item_id()).
//
// Each test file declares the suite again, TYPED_TEST_SUITE(JournalConformance, Stores,
// StoreName): GoogleTest merges the files' tests, as they share this fixture.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/base/digest.h"
#include "core/evidence/chain.h"
#include "core/journal/journal.h"
#include "tests/core/journal/conformance/journal_stores.h"

namespace portier::journal::testing {

inline constexpr int64_t kLease = 30'000;
inline constexpr int64_t kNonceWindow = 600'000;  // a WS-Security timestamp window

inline model::Message status_update(const std::string& case_id) {
  model::StatusUpdate u;
  u.__set_businessCaseId(case_id);
  u.__set_status(model::CaseStatus::IN_PROGRESS);
  model::Message m;
  m.__set_statusUpdate(u);
  return m;
}

// An intake of department "steueramt" that enqueues one status update per destination and
// answers "answer:<key>".
inline Intake make_intake(const std::string& key, const std::string& bpid,
                          std::vector<std::string> destinations = {"portal"}) {
  Intake in;
  in.idempotency_key = key;
  in.department = "steueramt";
  in.business_process_id = bpid;
  in.correlation_id = "corr-" + key;
  in.operation = "reportStatus";
  in.request_sha256 = sha256_hex(key);
  in.build = [key, bpid, destinations](IntakeTransaction& txn) -> Result<std::string> {
    for (const std::string& d : destinations) txn.enqueue(d, status_update(bpid));
    return "answer:" + key;
  };
  return in;
}

inline AttemptRecord delivered() {
  return {AttemptRecord::Verdict::kDelivered, 0, "", "req", "resp", "HTTP 201", ""};
}
inline AttemptRecord retry_at(int64_t ms) {
  return {AttemptRecord::Verdict::kRetry, ms, "HTTP 503", "req", "resp", "attempt failed", ""};
}
inline AttemptRecord park_it() {
  return {AttemptRecord::Verdict::kPark, 0, "HTTP 400", "req", "", "", ""};
}

inline std::vector<std::string> hops_of(const std::vector<evidence::Record>& records) {
  std::vector<std::string> hops;
  for (const evidence::Record& r : records) hops.push_back(r.hop);
  return hops;
}

template <class Storage>
class JournalConformance : public JournalStoreTest<Storage> {
 protected:
  Journal& journal() { return *this->journal_; }

  void accept_ok(Journal& j, Intake intake) {
    Result<IntakeOutcome> r = accept_and_wait(j, std::move(intake));
    ASSERT_TRUE(r.is_ok()) << r.status().to_string();
    ASSERT_FALSE(r->duplicate);
  }
  void accept_ok(Intake intake) { accept_ok(journal(), std::move(intake)); }

  // The id of the `n`th work item the intake under `key` made.
  int64_t item_id(const std::string& key, size_t n = 0) {
    Result<std::vector<StoredItem>> items = journal().items_of_intake(key);
    EXPECT_TRUE(items.is_ok()) << items.status().to_string();
    if (!items.is_ok() || items->size() <= n) {
      ADD_FAILURE() << "intake " << key << " has no item " << n;
      return -1;
    }
    return (*items)[n].item.id;
  }

  // Claims through `j` and remembers each item's lease token, for settle() below.
  std::vector<int64_t> claim_ids(Journal& j, const std::string& destination, int max = 10,
                                 int64_t lease_ms = kLease) {
    Result<std::vector<model::WorkItem>> items =
        j.claim(destination, max, this->clock_.now_ms(), lease_ms);
    EXPECT_TRUE(items.is_ok()) << items.status().to_string();
    std::vector<int64_t> ids;
    if (!items.is_ok()) return ids;
    std::lock_guard lock(tokens_mutex_);
    for (const model::WorkItem& i : *items) {
      ids.push_back(i.id);
      tokens_[i.id] = i.leaseToken;
    }
    return ids;
  }
  std::vector<int64_t> claim_ids(const std::string& destination, int max = 10) {
    return claim_ids(journal(), destination, max);
  }
  // The token of the item's last claim here; 0 if it was never claimed.
  int64_t token_of(int64_t item_id) {
    std::lock_guard lock(tokens_mutex_);
    auto it = tokens_.find(item_id);
    return it == tokens_.end() ? 0 : it->second;
  }
  // Settles under the token of the item's last claim (as its dispatcher would).
  Status settle(Journal& j, int64_t item_id, const AttemptRecord& attempt) {
    return j.settle(item_id, token_of(item_id), attempt);
  }
  Status settle(int64_t item_id, const AttemptRecord& attempt) {
    return settle(journal(), item_id, attempt);
  }

  ItemState state_of(int64_t id) {
    Result<StoredItem> item = journal().get(id);
    EXPECT_TRUE(item.is_ok()) << item.status().to_string();
    return item.is_ok() ? item->state : ItemState::kPending;
  }
  // Every work item, of every state (newest first).
  std::vector<StoredItem> all_items(Journal& j) {
    ItemFilter all;
    all.limit = 10'000;
    Result<std::vector<StoredItem>> items = j.list(all);
    EXPECT_TRUE(items.is_ok()) << items.status().to_string();
    return items.is_ok() ? *items : std::vector<StoredItem>{};
  }
  size_t item_count() { return all_items(journal()).size(); }

  std::vector<evidence::Record> chain(Journal& j) {
    Result<std::vector<evidence::Record>> records = j.evidence(std::nullopt);
    EXPECT_TRUE(records.is_ok()) << records.status().to_string();
    return records.is_ok() ? *records : std::vector<evidence::Record>{};
  }
  std::vector<std::string> hops(Journal& j, const std::string& bpid) {
    Result<std::vector<evidence::Record>> records = j.evidence(bpid);
    EXPECT_TRUE(records.is_ok()) << records.status().to_string();
    return records.is_ok() ? hops_of(*records) : std::vector<std::string>{};
  }
  evidence::Verdict verify_chain(Journal& j) {
    Result<std::vector<evidence::Record>> records = j.evidence(std::nullopt);
    Result<int64_t> high_water = j.evidence_high_water();
    EXPECT_TRUE(records.is_ok() && high_water.is_ok());
    if (!records.is_ok() || !high_water.is_ok()) return {false, 0, {"cannot read the chain"}};
    return evidence::verify(*records, *high_water);
  }
  evidence::Verdict verify_chain() { return verify_chain(journal()); }

  // Nonces and department events.
  Nonce nonce(const std::string& value) { return {value, this->clock_.now_ms() + kNonceWindow}; }
  bool remember(Journal& j, const std::string& department, const Nonce& n) {
    Result<bool> fresh = j.remember_nonce(department, n);
    EXPECT_TRUE(fresh.is_ok()) << fresh.status().to_string();
    return fresh.is_ok() && *fresh;
  }
  std::vector<DepartmentEvent> open_events(const std::string& department, int64_t after = 0,
                                           int limit = 100) {
    Result<std::vector<DepartmentEvent>> events = journal().events(department, after, limit);
    EXPECT_TRUE(events.is_ok()) << events.status().to_string();
    return events.is_ok() ? *events : std::vector<DepartmentEvent>{};
  }
  // Adds an event and returns its seq (the newest open event of its department).
  int64_t add(const std::string& department, const std::string& kind) {
    DepartmentEvent e;
    e.department = department;
    e.kind = kind;
    e.business_process_id = "bp-" + department;
    EXPECT_TRUE(journal().add_event(e).is_ok());
    std::vector<DepartmentEvent> open = open_events(department, 0, 10'000);
    return open.empty() ? -1 : open.back().seq;
  }

 private:
  std::mutex tokens_mutex_;  // claim_ids() may run on several threads
  std::map<int64_t, int64_t> tokens_;
};

}  // namespace portier::journal::testing
