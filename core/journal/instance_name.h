#pragma once
// The name an instance gives itself when the configuration names none: host name and process
// id, so that two instances on one host differ and a restarted one is a new instance.
#include <string>

namespace portier::journal {

std::string default_instance_name();

}  // namespace portier::journal
