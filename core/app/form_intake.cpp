#include "core/app/form_intake.h"

#include "connectors/afs/takeover_connector.h"
#include "connectors/department/form_intake_connector.h"
#include "core/app/xml_limits.h"
#include "core/base/digest.h"
#include "core/cases/vocabulary.h"
#include "core/identity/linked_person.h"

namespace portier::app {

FormIntake assemble_form_intake(const config::Config& c, journal::Journal& journal,
                                const documents::DocumentStore& documents,
                                const mapping::Registry& mappings, dispatch::Dispatcher& dispatcher,
                                const Clock& clock, metrics::Registry& metrics,
                                runtime::WorkPool& pool) {
  FormIntake out;
  afs::ApfSettings settings{
      c.apf.url, {c.apf.user, c.apf.password}, c.apf.tls, c.apf.timeout, xml_limits(c.limits)};
  out.apf = std::make_shared<afs::ApfClient>(settings);
  auto current = [&mappings] { return mappings.current(); };
  dispatcher.add_destination(
      c.destinations.at(cases::kDepartmentDestination),
      std::make_shared<department::FormIntakeConnector>(
          current, [&documents](const std::string& sha) { return documents.path_of(sha); },
          [&journal](const std::string& department, const std::string& owner, int32_t service) {
            return identity::linked_person(journal, department, owner, service);
          }));
  auto takeover = std::make_shared<afs::TakeoverConnector>(out.apf, journal);
  for (const config::ApfMailbox& mailbox : c.apf.mailboxes) {
    config::Destination d = c.destinations.at(cases::kAfsDestinationSettings);
    d.name = cases::takeover_destination(mailbox.name);
    dispatcher.add_destination(d, takeover);
    afs::PollerSettings ps;
    ps.mailbox = mailbox.name;
    ps.poll = mailbox.poll;
    ps.page_size = static_cast<int>(mailbox.page_size);
    ps.holder = journal.instance();
    ps.lease = c.apf.lease;
    ps.xml_limits = xml_limits(c.limits);
    out.pollers.push_back(std::make_unique<afs::MailboxPoller>(
        ps, *out.apf, journal, documents, current, clock, metrics,
        [&dispatcher] { dispatcher.wake(); }, &pool));
  }
  return out;
}

}  // namespace portier::app
