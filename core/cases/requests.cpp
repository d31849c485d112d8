#include "core/cases/requests.h"

#include "core/cases/call_origin.h"

namespace portier::cases {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
// Clang 15 (the fuzz build) does not deduce aggregate template arguments by itself.
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

const MessageHeader& header_of(const DepartmentRequest& r) {
  return std::visit([](const auto& req) -> const MessageHeader& { return req.header; }, r);
}

const char* operation_name(const DepartmentRequest& r) {
  return std::visit(Overloaded{
                        [](const OpenBusinessCase&) { return "openBusinessCase"; },
                        [](const ReportStatus&) { return "reportStatus"; },
                        [](const AddActivity&) { return "addActivity"; },
                        [](const SendNotification&) { return "sendNotification"; },
                        [](const SendMessage&) { return "sendMessage"; },
                        [](const DeliverDocument&) { return "deliverDocument"; },
                        [](const GetDelivery&) { return "getDelivery"; },
                        [](const GetReceipt&) { return "getReceipt"; },
                        [](const GetBusinessCase&) { return "getBusinessCase"; },
                        [](const ListEvents&) { return "listEvents"; },
                        [](const AckEvents&) { return "ackEvents"; },
                        [](const DecideIdentityLink&) { return "decideIdentityLink"; },
                        [](const GetSubmission&) { return "getSubmission"; },
                    },
                    r);
}

Status check_sender(const MessageHeader& header, const mapping::DepartmentMapping& department) {
  if (header.sender_id == department.name) return Status::ok();
  return permission_denied("header/senderId '" + header.sender_id +
                           "' is not the authenticated department '" + department.name + "'");
}

}  // namespace portier::cases
