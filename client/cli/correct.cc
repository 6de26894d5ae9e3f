// rectrack correct|retract: putting right what was recorded wrongly. Both
// record a correction event beside the original; nothing is deleted.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "client/cli/commands.h"
#include "client/cli/context.h"
#include "client/cli/rpc.h"
#include "client/render/format.h"

namespace rectrack::cli {
namespace {

// --status reads as a recommendation's or an action's status, by the id.
absl::Status SetCorrectedStatus(const std::string& id, const std::string& word,
                                v1::CorrectRecord* c) {
  const bool action = absl::StartsWith(id, "action-");
  auto number = ParseEnumWord(action ? v1::ActionStatus_descriptor()
                                     : v1::RecommendationStatus_descriptor(),
                              word, "--status");
  if (!number.ok()) return number.status();
  if (action) {
    c->set_action_status(static_cast<v1::ActionStatus>(*number));
  } else {
    c->set_recommendation_status(
        static_cast<v1::RecommendationStatus>(*number));
  }
  return absl::OkStatus();
}

absl::Status Correct(Context& ctx) {
  return ChangeOne(
      ctx, "recommendation or action", "Corrected",
      [&](const std::string& id, v1::Command* command) -> absl::Status {
        v1::CorrectRecord* c = command->mutable_correct_record();
        c->set_id(id);
        c->set_reason(Opt(ctx, "--reason"));
        if (auto status = ctx.Get("--status")) {
          absl::Status set = SetCorrectedStatus(id, *status, c);
          if (!set.ok()) return set;
        }
        if (auto word = ctx.Get("--decision")) {
          auto decision =
              ParseEnumWord(v1::Decision_descriptor(), *word, "--decision");
          if (!decision.ok()) return decision.status();
          c->set_decision(static_cast<v1::Decision>(*decision));
        }
        if (auto due = ctx.Get("--due")) c->set_timescale(*due);
        c->set_effective_on(Opt(ctx, "--on"));
        return absl::OkStatus();
      });
}

absl::Status Retract(Context& ctx) {
  return ChangeOne(
      ctx, "action", "Retracted a progress note of",
      [&](const std::string& id, v1::Command* command) {
        v1::RetractProgress* r = command->mutable_retract_progress();
        r->set_id(id);
        r->set_number(
            static_cast<uint32_t>(ctx.Number("--progress").value_or(0)));
        r->set_reason(Opt(ctx, "--reason"));
        return absl::OkStatus();
      });
}

}  // namespace

void AddCorrectionCommands(std::vector<CommandSpec>* commands) {
  commands->push_back(
      {"correct",
       "ID --reason R [--status S] [--decision D] [--due TIMESCALE] "
       "[--on DATE]",
       "Correct what was recorded wrongly about a recommendation or action "
       "(scrutiny and admin only): its status (even a final one such as "
       "signed-off), the executive's decision, its target (not counted as a "
       "revision) or the date it happened (--on). The original stays in "
       "history beside the correction.",
       {Text("--reason").Required(), Text("--status"), Text("--decision"),
        Text("--due"), Text("--on")},
       Correct,
       true});
  commands->push_back(
      {"retract",
       "ACTION --progress N --reason R",
       "Withdraw an action's progress note N (1 is its first; see action "
       "show). It stays in history, marked retracted; reports leave it out.",
       {Number("--progress", "\"$0\" is not a note number", 1, 1000000)
            .Required(),
        Text("--reason").Required()},
       Retract,
       true});
}

}  // namespace rectrack::cli
