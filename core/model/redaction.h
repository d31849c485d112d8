#pragma once
// What remains of a message once the purge has deleted its content (core/retention): the
// fields that say what happened (ids, kinds, states, digests, channels, times) stay, so that
// getDelivery, the console and the evidence export still show the delivery; every field that
// names or describes a person (owner account, titles, texts, file names, recipients, form
// fields, person data) is emptied. Pure; any thread.
#include "gen-cpp/portier_types.h"

namespace portier::model {

Message without_personal_data(const Message& message);

}  // namespace portier::model
