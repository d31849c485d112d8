#include "connectors/securemail/receipt_parser.h"

#include <gmime/gmime.h>
#include <strings.h>

#include <memory>
#include <mutex>
#include <optional>
#include <utility>

namespace portier::securemail {
namespace {

void init_gmime_once() {
  // Never shut down: GMime's global state lives as long as the process.
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

struct Unref {
  void operator()(void* object) const {
    if (object) g_object_unref(object);
  }
};
template <class T>
using GPtr = std::unique_ptr<T, Unref>;

struct CharsFree {
  void operator()(char* s) const { g_free(s); }
};

// Issues GMime reports but still parses through: a message cut short keeps whatever parts it
// got, and the missing rest would otherwise go unnoticed.
void note_issue(gint64, GMimeParserWarning code, const gchar*, gpointer user_data) {
  auto* issue = static_cast<std::optional<std::string>*>(user_data);
  if (issue->has_value()) return;
  switch (code) {
    case GMIME_WARN_TRUNCATED_MESSAGE:
      *issue = "the message is truncated";
      break;
    case GMIME_WARN_MALFORMED_MESSAGE:
    case GMIME_WARN_MALFORMED_MULTIPART:
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
    case GMIME_CRIT_NESTING_OVERFLOW:
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
      *issue = "the message is malformed";
      break;
    default:
      break;  // duplicated headers and the like do not change what a receipt says
  }
}

bool ends_with_ci(const char* text, const char* suffix) {
  if (text == nullptr) return false;
  size_t n = strlen(text), m = strlen(suffix);
  return n >= m && strcasecmp(text + n - m, suffix) == 0;
}

std::optional<std::string> decoded_content(GMimePart* part) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);  // not owned
  if (content == nullptr) return std::nullopt;
  GPtr<GMimeStream> out(g_mime_stream_mem_new());
  if (g_mime_data_wrapper_write_to_stream(content, out.get()) < 0) return std::nullopt;
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out.get()));  // owned by out
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

struct Parts {
  int pdfs = 0;
  int signatures = 0;
  bool unreadable = false;
  std::string pdf, pdf_file_name, signature;
};

void visit_part(GMimeObject*, GMimeObject* object, gpointer user_data) {
  if (!GMIME_IS_PART(object)) return;  // multipart containers
  auto* parts = static_cast<Parts*>(user_data);
  GMimePart* part = GMIME_PART(object);
  GMimeContentType* type = g_mime_object_get_content_type(object);
  const char* name = g_mime_part_get_filename(part);
  bool signature = g_mime_content_type_is_type(type, "application", "pkcs7-signature") ||
                   g_mime_content_type_is_type(type, "application", "x-pkcs7-signature") ||
                   ends_with_ci(name, ".p7s");
  bool pdf = !signature && (g_mime_content_type_is_type(type, "application", "pdf") ||
                            ends_with_ci(name, ".pdf"));
  bool text = g_mime_content_type_is_type(type, "text", "*");
  if (!signature && !pdf && text) return;
  std::optional<std::string> bytes = decoded_content(part);
  if (!bytes) {
    if (signature || pdf) parts->unreadable = true;
    return;
  }
  // Many senders label a PDF application/octet-stream with no useful name.
  if (!signature && !pdf && bytes->rfind("%PDF-", 0) == 0) pdf = true;
  if (signature) {
    if (++parts->signatures == 1) parts->signature = std::move(*bytes);
  } else if (pdf) {
    if (++parts->pdfs == 1) {
      parts->pdf = std::move(*bytes);
      parts->pdf_file_name = name ? name : "";
    }
  }
}

std::string bracketed(const char* id) { return std::string("<") + id + ">"; }

// The submitted message's id: In-Reply-To, else the last (the direct parent's) of References.
std::optional<std::string> original_id(GMimeObject* message) {
  if (const char* value = g_mime_object_get_header(message, "In-Reply-To")) {
    std::unique_ptr<char, CharsFree> id(g_mime_utils_decode_message_id(value));
    if (id && *id) return bracketed(id.get());
  }
  if (const char* value = g_mime_object_get_header(message, "References")) {
    GMimeReferences* refs = g_mime_references_parse(nullptr, value);
    std::optional<std::string> last;
    if (refs != nullptr) {
      int n = g_mime_references_length(refs);
      if (n > 0) last = bracketed(g_mime_references_get_message_id(refs, n - 1));
      g_mime_references_free(refs);
    }
    return last;
  }
  return std::nullopt;
}

}  // namespace

Result<Receipt> parse_receipt(std::string_view raw, Platform platform) {
  init_gmime_once();
  GPtr<GMimeStream> stream(
      g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));  // copies the bytes
  GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
  std::optional<std::string> issue;
  GMimeParserOptions* options = g_mime_parser_options_new();
  g_mime_parser_options_set_warning_callback(options, note_issue, &issue);
  GPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), options));
  g_mime_parser_options_free(options);
  if (!message) return invalid_argument("not a MIME message");
  if (issue) return invalid_argument(*issue);
  GMimeObject* object = GMIME_OBJECT(message.get());

  Receipt receipt;
  const char* subject = g_mime_message_get_subject(message.get());
  if (subject == nullptr) return invalid_argument("no Subject: not a receipt");
  receipt.subject = subject;
  std::optional<ReceiptKind> kind = receipt_kind(platform, receipt.subject);
  if (!kind) {
    return invalid_argument(std::string("the subject names no ") + to_string(platform) +
                            " receipt");
  }
  receipt.kind = *kind;

  std::optional<std::string> original = original_id(object);
  if (!original) return invalid_argument("no In-Reply-To or References: matches no delivery");
  receipt.original_message_id = std::move(*original);
  if (const char* id = g_mime_message_get_message_id(message.get()); id && *id) {
    receipt.receipt_message_id = bracketed(id);
  }

  GDateTime* date = g_mime_message_get_date(message.get());  // not owned
  if (date == nullptr) return invalid_argument("no valid Date: the event time is unknown");
  receipt.event_time_ms =
      g_date_time_to_unix(date) * 1000 + g_date_time_get_microsecond(date) / 1000;

  Parts parts;
  g_mime_message_foreach(message.get(), visit_part, &parts);
  if (parts.unreadable) return invalid_argument("a receipt part cannot be decoded");
  if (parts.pdfs == 0) return invalid_argument("no PDF part");
  if (parts.pdfs > 1) return invalid_argument("more than one PDF part");
  if (parts.signatures == 0) return invalid_argument("no signature part");
  if (parts.signatures > 1) return invalid_argument("more than one signature part");
  if (parts.pdf.rfind("%PDF-", 0) != 0) return invalid_argument("the PDF part is no PDF");
  receipt.pdf = std::move(parts.pdf);
  receipt.pdf_file_name = std::move(parts.pdf_file_name);
  receipt.signature = std::move(parts.signature);
  return receipt;
}

}  // namespace portier::securemail
