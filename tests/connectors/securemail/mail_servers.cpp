#include "tests/connectors/securemail/mail_servers.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>
#include <vector>

namespace portier::securemail::testing {
namespace {

bool wait_for(const std::function<bool()>& ready, std::chrono::seconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

bool accepts_connections(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  if (fd >= 0) close(fd);
  return ok;
}

}  // namespace

TestCa::TestCa(const std::string& d) : dir(d) {}

::testing::AssertionResult TestCa::make() {
  if (!Pki::make_ca(dir, "mailca") ||
      !Pki::make_cert(dir, "mailca", "mailserver", "mail.test", "IP:127.0.0.1")) {
    return ::testing::AssertionFailure() << "openssl could not make the mail servers' certificates";
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult Dovecot::start(const TempDir& dir, const TestCa& ca,
                                          const std::string& client_ca) {
  dir_ = dir / "dovecot";
  conf_ = dir_ + "/dovecot.conf";
  port_ = free_loopback_port();
  std::filesystem::create_directories(dir_ + "/home/" + kUser);
  std::filesystem::create_directories(dir_ + "/log");
  // Dovecot's processes run as the mail user, which must reach the home folder.
  chmod(dir.path().c_str(), 0755);
  chmod(dir_.c_str(), 0755);
  run("chown -R nobody:nogroup " + dir_ + "/home");
  write_file(dir_ + "/passwd", std::string(kUser) + ":{PLAIN}" + kPassword + "::::::\n");
  write_file(conf_,
             "base_dir = " + dir_ + "/run\n"
             "state_dir = " + dir_ + "/state\n"
             "instance_name = securemail-test-" + std::to_string(port_) + "\n"
             "protocols = imap\n"
             "listen = 127.0.0.1\n"
             "log_path = " + dir_ + "/log/dovecot.log\n"
             "ssl = required\n"
             "ssl_cert = <" + ca.dir + "/mailserver.pem\n"
             "ssl_key = <" + ca.dir + "/mailserver.key\n"
             "disable_plaintext_auth = yes\n"
             "auth_mechanisms = plain login\n"
             "passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u " + dir_ +
             "/passwd\n}\n"
             "userdb {\n  driver = static\n  args = uid=nobody gid=nogroup home=" + dir_ +
             "/home/%u\n}\n"
             "mail_location = maildir:~/Maildir\n"
             "namespace inbox {\n  inbox = yes\n  separator = /\n}\n"
             "service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n    port = " +
             std::to_string(port_) + "\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}\n" +
             (client_ca.empty() ? std::string()
                                : "ssl_ca = <" + client_ca + "\n"
                                  "ssl_verify_client_cert = yes\n"
                                  "ssl_require_crl = no\n"
                                  "auth_ssl_require_client_cert = yes\n"));
  if (!child_.start({"/usr/sbin/dovecot", "-F", "-c", conf_}, dir_ + "/log/stdout.log")) {
    return ::testing::AssertionFailure() << "cannot start dovecot";
  }
  if (!wait_for([&] { return !child_.running() || accepts_connections(port_); },
                std::chrono::seconds(10)) ||
      !child_.running()) {
    return ::testing::AssertionFailure() << "dovecot did not come up: " << log();
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult Dovecot::deliver(const std::string& raw, const std::string& mailbox) {
  std::string file = dir_ + "/deliver-" + std::to_string(++serial_) + ".eml";
  write_file(file, raw);
  if (!run("doveadm -c " + conf_ + " save -u " + kUser + " -m " + mailbox + " < " + file,
           dir_ + "/log/doveadm.log")) {
    return ::testing::AssertionFailure() << "doveadm save failed: "
                                         << read_file(dir_ + "/log/doveadm.log");
  }
  return ::testing::AssertionSuccess();
}

int Dovecot::count(const std::string& mailbox) {
  std::string out = dir_ + "/count.txt";
  if (!run("doveadm -c " + conf_ + " search -u " + kUser + " mailbox " + mailbox + " ALL > " +
           out)) {
    return -1;  // e.g. no such mailbox
  }
  std::string text = read_file(out);
  int lines = 0;
  for (char c : text) lines += c == '\n';
  return lines;
}

std::string Dovecot::log() const { return read_file(dir_ + "/log/dovecot.log"); }

::testing::AssertionResult SmtpSink::start(const TempDir& dir, const TestCa& ca,
                                           const std::string& script,
                                           const std::string& client_ca) {
  dir_ = dir / "smtp";
  out_ = dir_ + "/out";
  std::filesystem::create_directories(out_);
  port_ = free_loopback_port();
  std::vector<std::string> argv{"/usr/bin/python3", script, std::to_string(port_),
                                ca.dir + "/mailserver.pem", ca.dir + "/mailserver.key",
                                kUser, kPassword, out_};
  if (!client_ca.empty()) argv.push_back(client_ca);
  if (!child_.start(argv, dir_ + "/sink.log")) {
    return ::testing::AssertionFailure() << "cannot start the SMTP sink";
  }
  if (!wait_for([&] { return !child_.running() || access((out_ + "/ready").c_str(), F_OK) == 0; },
                std::chrono::seconds(20)) ||
      !child_.running()) {
    return ::testing::AssertionFailure() << "the SMTP sink did not come up: " << log();
  }
  return ::testing::AssertionSuccess();
}

std::string SmtpSink::message(int n) const {
  return read_file(out_ + "/msg-" + std::to_string(n) + ".eml");
}

int SmtpSink::count() const {
  int n = 0;
  while (access((out_ + "/msg-" + std::to_string(n + 1) + ".eml").c_str(), F_OK) == 0) ++n;
  return n;
}

std::string SmtpSink::log() const { return read_file(dir_ + "/sink.log"); }

}  // namespace portier::securemail::testing
