// The action-plan importer takes any document (.docx, HTML or text, told
// apart by the content) without crashing; a refusal always says why.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "client/import/plan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  rectrack::cli::PlanOptions options;
  options.committee = "Fuzz committee";
  auto commands = rectrack::cli::PlanToCommands(text, options);
  if (!commands.ok() && commands.status().message().empty()) std::abort();
  rectrack::cli::HtmlToText(text);
  rectrack::cli::SplitLeads(text);
  return 0;
}
