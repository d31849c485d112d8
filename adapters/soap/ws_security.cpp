#include "adapters/soap/ws_security.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstdio>
#include <ctime>
#include <memory>

#include "core/base/base64.h"
#include "core/base/clock.h"

namespace portier::soap_adapter {
namespace {

constexpr char kWsse[] =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
constexpr char kWsu[] =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
constexpr char kPasswordDigest[] =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
    "#PasswordDigest";

struct FreeDoc {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

bool is(const xmlNode* n, const char* ns, const char* name) {
  return n && n->type == XML_ELEMENT_NODE && n->ns && xmlStrEqual(n->ns->href, BAD_CAST ns) &&
         xmlStrEqual(n->name, BAD_CAST name);
}

const xmlNode* child(const xmlNode* parent, const char* ns, const char* name) {
  for (const xmlNode* c = parent ? parent->children : nullptr; c; c = c->next) {
    if (is(c, ns, name)) return c;
  }
  return nullptr;
}

// Text content of a simple element; never expands entities (there can be none: no DTD).
std::string text_of(const xmlNode* n) {
  std::string out;
  for (const xmlNode* c = n ? n->children : nullptr; c; c = c->next) {
    if (c->type == XML_TEXT_NODE && c->content) out += reinterpret_cast<const char*>(c->content);
  }
  size_t b = out.find_first_not_of(" \t\r\n");
  size_t e = out.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : out.substr(b, e - b + 1);
}

}  // namespace

Result<std::optional<UsernameToken>> read_username_token(std::string_view envelope) {
  if (envelope.find("UsernameToken") == std::string_view::npos) {
    return std::optional<UsernameToken>();
  }
  std::unique_ptr<xmlDoc, FreeDoc> doc(
      xmlReadMemory(envelope.data(), static_cast<int>(envelope.size()), nullptr, nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc) return invalid_argument("the envelope is not well-formed XML");
  const xmlNode* envelope_node = xmlDocGetRootElement(doc.get());
  const xmlNode* header = nullptr;
  for (const xmlNode* c = envelope_node ? envelope_node->children : nullptr; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST "Header")) header = c;
  }
  const xmlNode* token = child(child(header, kWsse, "Security"), kWsse, "UsernameToken");
  if (!token) return std::optional<UsernameToken>();
  UsernameToken t;
  const xmlNode* password = child(token, kWsse, "Password");
  t.username = text_of(child(token, kWsse, "Username"));
  t.password = text_of(password);
  if (password) {
    xmlChar* type = xmlGetProp(password, BAD_CAST "Type");
    if (type) t.password_type = reinterpret_cast<const char*>(type);
    xmlFree(type);
  }
  t.nonce = text_of(child(token, kWsse, "Nonce"));
  t.created = text_of(child(token, kWsu, "Created"));
  for (auto [value, name] : {std::pair{&t.username, "Username"},
                             {&t.password, "Password"},
                             {&t.nonce, "Nonce"},
                             {&t.created, "Created"}}) {
    if (value->empty()) {
      return invalid_argument(std::string("WS-Security UsernameToken without ") + name);
    }
  }
  return std::optional<UsernameToken>(std::move(t));
}

Result<int64_t> verify_username_token(const UsernameToken& token, const std::string& password,
                                      int64_t now_ms, int64_t max_skew_ms) {
  if (token.password_type != kPasswordDigest) {
    return permission_denied("WS-Security: only PasswordDigest is accepted");
  }
  std::optional<int64_t> created = parse_rfc3339(token.created);
  if (!created)
    return permission_denied("WS-Security: Created is not a timestamp with a time zone");
  if (*created < now_ms - max_skew_ms) {
    return permission_denied("WS-Security: the timestamp has expired");
  }
  if (*created > now_ms + max_skew_ms) {
    return permission_denied("WS-Security: the timestamp lies in the future");
  }
  std::optional<std::string> nonce = base64_decode(token.nonce);
  if (!nonce || nonce->size() < 8) return permission_denied("WS-Security: the nonce is invalid");
  std::string material = *nonce + token.created + password;
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(material.data()), material.size(), digest);
  std::string expected =
      base64_encode(std::string(reinterpret_cast<const char*>(digest), sizeof digest));
  if (expected.size() != token.password.size() ||
      CRYPTO_memcmp(expected.data(), token.password.data(), expected.size()) != 0) {
    return permission_denied("WS-Security: wrong user or password");
  }
  return *created;
}

}  // namespace portier::soap_adapter
