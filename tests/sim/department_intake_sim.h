#pragma once
// A department application's intake service, as the mappings' <forms> endpoints call it
// (connectors/department): any POST below /department/<name>/ is one intake request.
//
//   POST /department/<name>/<path>   JSON (REST) or XML (SOAP) body, Idempotency-Key header
//        -> 201 {received:true}; a repeated Idempotency-Key -> 200 with Idempotent-Replayed:
//        true and no new effect
//
// The answer to refuse or delay calls comes from the sim core's fault plan (pathPrefix
// "/department/"). Threads: handlers, inspect() and reset() from any I/O thread; one mutex.
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/base/clock.h"
#include "tests/sim/sim_module.h"

namespace portier::sim {

class DepartmentSim final : public SimModule {
 public:
  explicit DepartmentSim(const Clock& clock) : clock_(clock) {}

  std::string name() const override { return "department"; }
  std::vector<std::string> path_prefixes() const override { return {"/department/"}; }
  void register_routes(http::Router& router) override;
  // {intakes:[{department, path, idempotencyKey, businessProcessId, body, received, at}],
  //  effects, replays}; `body` is the parsed JSON, or the text for other bodies; `received`
  //  counts the calls with its key.
  boost::json::value inspect() const override;
  void reset() override;

 private:
  struct Intake {
    std::string department;
    std::string path;
    std::string key;
    std::string business_process_id;
    std::string body;
    std::string content_type;
    int received = 0;
    int64_t at_ms = 0;
  };
  void take(const http::Request& request, const http::Respond& respond);

  const Clock& clock_;
  mutable std::mutex mutex_;
  std::vector<Intake> intakes_;
  std::map<std::string, size_t> by_key_;
  int64_t replays_ = 0;
};

}  // namespace portier::sim
