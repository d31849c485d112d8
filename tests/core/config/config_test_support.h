#pragma once
// Helpers for the configuration tests: a temporary folder that disappears after the test,
// throw-away certificates, and a one-line dump of a Config so that two loads can be compared
// field by field.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/config/config.h"

namespace portier::config::testing {

// The repository, for the checked-in example and sandbox files (set by CMake).
inline std::filesystem::path source_dir() { return PORTIER_SOURCE_DIR; }

class TempFolder {
 public:
  TempFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "portier-config-XXXXXX");
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes `content` to `name` (folders created as needed) and returns the full path.
  std::filesystem::path write(const std::string& name, const std::string& content) const {
    std::filesystem::path file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary);
    out << content;
    if (!out) throw std::runtime_error("cannot write " + file.string());
    return file;
  }

 private:
  std::filesystem::path path_;
};

// Throw-away PKI made with the openssl command line in `folder`: a self-signed CA <ca>.pem and
// <ca>.key, and a certificate <name>.pem with its key <name>.key signed by it (the key encrypted
// with `passphrase` unless that is empty). False if openssl failed.
inline bool make_ca(const std::filesystem::path& folder, const std::string& ca) {
  const std::string command = "cd '" + folder.string() +
                              "' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
                              "-nodes -days 2 -subj '/CN=" +
                              ca + "' -keyout " + ca + ".key -out " + ca + ".pem >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

inline bool make_certificate(const std::filesystem::path& folder, const std::string& ca,
                             const std::string& name, const std::string& passphrase = "") {
  const std::string key_protection = passphrase.empty() ? "-nodes" : "-passout pass:" + passphrase;
  const std::string command =
      "cd '" + folder.string() + "' && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 " +
      key_protection + " -subj '/CN=" + name + "' -keyout " + name + ".key -out " + name +
      ".csr >/dev/null 2>&1 && openssl x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " +
      ca + ".key -CAcreateserial -days 2 -out " + name + ".pem >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every problem, one per line, for failure messages.
inline std::string all_problems(const LoadResult& result) {
  std::string text;
  for (const Problem& p : result.problems) text += p.to_string() + "\n";
  return text;
}

// Every field of a Config except source_file, one `key=value` per line.
inline std::string describe(const Config& c) {
  std::ostringstream o;
  for (const Listener& l : c.listeners) {
    o << "listener " << l.name << " " << l.address << " " << l.port;
    if (l.tls) {
      o << " tls " << l.tls->certificate_file << " " << l.tls->private_key_file << " ["
        << l.tls->client_ca_file << "] " << l.tls->require_client_certificate;
    }
    o << "\n";
  }
  const Limits& m = c.limits;
  o << "limits " << m.max_body_bytes << " " << m.max_header_bytes << " " << m.max_in_flight << " "
    << m.header_timeout.count() << " " << m.request_timeout.count() << " " << m.idle_timeout.count()
    << " " << m.max_xml_depth << " " << m.max_attributes_per_element << " "
    << m.max_namespaces_per_element << " " << m.max_namespaces_total << " " << m.max_name_length
    << "\n";
  o << "journal " << c.journal.sqlite_path << " " << c.journal.group_commit_max << "\n";
  o << "workers " << c.workers.io_threads << " " << c.workers.dispatch_threads << "\n";
  const Portal& p = c.portal;
  o << "portal " << p.base_url << " " << p.token_url << " " << p.client_id << " " << p.client_secret
    << " [" << p.scope << "] [" << p.tls.ca_file << "] [" << p.tls.certificate_file << "] ["
    << p.tls.private_key_file << "] " << p.timeout.count() << "\n";
  for (const auto& [name, d] : c.destinations) {
    o << "destination " << name << " " << d.name << " " << d.concurrency << " "
      << d.retry.initial_delay.count() << " " << d.retry.max_delay.count() << " "
      << d.retry.max_attempts << " " << d.retry.attempt_timeout.count() << " "
      << d.breaker.failure_threshold << " " << d.breaker.open_for.count() << "\n";
  }
  o << "log " << c.log_level << "\n";
  o << "drain " << c.drain_timeout.count() << "\n";
  return o.str();
}

}  // namespace portier::config::testing
