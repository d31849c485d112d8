#include "core/journal/sql/sql_journal.h"

#include <utility>
#include <variant>

namespace portier::journal::sql {

SqlJournal::SqlJournal(std::unique_ptr<Store> store, const Clock& clock, JournalOptions options)
    : clock_(clock), options_(std::move(options)), store_(std::move(store)) {
  writer_ = std::make_unique<GroupCommitWriter>(
      *store_, options_.group_commit_max,
      [this](Connection& db) { return purge_nonces_if_due(db); });
}

SqlJournal::~SqlJournal() { writer_.reset(); }  // answers what is queued, before the store goes

Status SqlJournal::health() const { return writer_->health(); }

Status SqlJournal::write(std::function<Status(Connection& db)> body, bool durable) {
  return writer_
      ->write_and_wait<std::monostate>(
          [&body](Connection& db) -> Result<std::monostate> {
            if (Status s = body(db); !s.is_ok()) return s;
            return std::monostate{};
          },
          durable)
      .status();
}

}  // namespace portier::journal::sql
