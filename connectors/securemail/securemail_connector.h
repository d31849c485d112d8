#pragma once
// Dispatch's connector for registered mail: submits a documentDelivery work item to the
// platform it names (IncaMail or PrivaSphere) over SMTP, with the PDF from the document store.
// Delivered means the platform took it; what happens next comes back as receipts
// (receipt_collector.h). A refused login is retried (the account is at fault, not the
// delivery), a 5xx fails the delivery with the server's words.
// Threads: deliver() on dispatch worker threads, concurrently.
#include <map>
#include <memory>

#include "connectors/securemail/smtp_submitter.h"
#include "core/base/status.h"
#include "core/dispatch/connector.h"

namespace portier::securemail {

// The file that holds the bytes with this SHA-256 in the content-addressed store.
using DocumentLocator = std::function<Result<std::string>(const std::string& sha256)>;

class SecureMailConnector final : public dispatch::Connector {
 public:
  SecureMailConnector(std::map<std::string, SmtpSubmitter> by_platform, DocumentLocator locate);
  dispatch::DeliveryResult deliver(const model::WorkItem& item) override;

 private:
  std::map<std::string, SmtpSubmitter> by_platform_;  // "incamail", "privasphere"
  DocumentLocator locate_;
};

}  // namespace portier::securemail
