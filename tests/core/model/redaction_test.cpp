// What the purge keeps of a message (redaction.h) and which stored files a message names
// (stored_files.h): every field that names or describes a person goes, what says what happened
// stays.
#include "core/model/redaction.h"

#include <gtest/gtest.h>

#include "core/model/codec.h"
#include "core/model/stored_files.h"

namespace portier::model {
namespace {

Message form_submission() {
  FormSubmission f;
  f.__set_mailbox("steueramt");
  f.__set_submissionId("APP-1");
  f.__set_formId("fristerstreckung");
  f.__set_payloadSha256(std::string(64, 'a'));
  f.__set_pdfSha256(std::string(64, 'b'));
  f.__set_attachmentSha256s({std::string(64, 'c'), std::string(64, 'd')});
  f.__set_fields({{"name", "Hans Muster"}, {"vn", "756.1234.5678.97"}});
  f.__set_ownerId("acc-hans");
  f.__set_serviceId(101);
  f.__set_submittedAtMs(1'700'000'000'000);
  Message m;
  m.__set_formSubmission(f);
  return m;
}

TEST(Redaction, ASubmissionKeepsItsIdsAndDigestsButNotItsFields) {
  const Message kept = without_personal_data(form_submission());
  ASSERT_TRUE(kept.__isset.formSubmission);
  const FormSubmission& f = kept.formSubmission;
  EXPECT_EQ(f.submissionId, "APP-1");
  EXPECT_EQ(f.formId, "fristerstreckung");
  EXPECT_EQ(f.payloadSha256, std::string(64, 'a'));
  EXPECT_EQ(f.attachmentSha256s.size(), 2u);
  EXPECT_EQ(f.serviceId, 101);
  EXPECT_FALSE(f.__isset.fields);
  EXPECT_TRUE(f.fields.empty());
  EXPECT_FALSE(f.__isset.ownerId);
  // What is kept survives the journal's encoding without the removed fields.
  auto decoded = decode(encode(kept));
  ASSERT_TRUE(decoded.is_ok());
  EXPECT_TRUE(decoded->formSubmission.fields.empty());
  EXPECT_EQ(encode(without_personal_data(*decoded)), encode(kept)) << "the same when repeated";
}

TEST(Redaction, ADeliveryKeepsWhatGetDeliveryNeedsAndLosesWhoAndWhat) {
  DocumentDelivery d;
  d.__set_deliveryId("d-1");
  d.__set_documentKind("Veranlagungsverfuegung");
  d.__set_title("Veranlagung Hans Muster");
  d.__set_fileName("KantonSolothurn-Veranlagungsverfuegung-Hans-Muster.pdf");
  d.__set_documentSha256(std::string(64, 'e'));
  d.__set_sizeBytes(1234);
  d.__set_channel(DeliveryChannel::REGISTERED);
  d.__set_recipient("hans.muster@example.ch");
  d.__set_platform("incamail");
  d.__set_ownerId("acc-hans");
  Message m;
  m.__set_documentDelivery(d);
  const DocumentDelivery& kept = without_personal_data(m).documentDelivery;
  EXPECT_EQ(kept.deliveryId, "d-1");
  EXPECT_EQ(kept.documentKind, "Veranlagungsverfuegung");
  EXPECT_EQ(kept.documentSha256, std::string(64, 'e'));
  EXPECT_EQ(kept.sizeBytes, 1234);
  EXPECT_EQ(kept.channel, DeliveryChannel::REGISTERED);
  EXPECT_EQ(kept.platform, "incamail");
  EXPECT_EQ(kept.title, "");
  EXPECT_EQ(kept.fileName, "");
  EXPECT_FALSE(kept.__isset.recipient);
  EXPECT_FALSE(kept.__isset.ownerId);
}

TEST(Redaction, TextsAndPersonsOfTheOtherMessagesGo) {
  Message note;
  note.__set_inboxMessage(InboxMessage());
  note.inboxMessage.__set_ownerId("acc-hans");
  note.inboxMessage.__set_subject("Ihre Steuererklaerung");
  note.inboxMessage.__set_body("Sehr geehrter Herr Muster");
  note.inboxMessage.__set_important(true);
  const InboxMessage kept = without_personal_data(note).inboxMessage;
  EXPECT_EQ(kept.ownerId + kept.subject + kept.body, "");
  EXPECT_TRUE(kept.important);

  Message link;
  link.__set_identityLink(IdentityLink());
  link.identityLink.__set_portalAccountId("acc-hans");
  link.identityLink.__set_departmentPersonRef("ST-4711");
  link.identityLink.person.__set_officialName("Muster");
  link.identityLink.person.__set_vn("756.1234.5678.97");
  link.identityLink.__set_department("steueramt");
  const IdentityLink kept_link = without_personal_data(link).identityLink;
  EXPECT_EQ(kept_link.portalAccountId + kept_link.departmentPersonRef, "");
  EXPECT_FALSE(kept_link.person.__isset.officialName);
  EXPECT_FALSE(kept_link.person.__isset.vn);
  EXPECT_EQ(kept_link.department, "steueramt");

  Message activity;
  activity.__set_activity(Activity());
  activity.activity.__set_businessCaseId("case-1");
  activity.activity.__set_title("Einschreiben abgeholt");
  activity.activity.__set_body("Hans Muster hat abgeholt");
  activity.activity.__set_target("https://example.ch/hans");
  const Activity kept_activity = without_personal_data(activity).activity;
  EXPECT_EQ(kept_activity.businessCaseId, "case-1");
  EXPECT_EQ(kept_activity.title + kept_activity.body, "");
  EXPECT_FALSE(kept_activity.__isset.target);
}

TEST(StoredFiles, ADeliveryNamesItsDocumentAndASubmissionAllItsFiles) {
  Message delivery;
  delivery.__set_documentDelivery(DocumentDelivery());
  delivery.documentDelivery.__set_documentSha256(std::string(64, 'e'));
  EXPECT_EQ(stored_files(delivery), std::vector<std::string>{std::string(64, 'e')});
  EXPECT_EQ(stored_files(form_submission()),
            (std::vector<std::string>{std::string(64, 'a'), std::string(64, 'b'),
                                      std::string(64, 'c'), std::string(64, 'd')}));
  Message status;
  status.__set_statusUpdate(StatusUpdate());
  EXPECT_TRUE(stored_files(status).empty());
}

}  // namespace
}  // namespace portier::model
