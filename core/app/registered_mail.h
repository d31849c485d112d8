#pragma once
// Assembles registered mail from the configuration: one SMTP submitter per platform behind the
// "securemail" dispatch destination, and one receipt collector per platform's mailbox.
#include <functional>
#include <memory>
#include <vector>

#include "connectors/securemail/receipt_collector.h"
#include "connectors/securemail/securemail_connector.h"
#include "core/app/lifecycle_rule.h"
#include "core/base/clock.h"
#include "core/base/metrics.h"
#include "core/config/config.h"
#include "core/documents/document_store.h"
#include "core/journal/journal.h"

namespace portier::app {

struct RegisteredMail {
  std::shared_ptr<securemail::SecureMailConnector> connector;
  std::vector<std::unique_ptr<securemail::ReceiptCollector>> collectors;
};

// kInvalidArgument for a platform URL without host or port.
Result<RegisteredMail> assemble_registered_mail(const config::RegisteredMail& mail,
                                                journal::Journal& journal,
                                                const documents::DocumentStore& documents,
                                                const Clock& clock, metrics::Registry& metrics,
                                                std::function<void()> work_accepted);

}  // namespace portier::app
