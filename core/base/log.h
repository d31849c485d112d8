#pragma once
// Structured logs: one JSON object per line on stderr, with a correlation id and Business
// Process ID where there is one. Message bodies and secrets are never passed here; values that
// are personal data go through `personal()`, which logs a short digest instead of the value, so
// the same person can still be followed across lines. Thread-safe.
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace portier::log {

enum class Level { kDebug, kInfo, kWarn, kError };

struct Field {
  std::string key;
  std::string value;
};

// A field whose value is personal data: logged as "redacted:<8 hex digits of its SHA-256>".
Field personal(std::string key, std::string_view value);

void set_level(Level level);
bool parse_level(std::string_view text, Level& out);
void write(Level level, std::string_view message, std::initializer_list<Field> fields = {});

inline void debug(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::kDebug, m, f); }
inline void info(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::kInfo, m, f); }
inline void warn(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::kWarn, m, f); }
inline void error(std::string_view m, std::initializer_list<Field> f = {}) { write(Level::kError, m, f); }

}  // namespace portier::log
