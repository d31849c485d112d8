// portierctl check: configuration files, mapping files and folders of mapping files. A file is
// a mapping if its root element says so (mapping::is_mapping_file); mapping files given
// together are checked as one set, so that names, subjects, users and services are unique
// across them, as in the daemon's folder.
#include <cstdio>
#include <filesystem>
#include <set>

#include "core/app/commands.h"
#include "core/config/config.h"
#include "core/mapping/loader.h"

namespace portier::app {
namespace {

// Prints every problem on stderr and "NAME: ok" for each name without one; true if none.
bool report(const std::vector<std::string>& names, const std::vector<config::Problem>& problems) {
  std::set<std::string> with_problems;
  for (const auto& p : problems) {
    std::fprintf(stderr, "%s\n", p.to_string().c_str());
    with_problems.insert(p.file);
  }
  for (const std::string& name : names) {
    if (!with_problems.contains(name)) std::printf("%s: ok\n", name.c_str());
  }
  return problems.empty();
}

}  // namespace

int check_command(const Args& files) {
  if (files.empty()) {
    std::fputs("usage: portierctl check FILE|FOLDER...\n", stderr);
    return 2;
  }
  int exit_code = 0;
  std::vector<std::string> mapping_files;
  for (const std::string& file : files) {
    std::error_code ignored;
    if (std::filesystem::is_directory(file, ignored)) {
      // A folder of mapping files, as portierd reads it.
      auto loaded = mapping::load_folder(file);
      if (loaded.set) {
        std::printf("%s: ok (%zu mappings)\n", file.c_str(), loaded.set->all().size());
      } else {
        for (const auto& p : loaded.problems) std::fprintf(stderr, "%s\n", p.to_string().c_str());
        exit_code = 2;
      }
      continue;
    }
    if (mapping::is_mapping_file(file)) {
      mapping_files.push_back(file);
      continue;
    }
    auto loaded = config::load(file);
    if (!report({file}, loaded.problems)) exit_code = 2;
  }
  if (!mapping_files.empty() &&
      !report(mapping_files, mapping::load_files(mapping_files).problems)) {
    exit_code = 2;
  }
  return exit_code;
}

}  // namespace portier::app
