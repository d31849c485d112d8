#pragma once
// The gateway's configuration: an immutable snapshot loaded from one XML file that is validated
// against config/portier.xsd. Relative paths in the file are resolved against the file's folder.
// Secrets are references (`env:NAME`, `file:/path`), resolved at load time and never logged.
// Shared as `std::shared_ptr<const Config>`; read-only after loading, so any thread may read it.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/base/status.h"
#include "core/config/outbound_tls.h"

namespace portier::config {

using Millis = std::chrono::milliseconds;

struct TlsSettings {
  std::string certificate_file;       // PEM, server certificate chain
  std::string private_key_file;       // PEM
  std::string client_ca_file;         // PEM; empty: client certificates are not asked for
  bool require_client_certificate = false;
};

struct Listener {
  std::string name;
  std::string address = "127.0.0.1";
  uint16_t port = 8080;               // 0: any free port (the chosen one is logged)
  std::optional<TlsSettings> tls;
};

struct Limits {
  uint64_t max_body_bytes = 1 << 20;
  uint32_t max_header_bytes = 16 * 1024;
  uint32_t max_in_flight = 256;       // requests being served at once; more get 503
  Millis header_timeout{10'000};      // to receive a request's headers
  Millis request_timeout{30'000};     // to receive the body and answer
  Millis idle_timeout{60'000};        // keep-alive connection without a request
  // The XML shape guard (core/xml/shape_guard.h).
  uint32_t max_xml_depth = 64;
  uint32_t max_attributes_per_element = 64;
  uint32_t max_namespaces_per_element = 32;
  uint32_t max_namespaces_total = 256;
  uint32_t max_name_length = 256;
};

struct Journal {
  // Exactly one of the two stores: SQLite (sqlite_path set) or PostgreSQL (conninfo set).
  std::string sqlite_path;            // the database file
  std::string postgresql_conninfo;    // resolved secret (libpq string or URI); never log it
  uint32_t pool = 4;                  // PostgreSQL read connections
  uint32_t group_commit_max = 64;     // intakes sharing one commit at most
  uint32_t write_queue_max = 1024;    // writes waiting for the writer; more intakes are refused
  std::string instance;               // this instance's name; "" for host name and process id
};

struct Retry {
  Millis initial_delay{1'000};
  Millis max_delay{300'000};
  uint32_t max_attempts = 20;         // then the item is parked
  Millis attempt_timeout{10'000};     // one outbound call, connect included
};

struct CircuitBreaker {
  uint32_t failure_threshold = 5;     // consecutive failures that open the circuit
  Millis open_for{30'000};            // then one trial call is let through
};

struct Destination {
  std::string name;                   // e.g. "portal"
  uint32_t concurrency = 4;           // calls in flight at once
  // Back-pressure: undelivered items (pending and in flight) at most; intakes that would add
  // more are refused with 503 and Retry-After. 0: no bound.
  uint32_t max_backlog = 100'000;
  Millis backlog_retry_after{5'000};  // the Retry-After given with such a refusal
  Retry retry;
  CircuitBreaker breaker;
};

struct Portal {
  std::string base_url;               // e.g. https://portal.example/api/v9 ... without trailing /
  std::string token_url;              // OAuth2 token endpoint (client credentials)
  std::string client_id;
  std::string client_secret;          // resolved secret; never log it
  std::string scope;
  OutboundTls tls;                    // for the API and the token endpoint
  Millis timeout{10'000};
  Millis event_poll{2'000};           // how often the portal's event feed is read
};

// The portal's Request Center adapter (documents into the e-account inbox).
struct RcAdapter {
  std::string base_url;               // empty: not configured
  OutboundTls tls;                    // what <rcAdapter> leaves out is the portal's
  Millis status_poll{5'000};          // how often uploads are followed until in the inbox
};

struct Documents {
  std::string folder;                 // empty: deliverDocument is refused
  uint64_t max_bytes = 50ull << 20;
};

// One delivery platform for registered mail (docs/contracts/delivery-platform.md): submission
// over SMTP, receipts read from the sender account's mailbox over IMAP.
struct DeliveryPlatform {
  std::string name;                   // incamail | privasphere: also the dialect spoken
  std::string smtp_url;               // smtp://host:port (STARTTLS is required)
  std::string sender;                 // the platform account's address (MAIL FROM, From)
  std::string user;                   // SMTP login
  std::string password;               // resolved secret; never log it
  std::string imap_url;               // imap://host:port: the mailbox the receipts come to
  std::string imap_user;
  std::string imap_password;          // resolved secret; never log it
  OutboundTls tls;                    // for the SMTP and the IMAP server
  std::string receipt_ca_file;        // the CA of the platform's receipt seal
  bool egov = false;                  // PrivaSphere: <PSPeGov/> (identified recipients only)
  Millis poll{5'000};                 // how often the receipt mailbox is read
  Millis timeout{60'000};             // per SMTP submission or IMAP exchange
  uint64_t max_receipt_bytes = 10ull << 20;  // a larger mail is set aside unread
};

struct RegisteredMail {
  std::string message_id_domain;      // Message-ID: <deliveryId@domain>
  uint32_t acceptance_days = 7;
  uint32_t warn_before_hours = 24;    // the department is warned this long before expiry
  std::vector<std::string> holidays;  // yyyy-mm-dd; no deadline ends on them (nor on weekends)
  std::vector<DeliveryPlatform> platforms;
  const DeliveryPlatform* platform(const std::string& name) const {
    for (const auto& p : platforms) {
      if (p.name == name) return &p;
    }
    return nullptr;
  }
};

// The AFS Antragspostfach (docs/contracts/afs-apf.md): its web service and the mailboxes
// Portier polls for submitted web forms.
struct ApfMailbox {
  std::string name;
  Millis poll{5'000};                 // how often the mailbox is listed
  uint32_t page_size = 100;           // applications per ListApplications page
};

struct Apf {
  std::string url;                    // the SOAP endpoint; empty: no forms are polled
  std::string user;                   // WS-Security UsernameToken
  std::string password;               // resolved secret; never log it
  OutboundTls tls;
  Millis timeout{30'000};             // one call, connect included
  Millis lease{60'000};               // a mailbox's poll lease; another instance waits this long
  std::vector<ApfMailbox> mailboxes;
};

// The portal's REST interface (/portal/v1: identity checks and links) and how the portal proves
// who it is: any of a TLS client certificate, a signed OAuth2 bearer token (JWT) or an HMAC
// signature; at least one. Absent: the interface is not served.
struct PortalApi {
  struct TokenIssuer {
    std::string issuer;               // the JWT's iss
    std::string audience;             // must be in its aud
    std::string public_key_file;      // PEM public key (RSA for RS256, P-256 for ES256)
    // During a key rollover: the issuer's next key, also accepted. One entry per issuer, so
    // both keys are tried for its tokens.
    std::string next_public_key_file;
  };
  struct HmacKey {
    std::string key_id;
    std::string secret;               // resolved secret; never log it
  };
  bool enabled = false;
  std::optional<std::string> client_certificate_subject;  // RFC 2253, normalised
  std::vector<TokenIssuer> token_issuers;
  std::vector<HmacKey> hmac_keys;
  Millis max_skew{300'000};           // timestamps and token times may be this far off
  Millis deadline{8'000};             // the portal's patience for one identity check
  Millis retry_after{30'000};         // advised after a temporary error
};

// The operators' web console (adapters/console): on which listener, who may sign in and with
// which roles.
struct Console {
  struct User {
    std::string name;                         // shown in the console, the audit log, evidence
    std::string certificate_subject;          // RFC 2253, normalised; "" if not by certificate
    std::string oidc_subject;                 // the ID token's sub; "" if not by OpenID Connect
    std::vector<std::string> roles;           // viewer, operator, reviewer
    std::vector<std::string> departments;     // a reviewer decides these departments' links
  };
  struct OpenIdConnect {
    std::string issuer;                       // iss, and the base of the endpoints below
    std::string authorization_endpoint;       // where the browser is sent to sign in
    std::string token_endpoint;               // where Portier redeems the code
    std::string client_id;
    std::string redirect_uri;                 // .../console/api/session/oidc/callback
    std::string public_key_file;              // PEM key the ID tokens are signed with (RS256)
    std::string ca_file;                      // to check the token endpoint's certificate
  };
  bool enabled = false;
  std::string listener;                       // the listener's name; it must use TLS
  Millis session_idle{30 * 60'000};           // a session ends after this long unused
  bool four_eyes = false;                     // an approval needs a second reviewer
  std::vector<User> users;
  std::optional<OpenIdConnect> oidc;
};

// The scheduled purge of expired content (core/retention).
struct Purge {
  Millis interval{86'400'000};        // once a day
};

struct Workers {
  uint32_t io_threads = 2;
  uint32_t dispatch_threads = 4;
};

struct Config {
  std::string source_file;
  std::vector<Listener> listeners;
  Limits limits;
  Journal journal;
  Portal portal;
  RcAdapter rc_adapter;
  Documents documents;
  RegisteredMail registered_mail;     // no platforms: registered delivery is refused
  Apf apf;
  PortalApi portal_api;
  Console console;
  Workers workers;
  std::map<std::string, Destination> destinations;  // by name; "portal" always present
  // The folder of the department applications' mapping files (core/mapping), resolved against
  // the configuration file's folder; empty: no mappings. Read by core/mapping, not here.
  std::string mappings_folder;
  Purge purge;
  std::string log_level = "info";
  Millis drain_timeout{15'000};       // SIGTERM: time for in-flight work to finish
};

// One problem found in a configuration file, with the line it is on (0 if unknown).
struct Problem {
  std::string file;
  int line = 0;
  std::string message;
  std::string to_string() const;      // "file:line: message"
};

struct LoadResult {
  std::shared_ptr<const Config> config;  // null if there are problems
  std::vector<Problem> problems;         // every problem found, not just the first
};

// Reads, validates (XSD, then meaning: secret references resolve, files exist, names unique)
// and returns either a Config or every problem with file:line.
LoadResult load(const std::string& path);

// Resolves `env:NAME` or `file:/path` (the file's content, one trailing newline removed).
Result<std::string> resolve_secret(const std::string& reference);

}  // namespace portier::config
