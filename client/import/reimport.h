// Re-importing a newer version of a plan into the review it was imported
// into: only what changed is appended.
#pragma once

#include <string>
#include <vector>

#include "client/import/transfer.h"
#include "rectrack/v1/domain.pb.h"

namespace rectrack::cli {

// What the tracker holds of a review, as far as a plan can say it.
struct ExistingAction {
  std::string id;
  std::string text;
  std::string timescale;
  v1::ActionStatus status = v1::ACTION_STATUS_UNSPECIFIED;
  std::vector<std::string> progress;
};
struct ExistingRecommendation {
  std::string id;
  std::string ref;
  std::string text;
  bool responded = false;
  v1::Decision decision = v1::DECISION_UNSPECIFIED;
  std::vector<ExistingAction> actions;
};

// The plan's commands (as ReadPlan builds them for an existing review),
// less what the review already holds: recommendations matched by reference,
// then by text, and actions within them by text. New recommendations and
// actions, new progress, a changed status and a changed timescale (as an
// update with the reason "updated in the imported plan") remain; "$N"
// references are rewritten to the ids of what was matched. `where` (one
// per command) is filtered alongside; `changes` gets one line per kept
// command that changes something already there.
//
// What a re-import must not settle by itself goes to `attention`, one plain
// sentence each, and changes nothing: a recommendation or action the
// document words differently (matched by reference, or by sharing half its
// words; the tracker's text is kept, nothing is added twice), and a
// decision that differs from the one recorded (to be corrected by a
// person with `rectrack correct`).
std::vector<FileCommand> ChangesAgainst(
    const std::vector<FileCommand>& plan,
    const std::vector<ExistingRecommendation>& existing,
    std::vector<std::string>* where, std::vector<std::string>* changes,
    std::vector<std::string>* attention);

}  // namespace rectrack::cli
