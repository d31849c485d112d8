// The Thrift codec of the department service: protocol detection, calls read into canonical
// requests in both protocols, missing fields named as the SOAP Faults name them, hostile
// messages refused cheaply, and replies a generated client reads as typed results.
#include "adapters/thrift/department_rpc_codec.h"

#include <gtest/gtest.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <memory>

#include "gen-cpp/DepartmentService.h"

namespace portier::thrift_adapter {
namespace {

using apache::thrift::protocol::TProtocol;
using apache::thrift::transport::TMemoryBuffer;
namespace r = ::portier::rpc;

std::unique_ptr<TProtocol> over(Protocol p, std::shared_ptr<TMemoryBuffer> b) {
  if (p == Protocol::kCompact)
    return std::make_unique<apache::thrift::protocol::TCompactProtocol>(b);
  return std::make_unique<apache::thrift::protocol::TBinaryProtocol>(b);
}

// A call as a generated client sends it.
template <class Args>
std::string call(Protocol p, const std::string& method, const Args& args, int32_t seqid = 7) {
  auto buffer = std::make_shared<TMemoryBuffer>();
  auto proto = over(p, buffer);
  proto->writeMessageBegin(method, apache::thrift::protocol::T_CALL, seqid);
  args.write(proto.get());
  proto->writeMessageEnd();
  return buffer->getBufferAsString();
}

r::DepartmentService_reportStatus_args report_status() {
  r::DepartmentService_reportStatus_args args;
  args.request.header.__set_senderId("steueramt");
  args.request.header.__set_messageId("m-1");
  args.request.header.__set_businessProcessId("bp-1");
  args.request.__set_header(args.request.header);
  args.request.__set_status(r::CaseStatus::DECIDED);
  args.request.__set_statusText("entschieden");
  args.__isset.request = true;
  return args;
}

TEST(ProtocolOf, FromTheMediaTypeElseTheFirstBytes) {
  EXPECT_EQ(*protocol_of("application/x-thrift; protocol=binary", "\x82"), Protocol::kBinary);
  EXPECT_EQ(*protocol_of("application/vnd.apache.thrift.compact", ""), Protocol::kCompact);
  EXPECT_EQ(*protocol_of("application/x-thrift", "\x82\x21"), Protocol::kCompact);
  EXPECT_EQ(*protocol_of("application/x-thrift", std::string("\x80\x01\x00\x01", 4)),
            Protocol::kBinary);
  EXPECT_EQ(protocol_of("text/xml", "<s:Envelope/>").status().code(), StatusCode::kInvalidArgument);
}

TEST(DecodeCall, ReadsReportStatusInBothProtocols) {
  for (Protocol p : {Protocol::kCompact, Protocol::kBinary}) {
    auto decoded = decode_call(call(p, "reportStatus", report_status()), p, RpcLimits{});
    ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
    EXPECT_EQ(decoded->call.method, "reportStatus");
    EXPECT_EQ(decoded->call.seqid, 7);
    const auto& request = std::get<cases::DepartmentRequest>(decoded->request);
    const auto& report = std::get<cases::ReportStatus>(request);
    EXPECT_EQ(report.header.message_id, "m-1");
    EXPECT_EQ(report.status, model::CaseStatus::DECIDED);
    EXPECT_EQ(report.status_text, "entschieden");
  }
}

TEST(DecodeCall, NamesAMissingFieldAsTheSoapFaultDoes) {
  // As a client that leaves out an unset field (Python's does): the header without messageId.
  auto buffer = std::make_shared<TMemoryBuffer>();
  auto p = over(Protocol::kCompact, buffer);
  using namespace apache::thrift::protocol;
  p->writeMessageBegin("reportStatus", T_CALL, 1);
  p->writeStructBegin("args");
  p->writeFieldBegin("request", T_STRUCT, 1);
  p->writeStructBegin("ReportStatusRequest");
  p->writeFieldBegin("header", T_STRUCT, 1);
  p->writeStructBegin("MessageHeader");
  p->writeFieldBegin("senderId", T_STRING, 1);
  p->writeString("steueramt");
  p->writeFieldEnd();
  p->writeFieldStop();
  p->writeStructEnd();
  p->writeFieldEnd();
  p->writeFieldStop();
  p->writeStructEnd();
  p->writeFieldEnd();
  p->writeFieldStop();
  p->writeStructEnd();
  p->writeMessageEnd();
  auto decoded = decode_call(buffer->getBufferAsString(), Protocol::kCompact, RpcLimits{});
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(std::get<Status>(decoded->request).message(),
            "required element 'reportStatus/header/messageId' is missing");

  auto args = report_status();
  args.request.__set_status(static_cast<r::CaseStatus::type>(99));
  decoded =
      decode_call(call(Protocol::kBinary, "reportStatus", args), Protocol::kBinary, RpcLimits{});
  ASSERT_TRUE(decoded.is_ok());
  EXPECT_NE(std::get<Status>(decoded->request).message().find("'reportStatus/status'"),
            std::string::npos);
}

TEST(DecodeCall, RefusesHostileAndMalformedMessagesCheaply) {
  r::DepartmentService_ackEvents_args ack;
  ack.request.__set_header(report_status().request.header);
  ack.request.__set_seqs(std::vector<int64_t>(2000, 1));
  ack.__isset.request = true;
  RpcLimits small;
  small.max_container_items = 1000;
  EXPECT_EQ(decode_call(call(Protocol::kCompact, "ackEvents", ack), Protocol::kCompact, small)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  // A few bytes that declare a list of 16M items are refused before anything is allocated.
  std::string bomb = call(Protocol::kCompact, "ackEvents", r::DepartmentService_ackEvents_args{});
  bomb.pop_back();                                 // the args' stop
  bomb += std::string("\x19\xf6\xff\xff\x7f", 5);  // field 1: list<i64> of 2^28-1
  EXPECT_EQ(decode_call(bomb, Protocol::kCompact, small).status().code(),
            StatusCode::kInvalidArgument);
  std::string good = call(Protocol::kCompact, "reportStatus", report_status());
  EXPECT_NE(decode_call(good + "x", Protocol::kCompact, RpcLimits{})
                .status()
                .message()
                .find("after the message"),
            std::string::npos);
  EXPECT_EQ(
      decode_call(good.substr(0, good.size() / 2), Protocol::kCompact, RpcLimits{}).status().code(),
      StatusCode::kInvalidArgument);
  RpcCall unknown;
  auto other = decode_call(call(Protocol::kCompact, "dropTables", report_status()),
                           Protocol::kCompact, RpcLimits{}, &unknown);
  EXPECT_EQ(other.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.method, "dropTables");
  EXPECT_FALSE(write_unknown_method(unknown).empty());
}

TEST(WriteReply, AnswersAndRefusalsAreTheMethodsDeclaredResults) {
  RpcCall call{Protocol::kCompact, "reportStatus", 3};
  r::Accepted accepted;
  r::DepartmentService_reportStatus_presult presult;
  presult.success = &accepted;
  auto buffer = std::make_shared<TMemoryBuffer>();
  std::string bytes =
      write_answer(call, cases::IntakeAnswer{cases::AcceptedAnswer{"reportStatus", "bp-1", 1234}});
  buffer->write(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  auto proto = over(call.protocol, buffer);
  std::string name;
  apache::thrift::protocol::TMessageType type;
  int32_t seqid = 0;
  proto->readMessageBegin(name, type, seqid);
  presult.read(proto.get());
  EXPECT_EQ(name, "reportStatus");
  EXPECT_EQ(seqid, 3);
  EXPECT_TRUE(presult.__isset.success);
  EXPECT_EQ(accepted.businessProcessId, "bp-1");
  EXPECT_EQ(accepted.acceptedMs, 1234);

  struct Row {
    Status status;
    bool refused, later, internal;
  };
  const Row rows[] = {
      {permission_denied("header/businessProcessId 'bp-1' belongs to another"), true, false, false},
      {unavailable("journal busy"), false, true, false},
      {internal_error("disk on fire"), false, false, true}};
  for (const Row& row : rows) {
    r::Accepted none;
    r::DepartmentService_reportStatus_presult result;
    result.success = &none;
    std::string reply = write_error(call, cases::describe_error(row.status));
    auto b = std::make_shared<TMemoryBuffer>();
    b->write(reinterpret_cast<const uint8_t*>(reply.data()), reply.size());
    auto p = over(call.protocol, b);
    p->readMessageBegin(name, type, seqid);
    result.read(p.get());
    EXPECT_EQ(result.__isset.refused, row.refused);
    EXPECT_EQ(result.__isset.later, row.later);
    EXPECT_EQ(result.__isset.internal, row.internal);
    if (row.refused) {
      EXPECT_EQ(result.refused.code, r::ErrorCode::PERMISSION_DENIED);
      EXPECT_EQ(result.refused.reason, row.status.message());
    }
    if (row.later) {
      EXPECT_EQ(result.later.retryAfterSeconds, 1);
    }
    if (row.internal) {
      EXPECT_EQ(result.internal.reason, "internal error");
    }
  }
}

}  // namespace
}  // namespace portier::thrift_adapter
