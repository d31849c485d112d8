#pragma once
// How the outcome of one SMTP submission is judged (table-tested), in the style of
// connectors/http/judgement.h. Pure function; any thread.
#include <curl/curl.h>

#include <string>

namespace portier::securemail {

struct SubmitOutcome {
  enum class Kind {
    kAccepted,   // 250 after the message: the platform has it
    kRetry,      // 4xx, a refused login, no connection, TLS failure, timeout: try again later
    kPermanent,  // 5xx to the message, or a submission that cannot be made: the delivery fails
  };
  Kind kind = Kind::kAccepted;
  long smtp_code = 0;        // the server's last reply code; 0 when there was none
  std::string detail;        // the server's last reply text, or why there was none
  // The login was refused: the account's configuration is at fault, not the delivery, so the
  // delivery is retried while an operator is told.
  bool credentials_refused = false;
};

const char* to_string(SubmitOutcome::Kind kind);

// `curl_code` is what curl_easy_perform returned, `smtp_code` the last reply code
// (CURLINFO_RESPONSE_CODE) and `server_text` that reply's text.
SubmitOutcome judge_submission(CURLcode curl_code, long smtp_code, std::string server_text);

}  // namespace portier::securemail
