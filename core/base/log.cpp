#include "core/base/log.h"

#include <atomic>
#include <boost/json.hpp>
#include <cstdio>
#include <mutex>

#include "core/base/clock.h"
#include "core/base/digest.h"

namespace portier::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};
std::mutex g_write_mutex;

const char* name(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

}  // namespace

Field personal(std::string key, std::string_view value) {
  return {std::move(key), "redacted:" + sha256_hex(value).substr(0, 8)};
}

void set_level(Level level) { g_level = level; }

bool parse_level(std::string_view text, Level& out) {
  for (Level l : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (text == name(l)) {
      out = l;
      return true;
    }
  }
  return false;
}

void write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (level < g_level.load()) return;
  boost::json::object line;
  line["ts"] = format_utc(SystemClock().now_ms());
  line["level"] = name(level);
  line["msg"] = message;
  for (const Field& f : fields) line[f.key] = f.value;
  std::string text = boost::json::serialize(line);
  text.push_back('\n');
  std::lock_guard lock(g_write_mutex);
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

}  // namespace portier::log
