#include "tests/connectors/securemail/test_support.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace portier::securemail::testing {

TempDir::TempDir() {
  char pattern[] = "/tmp/securemail-test-XXXXXX";
  if (mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

bool run(const std::string& command, const std::string& log) {
  std::string line = "(" + command + ") >>" + log + " 2>&1";
  return std::system(line.c_str()) == 0;
}

int free_loopback_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("no free loopback port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

bool Pki::make_ca(const std::string& dir, const std::string& name) {
  return run("cd " + dir + " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
             "-nodes -days 2 -subj '/CN=" + name + " Test CA/O=Portier Tests/C=CH' "
             "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign "
             "-keyout " + name + ".key -out " + name + ".pem");
}

bool Pki::make_cert(const std::string& dir, const std::string& ca, const std::string& name,
                    const std::string& cn, const std::string& san) {
  std::string ext = dir + "/" + name + ".ext";
  write_file(ext, san.empty() ? "basicConstraints=CA:FALSE\n"
                              : "basicConstraints=CA:FALSE\nsubjectAltName=" + san + "\n");
  return run("cd " + dir + " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
             "-subj '/CN=" + cn + "/O=Portier Tests/C=CH' -keyout " + name + ".key -out " +
             name + ".csr && openssl x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " +
             ca + ".key -CAcreateserial -days 2 -extfile " + name + ".ext -out " + name + ".pem");
}

std::string Pki::sign(const std::string& dir, const std::string& signer,
                      const std::string& content_file) {
  std::string out = content_file + ".p7s";
  if (!run("cd " + dir + " && openssl cms -sign -binary -in " + content_file + " -signer " +
           signer + ".pem -inkey " + signer + ".key -outform DER -out " + out)) {
    return {};
  }
  return read_file(out.front() == '/' ? out : dir + "/" + out);
}

bool Child::start(const std::vector<std::string>& argv, const std::string& log) {
  pid_ = fork();
  if (pid_ < 0) return false;
  if (pid_ == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return true;
}

bool Child::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

void Child::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string awkward_pdf(size_t size) {
  std::string pdf = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\r\n.\r\n";
  pdf += std::string("\0\0\x01\xFF", 4);
  pdf += "\n.\n..\nFrom here\n";
  while (pdf.size() + 6 < size) pdf += static_cast<char>(pdf.size() * 31 % 256);
  pdf += "%%EOF\n";
  return pdf;
}

}  // namespace portier::securemail::testing
