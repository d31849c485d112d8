#include "adapters/console/sessions.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstdlib>

#include "core/base/digest.h"
#include "core/mapping/mapping.h"

namespace portier::console {

std::string random_token() {
  unsigned char bytes[32];
  // Without randomness no session can be safe: crash rather than hand out guessable ids.
  if (RAND_bytes(bytes, sizeof bytes) != 1) std::abort();
  return to_hex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

bool same_token(const std::string& a, const std::string& b) {
  return !a.empty() && a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

const char* to_string(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kOperator:
      return "operator";
    case Role::kReviewer:
      return "reviewer";
  }
  return "viewer";
}

Directory::Directory(const std::vector<config::Console::User>& users) {
  for (const auto& user : users) {
    Entry e;
    e.who.name = user.name;
    for (const std::string& role : user.roles) {
      if (role == "viewer") e.who.roles.insert(Role::kViewer);
      if (role == "operator") e.who.roles.insert(Role::kOperator);
      if (role == "reviewer") e.who.roles.insert(Role::kReviewer);
    }
    e.who.departments.insert(user.departments.begin(), user.departments.end());
    if (!user.certificate_subject.empty()) {
      e.certificate_subject = mapping::normalize_subject(user.certificate_subject);
    }
    e.oidc_subject = user.oidc_subject;
    entries_.push_back(std::move(e));
  }
}

std::optional<Operator> Directory::by_certificate(const std::string& subject) const {
  if (subject.empty()) return std::nullopt;
  const std::string wanted = mapping::normalize_subject(subject);
  for (const Entry& e : entries_) {
    if (!e.certificate_subject.empty() && e.certificate_subject == wanted) return e.who;
  }
  return std::nullopt;
}

std::optional<Operator> Directory::by_oidc_subject(const std::string& sub) const {
  if (sub.empty()) return std::nullopt;
  for (const Entry& e : entries_) {
    if (!e.oidc_subject.empty() && e.oidc_subject == sub) return e.who;
  }
  return std::nullopt;
}

Session SessionStore::create(Operator who, std::string method, std::string certificate_subject,
                             int64_t now_ms) {
  Session s;
  s.id = random_token();
  s.csrf_token = random_token();
  s.who = std::move(who);
  s.method = std::move(method);
  s.certificate_subject = std::move(certificate_subject);
  s.created_ms = s.used_ms = now_ms;
  std::lock_guard lock(mutex_);
  // Forget sessions that ran out, so the map does not grow with every sign-in.
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = now_ms - it->second.used_ms > idle_ms_ ? sessions_.erase(it) : std::next(it);
  }
  sessions_[s.id] = s;
  return s;
}

std::optional<Session> SessionStore::find(const std::string& id, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  if (now_ms - it->second.used_ms > idle_ms_) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.used_ms = now_ms;
  return it->second;
}

void SessionStore::remove(const std::string& id) {
  std::lock_guard lock(mutex_);
  sessions_.erase(id);
}

}  // namespace portier::console
