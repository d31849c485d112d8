// Identity links: lookups on a read connection, the check's evidence record and a new link
// (with its department event) in one write on the writer thread.
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "core/journal/sql/item_rows.h"
#include "core/journal/sql/sql_journal.h"

namespace portier::journal::sql {
namespace {

constexpr const char* kLinkColumns =
    "link_id, account_id, profile_id, service_id, department, state, person_ref_category, "
    "person_ref_id, identification_level, coupling_sha256, matched_on, check_id, decided_by, "
    "reason, created_ms, decided_ms, updated_ms";

IdentityLinkRecord read_link(const Statement& st) {
  IdentityLinkRecord r;
  r.link_id = st.text(0);
  r.account_id = st.text(1);
  r.profile_id = st.text(2);
  r.service_id = static_cast<int32_t>(st.int64(3));
  r.department = st.text(4);
  r.state = st.text(5);
  r.person_ref_category = st.text(6);
  r.person_ref_id = st.text(7);
  r.identification_level = static_cast<int32_t>(st.int64(8));
  r.coupling_sha256 = st.text(9);
  r.matched_on = st.text(10);
  r.check_id = st.text(11);
  r.decided_by = st.text(12);
  r.reason = st.text(13);
  r.created_ms = st.int64(14);
  r.decided_ms = st.int64(15);
  r.updated_ms = st.int64(16);
  return r;
}

// Runs `st` and returns its first row as a link, if any.
Result<std::optional<IdentityLinkRecord>> first_link(Statement& st) {
  Result<bool> row = st.next();
  if (!row.is_ok()) return row.status();
  if (!*row) return std::optional<IdentityLinkRecord>();
  return std::optional<IdentityLinkRecord>(read_link(st));
}

// Evidence of everything about one link is filed under one key, so `evidence export` shows a
// link's history; a check that made no link under its own.
std::string evidence_key(const std::string& link_id, const std::string& check_id) {
  return link_id.empty() ? "identity-check:" + check_id : "identity:" + link_id;
}

// Runs `st` (link_id, approved_by, approved_ms) and returns its first row, if any.
Result<std::optional<FirstApproval>> first_approval_row(Statement& st) {
  Result<bool> row = st.next();
  if (!row.is_ok()) return row.status();
  if (!*row) return std::optional<FirstApproval>();
  return std::optional<FirstApproval>(FirstApproval{st.text(0), st.text(1), st.int64(2)});
}

constexpr const char* kSelectFirstApproval =
    "SELECT link_id, approved_by, approved_ms FROM identity_link_approvals WHERE link_id = ?1";

bool contains(const std::vector<std::string>& v, const std::string& s) {
  for (const auto& x : v) {
    if (x == s) return true;
  }
  return false;
}

}  // namespace

Result<std::optional<IdentityLinkRecord>> SqlJournal::find_identity_link(
    const std::string& account_id, const std::string& profile_id, int32_t service_id) {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<Statement> st = (*db)->prepare(
      std::string("SELECT ") + kLinkColumns +
      " FROM identity_links WHERE account_id = ?1 AND profile_id = ?2 AND service_id = ?3"
      " AND state IN ('pending', 'active')");
  if (!st.is_ok()) return st.status();
  st->bind(1, account_id).bind(2, profile_id).bind(3, int64_t{service_id});
  return first_link(*st);
}

Result<std::optional<IdentityLinkRecord>> SqlJournal::identity_link(const std::string& link_id) {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<Statement> st = (*db)->prepare(std::string("SELECT ") + kLinkColumns +
                                        " FROM identity_links WHERE link_id = ?1");
  if (!st.is_ok()) return st.status();
  st->bind(1, link_id);
  return first_link(*st);
}

Result<std::vector<IdentityLinkRecord>> SqlJournal::identity_links(
    const IdentityLinkFilter& filter) {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  // NULL parameters match everything, so one statement serves every filter.
  Result<Statement> st =
      (*db)->prepare(std::string("SELECT ") + kLinkColumns +
                     " FROM identity_links WHERE (department = ?1 OR CAST(?1 AS TEXT) IS NULL) AND "
                     "(state = ?2 OR CAST(?2 AS TEXT) IS NULL)"
                     " AND (account_id = ?3 OR CAST(?3 AS TEXT) IS NULL) ORDER BY created_ms DESC, "
                     "link_id LIMIT ?4");
  if (!st.is_ok()) return st.status();
  st->bind_optional(1, filter.department);
  st->bind_optional(2, filter.state);
  st->bind_optional(3, filter.account_id);
  st->bind(4, page_size(filter.limit));
  std::vector<IdentityLinkRecord> links;
  for (;;) {
    Result<bool> row = st->next();
    if (!row.is_ok()) return row.status();
    if (!*row) break;
    links.push_back(read_link(*st));
  }
  return links;
}

Result<std::optional<IdentityLinkRecord>> SqlJournal::record_identity_check(
    const IdentityCheckEntry& entry) {
  if (entry.check_id.empty() || entry.department.empty()) {
    return invalid_argument("identity check: check_id and department are required");
  }
  return writer_->write_and_wait<std::optional<IdentityLinkRecord>>(
      [=, this](Connection& db) { return apply_identity_check(db, entry); });
}

Result<std::optional<IdentityLinkRecord>> SqlJournal::apply_identity_check(
    Connection& db, const IdentityCheckEntry& entry) {
  std::optional<IdentityLinkRecord> in_force;
  if (entry.new_link) {
    Result<Statement> existing = db.prepare(
        std::string("SELECT ") + kLinkColumns +
        " FROM identity_links WHERE account_id = ?1 AND profile_id = ?2 AND service_id = ?3"
        " AND state IN ('pending', 'active')");
    if (!existing.is_ok()) return existing.status();
    existing->bind(1, entry.account_id)
        .bind(2, entry.profile_id)
        .bind(3, int64_t{entry.service_id});
    auto found = first_link(*existing);
    if (!found.is_ok()) return found.status();
    in_force = *found;
  }
  const bool creates = entry.new_link && !in_force;
  if (creates) {
    const IdentityLinkRecord& l = *entry.new_link;
    Result<Statement> st = db.prepare(
        std::string("INSERT INTO identity_links (") + kLinkColumns +
        ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)");
    if (!st.is_ok()) return st.status();
    st->bind(1, l.link_id)
        .bind(2, l.account_id)
        .bind(3, l.profile_id)
        .bind(4, int64_t{l.service_id})
        .bind(5, l.department)
        .bind(6, l.state)
        .bind(7, l.person_ref_category)
        .bind(8, l.person_ref_id)
        .bind(9, int64_t{l.identification_level})
        .bind(10, l.coupling_sha256)
        .bind(11, l.matched_on)
        .bind(12, l.check_id)
        .bind(13, l.decided_by)
        .bind(14, l.reason)
        .bind(15, l.created_ms)
        .bind(16, l.decided_ms)
        .bind(17, l.updated_ms);
    if (Status s = st->run(); !s.is_ok()) return s;
    if (Status s = insert_link_event(db, l); !s.is_ok()) return s;
    in_force = l;
  }
  evidence::Record r;
  r.business_process_id =
      evidence_key(creates ? entry.new_link->link_id
                           : (entry.answered_from == "link" && in_force ? in_force->link_id : ""),
                   entry.check_id);
  r.hop = "identityCheck";
  r.operation = "checkIdentity";
  r.department = entry.department;
  r.destination = entry.answered_from;
  r.request_sha256 = entry.request_sha256;
  r.response_sha256 = entry.response_sha256;
  r.detail = entry.detail;
  if (Status s = append_evidence(db, std::move(r)); !s.is_ok()) return s;
  return in_force;
}

Result<IdentityLinkRecord> SqlJournal::change_identity_link(const IdentityLinkChange& change) {
  return writer_->write_and_wait<IdentityLinkRecord>(
      [=, this](Connection& db) { return apply_link_change(db, change); });
}

Result<IdentityLinkRecord> SqlJournal::apply_link_change(Connection& db,
                                                         const IdentityLinkChange& change) {
  Result<Statement> st =
      db.prepare(std::string("SELECT ") + kLinkColumns + " FROM identity_links WHERE link_id = ?1");
  if (!st.is_ok()) return st.status();
  st->bind(1, change.link_id);
  auto found = first_link(*st);
  if (!found.is_ok()) return found.status();
  if (!*found) return not_found("identity link '" + change.link_id + "' is not known");
  IdentityLinkRecord link = std::move(**found);
  if (!change.department.empty() && link.department != change.department) {
    return permission_denied("identity link '" + change.link_id +
                             "' belongs to another department");
  }
  if (!contains(change.from_states, link.state)) {
    return failed_precondition("identity link '" + change.link_id + "' is " + link.state);
  }
  const int64_t now = clock_.now_ms();
  link.state = change.to_state;
  link.updated_ms = now;
  if (link.decided_ms == 0) {
    link.decided_ms = now;
    link.decided_by = change.by;
  }
  if (!change.reason.empty()) link.reason = change.reason;
  Result<Statement> up = db.prepare(
      "UPDATE identity_links SET state = ?2, decided_by = ?3, decided_ms = ?4, reason = ?5, "
      "updated_ms = ?6 WHERE link_id = ?1");
  if (!up.is_ok()) return up.status();
  up->bind(1, link.link_id)
      .bind(2, link.state)
      .bind(3, link.decided_by)
      .bind(4, link.decided_ms)
      .bind(5, link.reason)
      .bind(6, link.updated_ms);
  if (Status s = up->run(); !s.is_ok()) return s;
  if (link.state != "pending") {
    // A decided, rejected or revoked link has no first approval waiting any more.
    Result<Statement> drop = db.prepare("DELETE FROM identity_link_approvals WHERE link_id = ?1");
    if (!drop.is_ok()) return drop.status();
    if (Status s = drop->bind(1, link.link_id).run(); !s.is_ok()) return s;
  }
  if (Status s = insert_link_event(db, link); !s.is_ok()) return s;
  boost::json::object detail;
  detail["linkId"] = link.link_id;
  detail["state"] = link.state;
  detail["by"] = change.by;
  if (!change.reason.empty()) detail["reason"] = change.reason;
  evidence::Record r;
  r.business_process_id = evidence_key(link.link_id, "");
  r.hop = "identityLink";
  r.operation = change.operation;
  r.department = link.department;
  r.detail = boost::json::serialize(detail);
  if (Status s = append_evidence(db, std::move(r)); !s.is_ok()) return s;
  return link;
}

Result<FirstApproval> SqlJournal::approve_first(const std::string& link_id,
                                                const std::string& department,
                                                const std::string& by) {
  if (by.empty()) return invalid_argument("first approval: who approved is required");
  return writer_->write_and_wait<FirstApproval>(
      [=, this](Connection& db) { return apply_approve_first(db, link_id, department, by); });
}

Result<FirstApproval> SqlJournal::apply_approve_first(Connection& db, const std::string& link_id,
                                                      const std::string& department,
                                                      const std::string& by) {
  Result<Statement> st =
      db.prepare(std::string("SELECT ") + kLinkColumns + " FROM identity_links WHERE link_id = ?1");
  if (!st.is_ok()) return st.status();
  st->bind(1, link_id);
  auto found = first_link(*st);
  if (!found.is_ok()) return found.status();
  if (!*found) return not_found("identity link '" + link_id + "' is not known");
  if (!department.empty() && (*found)->department != department) {
    return permission_denied("identity link '" + link_id + "' belongs to another department");
  }
  if ((*found)->state != "pending") {
    return failed_precondition("identity link '" + link_id + "' is " + (*found)->state +
                               ", not pending");
  }
  Result<Statement> kept = db.prepare(kSelectFirstApproval);
  if (!kept.is_ok()) return kept.status();
  kept->bind(1, link_id);
  auto first = first_approval_row(*kept);
  if (!first.is_ok()) return first.status();
  if (*first) return **first;
  FirstApproval approval{link_id, by, clock_.now_ms()};
  Result<Statement> insert = db.prepare(
      "INSERT INTO identity_link_approvals (link_id, approved_by, approved_ms)"
      " VALUES (?1, ?2, ?3)");
  if (!insert.is_ok()) return insert.status();
  insert->bind(1, approval.link_id).bind(2, approval.by).bind(3, approval.at_ms);
  if (Status s = insert->run(); !s.is_ok()) return s;
  return approval;
}

Result<std::optional<FirstApproval>> SqlJournal::first_approval(const std::string& link_id) {
  Result<ConnectionPool::Loan> db = reader();
  if (!db.is_ok()) return db.status();
  Result<Statement> st = (*db)->prepare(kSelectFirstApproval);
  if (!st.is_ok()) return st.status();
  st->bind(1, link_id);
  return first_approval_row(*st);
}

// The department learns of every new link and every change: the person reference it gave is
// what Portier passes on for the account from now on.
Status SqlJournal::insert_link_event(Connection& db, const IdentityLinkRecord& link) {
  boost::json::object detail;
  detail["linkId"] = link.link_id;
  detail["state"] = link.state;
  detail["accountId"] = link.account_id;
  detail["profileId"] = link.profile_id;
  detail["serviceId"] = link.service_id;
  detail["personIdCategory"] = link.person_ref_category;
  detail["personId"] = link.person_ref_id;
  detail["identificationLevel"] = link.identification_level;
  if (!link.decided_by.empty()) detail["decidedBy"] = link.decided_by;
  DepartmentEvent event;
  event.department = link.department;
  event.kind = "identityLink";
  event.detail = boost::json::serialize(detail);
  return insert_event(db, std::move(event));
}

}  // namespace portier::journal::sql
