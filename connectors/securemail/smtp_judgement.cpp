#include "connectors/securemail/smtp_judgement.h"

#include <utility>

namespace portier::securemail {

using Kind = SubmitOutcome::Kind;

const char* to_string(Kind kind) {
  switch (kind) {
    case Kind::kAccepted:
      return "accepted";
    case Kind::kRetry:
      return "retry";
    case Kind::kPermanent:
      return "permanent";
  }
  return "?";
}

SubmitOutcome judge_submission(CURLcode curl_code, long smtp_code, std::string server_text) {
  SubmitOutcome out;
  out.smtp_code = smtp_code;
  out.detail = server_text.empty() ? curl_easy_strerror(curl_code) : std::move(server_text);
  if (curl_code == CURLE_OK) {
    out.kind = Kind::kAccepted;
    return out;
  }
  // Checked before the reply code: a refused AUTH is a 535, which would otherwise read as a
  // refused delivery.
  if (curl_code == CURLE_LOGIN_DENIED || curl_code == CURLE_AUTH_ERROR) {
    out.kind = Kind::kRetry;
    out.credentials_refused = true;
    return out;
  }
  if (smtp_code >= 500 && smtp_code < 600) {
    out.kind = Kind::kPermanent;
    return out;
  }
  // 4xx, and every transport failure (connect, STARTTLS, certificate, timeout, a dropped
  // connection) says nothing about the message itself.
  out.kind = Kind::kRetry;
  return out;
}

}  // namespace portier::securemail
