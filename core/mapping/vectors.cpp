#include "core/mapping/vectors.h"

#include "core/mapping/form_fields.h"

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/mapping/apply.h"

namespace portier::mapping {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr std::string_view kInputSuffix = ".input.json";
constexpr std::string_view kExpectedSuffix = ".expected.json";
constexpr size_t kMaxVectorBytes = 1 << 20;

const char* portal_status_name(model::CaseStatus::type status) {
  switch (status) {
    case model::CaseStatus::OPEN:
      return "OPEN";
    case model::CaseStatus::IN_PROGRESS:
      return "IN_PROGRESS";
    case model::CaseStatus::WAITING_FOR_CUSTOMER:
      return "WAITING_FOR_CUSTOMER";
    case model::CaseStatus::DECIDED:
      return "DECIDED";
    case model::CaseStatus::CLOSED:
      return "CLOSED";
    case model::CaseStatus::CANCELLED:
      return "CANCELLED";
  }
  return "UNKNOWN";
}

// The JSON in `path`, or an error message.
bool read_json(const fs::path& path, json::value& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + path.filename().string();
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > kMaxVectorBytes) {
    error = path.filename().string() + " is larger than 1 MiB";
    return false;
  }
  boost::system::error_code parse_error;
  out = json::parse(text.str(), parse_error);
  if (parse_error) {
    error = path.filename().string() + " is not JSON: " + parse_error.message();
    return false;
  }
  if (!out.is_object()) {
    error = path.filename().string() + " must hold a JSON object";
    return false;
  }
  return true;
}

// A string field of the input; sets `error` if it is missing or not a string.
std::string string_field(const json::object& input, std::string_view key, std::string& error) {
  const json::value* value = input.if_contains(key);
  if (value == nullptr || !value->is_string()) {
    if (error.empty()) error = "input: \"" + std::string(key) + "\" must be a string";
    return {};
  }
  return std::string(value->as_string());
}

json::object error_object(const Status& status) {
  return {{"error", to_string(status.code())}, {"message", status.message()}};
}

// Runs the function the input names; `error` is set if the input itself is wrong.
json::object evaluate(const DepartmentMapping& mapping, const json::object& input,
                      std::string& error) {
  const json::value* function = input.if_contains("function");
  if (function == nullptr || !function->is_string()) {
    error = "input: \"function\" must be one of status, documentName, isPersonal, asciiName, "
            "formFields";
    return {};
  }
  const std::string_view name = function->as_string();
  if (name == "status") {
    const std::string code = string_field(input, "departmentStatusCode", error);
    std::optional<std::string> text;
    if (const json::value* given = input.if_contains("statusText");
        given != nullptr && !given->is_null()) {
      if (!given->is_string()) {
        error = "input: \"statusText\" must be a string or null";
      } else {
        text = std::string(given->as_string());
      }
    }
    if (!error.empty()) return {};
    auto mapped = map_status(mapping, code, text);
    if (!mapped.is_ok()) return error_object(mapped.status());
    json::object result{{"status", portal_status_name(mapped->status)}, {"statusText", nullptr}};
    if (mapped->status_text) result["statusText"] = *mapped->status_text;
    return result;
  }
  if (name == "documentName") {
    const std::string kind = string_field(input, "kind", error);
    const std::string date = string_field(input, "date", error);
    std::string title;
    if (input.contains("title")) title = string_field(input, "title", error);
    if (!error.empty()) return {};
    auto named = name_document(mapping, kind, date, title);
    if (!named.is_ok()) return error_object(named.status());
    return {{"fileName", named->file_name}, {"title", named->title}};
  }
  if (name == "isPersonal") {
    const std::string field = string_field(input, "field", error);
    if (!error.empty()) return {};
    return {{"personal", is_personal(mapping, field)}};
  }
  if (name == "asciiName") {
    const std::string text = string_field(input, "text", error);
    if (!error.empty()) return {};
    return {{"asciiName", ascii_name(text)}};
  }
  if (name == "formFields") {
    const std::string form_id = string_field(input, "formId", error);
    const std::string form_data = string_field(input, "formData", error);
    if (!error.empty()) return {};
    const FormRule* rule = mapping.forms ? mapping.forms->rule(form_id) : nullptr;
    if (rule == nullptr) {
      return error_object(invalid_argument("formId '" + form_id + "': not a form of " +
                                           mapping.name));
    }
    auto fields = map_form_fields(*mapping.forms, *rule, form_data);
    if (!fields.is_ok()) return error_object(fields.status());
    json::object out;
    for (const auto& [field, value] : *fields) out[field] = value;
    return {{"fields", out}};
  }
  error = "input: unknown function \"" + std::string(name) +
          "\"; expected status, documentName, isPersonal, asciiName or formFields";
  return {};
}

// What differs between the expected and the actual result; "" if they match.
std::string compare(const json::object& expected, const json::object& actual) {
  std::string differences;
  const auto add = [&](const std::string& line) {
    differences += (differences.empty() ? "" : "; ") + line;
  };
  if (const json::value* code = expected.if_contains("error")) {
    const json::value* got = actual.if_contains("error");
    if (got == nullptr) {
      return "expected error " + json::serialize(*code) + ", got " + json::serialize(actual);
    }
    if (*got != *code) {
      add("error: expected " + json::serialize(*code) + ", got " + json::serialize(*got));
    }
    const std::string message(actual.at("message").as_string());
    for (const auto& [key, value] : expected) {
      if (key == "error") continue;
      if (key == "messageContains" && value.is_string()) {
        if (message.find(std::string(value.as_string())) == std::string::npos) {
          add("message: expected to contain " + json::serialize(value) + ", got " +
              json::serialize(json::value(message)));
        }
      } else if (key == "message") {
        if (value != actual.at("message")) {
          add("message: expected " + json::serialize(value) + ", got " +
              json::serialize(actual.at("message")));
        }
      } else {
        add(std::string(key) +
            ": not a key of an expected error (error, message, messageContains)");
      }
    }
    return differences;
  }
  if (actual.contains("error")) {
    return "expected " + json::serialize(expected) + ", got error " +
           json::serialize(actual.at("error")) + ": " +
           std::string(actual.at("message").as_string());
  }
  for (const auto& [key, value] : expected) {
    const json::value* got = actual.if_contains(key);
    if (got == nullptr) {
      add(std::string(key) + ": expected " + json::serialize(value) + ", got nothing");
    } else if (*got != value) {
      add(std::string(key) + ": expected " + json::serialize(value) + ", got " +
          json::serialize(*got));
    }
  }
  for (const auto& [key, value] : actual) {
    if (!expected.contains(key)) {
      add(std::string(key) + ": not expected, got " + json::serialize(value));
    }
  }
  return differences;
}

VectorResult run_one(const DepartmentMapping& mapping, const fs::path& folder,
                     const std::string& name) {
  VectorResult result;
  result.name = name;
  json::value input;
  json::value expected;
  std::string error;
  if (!read_json(folder / (name + std::string(kInputSuffix)), input, error) ||
      !read_json(folder / (name + std::string(kExpectedSuffix)), expected, error)) {
    result.message = error;
    return result;
  }
  json::object actual = evaluate(mapping, input.as_object(), error);
  if (!error.empty()) {
    result.message = error;
    return result;
  }
  result.actual = json::serialize(actual);
  result.message = compare(expected.as_object(), actual);
  result.passed = result.message.empty();
  return result;
}

}  // namespace

size_t VectorReport::failed() const {
  return static_cast<size_t>(std::count_if(vectors.begin(), vectors.end(),
                                           [](const VectorResult& v) { return !v.passed; }));
}

bool VectorReport::passed() const { return problems.empty() && !vectors.empty() && failed() == 0; }

VectorReport run_vectors(const DepartmentMapping& mapping, const std::string& vectors_folder) {
  VectorReport report;
  report.folder = vectors_folder;
  std::error_code error;
  if (!fs::is_directory(vectors_folder, error)) {
    report.problems.push_back("no test vectors: " + vectors_folder + " is not a folder");
    return report;
  }
  std::set<std::string> inputs;
  std::set<std::string> expectations;
  for (const fs::directory_entry& entry : fs::directory_iterator(vectors_folder, error)) {
    const std::string file = entry.path().filename().string();
    if (file.ends_with(kInputSuffix)) {
      inputs.insert(file.substr(0, file.size() - kInputSuffix.size()));
    } else if (file.ends_with(kExpectedSuffix)) {
      expectations.insert(file.substr(0, file.size() - kExpectedSuffix.size()));
    } else if (file.ends_with(".json")) {
      report.problems.push_back(file + ": a vector is NAME" + std::string(kInputSuffix) +
                                " with NAME" + std::string(kExpectedSuffix));
    }
  }
  if (error) {
    report.problems.push_back("cannot list " + vectors_folder + ": " + error.message());
    return report;
  }
  for (const std::string& name : expectations) {
    if (!inputs.contains(name)) {
      report.problems.push_back(name + std::string(kExpectedSuffix) + " has no " + name +
                                std::string(kInputSuffix));
    }
  }
  for (const std::string& name : inputs) {
    if (!expectations.contains(name)) {
      VectorResult missing;
      missing.name = name;
      missing.message = "no " + name + std::string(kExpectedSuffix) + " beside the input";
      report.vectors.push_back(std::move(missing));
      continue;
    }
    report.vectors.push_back(run_one(mapping, vectors_folder, name));
  }
  if (inputs.empty() && expectations.empty()) {
    report.problems.push_back("no test vectors in " + vectors_folder);
  }
  return report;
}

std::string vectors_folder_of(const DepartmentMapping& mapping) {
  return (fs::path(mapping.source_file).parent_path() / "tests" / mapping.name).string();
}

}  // namespace portier::mapping
