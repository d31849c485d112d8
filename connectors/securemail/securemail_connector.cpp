#include "connectors/securemail/securemail_connector.h"

#include "core/base/digest.h"
#include "core/base/log.h"

namespace portier::securemail {

using dispatch::DeliveryResult;

SecureMailConnector::SecureMailConnector(std::map<std::string, SmtpSubmitter> by_platform,
                                         DocumentLocator locate)
    : by_platform_(std::move(by_platform)), locate_(std::move(locate)) {}

DeliveryResult SecureMailConnector::deliver(const model::WorkItem& item) {
  if (!item.message.__isset.documentDelivery) {
    return DeliveryResult::reject("not a document delivery");
  }
  const model::DocumentDelivery& d = item.message.documentDelivery;
  if (d.channel != model::DeliveryChannel::REGISTERED || !d.__isset.recipient ||
      !d.__isset.platform) {
    return DeliveryResult::reject("not a registered delivery with recipient and platform");
  }
  auto submitter = by_platform_.find(d.platform);
  if (submitter == by_platform_.end()) {
    return DeliveryResult::reject("platform '" + d.platform + "' is not configured");
  }
  auto file = locate_(d.documentSha256);
  if (!file.is_ok()) {
    std::string why = "document " + d.documentSha256 + ": " + file.status().message();
    return file.status().is_retryable() ? DeliveryResult::retry(why) : DeliveryResult::reject(why);
  }
  Submission s;
  s.delivery_id = d.deliveryId;
  s.recipient = d.recipient;
  s.title = d.title;
  s.text = "Im Anhang erhalten Sie: " + d.title + "\r\n";
  s.pdf_path = *file;
  s.pdf_file_name = d.fileName;
  SubmitReport report = submitter->second.submit(s);
  const SubmitOutcome& o = report.outcome;
  if (o.credentials_refused) {
    log::error("registered mail: the platform refused the account's login",
               {{"platform", d.platform}, {"detail", o.detail}});
  }
  DeliveryResult result;
  result.kind = o.kind == SubmitOutcome::Kind::kAccepted ? DeliveryResult::Kind::kDelivered
                : o.kind == SubmitOutcome::Kind::kRetry  ? DeliveryResult::Kind::kRetry
                                                         : DeliveryResult::Kind::kReject;
  result.detail = d.platform + " " + report.message_id + ": " +
                  (o.smtp_code != 0 ? std::to_string(o.smtp_code) + " " : "") + o.detail;
  result.request_sha256 = d.documentSha256;
  result.response_sha256 = sha256_hex(o.detail);
  return result;
}

}  // namespace portier::securemail
