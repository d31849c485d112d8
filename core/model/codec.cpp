#include "core/model/codec.h"

#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

namespace portier::model {
namespace {

using apache::thrift::protocol::TCompactProtocolT;
using apache::thrift::transport::TMemoryBuffer;

constexpr int32_t kStringLimit = 16 * 1024 * 1024;
constexpr int32_t kContainerLimit = 100'000;

}  // namespace

std::string encode(const Message& message) {
  auto buffer = std::make_shared<TMemoryBuffer>();
  TCompactProtocolT<TMemoryBuffer> protocol(buffer);
  message.write(&protocol);
  return buffer->getBufferAsString();
}

Result<Message> decode(std::string_view bytes) {
  // OBSERVE wraps the bytes without copying; the reader never writes through the pointer.
  auto buffer = std::make_shared<TMemoryBuffer>(
      reinterpret_cast<uint8_t*>(const_cast<char*>(bytes.data())),
      static_cast<uint32_t>(bytes.size()), TMemoryBuffer::OBSERVE);
  TCompactProtocolT<TMemoryBuffer> protocol(buffer, kStringLimit, kContainerLimit);
  Message message;
  try {
    message.read(&protocol);
  } catch (const std::exception& e) {
    return data_loss(std::string("stored message cannot be decoded: ") + e.what());
  }
  return message;
}

std::string kind_of(const Message& m) {
  if (m.__isset.businessCase) return "businessCase";
  if (m.__isset.statusUpdate) return "statusUpdate";
  if (m.__isset.activity) return "activity";
  if (m.__isset.notification) return "notification";
  if (m.__isset.documentDelivery) return "documentDelivery";
  if (m.__isset.formSubmission) return "formSubmission";
  if (m.__isset.identityLink) return "identityLink";
  if (m.__isset.inboxMessage) return "inboxMessage";
  return "";
}

}  // namespace portier::model
