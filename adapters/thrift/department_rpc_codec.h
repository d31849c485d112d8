#pragma once
// Thrift (de)serialisation of the department service (core/model/department.thrift), from
// memory: one HTTP body holds one Thrift message, in the compact or the binary protocol. A call
// is read into the canonical request of core/cases; answers and refusals are written back as the
// method's reply (the declared exceptions RequestRefused, TryLater, InternalError), so a
// generated client in any language reads them as typed results. Thrift's generated types stay
// inside department_rpc_codec.cpp.
//
// Reading is bounded: strings and binaries at most `max_string_bytes`, containers at most
// `max_container_items` (a few bytes that declare a list of millions are refused before any
// allocation), nothing after the message.
//
// Threads: stateless; any thread.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "core/base/status.h"
#include "core/cases/errors.h"
#include "core/cases/requests.h"

namespace portier::thrift_adapter {

enum class Protocol { kBinary, kCompact };

// The protocol of a request: the media type's `protocol` parameter (compact | binary) or its
// subtype (application/vnd.apache.thrift.compact, .binary), else the message's first bytes
// (compact: 0x82; strict binary: 0x80 0x01). kInvalidArgument if neither says.
Result<Protocol> protocol_of(const std::string& content_type, std::string_view body);
// The media type of a reply in `protocol`.
const char* content_type_of(Protocol protocol);

struct RpcLimits {
  int32_t max_string_bytes = 64 << 20;
  int32_t max_container_items = 10'000;
};

// The call a message names: enough to answer it, even when its arguments are refused.
struct RpcCall {
  Protocol protocol = Protocol::kCompact;
  std::string method;
  int32_t seqid = 0;
};

struct DecodedCall {
  RpcCall call;
  // The request, or why its arguments are refused (kInvalidArgument naming the field).
  std::variant<cases::DepartmentRequest, Status> request;
};

// kInvalidArgument if `body` is no Thrift call at all; kNotFound (with the call, in `unknown`)
// for a method this service does not have.
Result<DecodedCall> decode_call(std::string_view body, Protocol protocol, const RpcLimits& limits,
                                RpcCall* unknown = nullptr);

std::string write_answer(const RpcCall& call, const cases::IntakeAnswer& answer);
std::string write_answer(const RpcCall& call, const cases::ReadAnswer& answer);
// The method's declared exception for `error`.
std::string write_error(const RpcCall& call, const cases::CaseError& error);
// A TApplicationException (e.g. an unknown method), as Thrift servers answer it.
std::string write_unknown_method(const RpcCall& call);

}  // namespace portier::thrift_adapter
