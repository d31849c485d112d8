#pragma once
// The hash chain over evidence records: each record's hash covers its fields and the previous
// record's hash, so changing or removing any record breaks every hash after it. Pure functions.
#include <string>
#include <vector>

#include "core/evidence/record.h"

namespace portier::evidence {

// SHA-256 (hex) over every field but `hash`, each length-prefixed so fields cannot run together.
std::string chain_hash(const Record& record);

struct Verdict {
  bool intact = true;
  int64_t records = 0;
  std::vector<std::string> problems;  // "seq 17: hash does not match its content", ...
};

// Checks the whole chain, in seq order, against the highest sequence ever handed out.
Verdict verify(const std::vector<Record>& chain, int64_t high_water);

// One case's records as a JSON document (pretty enough for people, stable for tools).
std::string export_json(const std::string& business_process_id, const std::vector<Record>& records);

}  // namespace portier::evidence
