#pragma once
// An MTOM/XOP request (W3C SOAP MTOM, XOP 1.0): the HTTP body is a multipart/related package
// with type="application/xop+xml" whose root part is the SOAP envelope and whose other parts are
// binary data referred to by xop:Include elements ("cid:" URLs, RFC 2392).
//
// The package is parsed by GMime 3.0. A spooled body is parsed from its file in GMime's
// persistent-stream mode, so each part stays a byte range of that file and is decoded only when
// read: memory does not grow with the parts. Nothing here knows XML; the root part's bytes go to
// read_spooled_envelope (its shape guard and push parser) like any large envelope.
//
// Refused (kInvalidArgument, "MTOM: ..."): a Content-Type that is not multipart/related with
// type="application/xop+xml"; anything GMime reports as malformed, truncated or conflicting (it
// would otherwise quietly drop or merge parts); nested multiparts; two parts with one
// Content-ID; a start part that is missing; a root part that is not application/xop+xml; more
// than kMaxParts parts (a request carries one envelope and one document: thousands of tiny
// parts would cost GMime objects and lookups for nothing).
// Without a start parameter the first part is the root (RFC 2387).
//
// Threads: GMime objects are not thread-safe, so a package is used by one thread at a time; it
// may move between threads with its request. Reads block on the file: worker threads.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/http/spooled_body.h"
#include "adapters/soap/byte_source.h"
#include "core/base/status.h"

namespace portier::soap_adapter {

class MtomPackage {
 public:
  static constexpr int kMaxParts = 16;

  // Whether `content_type` (the HTTP header) announces an MTOM package at all.
  static bool announced_by(std::string_view content_type);

  // A body kept in memory (copied into the package) or spooled to a file (kept alive by it).
  static Result<std::unique_ptr<MtomPackage>> read(const std::string& content_type,
                                                   std::string_view body);
  static Result<std::unique_ptr<MtomPackage>> read(const std::string& content_type,
                                                   std::shared_ptr<const http::SpooledBody> body);
  ~MtomPackage();
  MtomPackage(const MtomPackage&) = delete;
  MtomPackage& operator=(const MtomPackage&) = delete;

  // The envelope's media type for the SOAP version ("text/xml" or "application/soap+xml"):
  // the root part's type parameter, else the package's start-info; "" if neither says.
  const std::string& soap_media_type() const { return soap_media_type_; }
  // The package's action parameter (SOAP 1.2), "" if none.
  const std::string& action() const { return action_; }

  // The root part's decoded bytes, from the start on every call.
  std::unique_ptr<ByteSource> root();

  struct Attachment {
    int index;  // among the package's parts
  };
  // The part an xop:Include's href names. kInvalidArgument naming "document" if the href is
  // not a cid: URL or names no part, or the root part.
  Result<Attachment> attachment(const std::string& href) const;
  // That part's decoded bytes, from the start on every call. Its size shows only then.
  std::unique_ptr<ByteSource> bytes_of(const Attachment& attachment);

 private:
  struct Parts;  // GMime's objects
  explicit MtomPackage(std::unique_ptr<Parts> parts);
  static Result<std::unique_ptr<MtomPackage>> parse(const std::string& content_type,
                                                    std::unique_ptr<Parts> parts);

  std::unique_ptr<Parts> parts_;
  std::string soap_media_type_;
  std::string action_;
};

}  // namespace portier::soap_adapter
