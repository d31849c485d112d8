#pragma once
// Test vectors of a mapping: data-driven tests an integrator writes beside the mapping file,
// run by `portierctl mapping test` and by the unit tests. A vector is a pair of files in
// mappings/tests/<name>/: VECTOR.input.json, the input of one function of apply.h, and
// VECTOR.expected.json, its expected result:
//
//   {"function":"status","departmentStatusCode":"VERANLAGT","statusText":null}
//     -> {"status":"DECIDED","statusText":"Die Veranlagung ist erstellt"}
//   {"function":"documentName","kind":"K","date":"2026-11-29","title":"T"}
//     -> {"fileName":"...","title":"..."}
//   {"function":"isPersonal","field":"ownerId"}  -> {"personal":true}
//   {"function":"asciiName","text":"Müller AG"}  -> {"asciiName":"Mueller-AG"}
//   {"function":"formFields","formId":"F","formData":"<antrag .../>"}
//     -> {"fields":{"lastName":"Muster", ...}}
//   any function that fails -> {"error":"INVALID_ARGUMENT","messageContains":"documentKind"}
//     ("message" instead of "messageContains" compares the whole message)
//
// A result must equal the expected object exactly (no missing or extra keys). Any thread.
#include <string>
#include <vector>

#include "core/mapping/mapping.h"

namespace portier::mapping {

struct VectorResult {
  std::string name;  // the file name without .input.json
  bool passed = false;
  std::string actual;   // what the function returned, as JSON
  std::string message;  // why it failed: the differences, or what is wrong with the files
};

struct VectorReport {
  std::string folder;
  std::vector<VectorResult> vectors;  // sorted by name
  std::vector<std::string> problems;  // about the folder: missing, empty, stray files
  size_t failed() const;
  // Every vector passed, there was at least one, and the folder has no problems.
  bool passed() const;
};

// Runs every vector in `vectors_folder` against `mapping`.
VectorReport run_vectors(const DepartmentMapping& mapping, const std::string& vectors_folder);

// Where a mapping's vectors are: tests/<name>/ beside its file.
std::string vectors_folder_of(const DepartmentMapping& mapping);

}  // namespace portier::mapping
