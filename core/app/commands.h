#pragma once
// portierctl's subcommands. Each takes its arguments (after the subcommand words), prints to
// stdout, errors to stderr, and returns the process exit code.
#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/journal/journal.h"

namespace portier::app {

using Args = std::vector<std::string>;

// Validates configuration files, mapping files and mapping folders offline.
int check_command(const Args& files);
// `mapping test FILE...`: loads each mapping and runs its test vectors.
int mapping_command(const std::string& verb, const Args& args);
int work_command(journal::Journal& journal, const std::string& verb, const Args& args);
int audit_command(journal::Journal& journal, const std::string& verb, const Args& args);
int instances_command(journal::Journal& journal, const std::string& verb, const Args& args);
// `identity list|show|revoke`: the identity links between portal accounts and departments.
int identity_command(journal::Journal& journal, const std::string& verb, const Args& args);
// export: the case's evidence records and its document deliveries with their receipts.
int evidence_command(journal::Journal& journal, const config::Config& config,
                     const std::string& verb, const Args& args);

// `purge [--dry-run]`: deletes (or lists) the content whose retention has run out.
int purge_command(journal::Journal& journal, const config::Config& config, const Args& args);

// `backup [--documents-only] DIR`: the SQLite journal (online, consistent), then the document
// store, into a new folder. `restore DIR [--force]`: back into the configured places.
int backup_command(const config::Config& config, const Args& args);
int restore_command(const config::Config& config, const Args& args);

}  // namespace portier::app
