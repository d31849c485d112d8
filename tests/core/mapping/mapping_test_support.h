#pragma once
// Helpers for the mapping tests: the secrets the example mappings need, a minimal valid
// mapping file to vary, and the line of a text.
#include <stdlib.h>

#include <algorithm>
#include <string>

#include "core/mapping/loader.h"
#include "tests/core/config/config_test_support.h"

namespace portier::mapping::testing {

using config::testing::read_file;
using config::testing::source_dir;
using config::testing::TempFolder;

inline void set_example_secrets() {
  ::setenv("PORTIER_STEUERAMT_SECRET", "steueramt-s3cr3t", 1);
  ::setenv("PORTIER_BETREIBUNGSAMT_SECRET", "betreibungsamt-s3cr3t", 1);
  ::setenv("PORTIER_TEST_MAPPING_SECRET", "mapping-s3cr3t", 1);
}

// A valid mapping named `name` with the given certificate CN and serviceId.
inline std::string minimal_mapping(const std::string& name, const std::string& cn, int service,
                                   const std::string& display_name = "Test") {
  return "<?xml version=\"1.0\"?>\n"
         "<mapping xmlns=\"urn:portier:mapping:1\" name=\"" +
         name + "\" displayName=\"" + display_name +
         "\">\n"
         "  <authentication>\n"
         "    <clientCertificate subject=\"CN=" +
         cn +
         ",O=Kanton Solothurn,C=CH\"/>\n"
         "  </authentication>\n"
         "  <services><service id=\"" +
         std::to_string(service) +
         "\"/></services>\n"
         "  <statusTable><status code=\"DONE\" portal=\"CLOSED\"/></statusTable>\n"
         "</mapping>\n";
}

// The 1-based line of the first line of `text` that contains `needle`, 0 if none.
inline int line_containing(const std::string& text, const std::string& needle) {
  size_t at = text.find(needle);
  if (at == std::string::npos) return 0;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
}

inline std::string all_problems(const LoadResult& result) {
  std::string text;
  for (const config::Problem& p : result.problems) text += p.to_string() + "\n";
  return text;
}

}  // namespace portier::mapping::testing
