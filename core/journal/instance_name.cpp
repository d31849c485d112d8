#include "core/journal/instance_name.h"

#include <unistd.h>

#include <array>

namespace portier::journal {

std::string default_instance_name() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  std::string name = host[0] != '\0' ? host.data() : "portierd";
  return name + "-" + std::to_string(getpid());
}

}  // namespace portier::journal
