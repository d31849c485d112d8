#pragma once
// What Portier reads back from the portal (as opposed to the work it delivers): a business case
// as the portal knows it, and the portal's event feed (e.g. a citizen read a message). The
// portal connector implements it; the core and the adapters see only this interface.
// Threads: blocking calls for worker threads; implementations are thread-safe.
#include <cstdint>
#include <string>
#include <vector>

#include "core/base/status.h"

namespace portier::query {

struct CaseHistoryEntry {
  std::string status;
  std::string status_text;
  int64_t at_ms = 0;
};

struct PortalCase {
  std::string business_case_id;
  std::string business_process_id;
  int32_t service_id = 0;
  std::string owner_id;
  std::string title;
  std::string status;
  std::string status_text;
  std::vector<CaseHistoryEntry> history;
};

struct PortalEvent {
  int64_t cursor = 0;                 // position in the feed; read on after the highest seen
  std::string kind;                   // "MESSAGE_READ", "MESSAGE_DELIVERED", ...
  std::string business_case_id;
  std::string message_id;
  int64_t at_ms = 0;
};

class PortalReader {
 public:
  virtual ~PortalReader() = default;
  // kNotFound if the portal does not know the case.
  virtual Result<PortalCase> read_case(const std::string& business_case_id) = 0;
  // Events after `cursor`, oldest first, at most `limit`.
  virtual Result<std::vector<PortalEvent>> read_events(int64_t cursor, int limit) = 0;
};

}  // namespace portier::query
