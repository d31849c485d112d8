#pragma once
// What the securemail tests share: a temporary folder, files, the openssl command line for
// throw-away certificates and detached signatures, child processes, free loopback ports.
// Test threads only.
#include <sys/types.h>

#include <string>
#include <vector>

namespace portier::securemail::testing {

// A fresh folder under /tmp, removed with everything in it when the object goes.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void write_file(const std::string& path, const std::string& bytes);
std::string read_file(const std::string& path);

// Runs a shell command; true if it exited 0. Its output goes to `log` when given.
bool run(const std::string& command, const std::string& log = "/dev/null");

// A port nobody listened on a moment ago (bind to 0, read it, close).
int free_loopback_port();

// Throw-away PKI made with the openssl command line, every file in `dir`.
struct Pki {
  // A self-signed CA: <name>.key, <name>.pem.
  static bool make_ca(const std::string& dir, const std::string& name);
  // A certificate for `name` (CN=`cn`) signed by CA `ca`: <name>.key, <name>.pem. `san` is an
  // extension value such as "IP:127.0.0.1" (empty: none).
  static bool make_cert(const std::string& dir, const std::string& ca, const std::string& name,
                        const std::string& cn, const std::string& san);
  // The detached DER CMS signature of `content_file` by <signer>.pem/.key.
  static std::string sign(const std::string& dir, const std::string& signer,
                          const std::string& content_file);
};

// A child process, sent SIGTERM and waited for when the object goes.
class Child {
 public:
  Child() = default;
  ~Child() { stop(); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  // Starts argv[0] (a path) with its output appended to `log`.
  bool start(const std::vector<std::string>& argv, const std::string& log);
  bool running();
  void stop();

 private:
  pid_t pid_ = -1;
};

// A PDF-looking payload with the bytes a mail path likes to break: NUL, CR, a lone dot line,
// 8-bit bytes; `size` bytes long (at least 64).
std::string awkward_pdf(size_t size);

}  // namespace portier::securemail::testing
