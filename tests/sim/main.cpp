// portier-sim: Portier's counterparts (the portal, its RC adapter, the AFS Antragspostfach and
// department intake services) on one HTTP
// listener, with the common /_sim/* control endpoints. See tests/sim/README.md.
//
// Threads: main parses options, starts the server (2 I/O threads) and waits in sigwait() for
// SIGINT/SIGTERM, which are blocked in every thread; then it drains and stops the server.
#include <signal.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "adapters/http/router.h"
#include "adapters/http/server.h"
#include "core/base/clock.h"
#include "core/base/log.h"
#include "core/base/metrics.h"
#include "core/config/config.h"
#include "tests/sim/afs_sim.h"
#include "tests/sim/department_intake_sim.h"
#include "tests/sim/portal_sim.h"
#include "tests/sim/rc_adapter_sim.h"
#include "tests/sim/sim_core.h"

namespace {

namespace po = boost::program_options;
using portier::sim::PortalSimOptions;
using portier::sim::RcAdapterSimOptions;

constexpr std::chrono::milliseconds kDrainTimeout{5'000};

// "127.0.0.1:9000" or "[::1]:0" into address and port; false if malformed.
bool parse_listen(const std::string& text, std::string& address, uint16_t& port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return false;
  address = text.substr(0, colon);
  if (address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  auto [end, ec] = std::from_chars(first, last, port);
  return ec == std::errc() && end == last && !address.empty();
}

// Writes the port and renames into place, so a harness polling the file never reads half.
bool write_port_file(const std::string& path, uint16_t port) {
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << "\n";
    if (!out.flush()) return false;
  }
  return std::rename(temporary.c_str(), path.c_str()) == 0;
}

int usage_error(const std::string& message) {
  std::cerr << "portier-sim: " << message << " (see --help)\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:9000";
  PortalSimOptions portal;
  std::string secret_env;
  std::string port_file;
  int64_t token_lifetime_seconds = portal.token_lifetime.count();
  bool log_requests = false;
  RcAdapterSimOptions rc_adapter;
  portier::sim::AfsSimOptions afs;
  int64_t rc_store_delay_seconds = rc_adapter.store_delay.count() / 1000;
  uint64_t rc_max_document_bytes = rc_adapter.max_document_bytes;
  portier::config::TlsSettings tls;

  po::options_description options(
      "portier-sim: simulated counterparts of Portier (portal, RC adapter) with /_sim/* control "
      "endpoints\n"
      "Options");
  options.add_options()                                        //
      ("help,h", "show this help")                             //
      ("listen", po::value(&listen)->default_value(listen),    //
       "address:port to listen on; port 0 picks a free port")  //
      ("portal-client-id", po::value(&portal.client_id)->default_value(portal.client_id),
       "OAuth2 client id the portal expects")                                    //
      ("portal-client-secret", po::value<std::string>(),                         //
       "OAuth2 client secret the portal expects (default: portier-sim-secret)")  //
      ("portal-client-secret-env", po::value(&secret_env),                       //
       "read the expected client secret from this environment variable")         //
      ("token-lifetime-seconds",
       po::value(&token_lifetime_seconds)->default_value(token_lifetime_seconds),
       "lifetime of issued access tokens, on the sim clock")  //
      ("rc-store-delay-seconds",
       po::value(&rc_store_delay_seconds)->default_value(rc_store_delay_seconds),
       "RC adapter: a document is in the inbox this long after acceptance, on the sim clock")  //
      ("rc-max-document-bytes",
       po::value(&rc_max_document_bytes)->default_value(rc_max_document_bytes),
       "RC adapter: larger documents are refused with 413")  //
      ("afs-user", po::value(&afs.user)->default_value(afs.user),
       "APF: the UsernameToken user it accepts")  //
      ("afs-password", po::value(&afs.password)->default_value(afs.password),
       "APF: the UsernameToken password it accepts")  //
      ("tls-certificate", po::value(&tls.certificate_file),
       "serve HTTPS with this PEM certificate chain (needs --tls-key)")  //
      ("tls-key", po::value(&tls.private_key_file), "the PEM key of --tls-certificate")  //
      ("tls-client-ca", po::value(&tls.client_ca_file),
       "HTTPS: require a client certificate issued by a CA in this PEM file (mutual TLS)")  //
      ("port-file", po::value(&port_file),                   //
       "write the bound port to this file once listening")   //
      ("log-requests", po::bool_switch(&log_requests),       //
       "log every answered call as a JSON line on stderr");

  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, options), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return usage_error(e.what());
  }
  if (vm.count("help")) {
    std::cout << options << "\n";
    return 0;
  }
  std::string address;
  uint16_t port = 0;
  if (!parse_listen(listen, address, port)) return usage_error("--listen: expected ADDRESS:PORT");
  if (vm.count("portal-client-secret") && !secret_env.empty()) {
    return usage_error("give --portal-client-secret or --portal-client-secret-env, not both");
  }
  if (vm.count("portal-client-secret")) {
    portal.client_secret = vm["portal-client-secret"].as<std::string>();
  } else if (!secret_env.empty()) {
    const char* value = std::getenv(secret_env.c_str());
    if (value == nullptr) return usage_error("environment variable " + secret_env + " is not set");
    portal.client_secret = value;
  }
  if (token_lifetime_seconds <= 0) return usage_error("--token-lifetime-seconds: must be > 0");
  portal.token_lifetime = std::chrono::seconds(token_lifetime_seconds);
  if (rc_store_delay_seconds < 0) return usage_error("--rc-store-delay-seconds: must be >= 0");
  if (rc_max_document_bytes == 0) return usage_error("--rc-max-document-bytes: must be > 0");
  rc_adapter.store_delay = std::chrono::seconds(rc_store_delay_seconds);
  if (tls.certificate_file.empty() != tls.private_key_file.empty()) {
    return usage_error("give --tls-certificate and --tls-key together");
  }
  if (!tls.client_ca_file.empty() && tls.certificate_file.empty()) {
    return usage_error("--tls-client-ca needs --tls-certificate and --tls-key");
  }
  tls.require_client_certificate = !tls.client_ca_file.empty();
  rc_adapter.max_document_bytes = rc_max_document_bytes;

  // Blocked before any thread starts, so every thread inherits the mask and only sigwait()
  // below receives them. A shell starts background jobs with SIGINT ignored, and an ignored
  // signal is discarded rather than left pending: restore the default disposition first.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  portier::SystemClock system_clock;
  portier::sim::SimCore core(system_clock, {.log_requests = log_requests});
  auto portal_module = std::make_unique<portier::sim::PortalSim>(portal, core.clock());
  const portier::sim::PortalSim& tokens = *portal_module;  // the RC adapter takes its tokens
  core.add(std::move(portal_module));
  core.add(std::make_unique<portier::sim::RcAdapterSim>(
      rc_adapter,
      [&tokens](const portier::http::Request& request, const char* scope) {
        return tokens.authorize(request, scope);
      },
      core.clock()));
  core.add(std::make_unique<portier::sim::AfsSim>(afs, core.clock()));
  core.add(std::make_unique<portier::sim::DepartmentSim>(core.clock()));
  portier::http::Router router;
  core.register_routes(router);

  portier::config::Listener listener;
  listener.name = "sim";
  listener.address = address;
  listener.port = port;
  if (!tls.certificate_file.empty()) listener.tls = tls;
  portier::metrics::Registry metrics;
  portier::config::Limits limits;
  // The RC adapter answers 413 itself; the server's own limit only has to let its documents in.
  limits.max_body_bytes =
      std::max<uint64_t>(limits.max_body_bytes, rc_max_document_bytes + (1 << 20));
  portier::http::Server server({listener}, limits, router, metrics);
  if (portier::Status started = server.start(2); !started.is_ok()) {
    std::cerr << "portier-sim: cannot listen on " << listen << ": " << started.to_string() << "\n";
    return 1;
  }
  uint16_t bound = server.ports().at(0);
  if (!port_file.empty() && !write_port_file(port_file, bound)) {
    std::cerr << "portier-sim: cannot write the port file " << port_file << "\n";
    server.drain(std::chrono::milliseconds(0));
    server.stop();
    return 1;
  }
  std::string shown = address.find(':') == std::string::npos ? address : "[" + address + "]";
  std::cout << "portier-sim listening on " << shown << ":" << bound << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  portier::log::info("portier-sim stopping", {{"signal", std::to_string(signal_number)}});
  core.release_held();  // hung calls would otherwise hold the drain for its whole timeout
  server.drain(kDrainTimeout);
  server.stop();
  return 0;
}
