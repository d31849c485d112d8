#include "core/model/redaction.h"

namespace portier::model {

Message without_personal_data(const Message& message) {
  Message kept = message;
  if (kept.__isset.businessCase) {
    BusinessCase& c = kept.businessCase;
    c.ownerId.clear();
    c.title.clear();
    c.__isset.ourBusinessReferenceId = false;
    c.ourBusinessReferenceId.clear();
  }
  if (kept.__isset.statusUpdate) {
    kept.statusUpdate.__isset.statusText = false;
    kept.statusUpdate.statusText.clear();
  }
  if (kept.__isset.activity) {
    Activity& a = kept.activity;
    a.ownerId.clear();
    a.title.clear();
    a.body.clear();
    a.__isset.target = a.__isset.objectId = a.__isset.relatedProfileId = false;
    a.target.clear();
    a.objectId.clear();
    a.relatedProfileId = 0;
  }
  if (kept.__isset.notification) {
    kept.notification.ownerId.clear();
    kept.notification.subject.clear();
    kept.notification.body.clear();
  }
  if (kept.__isset.inboxMessage) {
    kept.inboxMessage.ownerId.clear();
    kept.inboxMessage.subject.clear();
    kept.inboxMessage.body.clear();
  }
  if (kept.__isset.documentDelivery) {
    DocumentDelivery& d = kept.documentDelivery;
    d.title.clear();
    d.fileName.clear();
    d.__isset.recipient = d.__isset.ownerId = false;
    d.recipient.clear();
    d.ownerId.clear();
  }
  if (kept.__isset.formSubmission) {
    FormSubmission& f = kept.formSubmission;
    f.__isset.fields = f.__isset.ownerId = false;
    f.fields.clear();
    f.ownerId.clear();
  }
  if (kept.__isset.identityLink) {
    IdentityLink& l = kept.identityLink;
    l.portalAccountId.clear();
    l.departmentPersonRef.clear();
    l.person = PersonIdentification();
  }
  return kept;
}

}  // namespace portier::model
