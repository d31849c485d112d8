// portierd: the Portier daemon. `portierd --config FILE`
// Exits 2 if the configuration is invalid (every problem listed with file:line), 1 if it cannot
// start, 0 after a graceful stop on SIGTERM or SIGINT.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include "core/app/gateway.h"
#include "core/base/log.h"
#include "core/config/config.h"

namespace {

int usage() {
  std::fprintf(stderr, "usage: portierd --config FILE\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
      config_path = argv[++i];
    } else if (std::strcmp(argv[i], "--help") == 0) {
      std::printf("usage: portierd --config FILE\n");
      return 0;
    } else {
      return usage();
    }
  }
  if (config_path.empty()) return usage();

  // Signals are taken by sigwait below, so no thread started from here on is interrupted.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto loaded = portier::config::load(config_path);
  if (!loaded.config) {
    for (const auto& problem : loaded.problems) std::fprintf(stderr, "%s\n", problem.to_string().c_str());
    return 2;
  }
  portier::log::Level level;
  if (portier::log::parse_level(loaded.config->log_level, level)) portier::log::set_level(level);

  portier::app::Gateway gateway(loaded.config);
  if (auto s = gateway.start(); !s.is_ok()) {
    portier::log::error("portierd cannot start", {{"error", s.to_string()}});
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return s.code() == portier::StatusCode::kInvalidArgument ? 2 : 1;
  }
  for (;;) {
    int signal = 0;
    sigwait(&signals, &signal);
    if (signal == SIGHUP) {
      portier::log::info("SIGHUP: reloading the mapping files");
      gateway.reload_mappings();
      continue;
    }
    portier::log::info("signal received", {{"signal", strsignal(signal)}});
    break;
  }
  gateway.stop();
  return 0;
}
