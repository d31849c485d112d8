#include "core/journal/sqlite/snapshot.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

namespace portier::journal::sqlite {
namespace {

namespace fs = std::filesystem;

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, CloseDb>;

Result<Db> open_read_only(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    return unavailable("cannot open " + path + ": " + (raw ? sqlite3_errmsg(raw) : "out of memory"));
  }
  // The daemon's writer may hold the lock for a group commit; wait for it as portierctl does.
  sqlite3_busy_timeout(db.get(), 5000);
  return db;
}

Status fsync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return unavailable("cannot open " + path + " to sync it");
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return unavailable("fsync of " + path + " failed");
  return Status::ok();
}

}  // namespace

Status snapshot_journal(const std::string& source, const std::string& destination) {
  std::error_code ec;
  if (!fs::exists(source, ec)) return not_found("no journal at " + source);
  if (fs::exists(destination, ec)) return {StatusCode::kAlreadyExists, destination + " exists"};
  Result<Db> db = open_read_only(source);
  if (!db.is_ok()) return db.status();
  sqlite3_stmt* st = nullptr;
  int rc = sqlite3_prepare_v2(db->get(), "VACUUM INTO ?1", -1, &st, nullptr);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(st, 1, destination.c_str(), -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_OK && rc != SQLITE_DONE) {
    Status failed = unavailable("copy of " + source + " failed: " + sqlite3_errmsg(db->get()));
    fs::remove(destination, ec);
    return failed;
  }
  // VACUUM INTO does not sync what it wrote; a backup that a crash can lose is not one.
  if (Status s = fsync_path(destination, O_RDONLY); !s.is_ok()) return s;
  return fsync_path(fs::path(destination).parent_path().string(), O_RDONLY | O_DIRECTORY);
}

Result<bool> journal_holds_data(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec) || fs::file_size(path, ec) == 0) return false;
  Result<Db> db = open_read_only(path);
  if (!db.is_ok()) return db.status();
  for (const char* table : {"work_items", "intake", "evidence"}) {
    std::string sql = std::string("SELECT EXISTS (SELECT 1 FROM ") + table + ")";
    sqlite3_stmt* st = nullptr;
    int rc = sqlite3_prepare_v2(db->get(), sql.c_str(), -1, &st, nullptr);
    bool any = rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) != 0;
    sqlite3_finalize(st);
    // A file that is not a journal (no such table) is not ours to overwrite either.
    if (rc != SQLITE_OK || any) return true;
  }
  return false;
}

}  // namespace portier::journal::sqlite
