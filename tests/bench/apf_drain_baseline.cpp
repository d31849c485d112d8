// The baseline of the forms benchmark (run_forms_drain.sh): how fast a client with Portier's own
// APF client (libcurl, libxml2) lists every NEW application of a mailbox page by page and
// fetches each one, doing nothing else. Prints "<applications> <seconds>".
//   apf_drain_baseline URL USER PASSWORD MAILBOX [PAGE_SIZE]
#include <chrono>
#include <cstdio>
#include <string>

#include "connectors/afs/apf_client.h"

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: apf_drain_baseline URL USER PASSWORD MAILBOX [PAGE_SIZE]\n");
    return 2;
  }
  portier::afs::ApfClient apf({argv[1], {argv[2], argv[3]}, {}, std::chrono::seconds(30), {}});
  const int page_size = argc > 5 ? std::stoi(argv[5]) : 100;
  const auto start = std::chrono::steady_clock::now();
  long fetched = 0;
  std::string token;
  do {
    auto page = apf.list(argv[4], "", token, page_size);
    if (!page.is_ok()) {
      std::fprintf(stderr, "list: %s\n", page.status().to_string().c_str());
      return 1;
    }
    for (const auto& s : page->items) {
      auto a = apf.get(s.application_id);
      if (!a.is_ok()) {
        std::fprintf(stderr, "get: %s\n", a.status().to_string().c_str());
        return 1;
      }
      ++fetched;
    }
    token = page->next_page_token;
  } while (!token.empty());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%ld %.3f\n", fetched, seconds);
  return 0;
}
