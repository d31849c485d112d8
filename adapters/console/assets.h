#pragma once
// The console's static files (assets/), embedded at build time: the page, its script modules,
// the strings of every language, the style sheet. Immutable; any thread.
#include <string_view>

namespace portier::console {

struct Asset {
  std::string_view bytes;
  const char* content_type;
};

// The file `name` below /console/ ("index.html", "app.js", ...), or null.
const Asset* find_asset(std::string_view name);

}  // namespace portier::console
