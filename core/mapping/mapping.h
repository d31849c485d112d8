#pragma once
// A department application's mapping: everything an integrator writes to connect it, read from
// one file in the mappings folder (mappings/<name>.xml, validated against mappings/mapping.xsd).
// Immutable once loaded; shared as `std::shared_ptr<const MappingSet>`, so any thread may read.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/outbound_tls.h"
#include "core/documents/active_content.h"
#include "core/mapping/retention.h"
#include "core/model/codec.h"

namespace portier::mapping {

// How the department proves who it is. At least one is set.
struct Authentication {
  // Subject of its TLS client certificate, RFC 2253 form as OpenSSL prints it,
  // e.g. "CN=steueramt,O=Kanton Solothurn,C=CH".
  std::optional<std::string> certificate_subject;
  // WS-Security UsernameToken user and its secret (resolved from env:/file:, never logged).
  std::optional<std::string> username;
  std::string password;
  // The token it sends as "Authorization: Bearer <token>" to the Thrift service (resolved from
  // env:/file:, never logged).
  std::optional<std::string> api_token;
};

// One endpoint of the department's own application that Portier calls (later issues: identity
// checks, form intake). Templates are request bodies with ${placeholders}.
struct Endpoint {
  std::string name;
  enum class Kind { kSoap, kRest } kind = Kind::kSoap;
  std::string url;
  config::OutboundTls tls;                  // resolved paths and passphrase
  std::string username;                     // HTTP Basic, optional
  std::string password;                     // resolved secret
  std::chrono::milliseconds timeout{10'000};
  std::map<std::string, std::string> templates;  // name -> template text
};

// One row of the status table: the department's own code becomes a portal status and text.
struct StatusRule {
  std::string department_code;
  model::CaseStatus::type portal_status = model::CaseStatus::IN_PROGRESS;
  std::string text;                         // shown to the citizen; "" keeps the department's text
};

// How a document of one kind is named (whitepaper §3.8: speaking ASCII names, no spaces).
// Patterns may use ${prefix}, ${kind}, ${date} (yyyy-mm-dd) and ${title}.
struct DocumentKind {
  std::string kind;                         // e.g. "Handelsregisterauszug"
  std::string file_name_pattern;            // e.g. "${prefix}-${kind}-${date}.pdf"
  std::string title_pattern;                // e.g. "${kind} - ${date}"
  bool registered = false;                  // delivery policy: needs proof of delivery
  uint16_t deadline_days = 0;               // the deadline it sets from delivery; 0: none
  std::set<documents::ActiveContent> allowed_active_content;  // refused unless listed here
  std::optional<std::chrono::days> retention;  // overrides the mapping's documents retention
};

// Web forms (AFS) the department takes in: how a submission's form data becomes the fields of
// its intake request (core/mapping/form_fields.h), and where that request goes.
struct FormField {
  std::string name;                         // ${field.NAME} in the intake template
  std::string select;                       // XPath 1.0 over the form data (its string value)
  bool required = false;                    // missing or blank: the submission is parked
  std::string table;                        // value table the text is translated by; "" none
};

struct FormRule {
  std::string form_id;                      // the AFS form id, unique across all mappings
  int32_t service_id = 0;                   // portal service of the business case it opens
  std::string title;                        // the business case's title
  std::vector<std::pair<std::string, std::string>> namespaces;  // prefix, URI for `select`
  std::vector<FormField> fields;
};

struct Forms {
  // How a submission reaches the department. kPush: Portier sends it (endpoint and template).
  // kPull: the department learns of it by a "formSubmitted" event (listEvents), fetches it
  // with getSubmission and acknowledges the event; only then is it taken over in the APF.
  enum class Delivery { kPush, kPull } delivery = Delivery::kPush;
  std::string endpoint;                     // push: the <endpoint> that takes the intake request
  std::string template_name;                // push: its template
  std::vector<FormRule> rules;
  std::map<std::string, std::map<std::string, std::string>> tables;  // name -> (from -> to)
  const FormRule* rule(const std::string& form_id) const;
};

// How the department's answer to an identity check is read. Paths are XPath 1.0 expressions
// for SOAP endpoints (prefixes from `namespaces`) and JSON Pointers (RFC 6901) for REST ones.
struct IdentityAnswer {
  std::string result;                       // path of the result value
  std::string person_id;                    // path of the department's person id
  std::string person_id_category;           // path of its category ("" : `category` is used)
  std::string category;                     // fixed category, e.g. "CH.SO.STEUERNUMMER"
  std::string matched_on;                   // path of a list of matched fields; optional
  std::map<std::string, std::string> namespaces;  // prefix -> namespace URI
  // The department's result values and what they mean (MATCH, NO_MATCH, AMBIGUOUS,
  // PARTIAL_MATCH, PENDING_REVIEW, NOT_AUTHORISED, TEMPORARY_ERROR); values not listed are
  // taken as those names themselves.
  std::map<std::string, std::string> values;
};

// The identity check of the department's services (whitepaper §3.9.4): which endpoint and
// template ask it, what a match does, and what the portal must send.
struct IdentityCheckRule {
  std::string endpoint;                     // the name of one of the mapping's endpoints
  std::string template_name;                // a template of that endpoint
  bool link_automatically = true;           // false: the department decides each match
  int32_t minimum_level = 0;                // lowest identification level accepted (0..3)
  std::set<std::string> required;           // extra parameters: vn, sex, localPersonId,
                                            // representation
  std::optional<std::chrono::milliseconds> timeout;  // overrides the endpoint's
  IdentityAnswer answer;
};

struct Limits {
  uint32_t max_requests_per_minute = 6000;
  uint32_t max_text_length = 4000;          // activity, message and notification bodies
};

struct DepartmentMapping {
  std::string name;                         // unique; the department's id in Portier
  std::string display_name;
  std::string source_file;
  Authentication authentication;
  std::set<int32_t> service_ids;            // portal services it may act for
  std::vector<Endpoint> endpoints;
  std::optional<IdentityCheckRule> identity_check;
  std::vector<StatusRule> status_table;
  std::string document_prefix;              // e.g. "KantonSolothurn"
  std::vector<DocumentKind> document_kinds;
  std::string default_channel = "inbox";    // delivery policy for channel "auto"
  std::set<std::string> personal_fields;    // field names redacted in logs
  Limits limits;
  Retention retention;                      // how long finished work's content is kept
  std::optional<Forms> forms;               // none: the department takes no forms

  const StatusRule* status_rule(const std::string& department_code) const;
  const DocumentKind* document_kind(const std::string& kind) const;
  const Endpoint* endpoint(const std::string& name) const;
};

// A certificate subject in the form mappings are compared in: RFC 2253 "TYPE=value" parts
// joined by "," without spaces around separators, types in upper case ("cn = mfk, o=Kanton
// Solothurn" -> "CN=mfk,O=Kanton Solothurn"). Escaped commas ("\,") stay inside their value.
std::string normalize_subject(std::string_view subject);

// All mappings in force, and the lookups authentication needs. Subjects are compared after
// normalize_subject().
class MappingSet {
 public:
  explicit MappingSet(std::vector<DepartmentMapping> mappings);
  const DepartmentMapping* by_name(const std::string& name) const;
  const DepartmentMapping* by_certificate_subject(const std::string& subject) const;
  const DepartmentMapping* by_username(const std::string& username) const;
  // Compared in constant time per mapping, so the comparison tells nothing about the token.
  const DepartmentMapping* by_api_token(const std::string& token) const;
  // The mapping that takes form `form_id`, and its rule; nullptr if none does.
  const DepartmentMapping* by_form(const std::string& form_id, const FormRule** rule) const;
  // The department that acts for portal service `service_id`, if any.
  const DepartmentMapping* by_service(int32_t service_id) const;
  const std::vector<DepartmentMapping>& all() const { return mappings_; }

 private:
  std::vector<DepartmentMapping> mappings_;
};

}  // namespace portier::mapping
