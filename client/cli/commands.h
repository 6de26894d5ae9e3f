// Every command of rectrack, noun by noun. AllCommands() holds them in the
// order the main help lists them.
#pragma once

#include <vector>

#include "client/cli/command.h"

namespace rectrack::cli {

// Each appends its noun's commands: review.cc, rec.cc, action.cc,
// listing.cc (actions, overdue), committee_report.cc (report), log.cc
// (history, events, watch), admin.cc (health, admin), import_export.cc and
// completion.cc.
void AddReviewCommands(std::vector<CommandSpec>* commands);
void AddRecCommands(std::vector<CommandSpec>* commands);
void AddActionCommands(std::vector<CommandSpec>* commands);
void AddListingCommands(std::vector<CommandSpec>* commands);
void AddReportCommands(std::vector<CommandSpec>* commands);
void AddLogCommands(std::vector<CommandSpec>* commands);
void AddAdminCommands(std::vector<CommandSpec>* commands);
void AddTransferCommands(std::vector<CommandSpec>* commands);
void AddCompletionCommands(std::vector<CommandSpec>* commands);
// correct.cc: correct and retract.
void AddCorrectionCommands(std::vector<CommandSpec>* commands);
// updates.cc: people and updates (the update cycle before each meeting).
void AddUpdateCommands(std::vector<CommandSpec>* commands);

const std::vector<CommandSpec>& AllCommands();

}  // namespace rectrack::cli
