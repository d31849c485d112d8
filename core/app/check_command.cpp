#include <cstdio>

#include "core/app/commands.h"
#include "core/config/config.h"

namespace portier::app {

int check_command(const Args& files) {
  if (files.empty()) {
    std::fputs("usage: portierctl check FILE...\n", stderr);
    return 2;
  }
  int exit_code = 0;
  for (const std::string& file : files) {
    auto loaded = config::load(file);
    if (loaded.config) {
      std::printf("%s: ok\n", file.c_str());
      continue;
    }
    for (const auto& p : loaded.problems) std::fprintf(stderr, "%s\n", p.to_string().c_str());
    exit_code = 2;
  }
  return exit_code;
}

}  // namespace portier::app
