// Compiled by CTest, not built: a Status or Result dropped on the floor must not compile
// (status.h marks both [[nodiscard]]). With DISCARD undefined the file must compile, so that
// the check fails for the right reason only.
#include "core/base/status.h"

namespace {

portier::Status commit() { return portier::unavailable("disk full"); }
portier::Result<int> count() { return 3; }

}  // namespace

int main() {
#ifdef DISCARD_STATUS
  commit();
#elif defined(DISCARD_RESULT)
  count();
#else
  commit().ignore();
  count().ignore();
#endif
  return 0;
}
