#include "core/journal/sqlite/schema.h"

#include <string>

namespace portier::journal::sqlite {
namespace {

// Version 1: the tables of the first release.
//  - work_items_due and work_items_lease serve claim(): pending items due per destination, and
//    in-flight items whose lease ran out.
//  - work_items_case_open serves the per-case ordering check ("is an earlier item of this case
//    still open?"); it only holds open items, so done and parked history costs it nothing.
//  - payload_sha256 is hex text, so an operator can compare it with sha256sum by eye.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE intake (
  idempotency_key     TEXT PRIMARY KEY NOT NULL,
  department          TEXT NOT NULL,
  business_process_id TEXT NOT NULL,
  answer              BLOB NOT NULL,
  created_ms          INTEGER NOT NULL
);
CREATE TABLE business_cases (
  business_process_id TEXT PRIMARY KEY NOT NULL,
  business_case_id    TEXT NOT NULL UNIQUE,
  department          TEXT NOT NULL,
  service_id          INTEGER NOT NULL,
  owner_id            TEXT NOT NULL,
  opened_ms           INTEGER NOT NULL
);
CREATE TABLE work_items (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key     TEXT NOT NULL UNIQUE,
  department          TEXT NOT NULL,
  business_process_id TEXT NOT NULL,
  destination         TEXT NOT NULL,
  kind                TEXT NOT NULL,
  correlation_id      TEXT,
  payload             BLOB NOT NULL,
  payload_sha256      TEXT NOT NULL,
  state               TEXT NOT NULL CHECK (state IN ('pending', 'inflight', 'done', 'parked')),
  attempts            INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms     INTEGER NOT NULL,
  lease_until_ms      INTEGER,
  last_error          TEXT,
  created_ms          INTEGER NOT NULL,
  updated_ms          INTEGER NOT NULL
);
CREATE INDEX work_items_due ON work_items (destination, state, next_attempt_ms);
CREATE INDEX work_items_lease ON work_items (destination, state, lease_until_ms);
CREATE INDEX work_items_case_open ON work_items (business_process_id, id)
  WHERE state IN ('pending', 'inflight');
CREATE TABLE evidence (
  seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
  business_process_id TEXT NOT NULL,
  at_ms               INTEGER NOT NULL,
  hop                 TEXT NOT NULL,
  operation           TEXT NOT NULL,
  department          TEXT NOT NULL,
  destination         TEXT NOT NULL,
  work_item_id        INTEGER NOT NULL,
  request_sha256      TEXT NOT NULL,
  response_sha256     TEXT NOT NULL,
  detail              TEXT NOT NULL,
  prev_hash           TEXT NOT NULL,
  hash                TEXT NOT NULL
);
CREATE INDEX evidence_case ON evidence (business_process_id, seq);
)sql";

// Version 2: `ready` marks the one open item of each case that may be delivered now (the
// earliest), so claim() scans the heads of the cases instead of every waiting item: with 20k
// items waiting in 32 cases, a claim read 20k rows before and reads 32 now.
constexpr const char* kVersion2 = R"sql(
ALTER TABLE work_items ADD COLUMN ready INTEGER NOT NULL DEFAULT 1;
UPDATE work_items SET ready = 0
  WHERE state IN ('pending', 'inflight') AND business_process_id <> '' AND EXISTS (
    SELECT 1 FROM work_items AS e WHERE e.business_process_id = work_items.business_process_id
      AND e.id < work_items.id AND e.state IN ('pending', 'inflight'));
CREATE INDEX work_items_ready ON work_items (destination, id)
  WHERE ready = 1 AND state IN ('pending', 'inflight');
)sql";

// Version 3: what the department service keeps beside the intakes.
//  - nonces: WS-Security nonces per department until their timestamp window has passed; the
//    primary key makes a replay fail even between instances sharing the file. nonces_expiry
//    serves the periodic purge of expired ones.
//  - audit: requests refused for who sent them or what they tried to reach.
//  - department_events: what a department that pulls should learn about (e.g. a parked
//    delivery) until it acknowledges it; department_events_open serves "the open events of
//    one department after seq n".
constexpr const char* kVersion3 = R"sql(
CREATE TABLE nonces (
  department          TEXT NOT NULL,
  value               TEXT NOT NULL,
  expires_ms          INTEGER NOT NULL,
  PRIMARY KEY (department, value)
) WITHOUT ROWID;
CREATE INDEX nonces_expiry ON nonces (expires_ms);
CREATE TABLE audit (
  seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms               INTEGER NOT NULL,
  department          TEXT NOT NULL,
  remote_address      TEXT NOT NULL,
  operation           TEXT NOT NULL,
  business_process_id TEXT NOT NULL,
  reason              TEXT NOT NULL,
  correlation_id      TEXT NOT NULL
);
CREATE TABLE department_events (
  seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
  department          TEXT NOT NULL,
  kind                TEXT NOT NULL,
  business_process_id TEXT NOT NULL,
  at_ms               INTEGER NOT NULL,
  detail              TEXT NOT NULL,
  acked_ms            INTEGER
);
CREATE INDEX department_events_open ON department_events (department, acked_ms, seq);
)sql";

// Version 4: how far each counterpart's event feed has been read.
constexpr const char* kVersion4 = R"sql(
CREATE TABLE feed_cursors (
  feed   TEXT PRIMARY KEY NOT NULL,
  cursor INTEGER NOT NULL
);
)sql";

// Version 5: a document delivery's id on its work item, so getDelivery finds it.
constexpr const char* kVersion5 = R"sql(
ALTER TABLE work_items ADD COLUMN delivery_id TEXT;
CREATE INDEX work_items_delivery ON work_items (delivery_id) WHERE delivery_id IS NOT NULL;
)sql";

// Version 6: receipts of registered deliveries (their bytes live in the document store).
constexpr const char* kVersion6 = R"sql(
CREATE TABLE receipts (
  receipt_id TEXT PRIMARY KEY NOT NULL,
  delivery_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  event_ms INTEGER NOT NULL,
  platform TEXT NOT NULL,
  receipt_message_id TEXT NOT NULL,
  pdf_sha256 TEXT NOT NULL,
  signature_sha256 TEXT NOT NULL,
  signature_valid INTEGER NOT NULL,
  signature_detail TEXT NOT NULL,
  recorded_ms INTEGER NOT NULL
);
CREATE INDEX receipts_delivery ON receipts (delivery_id, event_ms);
)sql";

// Version 7: following inbox deliveries at the RC adapter until they are in the inbox.
constexpr const char* kVersion7 = R"sql(
ALTER TABLE work_items ADD COLUMN counterpart_ref TEXT;
CREATE TABLE inbox_progress (
  delivery_id TEXT PRIMARY KEY NOT NULL,
  status TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  detail TEXT NOT NULL
);
)sql";

// Version 8: identity links between portal accounts and persons in department systems. At most
// one pending or active link per account profile and service (identity_links_open); the
// coupling parameters are kept as a digest only.
constexpr const char* kVersion8 = R"sql(
CREATE TABLE identity_links (
  link_id              TEXT PRIMARY KEY NOT NULL,
  account_id           TEXT NOT NULL,
  profile_id           TEXT NOT NULL,
  service_id           INTEGER NOT NULL,
  department           TEXT NOT NULL,
  state                TEXT NOT NULL CHECK (state IN ('pending', 'active', 'rejected', 'revoked')),
  person_ref_category  TEXT NOT NULL,
  person_ref_id        TEXT NOT NULL,
  identification_level INTEGER NOT NULL,
  coupling_sha256      TEXT NOT NULL,
  matched_on           TEXT NOT NULL,
  check_id             TEXT NOT NULL,
  decided_by           TEXT NOT NULL,
  reason               TEXT NOT NULL,
  created_ms           INTEGER NOT NULL,
  decided_ms           INTEGER NOT NULL,
  updated_ms           INTEGER NOT NULL
);
CREATE UNIQUE INDEX identity_links_open ON identity_links (account_id, profile_id, service_id)
  WHERE state IN ('pending', 'active');
CREATE INDEX identity_links_department ON identity_links (department, state, created_ms);
)sql";

// Version 9: poll leases, so one instance at a time polls each counterpart mailbox (the AFS
// Antragspostfach); the poll cursors are feed_cursors rows.
constexpr const char* kVersion9 = R"sql(
CREATE TABLE poll_leases (
  name       TEXT PRIMARY KEY NOT NULL,
  holder     TEXT NOT NULL,
  expires_ms INTEGER NOT NULL
);
)sql";

// Version 10: events that hold a work item until the department acknowledges them (form
// submissions a department pulls are taken over only then), found by what they are about.
constexpr const char* kVersion10 = R"sql(
ALTER TABLE department_events ADD COLUMN subject TEXT;
ALTER TABLE department_events ADD COLUMN releases_item INTEGER;
CREATE UNIQUE INDEX department_events_subject ON department_events (kind, subject)
  WHERE subject IS NOT NULL;
CREATE INDEX department_events_releases ON department_events (releases_item)
  WHERE releases_item IS NOT NULL;
)sql";

// Version 11: several writers. The evidence chain's head gets a row of its own, read and moved
// inside each writing transaction (a second process such as portierctl extends the same chain);
// each claim's lease names its owner instance and carries a fencing token that settle must
// present; instances report themselves alive.
constexpr const char* kVersion11 = R"sql(
CREATE TABLE evidence_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  INTEGER NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO evidence_head (id, seq, hash) VALUES (1,
  MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'evidence'), 0),
      COALESCE((SELECT MAX(seq) FROM evidence), 0)),
  COALESCE((SELECT hash FROM evidence ORDER BY seq DESC LIMIT 1), ''));
ALTER TABLE work_items ADD COLUMN lease_owner TEXT;
ALTER TABLE work_items ADD COLUMN lease_token INTEGER NOT NULL DEFAULT 0;
CREATE TABLE instances (
  instance   TEXT PRIMARY KEY NOT NULL,
  started_ms INTEGER NOT NULL,
  seen_ms    INTEGER NOT NULL
);
)sql";

// Version 12: four eyes. A reviewer's first approval of a pending identity link waits here for
// the second reviewer, so that a restart between the two keeps it; it is deleted when the link
// leaves pending.
constexpr const char* kVersion12 = R"sql(
CREATE TABLE identity_link_approvals (
  link_id     TEXT PRIMARY KEY NOT NULL REFERENCES identity_links (link_id),
  approved_by TEXT NOT NULL,
  approved_ms INTEGER NOT NULL
);
)sql";

// Version 13: retention. When the purge deleted a row's content (a work item's message keeps
// its non-personal fields, a receipt's files go, a link's person data and an event's detail are
// emptied); the digests stay. NULL: the content is there.
constexpr const char* kVersion13 = R"sql(
ALTER TABLE work_items ADD COLUMN purged_ms INTEGER;
ALTER TABLE receipts ADD COLUMN purged_ms INTEGER;
ALTER TABLE identity_links ADD COLUMN purged_ms INTEGER;
ALTER TABLE department_events ADD COLUMN purged_ms INTEGER;
)sql";

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "intake, business cases, work items, evidence", kVersion1},
      {2, "ready flag: the head of each case's queue", kVersion2},
      {3, "WS-Security nonces, audit log, department events", kVersion3},
      {4, "event feed cursors", kVersion4},
      {5, "delivery ids of document deliveries", kVersion5},
      {6, "receipts of registered deliveries", kVersion6},
      {7, "inbox deliveries followed at the RC adapter", kVersion7},
      {8, "identity links", kVersion8},
      {9, "poll leases", kVersion9},
      {10, "events that hold a work item until acknowledged", kVersion10},
      {11, "evidence head, lease owners and fencing tokens, instances", kVersion11},
      {12, "first approvals of identity links (four eyes)", kVersion12},
      {13, "retention: when content was purged", kVersion13},
  };
  return kMigrations;
}

int latest_schema_version() { return migrations().back().version; }

Status migrate(Connection& db, const Clock& clock) {
  return sql::migrate(db, migrations(), "BEGIN IMMEDIATE", clock);
}

}  // namespace portier::journal::sqlite
