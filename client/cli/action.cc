// rectrack action add|update|status|progress|show: what is being done about
// a recommendation, by whom and by when.
#include <iostream>
#include <string>
#include <vector>

#include "client/cli/commands.h"
#include "client/cli/context.h"
#include "client/cli/rpc.h"
#include "client/render/format.h"

namespace rectrack::cli {
namespace {

absl::Status ActionAdd(Context& ctx) {
  return ChangeOne(ctx, "recommendation", "Added action",
                   [&](const std::string& id, v1::Command* c) {
                     v1::AddAction* a = c->mutable_add_action();
                     a->set_recommendation_id(id);
                     a->set_text(Opt(ctx, "--text"));
                     for (const std::string& lead : ctx.GetAll("--lead")) {
                       a->add_leads(lead);
                     }
                     a->set_timescale(Opt(ctx, "--due"));
                     a->set_effective_on(Opt(ctx, "--on"));
                     return absl::OkStatus();
                   });
}

absl::Status ActionUpdate(Context& ctx) {
  return ChangeOne(ctx, "action", "Updated",
                   [&](const std::string& id, v1::Command* c) {
                     v1::UpdateAction* u = c->mutable_update_action();
                     u->set_id(id);
                     if (auto v = ctx.Get("--text")) u->set_text(*v);
                     // --lead replaces the leads; without it they stay.
                     if (ctx.Has("--lead")) {
                       u->set_set_leads(true);
                       for (const std::string& lead : ctx.GetAll("--lead")) {
                         u->add_leads(lead);
                       }
                     }
                     if (auto v = ctx.Get("--due")) u->set_timescale(*v);
                     u->set_reason(Opt(ctx, "--reason"));
                     u->set_effective_on(Opt(ctx, "--on"));
                     return absl::OkStatus();
                   });
}

absl::Status ActionStatus(Context& ctx) {
  return ChangeOne(ctx, "action", "Changed the status of",
                   [&](const std::string& id, v1::Command* c) -> absl::Status {
                     auto status = EnumOption<v1::ActionStatus>(
                         ctx, "--status", v1::ActionStatus_descriptor());
                     if (!status.ok()) return status.status();
                     v1::SetActionStatus* s = c->mutable_set_action_status();
                     s->set_id(id);
                     s->set_status(*status);
                     s->set_note(Opt(ctx, "--note"));
                     s->set_effective_on(Opt(ctx, "--on"));
                     return absl::OkStatus();
                   });
}

absl::Status ActionProgress(Context& ctx) {
  return ChangeOne(ctx, "action", "Recorded progress on",
                   [&](const std::string& id, v1::Command* c) {
                     v1::ReportProgress* p = c->mutable_report_progress();
                     p->set_id(id);
                     p->set_text(Opt(ctx, "--text"));
                     p->set_reported_on(Opt(ctx, "--on"));
                     return absl::OkStatus();
                   });
}

absl::Status ActionShow(Context& ctx) {
  v1::GetActionRequest req;
  v1::Action action;
  absl::Status status =
      GetOne(ctx, "action", &v1::Tracker::Stub::GetAction, &req, &action);
  if (!status.ok()) return status;
  if (ctx.json) {
    std::cout << ToJson(action) << "\n";
    return absl::OkStatus();
  }
  std::cout << FormatAction(action, "");
  std::cout << "  Recommendation: " << action.recommendation_id()
            << "   Review: " << action.review_id() << "\n";
  if (action.progress_size() > 0) {
    std::cout << "  Progress:\n";
    int n = 0;
    for (const v1::ProgressUpdate& p : action.progress()) {
      std::cout << "    " << ++n << ". "
                << (p.reported_on().empty() ? "date not stated"
                                            : p.reported_on())
                << "  " << p.text() << "  (by " << p.recorded_by() << ")";
      if (p.retracted()) {
        std::cout << "  [retracted: " << p.retraction_reason() << "]";
      }
      std::cout << "\n";
    }
  }
  return absl::OkStatus();
}

}  // namespace

void AddActionCommands(std::vector<CommandSpec>* commands) {
  commands->push_back(
      {"action add",
       "REC --text T --lead NAME [--lead NAME...] [--due TIMESCALE] "
       "[--on DATE]",
       "Add an action to a recommendation (--on: the day it was agreed).",
       {Text("--text").Required(), Repeated("--lead").Required(), Text("--due"),
        Text("--on")},
       ActionAdd,
       true});
  commands->push_back(
      {"action update",
       "ACTION [--text T] [--lead NAME...] [--due TIMESCALE --reason R] "
       "[--on DATE]",
       "Change an action's text, leads (replaced) or timescale (--on: the "
       "day the change was decided).",
       {Text("--text"), Repeated("--lead"), Text("--due"), Text("--reason"),
        Text("--on")},
       ActionUpdate,
       true});
  commands->push_back(
      {"action status",
       "ACTION --status not-started|in-progress|completed|blocked|cancelled "
       "[--note T] [--on DATE]",
       "Change an action's status.",
       {Choice("--status", v1::ActionStatus_descriptor()).Required(),
        Text("--note"), Text("--on")},
       ActionStatus,
       true});
  commands->push_back({"action progress",
                       "ACTION --text T [--on DATE]",
                       "Record a dated progress update.",
                       {Text("--text").Required(), Text("--on")},
                       ActionProgress,
                       true});
  commands->push_back(
      {"action show",
       "ACTION [--as-of DATE|TIME [--effective]]",
       "Show an action with its targets, standing and all its progress.",
       {Text("--as-of"), Flag("--effective")},
       ActionShow});
}

}  // namespace rectrack::cli
