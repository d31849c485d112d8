// portierctl mapping test FILE...: loads each mapping file on its own and runs the test vectors
// in tests/<name>/ beside it (mapping::vectors_folder_of). Exit 0 if every vector of every file
// passed, 1 if a vector failed or a file has no vectors, 2 on usage errors or invalid mapping
// files.
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "core/app/commands.h"
#include "core/mapping/loader.h"
#include "core/mapping/vectors.h"

namespace portier::app {
namespace {

constexpr char kUsage[] = "usage: portierctl mapping test FILE...\n";

int test_one(const std::string& file) {
  auto loaded = mapping::load_files({file});
  if (!loaded.set) {
    for (const auto& p : loaded.problems) std::fprintf(stderr, "%s\n", p.to_string().c_str());
    std::printf("%s: FAILED (the mapping has problems)\n", file.c_str());
    return 2;
  }
  const mapping::DepartmentMapping& department = loaded.set->all().front();
  // Beside the file as it was named, so that the output shows the path the user gave.
  const std::string folder =
      (std::filesystem::path(file).parent_path() / "tests" / department.name).string();
  std::printf("%s: mapping %s, vectors in %s\n", file.c_str(), department.name.c_str(),
              folder.c_str());
  const mapping::VectorReport report = mapping::run_vectors(department, folder);
  for (const mapping::VectorResult& vector : report.vectors) {
    if (vector.passed) {
      std::printf("  ok    %s\n", vector.name.c_str());
    } else {
      std::printf("  FAIL  %s: %s\n", vector.name.c_str(), vector.message.c_str());
    }
  }
  for (const std::string& problem : report.problems) std::printf("  FAIL  %s\n", problem.c_str());
  const size_t total = report.vectors.size();
  std::printf("%s: %zu of %zu vectors passed%s\n", file.c_str(), total - report.failed(), total,
              report.passed() ? "" : " - FAILED");
  return report.passed() ? 0 : 1;
}

}  // namespace

int mapping_command(const std::string& verb, const Args& args) {
  if (verb != "test" || args.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  int exit_code = 0;
  for (const std::string& file : args) exit_code = std::max(exit_code, test_one(file));
  return exit_code;
}

}  // namespace portier::app
