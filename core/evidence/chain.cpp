#include "core/evidence/chain.h"

#include <boost/json.hpp>

#include "core/base/clock.h"
#include "core/base/digest.h"

namespace portier::evidence {
namespace {

void append_field(std::string& out, const std::string& value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
}

}  // namespace

std::string chain_hash(const Record& r) {
  std::string text;
  for (const std::string& field :
       {std::to_string(r.seq), r.business_process_id, std::to_string(r.at_ms), r.hop, r.operation,
        r.department, r.destination, std::to_string(r.work_item_id), r.request_sha256,
        r.response_sha256, r.detail, r.prev_hash}) {
    append_field(text, field);
  }
  return sha256_hex(text);
}

Verdict verify(const std::vector<Record>& chain, int64_t high_water) {
  Verdict v;
  std::string prev;
  int64_t expected_seq = 1;
  for (const Record& r : chain) {
    ++v.records;
    if (r.seq != expected_seq) {
      v.problems.push_back("seq " + std::to_string(expected_seq) +
                           (r.seq > expected_seq ? "-" + std::to_string(r.seq - 1) : "") +
                           ": record missing");
    }
    if (r.prev_hash != prev) {
      v.problems.push_back("seq " + std::to_string(r.seq) +
                           ": does not follow the record before it (previous hash differs)");
    }
    if (chain_hash(r) != r.hash) {
      v.problems.push_back("seq " + std::to_string(r.seq) + ": hash does not match its content");
    }
    prev = r.hash;
    expected_seq = r.seq + 1;
  }
  if (expected_seq - 1 < high_water) {
    v.problems.push_back("seq " + std::to_string(expected_seq) + "-" + std::to_string(high_water) +
                         ": records at the end missing");
  }
  v.intact = v.problems.empty();
  return v;
}

std::string export_json(const std::string& bpid, const std::vector<Record>& records) {
  boost::json::array hops;
  for (const Record& r : records) {
    boost::json::object o;
    o["seq"] = r.seq;
    o["at"] = format_utc(r.at_ms);
    o["hop"] = r.hop;
    o["operation"] = r.operation;
    o["department"] = r.department;
    if (!r.destination.empty()) o["destination"] = r.destination;
    if (r.work_item_id != 0) o["workItemId"] = r.work_item_id;
    if (!r.request_sha256.empty()) o["requestSha256"] = r.request_sha256;
    if (!r.response_sha256.empty()) o["responseSha256"] = r.response_sha256;
    if (!r.detail.empty()) o["detail"] = r.detail;
    o["hash"] = r.hash;
    hops.push_back(std::move(o));
  }
  boost::json::object doc;
  doc["businessProcessId"] = bpid;
  doc["records"] = std::move(hops);
  return boost::json::serialize(doc);
}

}  // namespace portier::evidence
