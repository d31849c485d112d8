#pragma once
// The stores the conformance suite runs against, each as a place to keep a journal that can be
// opened, closed and opened again, and opened a second time beside the first (another instance,
// or portierctl): SQLite in a temporary folder, PostgreSQL in a fresh database of the test
// process's own server (tests/support/postgres_server.h).
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/base/clock.h"
#include "core/base/digest.h"
#include "core/journal/postgresql/postgresql_journal.h"
#include "core/journal/sqlite/sqlite_journal.h"
#include "tests/support/postgres_server.h"

namespace portier::journal::testing {

class SqliteStorage {
 public:
  static constexpr const char* kName = "sqlite";
  SqliteStorage()
      : dir_(std::filesystem::temp_directory_path() / ("portier-conformance-" + random_uuid())) {
    std::filesystem::create_directories(dir_);
  }
  ~SqliteStorage() { std::filesystem::remove_all(dir_); }

  // `take_back`: the instance takes back what was left in flight when the last one stopped (a
  // daemon does; a second handle beside a running one does not).
  Result<std::unique_ptr<sql::SqlJournal>> open(const Clock& clock, const std::string& instance,
                                                bool take_back) {
    SqliteJournal::Options options;
    options.instance = instance;
    options.recover_in_flight = take_back;
    auto j = SqliteJournal::open((dir_ / "journal.db").string(), clock, options);
    if (!j.is_ok()) return j.status();
    return std::unique_ptr<sql::SqlJournal>(std::move(*j));
  }

 private:
  std::filesystem::path dir_;
};

class PostgresqlStorage {
 public:
  static constexpr const char* kName = "postgresql";
  PostgresqlStorage() : conninfo_(portier::testing::fresh_database("conformance")) {}

  Result<std::unique_ptr<sql::SqlJournal>> open(const Clock& clock, const std::string& instance,
                                                bool /*take_back: by instance name*/) {
    PostgresqlJournal::Options options;
    options.conninfo = conninfo_;
    options.instance = instance;
    options.pool_size = 2;
    auto j = PostgresqlJournal::open(clock, options);
    if (!j.is_ok()) return j.status();
    return std::unique_ptr<sql::SqlJournal>(std::move(*j));
  }

 private:
  std::string conninfo_;
};

// A journal on store `Storage`, as one instance ("node-a") that can be closed and reopened, and
// more handles on the same store beside it.
template <class Storage>
class JournalStoreTest : public ::testing::Test {
 protected:
  void TearDown() override {
    others_.clear();
    journal_.reset();
  }

  // A store that cannot be opened ends the test (GoogleTest reports the exception).
  Journal& open() {
    journal_.reset();
    journal_ = opened(storage_.open(clock_, "node-a", true));
    return *journal_;
  }
  void close() { journal_.reset(); }
  // Another handle on the same store, named `instance`, that takes nothing back.
  Journal& open_beside(const std::string& instance) {
    others_.push_back(opened(storage_.open(clock_, instance, false)));
    return *others_.back();
  }

  static std::unique_ptr<sql::SqlJournal> opened(Result<std::unique_ptr<sql::SqlJournal>> j) {
    if (!j.is_ok()) throw std::runtime_error("cannot open the journal: " + j.status().to_string());
    return std::move(*j);
  }

  Storage storage_;
  ManualClock clock_;
  std::unique_ptr<sql::SqlJournal> journal_;
  std::vector<std::unique_ptr<sql::SqlJournal>> others_;
};

using Stores = ::testing::Types<SqliteStorage, PostgresqlStorage>;

// Test names carry the store: JournalConformance/sqlite.X and JournalConformance/postgresql.X.
struct StoreName {
  template <class Storage>
  static std::string GetName(int) {
    return Storage::kName;
  }
};

}  // namespace portier::journal::testing
