#pragma once
// The APF web service on the wire (docs/contracts/afs-apf.md, ours: the real one is not public):
// the request envelopes Portier sends and what it reads from the answers. The only place that
// knows element names. Pure functions over strings; any thread.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connectors/afs/apf_xml.h"
#include "core/base/status.h"

namespace portier::afs {

struct Credentials {
  std::string user;
  std::string password;
};

// The APF's seal over a submission ("Eingangssignatur"): algorithm SHA-256, value the hex
// SHA-256 of the form data as submitted.
struct InboundSignature {
  std::string algorithm;
  std::string value;
  std::string signed_at;
};

struct ApplicationSummary {
  std::string application_id;
  std::string form_id;
  std::string form_version;
  std::string mandant;
  std::string mailbox;
  std::string submitted_at;     // ISO 8601 UTC, as sent
  int64_t submitted_at_ms = 0;  // 0 if submitted_at is not a time
  std::string status;           // NEW | TAKEN | IN_PROGRESS | DONE
  InboundSignature signature;
};

struct ApplicationPage {
  std::vector<ApplicationSummary> items;
  std::string next_page_token;  // "" on the last page
};

struct ApplicationFile {
  std::string name;
  std::string mime_type;
  std::string sha256;             // hex, as the APF states it
  std::string content;            // decoded bytes
  bool content_is_base64 = true;  // false: `content` is empty, the base64 was broken
};

struct Application {
  ApplicationSummary summary;
  std::string form_data;  // decoded bytes of the form data XML
  bool form_data_is_base64 = true;
  std::optional<ApplicationFile> pdf;
  std::vector<ApplicationFile> attachments;
  std::string owner_id;          // portal account of the citizen, "" if unknown
  std::string business_case_id;  // portal business case, if the form belongs to one
};

std::string list_request(const Credentials& c, const std::string& mailbox,
                         const std::string& status, const std::string& since,
                         const std::string& page_token, int page_size);
std::string get_request(const Credentials& c, const std::string& application_id);
std::string take_over_request(const Credentials& c, const std::string& application_id,
                              const std::string& external_reference);
std::string set_status_request(const Credentials& c, const std::string& application_id,
                               const std::string& status, const std::string& comment);

// A Fault's apf:code (e.g. ALREADY_TAKEN) and faultstring, if `reader` holds one.
struct ApfFault {
  bool client = true;  // soap:Client (the request) or soap:Server
  std::string code;
  std::string text;
};
std::optional<ApfFault> fault_of(const EnvelopeReader& reader);

Result<ApplicationPage> parse_list_response(const EnvelopeReader& reader);
Result<Application> parse_get_response(const EnvelopeReader& reader);

// "2026-11-29T10:00:00Z" or with .mmm -> ms since the epoch; nothing if it is not such a time.
std::optional<int64_t> parse_utc(const std::string& text);
std::string format_utc(int64_t ms);

}  // namespace portier::afs
