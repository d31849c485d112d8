#include "core/dispatch/dispatcher.h"

#include <algorithm>

#include "core/base/log.h"
#include "core/dispatch/retry_policy.h"

namespace portier::dispatch {
namespace {

constexpr int64_t kIdlePollMs = 1000;  // look at the journal at least this often
constexpr int64_t kDepthRefreshMs = 1000;

// Long enough for an attempt to time out and be settled; then the item is claimable again.
int64_t lease_ms(const config::Destination& d) {
  return 2 * d.retry.attempt_timeout.count() + 5000;
}

}  // namespace

Dispatcher::Dispatcher(journal::Journal& journal, runtime::Timers& timers, runtime::WorkPool& pool,
                       metrics::Registry& metrics, journal::BacklogBounds* bounds)
    : journal_(journal),
      clock_(timers.clock()),
      pool_(pool),
      metrics_(metrics),
      bounds_(bounds),
      scheduling_(timers, pool, [this] { return schedule_turn(); }) {
  metrics_.describe("portier_dispatch_attempts_total", "counter",
                    "Delivery attempts by destination and outcome");
  metrics_.describe("portier_dispatch_retries_total", "counter",
                    "Attempts that will be retried later, by destination");
  metrics_.describe("portier_journal_depth", "gauge",
                    "Work items in the journal by destination and state");
  metrics_.describe("portier_parked_items", "gauge", "Parked (dead-letter) items by destination");
  metrics_.describe("portier_circuit_state", "gauge",
                    "Circuit breaker by destination: 0 closed, 1 open, 2 half-open");
}

Dispatcher::~Dispatcher() { stop(); }

void Dispatcher::add_destination(const config::Destination& settings,
                                 std::shared_ptr<Connector> connector) {
  Destination& d = destinations_[settings.name];
  d.settings = settings;
  d.connector = std::move(connector);
  d.breaker = std::make_unique<CircuitBreaker>(settings.breaker);
}

void Dispatcher::start() {
  {
    std::lock_guard lock(mutex_);
    running_ = true;
  }
  scheduling_.start();
}

void Dispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    if (!running_) return;
    running_ = false;
  }
  scheduling_.stop();
  std::unique_lock lock(mutex_);
  calls_ended_.wait(lock, [this] { return calls_in_flight_ == 0; });
}

void Dispatcher::wake() { scheduling_.wake(); }

Millis Dispatcher::schedule_turn() {
  {
    std::lock_guard lock(mutex_);
    if (!running_) return Millis(kIdlePollMs);
  }
  const int64_t now = clock_.now_ms();
  int64_t next = now + kIdlePollMs;
  for (auto& [name, d] : destinations_) next = std::min(next, schedule(d, now));
  if (now >= next_depth_refresh_ms_) {
    refresh_depth_gauges();
    next_depth_refresh_ms_ = now + kDepthRefreshMs;
  }
  return Millis(std::max<int64_t>(0, next - clock_.now_ms()));
}

int64_t Dispatcher::schedule(Destination& d, int64_t now) {
  const int64_t idle = now + kIdlePollMs;
  uint32_t in_flight;
  {
    std::lock_guard lock(mutex_);
    in_flight = d.in_flight;
  }
  uint32_t room = d.breaker->admissible(now, in_flight, d.settings.concurrency);
  const CircuitBreaker::State circuit = d.breaker->state(now);
  metrics_.set_gauge("portier_circuit_state", {{"destination", d.settings.name}},
                     circuit == CircuitBreaker::State::kOpen       ? 1
                     : circuit == CircuitBreaker::State::kHalfOpen ? 2
                                                                   : 0);
  if (room == 0) {
    if (d.breaker->state(now) == CircuitBreaker::State::kOpen) {
      return std::min(idle, now + d.settings.breaker.open_for.count());
    }
    return idle;  // a finishing call wakes the scheduler
  }
  auto claimed = journal_.claim(d.settings.name, static_cast<int>(room), now, lease_ms(d.settings));
  if (!claimed.is_ok()) {
    log::error("cannot claim work",
               {{"destination", d.settings.name}, {"error", claimed.status().to_string()}});
    return idle;
  }
  for (model::WorkItem& item : *claimed) {
    {
      std::lock_guard lock(mutex_);
      ++d.in_flight;
      ++calls_in_flight_;
    }
    pool_.post([this, &d, item = std::move(item)]() mutable { deliver(d, std::move(item)); });
  }
  if (claimed->size() == room) return now;  // there may be more waiting
  auto due = journal_.next_due_ms(d.settings.name);
  return due.is_ok() && *due ? std::max(now, std::min(idle, **due)) : idle;
}

void Dispatcher::deliver(Destination& d, model::WorkItem item) {
  for (;;) {
    std::optional<model::WorkItem> next = attempt(d, item);
    if (!next) break;
    item = std::move(*next);
  }
  {
    std::lock_guard lock(mutex_);
    --d.in_flight;
  }
  scheduling_.wake();  // room for another call
  // Last: once the count is zero, stop() may return and the dispatcher go away.
  std::lock_guard lock(mutex_);
  --calls_in_flight_;
  calls_ended_.notify_all();
}

std::optional<model::WorkItem> Dispatcher::attempt(Destination& d, const model::WorkItem& item) {
  DeliveryResult result;
  try {
    result = d.connector->deliver(item);
  } catch (const std::exception& e) {
    result = DeliveryResult::retry(std::string("connector failed: ") + e.what());
  }
  journal::AttemptRecord record = judge(d, item, result);
  // A failing counterpart is the scheduler's to pace; a delivered item makes room for the next.
  int next = 0;
  const int64_t now = clock_.now_ms();
  if (record.verdict == journal::AttemptRecord::Verdict::kDelivered) {
    std::lock_guard lock(mutex_);
    // This worker's slot is counted in in_flight already: it needs room for itself only.
    if (running_ && d.breaker->admissible(now, d.in_flight - 1, d.settings.concurrency) > 0) {
      next = 1;
    }
  }
  auto claimed =
      journal_.settle_and_claim(item.id, item.leaseToken, record, next, now, lease_ms(d.settings));
  if (!claimed.is_ok()) {
    // The item stays in flight; its lease makes it claimable again.
    log::error("cannot settle work item",
               {{"work_item", std::to_string(item.id)}, {"error", claimed.status().to_string()}});
    return std::nullopt;
  }
  if (bounds_ != nullptr && record.verdict != journal::AttemptRecord::Verdict::kRetry) {
    bounds_->settled(d.settings.name);
  }
  if (claimed->empty()) return std::nullopt;
  return std::move(claimed->front());
}

journal::AttemptRecord Dispatcher::judge(Destination& d, const model::WorkItem& item,
                                         const DeliveryResult& result) {
  const int64_t now = clock_.now_ms();
  journal::AttemptRecord record;
  record.request_sha256 = result.request_sha256;
  record.response_sha256 = result.response_sha256;
  record.detail = result.detail;
  record.counterpart_ref = result.counterpart_ref;
  std::string outcome;
  switch (result.kind) {
    case DeliveryResult::Kind::kDelivered:
      d.breaker->on_success();
      record.verdict = journal::AttemptRecord::Verdict::kDelivered;
      outcome = "delivered";
      break;
    case DeliveryResult::Kind::kReject:
      d.breaker->on_success();  // the counterpart is up; it refused this one item
      record.verdict = journal::AttemptRecord::Verdict::kPark;
      record.error = "refused: " + result.detail;
      outcome = "parked";
      break;
    case DeliveryResult::Kind::kRetry:
      d.breaker->on_failure(now);
      if (static_cast<uint32_t>(item.attempts) >= d.settings.retry.max_attempts) {
        record.verdict = journal::AttemptRecord::Verdict::kPark;
        record.error =
            "gave up after " + std::to_string(item.attempts) + " attempts: " + result.detail;
        outcome = "parked";
      } else {
        std::chrono::milliseconds delay;
        {
          std::lock_guard lock(mutex_);
          delay = backoff(item.attempts, d.settings.retry, result.retry_after, random_);
        }
        record.verdict = journal::AttemptRecord::Verdict::kRetry;
        record.next_attempt_ms = now + delay.count();
        record.error = result.detail;
        outcome = "retry";
        metrics_.increment("portier_dispatch_retries_total", {{"destination", d.settings.name}});
      }
      break;
  }
  metrics_.increment("portier_dispatch_attempts_total",
                     {{"destination", d.settings.name}, {"outcome", outcome}});
  auto level = outcome == "delivered" ? log::Level::kInfo : log::Level::kWarn;
  log::write(level, "delivery attempt",
             {{"destination", d.settings.name},
              {"work_item", std::to_string(item.id)},
              {"business_process_id", item.businessProcessId},
              {"correlation_id", item.correlationId},
              {"attempt", std::to_string(item.attempts)},
              {"outcome", outcome},
              {"detail", result.detail}});
  return record;
}

void Dispatcher::refresh_depth_gauges() {
  auto rows = journal_.depth();
  if (!rows.is_ok()) return;
  metrics_.clear_gauge("portier_journal_depth");
  metrics_.clear_gauge("portier_parked_items");
  std::map<std::string, int64_t> backlog;  // pending and in flight: what is yet to be delivered
  for (const auto& [name, d] : destinations_) {
    metrics_.set_gauge("portier_parked_items", {{"destination", name}}, 0);
    backlog[name] = 0;
  }
  for (const journal::DepthRow& row : *rows) {
    if (row.state == journal::ItemState::kPending || row.state == journal::ItemState::kInFlight) {
      backlog[row.destination] += row.count;
    }
    metrics_.set_gauge("portier_journal_depth",
                       {{"destination", row.destination}, {"state", journal::to_string(row.state)}},
                       static_cast<double>(row.count));
    if (row.state == journal::ItemState::kParked) {
      metrics_.set_gauge("portier_parked_items", {{"destination", row.destination}},
                         static_cast<double>(row.count));
    }
  }
  if (bounds_ != nullptr) {
    for (const auto& [name, count] : backlog) bounds_->observe(name, count);
  }
}

}  // namespace portier::dispatch
