#pragma once
// Whether a fetched application is whole: the APF's inbound signature (SHA-256 over the form
// data) matches the form data, and the PDF and every attachment match the SHA-256 the APF states
// for them. A submission that is not whole is parked, never handed on. Pure; any thread.
#include <string>

#include "connectors/afs/apf_wire.h"

namespace portier::afs {

// "" if the application is whole, else the first reason it is not (names the part).
std::string integrity_problem(const Application& application);

}  // namespace portier::afs
