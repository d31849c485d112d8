#include "core/documents/active_content.h"

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <boost/json/basic_parser_impl.hpp>
#include <utility>

#include "core/documents/qpdf_child.h"

namespace portier::documents {
namespace {

namespace json = boost::json;
using json::error_code;
using json::string_view;

constexpr std::array<std::pair<ActiveContent, const char*>, 8> kNames{{
    {ActiveContent::kJavaScript, "javascript"},
    {ActiveContent::kLaunch, "launch"},
    {ActiveContent::kEmbeddedFile, "embeddedFile"},
    {ActiveContent::kRichMedia, "richMedia"},
    {ActiveContent::kXfa, "xfa"},
    {ActiveContent::kSubmitForm, "submitForm"},
    {ActiveContent::kImportData, "importData"},
    {ActiveContent::kRemoteGoTo, "remoteGoTo"},
}};

// A dictionary key that is active content wherever it appears.
std::optional<ActiveContent> by_key(std::string_view key) {
  if (key == "/JS" || key == "/JavaScript") return ActiveContent::kJavaScript;
  if (key == "/EmbeddedFiles" || key == "/EF") return ActiveContent::kEmbeddedFile;
  if (key == "/RichMediaContent" || key == "/RichMediaSettings") return ActiveContent::kRichMedia;
  if (key == "/XFA") return ActiveContent::kXfa;
  return std::nullopt;
}

// A name that is active content as the value of /S (action type), /Type or /Subtype.
std::optional<ActiveContent> by_value(std::string_view key, std::string_view name) {
  if (key == "/S") {
    if (name == "/JavaScript") return ActiveContent::kJavaScript;
    if (name == "/Launch") return ActiveContent::kLaunch;
    if (name == "/SubmitForm") return ActiveContent::kSubmitForm;
    if (name == "/ImportData") return ActiveContent::kImportData;
    if (name == "/GoToR" || name == "/GoToE") return ActiveContent::kRemoteGoTo;
  }
  if (key == "/Type" && name == "/EmbeddedFile") return ActiveContent::kEmbeddedFile;
  if (key == "/Subtype") {
    if (name == "/FileAttachment") return ActiveContent::kEmbeddedFile;
    if (name == "/RichMedia") return ActiveContent::kRichMedia;
  }
  return std::nullopt;
}

// Events of qpdf's JSON, as Boost.JSON's streaming parser gives them. Object keys of the form
// "obj:4 0 R" name the PDF object that follows; PDF dictionary keys are names ("/JS"). Only
// keys and the short names after /S, /Type and /Subtype are kept, never whole values.
class Scanner {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  std::vector<ActiveContentFound> found;

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_array_begin(error_code&) { return value_begins(); }
  bool on_array_end(std::size_t, error_code&) { return true; }
  bool on_object_begin(error_code&) { return value_begins(); }
  bool on_object_end(std::size_t, error_code&) { return true; }
  bool on_string_part(string_view s, std::size_t, error_code&) { return keep(value_, s); }
  bool on_string(string_view s, std::size_t, error_code&) {
    keep(value_, s);
    if (auto kind = by_value(key_, value_)) note(*kind);
    value_.clear();
    key_.clear();
    return true;
  }
  bool on_key_part(string_view s, std::size_t, error_code&) { return keep(key_, s); }
  bool on_key(string_view s, std::size_t, error_code&) {
    keep(key_, s);
    if (key_.starts_with("obj:") && key_.ends_with(" R")) {
      object_ = "object " + key_.substr(4, key_.size() - 6);
    } else if (key_ == "trailer") {
      object_ = "trailer";
    } else if (auto kind = by_key(key_)) {
      note(*kind);
    }
    return true;
  }
  bool on_number_part(string_view, error_code&) { return true; }
  bool on_int64(int64_t, string_view, error_code&) { return value_begins(); }
  bool on_uint64(uint64_t, string_view, error_code&) { return value_begins(); }
  bool on_double(double, string_view, error_code&) { return value_begins(); }
  bool on_bool(bool, error_code&) { return value_begins(); }
  bool on_null(error_code&) { return value_begins(); }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }

 private:
  static constexpr std::size_t kKept = 64;  // longer keys and names are none of ours

  // Only a string value directly after a key is compared with that key.
  bool value_begins() {
    key_.clear();
    return true;
  }
  static bool keep(std::string& into, string_view part) {
    if (into.size() < kKept) into.append(part.data(), std::min(part.size(), kKept - into.size()));
    return true;
  }
  void note(ActiveContent kind) {
    ActiveContentFound f{kind, object_.empty() ? "document" : object_};
    if (std::find(found.begin(), found.end(), f) == found.end()) found.push_back(std::move(f));
  }

  std::string key_;
  std::string value_;
  std::string object_;
};

}  // namespace

const char* to_string(ActiveContent kind) {
  for (const auto& [k, name] : kNames) {
    if (k == kind) return name;
  }
  return "";
}

std::optional<ActiveContent> parse_active_content(std::string_view name) {
  for (const auto& [k, n] : kNames) {
    if (name == n) return k;
  }
  return std::nullopt;
}

const std::vector<ActiveContent>& all_active_content() {
  static const std::vector<ActiveContent> all = [] {
    std::vector<ActiveContent> v;
    for (const auto& entry : kNames) v.push_back(entry.first);
    return v;
  }();
  return all;
}

Result<std::vector<ActiveContentFound>> find_active_content(const std::string& path,
                                                            const PdfLimits& limits) {
  json::parse_options options;
  options.max_depth = 1000;  // PDF objects nest; qpdf itself refuses deeper than 500
  json::basic_parser<Scanner> parser(options);
  error_code parse_error;
  auto run =
      run_qpdf({"--json=2", "--json-key=qpdf", "--decode-level=none", "--json-stream-data=none"},
               path, limits, QpdfStderr::kDiscarded, [&](std::string_view chunk) {
                 parser.write_some(true, chunk.data(), chunk.size(), parse_error);
                 return !parse_error;
               });
  if (!run.is_ok()) return run.status();
  const std::string too_complex = "too complex to check for active content: qpdf --json ";
  if (parse_error) {
    return invalid_argument(too_complex + "gave output that cannot be read (" +
                            parse_error.message() + ")");
  }
  if (auto exceeded = limit_exceeded(*run, limits))
    return invalid_argument(too_complex + *exceeded);
  const int status = run->wait_status;
  // 0, or 3 for warnings: the objects are listed either way.
  if (!WIFEXITED(status) || (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 3)) {
    return invalid_argument(too_complex + "failed" +
                            (WIFEXITED(status)
                                 ? " with exit code " + std::to_string(WEXITSTATUS(status))
                                 : std::string(" (signal)")));
  }
  parser.write_some(false, nullptr, 0, parse_error);
  if (parse_error) {
    return invalid_argument(too_complex + "gave output that cannot be read (" +
                            parse_error.message() + ")");
  }
  return std::move(parser.handler().found);
}

Status refuse_active_content(const std::vector<ActiveContentFound>& found,
                             const std::set<ActiveContent>& allowed) {
  std::string listed;
  for (const ActiveContentFound& f : found) {
    if (allowed.contains(f.kind)) continue;
    listed += (listed.empty() ? "" : ", ") + std::string(to_string(f.kind)) + " (" + f.object + ")";
  }
  if (listed.empty()) return Status::ok();
  return invalid_argument("active content: " + listed +
                          "; documents that reach citizens carry none unless the department's "
                          "mapping allows that kind (allowActiveContent)");
}

}  // namespace portier::documents
