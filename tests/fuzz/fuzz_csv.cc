// The CSV reader and the CSV importer take any bytes without crashing, and
// records come back in file order.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "client/import/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto records = rectrack::cli::ParseCsv(text);
  if (records.ok()) {
    int line = 0;
    for (const auto& r : *records) {
      if (r.line <= line) std::abort();  // out of order, or line 0
      line = r.line;
    }
  }
  auto commands = rectrack::cli::CsvToCommands(text);
  if (!commands.ok() && commands.status().message().empty()) {
    std::abort();  // a refusal must say why
  }
  return 0;
}
