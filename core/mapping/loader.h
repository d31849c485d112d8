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

inline constexpr char kNamespace[] = "urn:portier:mapping:1";

struct LoadResult {
  std::shared_ptr<const MappingSet> set;     // null if there is any problem
  std::vector<config::Problem> problems;
};

// Every *.xml file directly in `folder` (sorted by name; subfolders such as tests/ are not
// read). An empty folder is a valid, empty set; a missing one is a problem.
LoadResult load_folder(const std::string& folder);
// The given files as one set (names, subjects, users and services unique across them).
// Problems name each file as given.
LoadResult load_files(const std::vector<std::string>& files);

// Whether `path` looks like a mapping file rather than a gateway configuration: its root
// element is in kNamespace, or is <mapping> without the configuration's namespace, or the file
// lies in a folder named "mappings". Reads at most the first 64 KiB; never fails.
bool is_mapping_file(const std::string& path);

}  // namespace portier::mapping
