// portierctl: Portier's operator tool.
//   portierctl check FILE|FOLDER...                validate configuration and mapping files offline
//   portierctl mapping test FILE...                run a mapping file's test vectors
//   portierctl [--config FILE] work list [--parked|--state S] [--bpid ID] [--destination D]
//   portierctl [--config FILE] work show|replay ID
//   portierctl [--config FILE] work park ID [--reason TEXT]
//   portierctl [--config FILE] evidence verify
//   portierctl [--config FILE] evidence export BUSINESS_PROCESS_ID
//   portierctl [--config FILE] audit list [--limit N]
//   portierctl [--config FILE] identity list [--department D] [--state S] [--account ID]
//   portierctl [--config FILE] identity show LINK_ID
//   portierctl [--config FILE] identity revoke LINK_ID [--reason TEXT]
//   portierctl [--config FILE] instances list    live instances sharing the journal, their leases
//   portierctl [--config FILE] purge [--dry-run]  delete (list) content past its retention
//   portierctl [--config FILE] backup [--documents-only] DIR   journal and documents, online
//   portierctl [--config FILE] restore DIR [--force]           back where the configuration says
// The configuration defaults to $PORTIER_CONFIG. Exit codes: 0 ok, 1 failed (or a mapping test
// vector failed), 2 usage or invalid configuration or mapping, 3 evidence chain broken.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/app/commands.h"
#include "core/base/clock.h"
#include "core/config/config.h"
#include "core/journal/store/open_journal.h"

namespace {

constexpr char kUsage[] =
    "usage: portierctl check FILE|FOLDER...\n"
    "       portierctl mapping test FILE...\n"
    "       portierctl [--config FILE] work list [--parked|--state STATE] [--bpid ID]\n"
    "                                           [--destination NAME] [--limit N]\n"
    "       portierctl [--config FILE] work show|replay ID\n"
    "       portierctl [--config FILE] work park ID [--reason TEXT]\n"
    "       portierctl [--config FILE] evidence verify\n"
    "       portierctl [--config FILE] evidence export BUSINESS_PROCESS_ID\n"
    "       portierctl [--config FILE] audit list [--limit N]\n"
    "       portierctl [--config FILE] identity list [--department D] [--state S] [--account ID]\n"
    "       portierctl [--config FILE] identity show LINK_ID\n"
    "       portierctl [--config FILE] identity revoke LINK_ID [--reason TEXT]\n"
    "       portierctl [--config FILE] instances list\n"
    "       portierctl [--config FILE] purge [--dry-run]\n"
    "       portierctl [--config FILE] backup [--documents-only] DIR\n"
    "       portierctl [--config FILE] restore DIR [--force]\n";

int usage() {
  std::fputs(kUsage, stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  portier::app::Args args(argv + 1, argv + argc);
  std::string config_path = std::getenv("PORTIER_CONFIG") ? std::getenv("PORTIER_CONFIG") : "";
  if (args.size() >= 2 && args[0] == "--config") {
    config_path = args[1];
    args.erase(args.begin(), args.begin() + 2);
  }
  if (args.empty()) return usage();
  if (args[0] == "--help" || args[0] == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (args[0] == "check") {
    return portier::app::check_command(portier::app::Args(args.begin() + 1, args.end()));
  }
  if (args[0] == "mapping") {
    if (args.size() < 2) return usage();
    return portier::app::mapping_command(args[1], portier::app::Args(args.begin() + 2, args.end()));
  }
  // These take no verb after their name.
  const bool single_word = args[0] == "backup" || args[0] == "restore" || args[0] == "purge";
  if ((args.size() < 2 && !single_word) ||
      (!single_word && args[0] != "work" && args[0] != "evidence" && args[0] != "audit" &&
       args[0] != "identity" && args[0] != "instances")) {
    return usage();
  }
  if (config_path.empty()) {
    std::fputs("portierctl: no configuration: pass --config FILE or set PORTIER_CONFIG\n", stderr);
    return 2;
  }
  auto loaded = portier::config::load(config_path);
  if (!loaded.config) {
    for (const auto& p : loaded.problems) std::fprintf(stderr, "%s\n", p.to_string().c_str());
    return 2;
  }
  // Backup and restore work on the files (and must not open, or create, the journal first).
  portier::app::Args after(args.begin() + 1, args.end());
  if (args[0] == "backup") return portier::app::backup_command(*loaded.config, after);
  if (args[0] == "restore") return portier::app::restore_command(*loaded.config, after);
  portier::SystemClock clock;
  auto journal = portier::journal::open_journal(loaded.config->journal, clock,
                                                portier::journal::JournalUse::kOperator);
  if (!journal.is_ok()) {
    std::fprintf(stderr, "portierctl: %s\n", journal.status().to_string().c_str());
    return 1;
  }
  if (args[0] == "purge") return portier::app::purge_command(**journal, *loaded.config, after);
  portier::app::Args rest(args.begin() + 2, args.end());
  if (args[0] == "work") return portier::app::work_command(**journal, args[1], rest);
  if (args[0] == "audit") return portier::app::audit_command(**journal, args[1], rest);
  if (args[0] == "identity") return portier::app::identity_command(**journal, args[1], rest);
  if (args[0] == "instances") return portier::app::instances_command(**journal, args[1], rest);
  return portier::app::evidence_command(**journal, *loaded.config, args[1], rest);
}
