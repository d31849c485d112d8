#pragma once
// A sqlite3_vfs that forwards everything to the default VFS but can make xSync fail, to test
// what the journal does when an fsync fails (it must stop, never retry).
//
// Threads: registration is idempotent and thread-safe; the switches are atomics.
namespace portier::testing {

// Registers the VFS (once) and returns its name, for SqliteJournalOptions::vfs_name.
const char* register_faulty_vfs();

// While on, every xSync answers SQLITE_IOERR_FSYNC without syncing.
void fail_syncs(bool on);

// Number of xSync calls seen (failed or not) since registration.
long sync_calls();

}  // namespace portier::testing
