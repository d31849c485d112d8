#pragma once
// The AFS Antragspostfach (APF) web service as Portier's connectors/afs sees it, following
// docs/contracts/afs-apf.md (ours: the real one is not public; reference/protocols.md §7.3):
//
//   POST /afs/apf/v1   SOAP 1.1: ListApplications, GetApplication, TakeOver, SetStatus,
//                      GetAccessLog (WS-Security UsernameToken; Fault NOT_AUTHORISED otherwise)
//
// Test-only control (not faulted, not logged):
//   POST /_sim/afs/applications  {mailbox, formId, formData, pdf?, attachments?, ownerId?,
//        businessCaseId?, formVersion?, count?, corrupt?}
//        submits `count` (default 1) applications; "${n}" in formData becomes 1..count.
//        pdf and attachments[].content are base64. corrupt: "signature" (the inbound signature
//        does not match the form data), "attachmentDigest" (an attachment's stated SHA-256 is
//        wrong), "missingAttachment" (its content is empty, its SHA-256 that of the original)
//        -> {applicationIds:[...]}
//   GET  /_sim/afs/counts  {NEW, TAKEN, IN_PROGRESS, DONE}: cheap, for benchmarks
//   POST /_sim/afs/options {duplicateAcrossPages?, unauthorisedMailboxes?, maxPageSize?}
//        duplicateAcrossPages: every page after the first starts with the last application of
//        the page before (the real service's paging is unknown: Portier must cope).
//
// Paging is keyset: pageToken names the last application of the page; the next page holds the
// applications after it (in submittedAt, then submission order) that still match. `since` is
// inclusive. TakeOver is idempotent for the same externalReference and faults ALREADY_TAKEN for
// another; every GetApplication, TakeOver and SetStatus is in the application's access log
// (who, when, action), like the real APF's log of all accesses.
//
// Threads: handlers, inspect() and reset() from any I/O thread; one mutex guards the state.
// Parsing and building envelopes run outside it.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "connectors/afs/apf_xml.h"
#include "core/base/clock.h"
#include "tests/sim/sim_module.h"

namespace portier::sim {

struct AfsSimOptions {
  std::string user = "portier";
  std::string password = "apf-secret";
  int max_page_size = 500;
};

class AfsSim final : public SimModule {
 public:
  AfsSim(AfsSimOptions options, const Clock& clock);

  std::string name() const override { return "afs"; }
  std::vector<std::string> path_prefixes() const override { return {"/afs/"}; }
  void register_routes(http::Router& router) override;
  void register_control_routes(http::Router& router) override;
  // {applications:[{applicationId, mailbox, formId, submittedAt, status, externalReference,
  //  takeOvers, gets, statusHistory:[{status, comment}], accessLog:[{who, when, action}]}],
  //  counts:{NEW, TAKEN, IN_PROGRESS, DONE}, calls:{list, get, takeOver, setStatus}}
  boost::json::value inspect() const override;
  void reset() override;

 private:
  struct File {
    std::string name;
    std::string mime_type;
    std::string sha256;
    std::string content;
  };
  struct Access {
    std::string who;
    int64_t at_ms;
    std::string action;
  };
  struct Application {
    std::string id;
    int64_t seq = 0;
    std::string mailbox;
    std::string form_id;
    std::string form_version;
    int64_t submitted_ms = 0;
    std::string status = "NEW";
    std::string form_data;
    std::string signature;  // hex SHA-256 the APF sealed
    std::optional<File> pdf;
    std::vector<File> attachments;
    std::string owner_id;
    std::string business_case_id;
    std::string external_reference;
    int take_overs = 0;
    int gets = 0;
    std::vector<std::pair<std::string, std::string>> status_history;
    std::vector<Access> access_log;
  };

  http::Response serve(const http::Request& request);
  http::Response list(const afs::EnvelopeReader& in, const std::string& who);
  http::Response get(const afs::EnvelopeReader& in, const std::string& who);
  http::Response take_over(const afs::EnvelopeReader& in, const std::string& who);
  http::Response set_status(const afs::EnvelopeReader& in, const std::string& who);
  http::Response access_log(const afs::EnvelopeReader& in);
  void submit_control(const http::Request& request, const http::Respond& respond);
  void options_control(const http::Request& request, const http::Respond& respond);

  const AfsSimOptions options_;
  const Clock& clock_;

  mutable std::mutex mutex_;
  std::map<std::string, Application> applications_;           // by id
  std::map<std::pair<int64_t, int64_t>, std::string> order_;  // (submitted_ms, seq) -> id
  int64_t next_seq_ = 1;
  bool duplicate_across_pages_ = false;
  std::set<std::string> unauthorised_mailboxes_;
  int max_page_size_ = 500;
  int64_t list_calls_ = 0, get_calls_ = 0, take_over_calls_ = 0, set_status_calls_ = 0;
};

}  // namespace portier::sim
