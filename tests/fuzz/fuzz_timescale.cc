// The timescale parser never fails, and what it reads is a sensible window.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "server/domain/timescale.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  for (const char* reference : {"", "2007-05-17", "1999-12-31"}) {
    rectrack::domain::TimescaleWindow w =
        rectrack::domain::ParseTimescale(text, reference);
    // Days are YYYY-MM-DD, which order as strings.
    for (const std::string* day : {&w.earliest, &w.latest}) {
      if (!day->empty() &&
          (day->size() != 10 || (*day)[4] != '-' || (*day)[7] != '-')) {
        std::abort();
      }
    }
    if (!w.earliest.empty() && !w.latest.empty() && w.earliest > w.latest) {
      std::abort();  // a window that ends before it starts
    }
    if (w.unparsed && (!w.earliest.empty() || !w.latest.empty())) {
      std::abort();  // unreadable text gives no days
    }
  }
  return 0;
}
