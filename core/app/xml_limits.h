#pragma once
// The shape guard's limits (core/xml/shape_guard.h) as <limits> configures them, for every XML
// from outside: SOAP requests, APF answers, form data and departments' answers. Each reader
// keeps its own size limit; the body limit here is the SOAP request's.
#include "core/config/config.h"
#include "core/xml/shape_guard.h"

namespace portier::app {

inline xml::GuardLimits xml_limits(const config::Limits& l) {
  return {l.max_body_bytes,
          l.max_xml_depth,
          l.max_attributes_per_element,
          l.max_namespaces_per_element,
          l.max_namespaces_total,
          l.max_name_length};
}

}  // namespace portier::app
