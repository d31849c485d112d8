#include "core/app/registered_mail.h"

#include <boost/url/parse.hpp>

namespace portier::app {
namespace {

struct HostPort {
  std::string host;
  int port = 0;
};

Result<HostPort> host_port(const std::string& url, const std::string& platform) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->host().empty() || !parsed->has_port()) {
    return invalid_argument("registeredMail platform " + platform + ": '" + url +
                            "' needs a host and a port");
  }
  return HostPort{std::string(parsed->host()), static_cast<int>(parsed->port_number())};
}

}  // namespace

Result<RegisteredMail> assemble_registered_mail(const config::RegisteredMail& mail,
                                                journal::Journal& journal,
                                                const documents::DocumentStore& documents,
                                                const Clock& clock, metrics::Registry& metrics,
                                                std::function<void()> work_accepted) {
  RegisteredMail out;
  std::map<std::string, securemail::SmtpSubmitter> submitters;
  for (const config::DeliveryPlatform& p : mail.platforms) {
    auto platform = securemail::parse_platform(p.name);
    if (!platform) return invalid_argument("registeredMail: unknown platform " + p.name);
    auto smtp = host_port(p.smtp_url, p.name);
    if (!smtp.is_ok()) return smtp.status();
    auto imap = host_port(p.imap_url, p.name);
    if (!imap.is_ok()) return imap.status();

    securemail::SmtpAccount account;
    account.host = smtp->host;
    account.port = smtp->port;
    account.tls = p.tls;
    account.username = p.user;
    account.password = p.password;
    account.sender_address = p.sender;
    account.message_id_domain = mail.message_id_domain;
    account.timeout = p.timeout;
    submitters.emplace(
        p.name, securemail::SmtpSubmitter(account, securemail::Dialect{*platform, p.egov}, clock));

    securemail::CollectorSettings settings;
    settings.platform = *platform;
    settings.mailbox = {imap->host, imap->port,         p.tls, p.imap_user, p.imap_password,
                        p.timeout,  p.max_receipt_bytes};
    settings.receipt_ca_file = p.receipt_ca_file;
    settings.message_id_domain = mail.message_id_domain;
    settings.poll = p.poll;
    settings.rule = lifecycle_rule(mail);
    out.collectors.push_back(std::make_unique<securemail::ReceiptCollector>(
        std::move(settings), journal, documents, clock, metrics, work_accepted));
  }
  out.connector = std::make_shared<securemail::SecureMailConnector>(
      std::move(submitters),
      [&documents](const std::string& sha) { return documents.path_of(sha); });
  return out;
}

}  // namespace portier::app
