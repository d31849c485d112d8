#pragma once
// Reads every mapping file of a folder (*.xml), validates each against the embedded
// mappings/mapping.xsd and then for meaning (unique names, subjects and users across files,
// secrets resolve, status codes unique, patterns well-formed), and returns either the whole
// set or every problem with file:line. Any thread.
#include <memory>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/mapping/mapping.h"

namespace portier::mapping {

struct LoadResult {
  std::shared_ptr<const MappingSet> set;     // null if there is any problem
  std::vector<config::Problem> problems;
};

LoadResult load_folder(const std::string& folder);
LoadResult load_files(const std::vector<std::string>& files);

}  // namespace portier::mapping
