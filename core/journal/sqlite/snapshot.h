#pragma once
// A consistent copy of a SQLite journal file, taken beside a running portierd (portierctl
// backup). The copy is one read transaction (`VACUUM INTO` on a read-only connection of its
// own): in WAL mode it sees the journal as of its start, never half of a commit, and the daemon
// keeps committing meanwhile. The copy is compact, fsync'd with its folder, and holds no WAL.
//
// Errors: kAlreadyExists if `destination` exists, kNotFound if `source` does not,
// kUnavailable for I/O (disk full, a lock held past the busy timeout).
// Threads: any; it blocks for as long as the copy takes.
#include <string>

#include "core/base/status.h"

namespace portier::journal::sqlite {

Status snapshot_journal(const std::string& source, const std::string& destination);

// True if `path` holds a journal with any work, intake or evidence, i.e. a file that a restore
// must not overwrite without being told to. A missing or empty file holds nothing.
Result<bool> journal_holds_data(const std::string& path);

}  // namespace portier::journal::sqlite
