// The evidence chain: each record links to the hash of the one before. The head (the newest
// seq and hash) is a row of its own, read and moved inside the writing transaction, which
// excludes every other writer: so instances and portierctl extend one chain, and a savepoint
// rolled back takes its records and its move of the head with it.
#include <utility>

#include "core/evidence/chain.h"
#include "core/journal/sql/sql_journal.h"

namespace portier::journal::sql {
namespace {

constexpr const char* kEvidenceColumns =
    "seq, business_process_id, at_ms, hop, operation, department, destination, work_item_id, "
    "request_sha256, response_sha256, detail, prev_hash, hash";

evidence::Record read_evidence(const Statement& st) {
  evidence::Record r;
  r.seq = st.int64(0);
  r.business_process_id = st.text(1);
  r.at_ms = st.int64(2);
  r.hop = st.text(3);
  r.operation = st.text(4);
  r.department = st.text(5);
  r.destination = st.text(6);
  r.work_item_id = st.int64(7);
  r.request_sha256 = st.text(8);
  r.response_sha256 = st.text(9);
  r.detail = st.text(10);
  r.prev_hash = st.text(11);
  r.hash = st.text(12);
  return r;
}

}  // namespace

Status SqlJournal::append_evidence(Connection& db, evidence::Record r) {
  {
    Result<Statement> head = db.prepare("SELECT seq, hash FROM evidence_head WHERE id = 1");
    if (!head.is_ok()) return head.status();
    Result<bool> row = head->next();
    if (!row.is_ok()) return row.status();
    if (!*row) return internal_error("evidence: the chain's head row is missing");
    r.seq = head->int64(0) + 1;
    r.prev_hash = head->text(1);
  }
  r.at_ms = clock_.now_ms();
  r.hash = evidence::chain_hash(r);
  Result<Statement> insert = db.prepare(
      "INSERT INTO evidence (seq, business_process_id, at_ms, hop, operation, department, "
      "destination, work_item_id, request_sha256, response_sha256, detail, prev_hash, hash) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  if (!insert.is_ok()) return insert.status();
  insert->bind(1, r.seq)
      .bind(2, r.business_process_id)
      .bind(3, r.at_ms)
      .bind(4, r.hop)
      .bind(5, r.operation)
      .bind(6, r.department)
      .bind(7, r.destination)
      .bind(8, r.work_item_id)
      .bind(9, r.request_sha256)
      .bind(10, r.response_sha256)
      .bind(11, r.detail)
      .bind(12, r.prev_hash)
      .bind(13, r.hash);
  if (Status s = insert->run(); !s.is_ok()) return s;
  Result<Statement> move = db.prepare("UPDATE evidence_head SET seq = ?1, hash = ?2 WHERE id = 1");
  if (!move.is_ok()) return move.status();
  return move->bind(1, r.seq).bind(2, r.hash).run();
}

Result<std::vector<evidence::Record>> SqlJournal::evidence(
    const std::optional<std::string>& business_process_id) {
  std::string sql = std::string("SELECT ") + kEvidenceColumns + " FROM evidence";
  if (business_process_id) sql += " WHERE business_process_id = ?1";
  sql += " ORDER BY seq";
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<Statement> st = (*db)->prepare(sql);
  if (!st.is_ok()) return st.status();
  if (business_process_id) st->bind(1, *business_process_id);
  return st->collect(read_evidence);
}

Result<int64_t> SqlJournal::evidence_high_water() {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<Statement> st = (*db)->prepare("SELECT seq FROM evidence_head WHERE id = 1");
  if (!st.is_ok()) return st.status();
  Result<bool> row = st->next();
  if (!row.is_ok()) return row.status();
  return *row ? st->int64(0) : int64_t{0};
}

}  // namespace portier::journal::sql
