#include "adapters/soap/mtom_package.h"

#include <gmime/gmime.h>
#include <strings.h>
#include <unistd.h>

#include <mutex>
#include <set>
#include <vector>

namespace portier::soap_adapter {
namespace {

struct Unref {
  void operator()(gpointer object) const {
    if (object) g_object_unref(object);
  }
};
template <typename T>
using GPointer = std::unique_ptr<T, Unref>;

void init_gmime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

bool same_text(const char* a, std::string_view b) {
  return a && std::string_view(a).size() == b.size() && strncasecmp(a, b.data(), b.size()) == 0;
}

// "<id>" (the start parameter) or "id" (GMime's Content-ID) as "id".
std::string bare_id(std::string_view id) {
  while (!id.empty() && (id.front() == ' ' || id.front() == '\t')) id.remove_prefix(1);
  while (!id.empty() && (id.back() == ' ' || id.back() == '\t')) id.remove_suffix(1);
  if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
  return std::string(id);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The Content-ID a "cid:" URL names (RFC 2392: the URL is %-encoded); nullopt if it is none.
std::optional<std::string> content_id_of(std::string_view href) {
  if (href.size() < 4 || strncasecmp(href.data(), "cid:", 4) != 0) return std::nullopt;
  std::string id;
  for (size_t i = 4; i < href.size(); ++i) {
    if (href[i] != '%') {
      id += href[i];
      continue;
    }
    if (i + 2 >= href.size() || hex_digit(href[i + 1]) < 0 || hex_digit(href[i + 2]) < 0) {
      return std::nullopt;
    }
    id += static_cast<char>(hex_digit(href[i + 1]) * 16 + hex_digit(href[i + 2]));
    i += 2;
  }
  if (id.empty()) return std::nullopt;
  return id;
}

// Issues GMime reports while parsing. Those it can only report (a truncated package, a part
// without headers, conflicting headers) change which parts it finds, so they refuse the package;
// cosmetic ones (a duplicated header with the same value, 8-bit header text) do not.
struct ParseIssues {
  std::string refusal;
  static void note(gint64 offset, GMimeParserWarning issue, const gchar* item, gpointer self) {
    auto& issues = *static_cast<ParseIssues*>(self);
    const char* what = nullptr;
    switch (issue) {
      case GMIME_WARN_DUPLICATED_HEADER:
      case GMIME_WARN_DUPLICATED_PARAMETER:
      case GMIME_WARN_UNENCODED_8BIT_HEADER:
      case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE:
      case GMIME_WARN_INVALID_ADDRESS_LIST:
        return;
      case GMIME_WARN_TRUNCATED_MESSAGE:
        what = "the package is truncated";
        break;
      case GMIME_WARN_MALFORMED_MULTIPART:
        what = "the multipart has no parts";
        break;
      case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
        what = "the multipart has no boundary";
        break;
      case GMIME_CRIT_NESTING_OVERFLOW:
        what = "parts are nested too deeply";
        break;
      case GMIME_CRIT_CONFLICTING_HEADER:
        what = "conflicting header";
        break;
      case GMIME_CRIT_CONFLICTING_PARAMETER:
        what = "conflicting header parameter";
        break;
      case GMIME_CRIT_INVALID_HEADER_NAME:
        what = "invalid header name";
        break;
      case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
        what = "a part without headers";
        break;
      case GMIME_WARN_PART_WITHOUT_CONTENT:
        what = "a part without content";
        break;
      case GMIME_WARN_INVALID_CONTENT_TYPE:
        what = "invalid Content-Type";
        break;
      case GMIME_WARN_INVALID_PARAMETER:
        what = "invalid header parameter";
        break;
      default:
        what = "malformed package";
        break;
    }
    if (!issues.refusal.empty()) return;
    issues.refusal = std::string("MTOM: ") + what;
    if (item && *item) issues.refusal += " (" + std::string(item).substr(0, 80) + ")";
    if (offset >= 0) issues.refusal += " at byte " + std::to_string(offset);
  }
};

// A GMime stream's bytes, decoded. GMime's bounded streams answer -1 rather than 0 at their
// end, so the end is asked first.
class DecodedBytes final : public ByteSource {
 public:
  explicit DecodedBytes(GPointer<GMimeStream> stream) : stream_(std::move(stream)) {}
  Result<size_t> read(char* out, size_t n) override {
    if (!stream_) return size_t{0};
    for (;;) {
      if (g_mime_stream_eos(stream_.get())) return size_t{0};
      ssize_t got = g_mime_stream_read(stream_.get(), out, n);
      if (got > 0) return static_cast<size_t>(got);
      if (g_mime_stream_eos(stream_.get())) return size_t{0};
      // A filter may take in a whole encoded line and give nothing yet.
      if (got < 0) return unavailable("MTOM: cannot read a part of the request");
    }
  }

 private:
  GPointer<GMimeStream> stream_;
};

}  // namespace

struct MtomPackage::Parts {
  std::shared_ptr<const http::SpooledBody> spooled;  // the file GMime's streams read
  GPointer<GMimeStream> body;
  GPointer<GMimeObject> package;
  std::vector<GMimePart*> parts;  // owned by `package`
  std::vector<std::string> content_ids;
  size_t root = 0;
};

bool MtomPackage::announced_by(std::string_view content_type) {
  constexpr std::string_view kRelated = "multipart/related";
  while (!content_type.empty() && content_type.front() == ' ') content_type.remove_prefix(1);
  return content_type.size() >= kRelated.size() &&
         strncasecmp(content_type.data(), kRelated.data(), kRelated.size()) == 0;
}

Result<std::unique_ptr<MtomPackage>> MtomPackage::read(const std::string& content_type,
                                                       std::string_view body) {
  init_gmime();
  auto parts = std::make_unique<Parts>();
  parts->body.reset(g_mime_stream_mem_new_with_buffer(body.data(), body.size()));
  return parse(content_type, std::move(parts));
}

Result<std::unique_ptr<MtomPackage>> MtomPackage::read(
    const std::string& content_type, std::shared_ptr<const http::SpooledBody> body) {
  init_gmime();
  auto fd = body->duplicate_descriptor();
  if (!fd.is_ok()) return fd.status();
  auto parts = std::make_unique<Parts>();
  parts->spooled = std::move(body);
  // The stream owns the descriptor and closes it. Its bounds are explicit: the duplicate shares
  // the file offset, which the writing left at the end.
  parts->body.reset(
      g_mime_stream_fs_new_with_bounds(*fd, 0, static_cast<gint64>(parts->spooled->size())));
  return parse(content_type, std::move(parts));
}

Result<std::unique_ptr<MtomPackage>> MtomPackage::parse(const std::string& content_type,
                                                        std::unique_ptr<Parts> parts) {
  if (content_type.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
    return invalid_argument("MTOM: invalid Content-Type");
  }
  std::unique_ptr<GMimeParserOptions, decltype(&g_mime_parser_options_free)> options(
      g_mime_parser_options_new(), g_mime_parser_options_free);
  ParseIssues issues;
  g_mime_parser_options_set_warning_callback(options.get(), &ParseIssues::note, &issues);

  GPointer<GMimeContentType> type(g_mime_content_type_parse(options.get(), content_type.c_str()));
  if (!type || !g_mime_content_type_is_type(type.get(), "multipart", "related") ||
      !same_text(g_mime_content_type_get_parameter(type.get(), "type"), "application/xop+xml")) {
    return invalid_argument(
        "MTOM: the Content-Type must be multipart/related; type=\"application/xop+xml\"");
  }
  // The package's headers are HTTP's: GMime reads them from a stream in front of the body.
  const std::string head = "Content-Type: " + content_type + "\r\n\r\n";
  GPointer<GMimeStream> whole(g_mime_stream_cat_new());
  GPointer<GMimeStream> head_stream(g_mime_stream_mem_new_with_buffer(head.data(), head.size()));
  g_mime_stream_cat_add_source(GMIME_STREAM_CAT(whole.get()), head_stream.get());
  g_mime_stream_cat_add_source(GMIME_STREAM_CAT(whole.get()), parts->body.get());
  GPointer<GMimeParser> parser(g_mime_parser_new_with_stream(whole.get()));
  // Parts stay byte ranges of the body (a file for a spooled body) instead of copies.
  g_mime_parser_set_persist_stream(parser.get(), TRUE);
  parts->package.reset(g_mime_parser_construct_part(parser.get(), options.get()));
  if (!issues.refusal.empty()) return invalid_argument(issues.refusal);
  if (!parts->package || !GMIME_IS_MULTIPART(parts->package.get())) {
    return invalid_argument("MTOM: the body is not a multipart package");
  }
  auto* multipart = GMIME_MULTIPART(parts->package.get());
  const int count = g_mime_multipart_get_count(multipart);
  if (count < 1) return invalid_argument("MTOM: the multipart has no parts");
  if (count > kMaxParts) {
    return invalid_argument("MTOM: the package has " + std::to_string(count) + " parts; at most " +
                            std::to_string(kMaxParts) + " are accepted");
  }
  std::set<std::string> seen;
  for (int i = 0; i < count; ++i) {
    GMimeObject* part = g_mime_multipart_get_part(multipart, i);
    if (!GMIME_IS_PART(part)) {
      return invalid_argument("MTOM: part " + std::to_string(i + 1) + " is not a leaf part");
    }
    const char* id = g_mime_object_get_content_id(part);
    std::string content_id = id ? bare_id(id) : std::string();
    if (!content_id.empty() && !seen.insert(content_id).second) {
      return invalid_argument("MTOM: two parts have the Content-ID <" + content_id + ">");
    }
    parts->parts.push_back(GMIME_PART(part));
    parts->content_ids.push_back(std::move(content_id));
  }
  if (const char* start = g_mime_content_type_get_parameter(type.get(), "start")) {
    const std::string wanted = bare_id(start);
    size_t i = 0;
    while (i < parts->content_ids.size() && parts->content_ids[i] != wanted) ++i;
    if (i == parts->content_ids.size()) {
      return invalid_argument("MTOM: the start part <" + wanted + "> is missing");
    }
    parts->root = i;
  }
  GMimeContentType* root_type =
      g_mime_object_get_content_type(GMIME_OBJECT(parts->parts[parts->root]));
  if (!g_mime_content_type_is_type(root_type, "application", "xop+xml")) {
    return invalid_argument("MTOM: the root part must be application/xop+xml");
  }
  auto package = std::unique_ptr<MtomPackage>(new MtomPackage(std::move(parts)));
  const char* soap_type = g_mime_content_type_get_parameter(root_type, "type");
  if (!soap_type) soap_type = g_mime_content_type_get_parameter(type.get(), "start-info");
  if (soap_type) {
    std::string_view media(soap_type);
    media = media.substr(0, media.find(';'));  // a 1.2 type may carry its action
    package->soap_media_type_ = std::string(media);
  }
  if (const char* action = g_mime_content_type_get_parameter(type.get(), "action")) {
    package->action_ = action;
  }
  return package;
}

MtomPackage::MtomPackage(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

MtomPackage::~MtomPackage() = default;

namespace {

// A fresh reader of `part`'s content, decoded from its Content-Transfer-Encoding.
std::unique_ptr<ByteSource> decoded(GMimePart* part) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (!content) return std::make_unique<DecodedBytes>(nullptr);
  GMimeStream* raw = g_mime_data_wrapper_get_stream(content);
  // A substream of the whole range has its own position: every reader starts at the start.
  // (Its bound_end can lie beyond the part's end: GMime's concatenated streams count a part's
  // length from the start of the source it lies in. Reading ends at the part's end all the
  // same, so the part's size is only known once it is read.)
  GPointer<GMimeStream> stream(g_mime_stream_substream(raw, raw->bound_start, raw->bound_end));
  const GMimeContentEncoding encoding = g_mime_data_wrapper_get_encoding(content);
  if (encoding == GMIME_CONTENT_ENCODING_BASE64 ||
      encoding == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
      encoding == GMIME_CONTENT_ENCODING_UUENCODE) {
    GPointer<GMimeStream> filtered(g_mime_stream_filter_new(stream.get()));
    GPointer<GMimeFilter> decoder(g_mime_filter_basic_new(encoding, FALSE));
    g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered.get()), decoder.get());
    stream = std::move(filtered);
  }
  return std::make_unique<DecodedBytes>(std::move(stream));
}

}  // namespace

std::unique_ptr<ByteSource> MtomPackage::root() { return decoded(parts_->parts[parts_->root]); }

Result<MtomPackage::Attachment> MtomPackage::attachment(const std::string& href) const {
  auto id = content_id_of(href);
  if (!id) {
    return invalid_argument("document: the xop:Include href '" + href.substr(0, 200) +
                            "' is not a cid: URL");
  }
  for (size_t i = 0; i < parts_->content_ids.size(); ++i) {
    if (parts_->content_ids[i] != *id) continue;
    if (i == parts_->root) {
      return invalid_argument("document: the xop:Include names the root part");
    }
    return Attachment{static_cast<int>(i)};
  }
  return invalid_argument("document: the xop:Include names cid:" + id->substr(0, 200) +
                          ", which is no part of the request");
}

std::unique_ptr<ByteSource> MtomPackage::bytes_of(const Attachment& attachment) {
  return decoded(parts_->parts[static_cast<size_t>(attachment.index)]);
}

}  // namespace portier::soap_adapter
