// rectrack rec add|amend|respond|status|show: a review's recommendations
// and the executive's responses to them.
#include <iostream>
#include <string>
#include <vector>

#include "client/cli/commands.h"
#include "client/cli/context.h"
#include "client/cli/rpc.h"
#include "client/render/format.h"

namespace rectrack::cli {
namespace {

absl::Status RecAdd(Context& ctx) {
  return ChangeOne(ctx, "review", "Added recommendation",
                   [&](const std::string& id, v1::Command* c) {
                     v1::AddRecommendation* a = c->mutable_add_recommendation();
                     a->set_review_id(id);
                     a->set_ref(Opt(ctx, "--ref"));
                     a->set_text(Opt(ctx, "--text"));
                     a->set_portfolio(Opt(ctx, "--portfolio"));
                     return absl::OkStatus();
                   });
}

absl::Status RecAmend(Context& ctx) {
  return ChangeOne(ctx, "recommendation", "Amended",
                   [&](const std::string& id, v1::Command* c) {
                     v1::AmendRecommendation* a =
                         c->mutable_amend_recommendation();
                     a->set_id(id);
                     if (auto v = ctx.Get("--text")) a->set_text(*v);
                     if (auto v = ctx.Get("--ref")) a->set_ref(*v);
                     if (auto v = ctx.Get("--portfolio")) a->set_portfolio(*v);
                     return absl::OkStatus();
                   });
}

absl::Status RecRespond(Context& ctx) {
  return ChangeOne(ctx, "recommendation", "Recorded the response on",
                   [&](const std::string& id, v1::Command* c) -> absl::Status {
                     auto decision = EnumOption<v1::Decision>(
                         ctx, "--decision", v1::Decision_descriptor());
                     if (!decision.ok()) return decision.status();
                     v1::RecordResponse* r = c->mutable_record_response();
                     r->set_recommendation_id(id);
                     r->set_decision(*decision);
                     r->set_text(Opt(ctx, "--text"));
                     r->set_reason(Opt(ctx, "--reason"));
                     r->set_responded_by(Opt(ctx, "--by"));
                     r->set_responded_on(Opt(ctx, "--on"));
                     return absl::OkStatus();
                   });
}

absl::Status RecStatus(Context& ctx) {
  return ChangeOne(
      ctx, "recommendation", "Changed the status of",
      [&](const std::string& id, v1::Command* c) -> absl::Status {
        auto status = EnumOption<v1::RecommendationStatus>(
            ctx, "--status", v1::RecommendationStatus_descriptor());
        if (!status.ok()) return status.status();
        v1::SetRecommendationStatus* s = c->mutable_set_recommendation_status();
        s->set_recommendation_id(id);
        s->set_status(*status);
        s->set_note(Opt(ctx, "--note"));
        s->set_effective_on(Opt(ctx, "--on"));
        s->set_override_reason(Opt(ctx, "--override-reason"));
        return absl::OkStatus();
      });
}

absl::Status RecShow(Context& ctx) {
  v1::GetRecommendationRequest req;
  v1::Recommendation rec;
  absl::Status status = GetOne(
      ctx, "recommendation", &v1::Tracker::Stub::GetRecommendation, &req, &rec);
  if (!status.ok()) return status;
  if (ctx.json) {
    std::cout << ToJson(rec) << "\n";
    return absl::OkStatus();
  }
  auto actions = GetEach(ctx, &v1::Tracker::Stub::GetAction, rec.action_ids(),
                         req.has_as_of() ? &req.as_of() : nullptr);
  if (!actions.ok()) return actions.status();
  std::cout << FormatRecommendation(rec, *actions);
  return absl::OkStatus();
}

}  // namespace

void AddRecCommands(std::vector<CommandSpec>* commands) {
  commands->push_back({"rec add",
                       "REVIEW --ref REF --text T [--portfolio P]",
                       "Add a recommendation to a review.",
                       {Text("--ref").Required(), Text("--text").Required(),
                        Text("--portfolio")},
                       RecAdd,
                       true});
  commands->push_back({"rec amend",
                       "REC [--text T] [--ref REF] [--portfolio P]",
                       "Correct a recommendation's wording.",
                       {Text("--text"), Text("--ref"), Text("--portfolio")},
                       RecAmend,
                       true});
  commands->push_back(
      {"rec respond",
       "REC --decision accepted|partially-accepted|accepted-in-principle|"
       "noted|rejected --text T [--reason R] [--by NAME] [--on DATE]",
       "Record the executive's response (a rejection needs --reason).",
       {Choice("--decision", v1::Decision_descriptor()).Required(),
        Text("--text").Required(), Text("--reason"), Text("--by"),
        Text("--on")},
       RecRespond,
       true});
  commands->push_back(
      {"rec status",
       "REC --status in-progress|implemented|signed-off|"
       "closed-not-implemented|superseded|withdrawn [--note T] [--on DATE] "
       "[--override-reason R]",
       "Move a recommendation on; signed-off is the committee's sign-off "
       "(refused while actions are open or if it was rejected, unless "
       "--override-reason says why). Closing, superseding and withdrawing "
       "need --note.",
       {Choice("--status", v1::RecommendationStatus_descriptor()).Required(),
        Text("--note"), Text("--on"), Text("--override-reason")},
       RecStatus,
       true});
  commands->push_back({"rec show",
                       "REC [--as-of DATE|TIME [--effective]]",
                       "Show a recommendation with its actions.",
                       {Text("--as-of"), Flag("--effective")},
                       RecShow});
}

}  // namespace rectrack::cli
