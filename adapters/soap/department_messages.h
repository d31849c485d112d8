#pragma once
// The department service's requests and answers are the canonical ones of core/cases; this
// header adds what only SOAP has (its version, its Fault) and names the canonical types in this
// namespace, so that gSOAP's generated types stay inside department_codec.cpp.
#include <string>

#include "core/cases/requests.h"

namespace portier::soap_adapter {

enum class SoapVersion { k11, k12 };

using cases::AckAnswer;
using cases::AckEvents;
using cases::AcceptedAnswer;
using cases::AddActivity;
using cases::BusinessCaseAnswer;
using cases::DecideIdentityLink;
using cases::DeliverDocument;
using cases::DeliveryAnswer;
using cases::DepartmentRequest;
using cases::DocumentAnswer;
using cases::Event;
using cases::EventsAnswer;
using cases::GetBusinessCase;
using cases::GetDelivery;
using cases::GetReceipt;
using cases::GetSubmission;
using cases::HistoryEntry;
using cases::IdentityLinkAnswer;
using cases::ListEvents;
using cases::MessageHeader;
using cases::OpenBusinessCase;
using cases::OpenBusinessCaseAnswer;
using cases::ReceiptAnswer;
using cases::ReportStatus;
using cases::SendMessage;
using cases::SendNotification;
using cases::SubmissionAnswer;
using cases::SubmittedFile;

// A SOAP Fault: who is to blame (the sender: fix the request; the receiver: try again later) and
// a reason that names the problem, e.g. the field.
struct Fault {
  bool sender = true;
  std::string reason;
};

}  // namespace portier::soap_adapter
