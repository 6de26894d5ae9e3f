#include "client/cli/commands.h"

namespace rectrack::cli {

const std::vector<CommandSpec>& AllCommands() {
  static const auto* commands = [] {
    auto* all = new std::vector<CommandSpec>;
    for (auto add :
         {AddReviewCommands, AddRecCommands, AddActionCommands,
          AddCorrectionCommands, AddListingCommands, AddReportCommands,
          AddUpdateCommands, AddLogCommands, AddAdminCommands,
          AddTransferCommands, AddCompletionCommands}) {
      add(all);
    }
    return all;
  }();
  return *commands;
}

}  // namespace rectrack::cli
