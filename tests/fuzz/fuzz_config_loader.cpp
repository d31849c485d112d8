// The gateway configuration (core/config/config.h) and a mapping file (core/mapping/loader.h):
// XML validated by libxml2 against their XSDs, then read for meaning. Both loaders read files,
// so the input is written to one first; the first byte chooses the loader.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/config/config.h"
#include "core/mapping/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const std::filesystem::path folder = [] {
    auto made = std::filesystem::temp_directory_path() /
                ("portier-fuzz-loader-" + std::to_string(::getpid()));
    std::filesystem::create_directories(made);
    return made;
  }();
  const bool mapping = data[0] % 2 == 1;
  const std::filesystem::path file = folder / (mapping ? "department.xml" : "portier.xml");
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data) + 1, static_cast<std::streamsize>(size - 1));
  }
  if (mapping) {
    portier::mapping::load_files({file.string()});
  } else {
    portier::config::load(file.string());
  }
  return 0;
}
