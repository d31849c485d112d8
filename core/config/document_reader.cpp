#include "core/config/document_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <utility>

namespace portier::config {

namespace fs = std::filesystem;

std::string_view trim_space(std::string_view text) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
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

bool DocumentReader::is_ours(const xmlNode* node) const {
  return node->type == XML_ELEMENT_NODE && node->ns != nullptr &&
         xmlStrEqual(node->ns->href, BAD_CAST schema_.namespace_uri().c_str());
}

std::vector<xmlNode*> DocumentReader::children_of(const xmlNode* parent) const {
  std::vector<xmlNode*> children;
  for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (is_ours(child)) children.push_back(child);
  }
  return children;
}

void DocumentReader::problem(const xmlNode* element, std::string attribute, std::string message) {
  const int at = attribute.empty() ? line(element) : line(element, attribute);
  findings_.push_back({at, std::move(attribute), std::move(message), false});
}

std::string DocumentReader::show(const xmlNode* element, const char* attribute,
                                 std::string_view value) {
  return "<" + name_of(element) + "> " + attribute + "=\"" + std::string(value) + "\"";
}

std::optional<std::string> DocumentReader::text(const xmlNode* element, const char* attribute) {
  xmlChar* value = xmlGetNoNsProp(element, BAD_CAST attribute);
  if (value == nullptr) return std::nullopt;
  std::string result(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return result;
}

std::string DocumentReader::required(const xmlNode* element, const char* attribute) {
  auto value = text(element, attribute);
  if (!value || trim_space(*value).empty()) {
    problem(element, attribute,
            "<" + name_of(element) + "> " + attribute + ": required, and must not be empty");
    return {};
  }
  return *value;
}

void DocumentReader::check_attributes(const xmlNode* element,
                                      std::initializer_list<std::string_view> allowed) {
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

void DocumentReader::millis(const xmlNode* element, const char* attribute,
                            std::chrono::milliseconds& out) {
  uint32_t count = static_cast<uint32_t>(out.count());
  number(element, attribute, count);
  out = std::chrono::milliseconds(count);
}

void DocumentReader::boolean(const xmlNode* element, const char* attribute, bool& out) {
  auto value = text(element, attribute);
  if (!value) return;
  const std::string_view word = trim_space(*value);
  if (word == "true" || word == "1") {
    out = true;
  } else if (word == "false" || word == "0") {
    out = false;
  } else {
    problem(element, attribute, show(element, attribute, *value) + ": expected true or false");
  }
}

std::string DocumentReader::url(const xmlNode* element, const char* attribute) {
  std::string value = required(element, attribute);
  if (!value.empty() && !is_http_url(value)) {
    problem(element, attribute,
            show(element, attribute, value) +
                ": expected a URL starting with http:// or https://, without spaces");
  }
  return value;
}

std::string DocumentReader::resolve(const std::string& path) const {
  if (path.empty()) return path;
  const fs::path given(path);
  return (given.is_absolute() ? given : folder_ / given).lexically_normal().string();
}

std::string DocumentReader::readable_file(const xmlNode* element, const char* attribute,
                                          const std::string& value) {
  if (trim_space(value).empty()) return {};
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

std::string DocumentReader::secret(const xmlNode* element, const char* attribute) {
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

OutboundTls DocumentReader::outbound_tls(const xmlNode* element) {
  OutboundTls tls;
  tls.ca_file = readable_file(element, "caFile", text(element, "caFile").value_or(""));
  for (xmlNode* child : children_of(element)) {
    if (name_of(child) != "clientCertificate") continue;
    const size_t before = findings_.size();
    check_attributes(child, {"certificate", "privateKey", "passphrase"});
    tls.certificate_file = readable_file(child, "certificate", required(child, "certificate"));
    tls.private_key_file = readable_file(child, "privateKey", required(child, "privateKey"));
    if (!trim_space(text(child, "passphrase").value_or("")).empty()) {
      tls.key_passphrase = secret(child, "passphrase");
    }
    if (findings_.size() != before) continue;  // the files themselves are the problem
    if (Status usable = check_client_certificate(tls); !usable.is_ok()) {
      problem(child, "", "<" + name_of(element) + "><clientCertificate>: " + usable.message());
    }
  }
  return tls;
}

bool read_document_file(const std::string& path, size_t max_bytes, const std::string& kind,
                        std::string& text, std::string& error) {
  std::error_code ignored;
  if (fs::is_directory(path, ignored)) {
    error = "is a folder, not a " + kind + " file";
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
    if (text.size() > max_bytes) {
      const std::string size = max_bytes % (1 << 20) == 0
                                   ? std::to_string(max_bytes >> 20) + " MiB"
                                   : std::to_string(max_bytes >> 10) + " KiB";
      error = "larger than " + size + "; that is not a " + kind + " file";
      return false;
    }
  }
  if (in.bad()) {
    error = "cannot read the file";
    return false;
  }
  return true;
}

void drop_superseded(std::vector<Finding>& findings) {
  std::set<std::pair<int, std::string>> from_loader;
  for (const Finding& f : findings) {
    if (!f.from_schema && !f.attribute.empty()) from_loader.emplace(f.line, f.attribute);
  }
  std::erase_if(findings, [&](const Finding& f) {
    return f.from_schema && !f.attribute.empty() && from_loader.contains({f.line, f.attribute});
  });
}

std::vector<Problem> to_problems(const std::string& file, std::vector<Finding> findings) {
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.line < b.line; });
  std::vector<Problem> problems;
  problems.reserve(findings.size());
  for (Finding& f : findings) problems.push_back({file, f.line, std::move(f.message)});
  return problems;
}

}  // namespace portier::config
