// load(): the XSD says what a configuration file may look like (config_document.cpp); this file
// reads the validated tree into a Config and checks what a schema cannot: secrets resolve, files
// exist, names and ports are unique. Values are read defensively even where the schema has
// already failed, because libxml2 stops validating a parent's children after the first
// misplaced element, and a user should see every problem at once.
#include "core/config/config.h"

#include <arpa/inet.h>
#include <libxml/tree.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <set>
#include <string_view>

#include "core/base/log.h"
#include "core/config/config_document.h"
#include "core/config/document_reader.h"

namespace portier::config {

std::string Problem::to_string() const {
  if (line > 0) return file + ":" + std::to_string(line) + ": " + message;
  return file + ": " + message;
}

namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxConfigBytes = 1 << 20;

bool is_ip_address(const std::string& text) {
  unsigned char buffer[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

// Reads one configuration tree into a Config. Every problem becomes a Finding on the line of
// the element, or of the attribute when there is one.
class ConfigReader : public DocumentReader {
 public:
  ConfigReader(const ConfigDocument& document, fs::path folder, std::vector<Finding>& findings)
      : DocumentReader(document, config_schema(), std::move(folder), findings) {}

  void read(const xmlNode* root, Config& config) {
    check_attributes(root, {});
    for (xmlNode* child : children_of(root)) {
      const std::string name = name_of(child);
      if (name == "log") {
        read_log(child, config);
      } else if (name == "listener") {
        config.listeners.push_back(read_listener(child));
      } else if (name == "limits") {
        read_limits(child, config.limits);
      } else if (name == "journal") {
        read_journal(child, config.journal);
      } else if (name == "workers") {
        read_workers(child, config.workers);
      } else if (name == "portal") {
        read_portal(child, config.portal);
      } else if (name == "rcAdapter") {
        check_attributes(child, {"baseUrl", "statusPollMs", "caFile"});
        config.rc_adapter.base_url = url(child, "baseUrl");
        config.rc_adapter.tls = outbound_tls(child);
        millis(child, "statusPollMs", config.rc_adapter.status_poll);
        while (config.rc_adapter.base_url.ends_with('/')) config.rc_adapter.base_url.pop_back();
      } else if (name == "documents") {
        check_attributes(child, {"folder", "maxBytes"});
        config.documents.folder = resolve(required(child, "folder"));
        number(child, "maxBytes", config.documents.max_bytes);
      } else if (name == "registeredMail") {
        read_registered_mail(child, config.registered_mail);
      } else if (name == "antragspostfach") {
        read_apf(child, config.apf);
      } else if (name == "portalApi") {
        read_portal_api(child, config.portal_api);
      } else if (name == "console") {
        read_console(child, config.console);
        console_line_ = line(child);
      } else if (name == "destination") {
        Destination destination = read_destination(child);
        auto [at, added] = destination_lines_.emplace(destination.name, line(child));
        if (!added) {
          problem(child, "name",
                  "<destination> name=\"" + destination.name +
                      "\": the name is already used by the destination on line " +
                      std::to_string(at->second));
        } else {
          config.destinations.emplace(destination.name, std::move(destination));
        }
      } else if (name == "mappings") {
        check_attributes(child, {"folder"});
        config.mappings_folder = resolve(required(child, "folder"));
      } else if (name == "purge") {
        check_attributes(child, {"intervalMs"});
        millis(child, "intervalMs", config.purge.interval);
      } else if (name == "drain") {
        check_attributes(child, {"timeoutMs"});
        millis(child, "timeoutMs", config.drain_timeout);
      }
      // Anything else is not in the schema, which has said so already.
    }
    check_console_listener(config);
    inherit_portal_tls(config);
    for (const char* built_in : {"portal", "rc_adapter", "securemail", "department", "afs"}) {
      if (config.destinations.contains(built_in)) continue;
      Destination destination;
      destination.name = built_in;
      config.destinations.emplace(destination.name, std::move(destination));
    }
  }

 private:
  void read_log(const xmlNode* element, Config& config) {
    check_attributes(element, {"level"});
    if (auto level = text(element, "level")) {
      log::Level parsed;
      if (log::parse_level(trim_space(*level), parsed)) {
        config.log_level = std::string(trim_space(*level));
      } else {
        problem(element, "level",
                show(element, "level", *level) + ": expected debug, info, warn or error");
      }
    }
  }

  Listener read_listener(const xmlNode* element) {
    check_attributes(element, {"name", "address", "port"});
    Listener listener;
    listener.name = required(element, "name");
    if (auto address = text(element, "address")) {
      listener.address = std::string(trim_space(*address));
      if (!is_ip_address(listener.address)) {
        problem(element, "address",
                show(element, "address", *address) +
                    ": expected an IPv4 or IPv6 address, such as 127.0.0.1, 0.0.0.0 or ::");
      }
    }
    number(element, "port", listener.port, 0);
    for (xmlNode* child : children_of(element)) {
      if (name_of(child) == "tls") listener.tls = read_tls(child);
    }

    if (!listener.name.empty()) {
      auto [at, added] = listener_lines_.emplace(listener.name, line(element));
      if (!added) {
        problem(element, "name",
                "<listener> name=\"" + listener.name +
                    "\": the name is already used by the listener on line " +
                    std::to_string(at->second));
      }
    }
    if (listener.port != 0) {
      auto [at, added] =
          listener_ports_.emplace(listener.port, "listener \"" + listener.name + "\" on line " +
                                                     std::to_string(line(element)));
      if (!added) {
        problem(element, "port",
                "<listener> port=\"" + std::to_string(listener.port) +
                    "\": the port is already used by " + at->second);
      }
    }
    return listener;
  }

  // The RC adapter is part of the portal: what its element leaves out is the portal's.
  static void inherit_portal_tls(Config& config) {
    OutboundTls& rc = config.rc_adapter.tls;
    const OutboundTls& portal = config.portal.tls;
    if (rc.ca_file.empty()) rc.ca_file = portal.ca_file;
    if (!rc.presents_certificate()) {
      rc.certificate_file = portal.certificate_file;
      rc.private_key_file = portal.private_key_file;
      rc.key_passphrase = portal.key_passphrase;
    }
  }

  TlsSettings read_tls(const xmlNode* element) {
    check_attributes(element,
                     {"certificate", "privateKey", "clientCa", "requireClientCertificate"});
    TlsSettings tls;
    tls.certificate_file = readable_file(element, "certificate", required(element, "certificate"));
    tls.private_key_file = readable_file(element, "privateKey", required(element, "privateKey"));
    tls.client_ca_file = readable_file(element, "clientCa", text(element, "clientCa").value_or(""));
    boolean(element, "requireClientCertificate", tls.require_client_certificate);
    if (tls.require_client_certificate && tls.client_ca_file.empty()) {
      problem(element, "requireClientCertificate",
              "<tls> requireClientCertificate=\"true\" needs clientCa, the PEM file of the "
              "authorities that client certificates are checked against");
    }
    return tls;
  }

  void read_limits(const xmlNode* element, Limits& limits) {
    check_attributes(element,
                     {"maxBodyBytes", "maxHeaderBytes", "maxInFlight", "headerTimeoutMs",
                      "requestTimeoutMs", "idleTimeoutMs", "maxXmlDepth", "maxAttributesPerElement",
                      "maxNamespacesPerElement", "maxNamespacesTotal", "maxNameLength"});
    number(element, "maxBodyBytes", limits.max_body_bytes);
    number(element, "maxHeaderBytes", limits.max_header_bytes);
    number(element, "maxInFlight", limits.max_in_flight);
    millis(element, "headerTimeoutMs", limits.header_timeout);
    millis(element, "requestTimeoutMs", limits.request_timeout);
    millis(element, "idleTimeoutMs", limits.idle_timeout);
    number(element, "maxXmlDepth", limits.max_xml_depth);
    number(element, "maxAttributesPerElement", limits.max_attributes_per_element);
    number(element, "maxNamespacesPerElement", limits.max_namespaces_per_element);
    number(element, "maxNamespacesTotal", limits.max_namespaces_total);
    number(element, "maxNameLength", limits.max_name_length);
  }

  void read_journal(const xmlNode* element, Journal& journal) {
    check_attributes(element, {"instance", "writeQueueMax"});
    journal.instance = text(element, "instance").value_or("");
    number(element, "writeQueueMax", journal.write_queue_max);
    if (journal.write_queue_max == 0) {
      problem(element, "writeQueueMax", "<journal> writeQueueMax=\"0\": must be at least 1");
    }
    for (xmlNode* child : children_of(element)) {
      if (name_of(child) == "sqlite") {
        check_attributes(child, {"path", "groupCommitMax"});
        journal.sqlite_path = resolve(required(child, "path"));
        number(child, "groupCommitMax", journal.group_commit_max);
      } else if (name_of(child) == "postgresql") {
        check_attributes(child, {"conninfo", "pool", "groupCommitMax"});
        journal.postgresql_conninfo = secret(child, "conninfo");
        number(child, "pool", journal.pool);
        number(child, "groupCommitMax", journal.group_commit_max);
      }
    }
  }

  void read_workers(const xmlNode* element, Workers& workers) {
    check_attributes(element, {"io", "dispatch"});
    number(element, "io", workers.io_threads);
    number(element, "dispatch", workers.dispatch_threads);
  }

  void read_portal(const xmlNode* element, Portal& portal) {
    check_attributes(element, {"baseUrl", "tokenUrl", "clientId", "clientSecret", "scope", "caFile",
                               "timeoutMs", "eventPollMs"});
    portal.base_url = url(element, "baseUrl");
    while (portal.base_url.ends_with('/')) portal.base_url.pop_back();
    portal.token_url = url(element, "tokenUrl");
    portal.client_id = required(element, "clientId");
    portal.client_secret = secret(element, "clientSecret");
    portal.scope = text(element, "scope").value_or("");
    portal.tls = outbound_tls(element);
    millis(element, "timeoutMs", portal.timeout);
    millis(element, "eventPollMs", portal.event_poll);
  }

  void read_registered_mail(const xmlNode* element, RegisteredMail& mail) {
    if (auto shift = text(element, "shiftWeekends")) {
      // Named on its own: a configuration written for the earlier rule must not silently
      // give other dates.
      problem(element, "shiftWeekends",
              show(element, "shiftWeekends", *shift) +
                  ": no longer a setting: the legal delivery date never moves; a weekend or one "
                  "of the holidays moves only the last day of a deadline (Art. 20 VwVG)");
    }
    check_attributes(element, {"messageIdDomain", "acceptanceDays", "warnBeforeHours",
                               "shiftWeekends", "holidays"});
    mail.message_id_domain = required(element, "messageIdDomain");
    number(element, "acceptanceDays", mail.acceptance_days);
    number(element, "warnBeforeHours", mail.warn_before_hours, 0);
    std::string days = text(element, "holidays").value_or("");
    for (size_t at = 0; at < days.size();) {
      size_t end = days.find_first_of(" \t\n", at);
      if (end == std::string::npos) end = days.size();
      if (end > at) mail.holidays.push_back(days.substr(at, end - at));
      at = end + 1;
    }
    for (xmlNode* child : children_of(element)) {
      if (name_of(child) != "platform") continue;
      DeliveryPlatform p;
      check_attributes(child, {"name", "smtpUrl", "sender", "user", "password", "imapUrl",
                               "imapUser", "imapPassword", "caFile", "receiptCaFile", "egov",
                               "pollMs", "timeoutMs", "maxReceiptBytes"});
      p.name = required(child, "name");
      p.smtp_url = mail_url(child, "smtpUrl", "smtp");
      p.sender = required(child, "sender");
      p.user = required(child, "user");
      p.password = secret(child, "password");
      p.imap_url = mail_url(child, "imapUrl", "imap");
      while (p.imap_url.ends_with('/')) p.imap_url.pop_back();
      p.imap_user = required(child, "imapUser");
      p.imap_password = secret(child, "imapPassword");
      p.tls = outbound_tls(child);
      p.receipt_ca_file = readable_file(child, "receiptCaFile", required(child, "receiptCaFile"));
      boolean(child, "egov", p.egov);
      millis(child, "pollMs", p.poll);
      millis(child, "timeoutMs", p.timeout);
      number(child, "maxReceiptBytes", p.max_receipt_bytes, 1024);
      if (mail.platform(p.name)) {
        problem(child, "name", "<platform> name=\"" + p.name + "\": configured twice");
      }
      mail.platforms.push_back(std::move(p));
    }
  }

  void read_apf(const xmlNode* element, Apf& apf) {
    check_attributes(element, {"url", "user", "password", "caFile", "timeoutMs", "leaseMs"});
    apf.url = url(element, "url");
    apf.user = required(element, "user");
    apf.password = secret(element, "password");
    apf.tls = outbound_tls(element);
    millis(element, "timeoutMs", apf.timeout);
    millis(element, "leaseMs", apf.lease);
    for (xmlNode* child : children_of(element)) {
      if (name_of(child) != "mailbox") continue;
      check_attributes(child, {"name", "pollMs", "pageSize"});
      ApfMailbox mailbox;
      mailbox.name = required(child, "name");
      millis(child, "pollMs", mailbox.poll);
      number(child, "pageSize", mailbox.page_size);
      for (const ApfMailbox& other : apf.mailboxes) {
        if (other.name == mailbox.name) {
          problem(child, "name", "<mailbox> name=\"" + mailbox.name + "\": configured twice");
        }
      }
      apf.mailboxes.push_back(std::move(mailbox));
    }
  }

  void read_portal_api(const xmlNode* element, PortalApi& api) {
    check_attributes(element, {"maxSkewMs", "deadlineMs", "retryAfterMs"});
    api.enabled = true;
    millis(element, "maxSkewMs", api.max_skew);
    millis(element, "deadlineMs", api.deadline);
    millis(element, "retryAfterMs", api.retry_after);
    for (xmlNode* child : children_of(element)) {
      const std::string name = name_of(child);
      if (name == "clientCertificate") {
        check_attributes(child, {"subject"});
        api.client_certificate_subject = required(child, "subject");
      } else if (name == "bearerToken") {
        check_attributes(child, {"issuer", "audience", "publicKey", "nextPublicKey"});
        PortalApi::TokenIssuer issuer;
        issuer.issuer = required(child, "issuer");
        issuer.audience = required(child, "audience");
        issuer.public_key_file = readable_file(child, "publicKey", required(child, "publicKey"));
        issuer.next_public_key_file =
            readable_file(child, "nextPublicKey", text(child, "nextPublicKey").value_or(""));
        for (const auto& other : api.token_issuers) {
          if (other.issuer == issuer.issuer) {
            problem(child, "issuer",
                    "<bearerToken> issuer=\"" + issuer.issuer +
                        "\": configured twice (for a key rollover, give the new key as "
                        "nextPublicKey of the one entry)");
          }
        }
        api.token_issuers.push_back(std::move(issuer));
      } else if (name == "hmac") {
        check_attributes(child, {"keyId", "secret"});
        PortalApi::HmacKey key;
        key.key_id = required(child, "keyId");
        key.secret = secret(child, "secret");
        for (const auto& other : api.hmac_keys) {
          if (other.key_id == key.key_id) {
            problem(child, "keyId", "<hmac> keyId=\"" + key.key_id + "\": configured twice");
          }
        }
        api.hmac_keys.push_back(std::move(key));
      }
    }
    if (!api.client_certificate_subject && api.token_issuers.empty() && api.hmac_keys.empty()) {
      problem(element, "",
              "<portalApi>: needs at least one of <clientCertificate>, <bearerToken>, <hmac>: "
              "the portal must prove who it is");
    }
  }

  void read_console(const xmlNode* element, Console& console) {
    check_attributes(element, {"listener", "sessionIdleMs", "fourEyes"});
    console.enabled = true;
    console.listener = required(element, "listener");
    millis(element, "sessionIdleMs", console.session_idle);
    boolean(element, "fourEyes", console.four_eyes);
    std::set<std::string> names;
    for (xmlNode* child : children_of(element)) {
      const std::string name = name_of(child);
      if (name == "user") {
        check_attributes(child, {"name", "certificateSubject", "oidcSubject", "roles",
                                 "departments"});
        Console::User user;
        user.name = required(child, "name");
        user.certificate_subject = text(child, "certificateSubject").value_or("");
        user.oidc_subject = text(child, "oidcSubject").value_or("");
        user.roles = words(text(child, "roles").value_or(""));
        user.departments = words(text(child, "departments").value_or(""));
        if (!names.insert(user.name).second) {
          problem(child, "name", "<user> name=\"" + user.name + "\": configured twice");
        }
        if (user.certificate_subject.empty() && user.oidc_subject.empty()) {
          problem(child, "", "<user> name=\"" + user.name +
                                 "\": needs certificateSubject or oidcSubject: how else would "
                                 "the user sign in");
        }
        if (user.roles.empty()) {
          problem(child, "roles", "<user> name=\"" + user.name + "\": needs at least one role");
        }
        bool reviewer = false;
        for (const std::string& role : user.roles) {
          if (role == "reviewer") reviewer = true;
          if (role != "viewer" && role != "operator" && role != "reviewer") {
            problem(child, "roles", "<user> roles: unknown role \"" + role +
                                        "\" (viewer, operator, reviewer)");
          }
        }
        if (reviewer && user.departments.empty()) {
          problem(child, "departments", "<user> name=\"" + user.name +
                                            "\": a reviewer needs the departments whose identity "
                                            "links it decides");
        }
        console.users.push_back(std::move(user));
      } else if (name == "openIdConnect") {
        check_attributes(child, {"issuer", "authorizationEndpoint", "tokenEndpoint", "clientId",
                                 "redirectUri", "publicKey", "caFile"});
        Console::OpenIdConnect oidc;
        oidc.issuer = required(child, "issuer");
        oidc.authorization_endpoint = url(child, "authorizationEndpoint");
        oidc.token_endpoint = url(child, "tokenEndpoint");
        oidc.client_id = required(child, "clientId");
        oidc.redirect_uri = url(child, "redirectUri");
        oidc.public_key_file = readable_file(child, "publicKey", required(child, "publicKey"));
        oidc.ca_file = readable_file(child, "caFile", text(child, "caFile").value_or(""));
        console.oidc = std::move(oidc);
      }
    }
  }

  static std::vector<std::string> words(const std::string& text) {
    std::vector<std::string> out;
    std::string word;
    for (char c : text + " ") {
      if (c == ' ' || c == '\t' || c == '\n' || c == ',') {
        if (!word.empty()) out.push_back(std::move(word));
        word.clear();
      } else {
        word += c;
      }
    }
    return out;
  }

  // The console's listener must exist and use TLS: its session cookies are Secure.
  void check_console_listener(const Config& config) {
    if (!config.console.enabled) return;
    auto it = std::find_if(config.listeners.begin(), config.listeners.end(),
                           [&](const Listener& l) { return l.name == config.console.listener; });
    if (it == config.listeners.end()) {
      findings_.push_back({console_line_, "listener", "<console> listener=\"" + config.console.listener +
                                              "\": no <listener> has that name", false});
    } else if (!it->tls) {
      findings_.push_back({console_line_, "listener", "<console> listener=\"" + config.console.listener +
                                              "\": the console needs a listener with <tls> (its "
                                              "session cookies are Secure)", false});
    }
  }

  // smtp:// or imap:// (STARTTLS is always required, so never smtps:// or imaps://).
  std::string mail_url(const xmlNode* element, const char* attribute, const std::string& scheme) {
    std::string value = required(element, attribute);
    if (!value.empty() && !value.starts_with(scheme + "://")) {
      problem(element, attribute,
              show(element, attribute, value) + ": expected a URL starting with " + scheme +
                  "://host:port (STARTTLS is required on it)");
    }
    return value;
  }

  Destination read_destination(const xmlNode* element) {
    check_attributes(element, {"name", "concurrency", "maxBacklog", "backlogRetryAfterMs"});
    Destination destination;
    destination.name = required(element, "name");
    number(element, "concurrency", destination.concurrency);
    number(element, "maxBacklog", destination.max_backlog);
    millis(element, "backlogRetryAfterMs", destination.backlog_retry_after);
    for (xmlNode* child : children_of(element)) {
      const std::string name = name_of(child);
      if (name == "retry") {
        Retry& retry = destination.retry;
        check_attributes(child,
                         {"initialDelayMs", "maxDelayMs", "maxAttempts", "attemptTimeoutMs"});
        millis(child, "initialDelayMs", retry.initial_delay);
        millis(child, "maxDelayMs", retry.max_delay);
        number(child, "maxAttempts", retry.max_attempts);
        millis(child, "attemptTimeoutMs", retry.attempt_timeout);
        if (retry.max_delay < retry.initial_delay) {
          problem(child, "maxDelayMs",
                  "<retry> maxDelayMs=\"" + std::to_string(retry.max_delay.count()) +
                      "\": must not be below initialDelayMs (" +
                      std::to_string(retry.initial_delay.count()) + ")");
        }
      } else if (name == "circuitBreaker") {
        check_attributes(child, {"failureThreshold", "openMs"});
        number(child, "failureThreshold", destination.breaker.failure_threshold);
        millis(child, "openMs", destination.breaker.open_for);
      }
    }
    return destination;
  }

  std::map<std::string, int> listener_lines_;
  int console_line_ = 0;
  std::map<uint16_t, std::string> listener_ports_;
  std::map<std::string, int> destination_lines_;
};

}  // namespace

LoadResult load(const std::string& path) {
  LoadResult result;
  std::string text;
  std::string error;
  if (!read_document_file(path, kMaxConfigBytes, "configuration", text, error)) {
    result.problems.push_back({path, 0, error});
    return result;
  }

  std::vector<Finding> findings;
  const ConfigDocument document = ConfigDocument::read(text, path, findings);
  auto config = std::make_shared<Config>();
  std::error_code ignored;
  const fs::path absolute = fs::absolute(path, ignored).lexically_normal();
  config->source_file = absolute.string();

  if (const xmlNode* root = document.root(); root != nullptr) {
    if (root->ns != nullptr && xmlStrEqual(root->ns->href, BAD_CAST kNamespace) &&
        xmlStrEqual(root->name, BAD_CAST "portier")) {
      ConfigReader(document, absolute.parent_path(), findings).read(root, *config);
    } else if (findings.empty()) {
      findings.push_back(
          {document.line_of(root), "",
           "the root element must be <portier xmlns=\"" + std::string(kNamespace) + "\">", false});
    }
  }
  drop_superseded(findings);
  if (findings.empty() && (document.root() == nullptr || !document.schema_valid())) {
    findings.push_back({0, "", "the file is not a valid configuration", false});
  }
  result.problems = to_problems(path, std::move(findings));
  if (result.problems.empty()) result.config = std::move(config);
  return result;
}

}  // namespace portier::config
