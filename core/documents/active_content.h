#pragma once
// Active content in a PDF: what could run, open or carry something else when a citizen opens a
// document — JavaScript, launch actions, embedded files, and the like. Found in the document's
// object structure as qpdf reads it (`qpdf --json=2`, streams not decoded), under the same
// child-process limits as the intake check (qpdf_child.h), and read with a streaming JSON
// parser so that memory does not grow with the document.
//
// Errors: kInvalidArgument ("too complex to check: ...") when qpdf hits a limit or cannot read
// the file; kUnavailable if qpdf cannot be started. Threads: any; blocks like check_pdf().
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/status.h"
#include "core/documents/pdf_check.h"

namespace portier::documents {

enum class ActiveContent {
  kJavaScript,    // /JS, /JavaScript actions or name trees
  kLaunch,        // /S /Launch: starts a program
  kEmbeddedFile,  // /EmbeddedFiles, /EF, file attachment annotations
  kRichMedia,     // /RichMedia (Flash, video) annotations
  kXfa,           // /XFA forms (scriptable)
  kSubmitForm,    // /S /SubmitForm: sends form data away
  kImportData,    // /S /ImportData: reads data from another file
  kRemoteGoTo,    // /S /GoToR, /GoToE: opens another document
};

// The names a mapping uses: javascript, launch, embeddedFile, richMedia, xfa, submitForm,
// importData, remoteGoTo.
const char* to_string(ActiveContent kind);
std::optional<ActiveContent> parse_active_content(std::string_view name);
const std::vector<ActiveContent>& all_active_content();

struct ActiveContentFound {
  ActiveContent kind;
  std::string object;  // "object 4 0", or "trailer"
  bool operator==(const ActiveContentFound&) const = default;
};

// What `path` holds, each kind once per object, in the order qpdf lists the objects.
Result<std::vector<ActiveContentFound>> find_active_content(const std::string& path,
                                                            const PdfLimits& limits);

// The refusal for what was found beyond `allowed` ("active content: javascript (object 4 0),
// embeddedFile (object 6 0)"), or OK.
Status refuse_active_content(const std::vector<ActiveContentFound>& found,
                             const std::set<ActiveContent>& allowed);

}  // namespace portier::documents
