#include "core/mapping/mapping.h"

#include <openssl/crypto.h>
#include <algorithm>
#include <cctype>
#include <utility>

namespace portier::mapping {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// Splits at commas that are not escaped with a backslash.
std::vector<std::string_view> split_parts(std::string_view subject) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i < subject.size(); ++i) {
    if (subject[i] == '\\') {
      ++i;  // the escaped character belongs to the value
    } else if (subject[i] == ',') {
      parts.push_back(subject.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(subject.substr(start));
  return parts;
}

}  // namespace

std::string normalize_subject(std::string_view subject) {
  std::string normal;
  for (std::string_view part : split_parts(subject)) {
    part = trim(part);
    const size_t equals = part.find('=');
    if (!normal.empty()) normal += ',';
    if (equals == std::string_view::npos) {
      normal += part;
      continue;
    }
    for (char c : trim(part.substr(0, equals))) {
      normal += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    normal += '=';
    normal += trim(part.substr(equals + 1));
  }
  return normal;
}

const FormRule* Forms::rule(const std::string& form_id) const {
  for (const FormRule& r : rules) {
    if (r.form_id == form_id) return &r;
  }
  return nullptr;
}

const StatusRule* DepartmentMapping::status_rule(const std::string& department_code) const {
  auto rule = std::find_if(status_table.begin(), status_table.end(), [&](const StatusRule& r) {
    return r.department_code == department_code;
  });
  return rule != status_table.end() ? &*rule : nullptr;
}

const DocumentKind* DepartmentMapping::document_kind(const std::string& kind) const {
  auto found = std::find_if(document_kinds.begin(), document_kinds.end(),
                            [&](const DocumentKind& k) { return k.kind == kind; });
  return found != document_kinds.end() ? &*found : nullptr;
}

const Endpoint* DepartmentMapping::endpoint(const std::string& name) const {
  auto found = std::find_if(endpoints.begin(), endpoints.end(),
                            [&](const Endpoint& e) { return e.name == name; });
  return found != endpoints.end() ? &*found : nullptr;
}

MappingSet::MappingSet(std::vector<DepartmentMapping> mappings) : mappings_(std::move(mappings)) {}

// A gateway connects tens of department applications, so a scan is as fast as an index.
const DepartmentMapping* MappingSet::by_name(const std::string& name) const {
  for (const DepartmentMapping& m : mappings_) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

const DepartmentMapping* MappingSet::by_certificate_subject(const std::string& subject) const {
  const std::string wanted = normalize_subject(subject);
  for (const DepartmentMapping& m : mappings_) {
    if (m.authentication.certificate_subject && *m.authentication.certificate_subject == wanted) {
      return &m;
    }
  }
  return nullptr;
}

const DepartmentMapping* MappingSet::by_username(const std::string& username) const {
  for (const DepartmentMapping& m : mappings_) {
    if (m.authentication.username && *m.authentication.username == username) return &m;
  }
  return nullptr;
}

const DepartmentMapping* MappingSet::by_api_token(const std::string& token) const {
  const DepartmentMapping* found = nullptr;
  for (const DepartmentMapping& m : mappings_) {
    const std::optional<std::string>& mine = m.authentication.api_token;
    if (!mine || mine->size() != token.size()) continue;
    if (CRYPTO_memcmp(mine->data(), token.data(), token.size()) == 0) found = &m;
  }
  return found;
}

const DepartmentMapping* MappingSet::by_form(const std::string& form_id,
                                             const FormRule** rule) const {
  for (const DepartmentMapping& m : mappings_) {
    if (!m.forms) continue;
    if (const FormRule* r = m.forms->rule(form_id)) {
      if (rule != nullptr) *rule = r;
      return &m;
    }
  }
  return nullptr;
}

const DepartmentMapping* MappingSet::by_service(int32_t service_id) const {
  for (const DepartmentMapping& m : mappings_) {
    if (m.service_ids.contains(service_id)) return &m;
  }
  return nullptr;
}

}  // namespace portier::mapping
