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

namespace portier::config {

std::string Problem::to_string() const {
  if (line > 0) return file + ":" + std::to_string(line) + ": " + message;
  return file + ": " + message;
}

namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxConfigBytes = 1 << 20;

std::string_view trim(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

std::string name_of(const xmlNode* element) { return reinterpret_cast<const char*>(element->name); }

bool is_ours(const xmlNode* node) {
  return node->type == XML_ELEMENT_NODE && node->ns != nullptr &&
         xmlStrEqual(node->ns->href, BAD_CAST kNamespace);
}

// The element children of `parent` in the configuration namespace; others are the schema's.
std::vector<xmlNode*> children_of(const xmlNode* parent) {
  std::vector<xmlNode*> children;
  for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (is_ours(child)) children.push_back(child);
  }
  return children;
}

bool is_ip_address(const std::string& text) {
  unsigned char buffer[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

bool is_http_url(std::string_view url) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (url.starts_with(scheme) && url.size() > scheme.size() &&
        url.find_first_of(" \t\r\n") == std::string_view::npos) {
      return true;
    }
  }
  return false;
}

// Reads one configuration tree into a Config. Every problem becomes a Finding on the line of
// the element, or of the attribute when there is one.
class ConfigReader {
 public:
  ConfigReader(const ConfigDocument& document, fs::path folder, std::vector<Finding>& findings)
      : document_(document), folder_(std::move(folder)), findings_(findings) {}

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
      } else if (name == "drain") {
        check_attributes(child, {"timeoutMs"});
        millis(child, "timeoutMs", config.drain_timeout);
      }
      // Anything else is not in the schema, which has said so already.
    }
    if (!config.destinations.contains("portal")) {
      Destination portal;
      portal.name = "portal";
      config.destinations.emplace(portal.name, std::move(portal));
    }
  }

 private:
  void read_log(const xmlNode* element, Config& config) {
    check_attributes(element, {"level"});
    if (auto level = text(element, "level")) {
      log::Level parsed;
      if (log::parse_level(trim(*level), parsed)) {
        config.log_level = std::string(trim(*level));
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
      listener.address = std::string(trim(*address));
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
    check_attributes(element, {});
    for (xmlNode* child : children_of(element)) {
      if (name_of(child) != "sqlite") continue;
      check_attributes(child, {"path", "groupCommitMax"});
      journal.sqlite_path = resolve(required(child, "path"));
      number(child, "groupCommitMax", journal.group_commit_max);
    }
  }

  void read_workers(const xmlNode* element, Workers& workers) {
    check_attributes(element, {"io", "dispatch"});
    number(element, "io", workers.io_threads);
    number(element, "dispatch", workers.dispatch_threads);
  }

  void read_portal(const xmlNode* element, Portal& portal) {
    check_attributes(element, {"baseUrl", "tokenUrl", "clientId", "clientSecret", "scope", "caFile",
                               "timeoutMs"});
    portal.base_url = url(element, "baseUrl");
    while (portal.base_url.ends_with('/')) portal.base_url.pop_back();
    portal.token_url = url(element, "tokenUrl");
    portal.client_id = required(element, "clientId");
    portal.client_secret = secret(element, "clientSecret");
    portal.scope = text(element, "scope").value_or("");
    portal.ca_file = readable_file(element, "caFile", text(element, "caFile").value_or(""));
    millis(element, "timeoutMs", portal.timeout);
  }

  Destination read_destination(const xmlNode* element) {
    check_attributes(element, {"name", "concurrency"});
    Destination destination;
    destination.name = required(element, "name");
    number(element, "concurrency", destination.concurrency);
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

  // --- attributes ---------------------------------------------------------------------------

  int line(const xmlNode* element) const { return document_.line_of(element); }

  void problem(const xmlNode* element, std::string attribute, std::string message) {
    const int at = attribute.empty() ? line(element) : document_.line_of(element, attribute);
    findings_.push_back({at, std::move(attribute), std::move(message), false});
  }

  // `<listener> port="80x80"`: how a problem names the value it is about.
  static std::string show(const xmlNode* element, const char* attribute, std::string_view value) {
    return "<" + name_of(element) + "> " + attribute + "=\"" + std::string(value) + "\"";
  }

  static std::optional<std::string> text(const xmlNode* element, const char* attribute) {
    xmlChar* value = xmlGetNoNsProp(element, BAD_CAST attribute);
    if (value == nullptr) return std::nullopt;
    std::string result(reinterpret_cast<const char*>(value));
    xmlFree(value);
    return result;
  }

  std::string required(const xmlNode* element, const char* attribute) {
    auto value = text(element, attribute);
    if (!value || trim(*value).empty()) {
      problem(element, attribute,
              "<" + name_of(element) + "> " + attribute + ": required, and must not be empty");
      return {};
    }
    return *value;
  }

  // Unknown attributes without a namespace; namespaced ones (xsi:schemaLocation, for editors)
  // are left to the schema.
  void check_attributes(const xmlNode* element, std::initializer_list<std::string_view> allowed) {
    for (const xmlAttr* attribute = element->properties; attribute != nullptr;
         attribute = attribute->next) {
      if (attribute->ns != nullptr) continue;
      const std::string_view name = reinterpret_cast<const char*>(attribute->name);
      if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
      std::string message = "<" + name_of(element) + ">: unknown attribute " + std::string(name);
      if (allowed.size() == 0) {
        message += "; this element has no attributes";
      } else {
        message += "; allowed:";
        const char* separator = " ";
        for (std::string_view known : allowed) {
          message += separator + std::string(known);
          separator = ", ";
        }
      }
      problem(element, std::string(name), std::move(message));
    }
  }

  template <class T>
  void number(const xmlNode* element, const char* attribute, T& out, uint64_t min = 1) {
    auto value = text(element, attribute);
    if (!value) return;
    std::string_view digits = trim(*value);
    if (digits.starts_with('+')) digits.remove_prefix(1);
    const uint64_t max = std::numeric_limits<T>::max();
    uint64_t parsed = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), parsed);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() ||
        parsed < min || parsed > max) {
      problem(element, attribute,
              show(element, attribute, *value) + ": expected a whole number from " +
                  std::to_string(min) + " to " + std::to_string(max));
      return;
    }
    out = static_cast<T>(parsed);
  }

  void millis(const xmlNode* element, const char* attribute, Millis& out) {
    uint32_t count = static_cast<uint32_t>(out.count());
    number(element, attribute, count);
    out = Millis(count);
  }

  void boolean(const xmlNode* element, const char* attribute, bool& out) {
    auto value = text(element, attribute);
    if (!value) return;
    const std::string_view word = trim(*value);
    if (word == "true" || word == "1") {
      out = true;
    } else if (word == "false" || word == "0") {
      out = false;
    } else {
      problem(element, attribute, show(element, attribute, *value) + ": expected true or false");
    }
  }

  std::string url(const xmlNode* element, const char* attribute) {
    std::string value = required(element, attribute);
    if (!value.empty() && !is_http_url(value)) {
      problem(element, attribute,
              show(element, attribute, value) +
                  ": expected a URL starting with http:// or https://, without spaces");
    }
    return value;
  }

  // Relative paths are relative to the configuration file's folder, not to the working folder.
  std::string resolve(const std::string& path) const {
    if (path.empty()) return path;
    const fs::path given(path);
    return (given.is_absolute() ? given : folder_ / given).lexically_normal().string();
  }

  // Resolves a path and checks that the file can be read now, so that a typo stops the start
  // and not the first TLS handshake. Empty stays empty ("none").
  std::string readable_file(const xmlNode* element, const char* attribute,
                            const std::string& value) {
    if (trim(value).empty()) return {};
    std::string path = resolve(value);
    std::error_code ignored;
    if (fs::is_directory(path, ignored)) {
      problem(element, attribute,
              "<" + name_of(element) + "> " + attribute + ": " + path + " is a folder, not a file");
      return path;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      problem(element, attribute,
              "<" + name_of(element) + "> " + attribute + ": cannot read " + path + " (" +
                  std::strerror(errno) + ")");
    }
    return path;
  }

  // Secrets are resolved now; messages name the variable or file, never a value.
  std::string secret(const xmlNode* element, const char* attribute) {
    auto reference = text(element, attribute);
    if (!reference) {
      required(element, attribute);
      return {};
    }
    std::string resolvable = *reference;
    if (resolvable.starts_with("file:")) resolvable = "file:" + resolve(resolvable.substr(5));
    Result<std::string> value = resolve_secret(resolvable);
    if (!value.is_ok()) {
      problem(element, attribute,
              "<" + name_of(element) + "> " + attribute + ": " + value.status().message());
      return {};
    }
    return std::move(*value);
  }

  const ConfigDocument& document_;
  const fs::path folder_;
  std::vector<Finding>& findings_;
  std::map<std::string, int> listener_lines_;
  std::map<uint16_t, std::string> listener_ports_;
  std::map<std::string, int> destination_lines_;
};

bool read_text(const std::string& path, std::string& text, std::string& error) {
  std::error_code ignored;
  if (fs::is_directory(path, ignored)) {
    error = "is a folder, not a configuration file";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::string("cannot read the file (") + std::strerror(errno) + ")";
    return false;
  }
  char buffer[16 * 1024];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxConfigBytes) {
      error = "larger than 1 MiB; that is not a configuration file";
      return false;
    }
  }
  if (in.bad()) {
    error = "cannot read the file";
    return false;
  }
  return true;
}

// A loader finding about an attribute says it better than the schema's message about the
// same attribute (which may also have been redacted); keep one message per attribute.
void drop_superseded(std::vector<Finding>& findings) {
  std::set<std::pair<int, std::string>> from_loader;
  for (const Finding& f : findings) {
    if (!f.from_schema && !f.attribute.empty()) from_loader.emplace(f.line, f.attribute);
  }
  std::erase_if(findings, [&](const Finding& f) {
    return f.from_schema && !f.attribute.empty() && from_loader.contains({f.line, f.attribute});
  });
}

}  // namespace

LoadResult load(const std::string& path) {
  LoadResult result;
  std::string text;
  std::string error;
  if (!read_text(path, text, error)) {
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
    if (is_ours(root) && name_of(root) == "portier") {
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
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.line < b.line; });

  for (Finding& f : findings) result.problems.push_back({path, f.line, std::move(f.message)});
  if (result.problems.empty()) result.config = std::move(config);
  return result;
}

}  // namespace portier::config
