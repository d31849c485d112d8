// portierctl backup DIR | restore DIR [--force]: the SQLite journal and the document store
// together, as one backup that a restore puts back where the configuration says.
//
// A backup folder holds journal.db (a consistent snapshot: journal/sqlite/snapshot.h),
// documents/ (the store's files, laid out as in the store) and portier-backup.txt, written
// last, which marks the folder as a complete backup.
//
// Why the journal is copied first: a document is stored and fsync'd before the intake that
// names it commits (core/documents/document_store.h), and the store never deletes a document.
// Every document the snapshot refers to was therefore in the store when the snapshot began,
// and is still there when the documents are copied after it. (The other way round, a document
// accepted between the two copies would be named by the journal but missing from the backup.)
// Documents stored after the snapshot are copied too; nothing refers to them, which is harmless.
//
// PostgreSQL: the journal is backed up with pg_dump (docs/operations.md); `backup
// --documents-only DIR`, run after pg_dump, copies the store in the same order.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/app/commands.h"
#include "core/journal/sqlite/snapshot.h"

namespace portier::app {
namespace {

namespace fs = std::filesystem;

constexpr char kMarker[] = "portier-backup.txt";
constexpr char kJournalFile[] = "journal.db";
constexpr char kDocumentsFolder[] = "documents";

bool sync(const fs::path& path, bool folder) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (folder ? O_DIRECTORY : 0));
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

// Copies `from` to `to` through a temporary name, synced, so that `to` is whole or absent.
bool copy_file_durably(const fs::path& from, const fs::path& to) {
  fs::path partial = to;
  partial += ".partial";
  std::error_code ec;
  fs::copy_file(from, partial, fs::copy_options::overwrite_existing, ec);
  if (ec || !sync(partial, false)) return false;
  fs::rename(partial, to, ec);
  return !ec;
}

// Copies the document files of `from` (<2 hex>/<sha256>) that `to` does not have: the name is
// the content's digest, so a file of that name holds the same bytes. Returns the number copied,
// or -1 after printing what failed. Temporary `.incoming-*` files are not documents.
long copy_documents(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  long copied = 0;
  if (!fs::exists(from, ec)) return 0;
  fs::create_directories(to, ec);
  for (const auto& shard : fs::directory_iterator(from, ec)) {
    if (!shard.is_directory() || shard.path().filename().string().size() != 2) continue;
    fs::path target_shard = to / shard.path().filename();
    fs::create_directories(target_shard, ec);
    bool wrote = false;
    for (const auto& file : fs::directory_iterator(shard.path(), ec)) {
      std::string name = file.path().filename().string();
      if (!file.is_regular_file() || name.size() != 64) continue;
      if (fs::exists(target_shard / name, ec)) continue;
      if (!copy_file_durably(file.path(), target_shard / name)) {
        std::fprintf(stderr, "portierctl: cannot copy %s to %s\n", file.path().c_str(),
                     target_shard.c_str());
        return -1;
      }
      wrote = true;
      ++copied;
    }
    if (wrote && !sync(target_shard, true)) return -1;
  }
  if (ec) {
    std::fprintf(stderr, "portierctl: cannot read %s: %s\n", from.c_str(), ec.message().c_str());
    return -1;
  }
  return sync(to, true) ? copied : -1;
}

std::string utc_now() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}

bool folder_is_new_or_empty(const fs::path& dir) {
  std::error_code ec;
  return !fs::exists(dir, ec) || (fs::is_directory(dir, ec) && fs::is_empty(dir, ec));
}

}  // namespace

int backup_command(const config::Config& config, const Args& args) {
  bool documents_only = !args.empty() && args[0] == "--documents-only";
  if (args.size() != (documents_only ? 2u : 1u)) {
    std::fputs("usage: portierctl backup [--documents-only] DIR\n", stderr);
    return 2;
  }
  fs::path dir = args.back();
  const bool on_sqlite = !config.journal.sqlite_path.empty();
  if (!on_sqlite && !documents_only) {
    std::fputs("portierctl: the journal is on PostgreSQL: back it up with pg_dump, then run "
               "`portierctl backup --documents-only DIR` (docs/operations.md)\n", stderr);
    return 2;
  }
  if (!folder_is_new_or_empty(dir)) {
    std::fprintf(stderr, "portierctl: %s is not empty: back up into a new folder\n", dir.c_str());
    return 1;
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    std::fprintf(stderr, "portierctl: cannot create %s: %s\n", dir.c_str(), ec.message().c_str());
    return 1;
  }
  std::string taken = utc_now();
  if (on_sqlite && !documents_only) {
    Status s = journal::sqlite::snapshot_journal(config.journal.sqlite_path, dir / kJournalFile);
    if (!s.is_ok()) {
      std::fprintf(stderr, "portierctl: %s\n", s.to_string().c_str());
      return 1;
    }
  }
  // Only after the journal: see the top of this file.
  long documents = 0;
  if (!config.documents.folder.empty()) {
    documents = copy_documents(config.documents.folder, dir / kDocumentsFolder);
    if (documents < 0) return 1;
  }
  {
    std::ofstream marker(dir / kMarker);
    marker << "portier backup\njournal " << (documents_only ? "none (pg_dump)" : kJournalFile)
           << " taken " << taken << "\ndocuments " << documents << "\n";
    if (!marker) {
      std::fprintf(stderr, "portierctl: cannot write %s\n", (dir / kMarker).c_str());
      return 1;
    }
  }
  if (!sync(dir / kMarker, false) || !sync(dir, true)) return 1;
  std::printf("backup in %s: journal as of %s, %ld documents\n", dir.c_str(), taken.c_str(),
              documents);
  return 0;
}

int restore_command(const config::Config& config, const Args& args) {
  bool force = false;
  std::string dir_arg;
  for (const std::string& a : args) {
    if (a == "--force") {
      force = true;
    } else if (dir_arg.empty()) {
      dir_arg = a;
    } else {
      dir_arg.clear();
      break;
    }
  }
  if (dir_arg.empty()) {
    std::fputs("usage: portierctl restore DIR [--force]\n", stderr);
    return 2;
  }
  fs::path dir = dir_arg;
  std::error_code ec;
  if (!fs::exists(dir / kMarker, ec)) {
    std::fprintf(stderr, "portierctl: %s is not a complete backup (no %s)\n", dir.c_str(), kMarker);
    return 1;
  }
  const bool has_journal = fs::exists(dir / kJournalFile, ec);
  if (has_journal) {
    if (config.journal.sqlite_path.empty()) {
      std::fputs("portierctl: this backup holds a SQLite journal, the configuration names "
                 "PostgreSQL\n", stderr);
      return 2;
    }
    const fs::path journal = config.journal.sqlite_path;
    Result<bool> holds = journal::sqlite::journal_holds_data(journal);
    if (!holds.is_ok() || (*holds && !force)) {
      std::fprintf(stderr, "portierctl: %s already holds a journal; stop portierd and add "
                   "--force to replace it\n", journal.c_str());
      return 1;
    }
    fs::create_directories(journal.parent_path(), ec);
    // A WAL left beside the old file would be applied to the restored one: it goes with it.
    for (const char* suffix : {"-wal", "-shm"}) {
      fs::path stale = journal;
      stale += suffix;
      fs::remove(stale, ec);
    }
    if (!copy_file_durably(dir / kJournalFile, journal) || !sync(journal.parent_path(), true)) {
      std::fprintf(stderr, "portierctl: cannot write %s\n", journal.c_str());
      return 1;
    }
  }
  long documents = 0;
  if (!config.documents.folder.empty()) {
    documents = copy_documents(dir / kDocumentsFolder, config.documents.folder);
    if (documents < 0) return 1;
  }
  std::printf("restored from %s: %s%ld documents copied\n", dir.c_str(),
              has_journal ? "the journal, " : "", documents);
  return 0;
}

}  // namespace portier::app
