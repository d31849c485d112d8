#include "core/app/back_pressure.h"

namespace portier::app {

void apply_back_pressure(const config::Config& config, journal::BacklogBounds& bounds,
                         journal::sql::SqlJournal& journal, metrics::Registry& metrics) {
  for (const auto& [name, destination] : config.destinations) {
    bounds.set_bound(name, destination.max_backlog,
                     std::chrono::ceil<std::chrono::seconds>(destination.backlog_retry_after));
  }
  journal.apply_back_pressure(&bounds, config.journal.write_queue_max);

  metrics.describe("portier_destination_backlog", "gauge",
                   "Undelivered work items (pending and in flight) by destination");
  metrics.describe("portier_destination_backlog_bound", "gauge",
                   "Backlog at which intakes for the destination are refused (0: none)");
  metrics.describe("portier_backpressure_refusals_total", "counter",
                   "Intakes refused by back-pressure, by reason and destination");
  metrics.describe("portier_journal_write_queue", "gauge",
                   "Writes waiting for the journal's writer");
  metrics.describe("portier_journal_write_queue_max", "gauge",
                   "Writes waiting at which intakes are refused");
  metrics.on_render([&bounds, &journal](metrics::Registry& m) {
    for (const auto& [name, reading] : bounds.readings()) {
      m.set_gauge("portier_destination_backlog", {{"destination", name}},
                  static_cast<double>(reading.backlog));
      m.set_gauge("portier_destination_backlog_bound", {{"destination", name}},
                  static_cast<double>(reading.bound));
      m.set_gauge("portier_backpressure_refusals_total",
                  {{"reason", "backlog"}, {"destination", name}},
                  static_cast<double>(reading.refused));
    }
    const journal::sql::SqlJournal::WriteQueue queue = journal.write_queue();
    m.set_gauge("portier_backpressure_refusals_total", {{"reason", "write_queue"}},
                static_cast<double>(queue.refused));
    m.set_gauge("portier_journal_write_queue", {}, static_cast<double>(queue.queued));
    m.set_gauge("portier_journal_write_queue_max", {}, static_cast<double>(queue.max));
  });
}

}  // namespace portier::app
