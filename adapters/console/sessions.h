#pragma once
// Who may use the console and their signed-in sessions.
//
// A session is created only by a sign-in (client certificate or OpenID Connect), always with a
// fresh random id: an id the browser brings along is never adopted, so a planted cookie cannot
// become a signed-in session (session fixation). Each session carries its own CSRF token, which
// every change must send back in X-CSRF-Token. A session signed in by certificate stays bound
// to that certificate: a request on another connection with another certificate (or none)
// does not use it. Sessions live in memory only: a restart signs everybody out.
//
// Threads: every method may be called from any thread (one mutex).
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/config/config.h"

namespace portier::console {

enum class Role { kViewer, kOperator, kReviewer };

struct Operator {
  std::string name;
  std::set<Role> roles;
  std::set<std::string> departments;  // a reviewer's

  bool has(Role role) const { return roles.contains(role); }
  bool reviews(const std::string& department) const {
    return has(Role::kReviewer) && departments.contains(department);
  }
};

// The configured users, found by how they prove who they are.
class Directory {
 public:
  explicit Directory(const std::vector<config::Console::User>& users);
  std::optional<Operator> by_certificate(const std::string& subject) const;
  std::optional<Operator> by_oidc_subject(const std::string& sub) const;

 private:
  struct Entry {
    Operator who;
    std::string certificate_subject;  // normalised
    std::string oidc_subject;
  };
  std::vector<Entry> entries_;
};

struct Session {
  std::string id;          // 256 random bits, hex; the cookie's value
  std::string csrf_token;  // 256 random bits, hex
  Operator who;
  std::string method;               // "certificate" or "oidc"
  std::string certificate_subject;  // normalised, for "certificate": the session is bound to it
  int64_t created_ms = 0;
  int64_t used_ms = 0;
};

class SessionStore {
 public:
  explicit SessionStore(int64_t idle_ms) : idle_ms_(idle_ms) {}
  Session create(Operator who, std::string method, std::string certificate_subject, int64_t now_ms);
  // The live session with this id (touched), or none when unknown or idle too long.
  std::optional<Session> find(const std::string& id, int64_t now_ms);
  void remove(const std::string& id);

 private:
  const int64_t idle_ms_;
  std::mutex mutex_;
  std::map<std::string, Session> sessions_;
};

// 32 random bytes (OpenSSL's generator) as hex.
std::string random_token();
// Compares two tokens in constant time.
bool same_token(const std::string& a, const std::string& b);
const char* to_string(Role role);

}  // namespace portier::console
