// rectrack actions and rectrack overdue: actions across reviews, filtered.
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/cli/commands.h"
#include "client/cli/context.h"
#include "client/cli/rpc.h"
#include "client/render/format.h"

namespace rectrack::cli {
namespace {

// The filters `rectrack actions` and `rectrack overdue` share.
absl::StatusOr<v1::ListActionsRequest> ActionFilters(Context& ctx) {
  if (!ctx.positional.empty()) {
    return Usage(absl::StrCat("unexpected \"", ctx.positional.back(),
                              "\"; filters are options, e.g. --review "
                              "review-1"));
  }
  v1::ListActionsRequest req;
  req.set_review_id(Opt(ctx, "--review"));
  for (const std::string& lead : ctx.GetAll("--lead")) {
    req.add_leads(lead);
  }
  if (ctx.Has("--status")) {
    auto status = EnumOption<v1::ActionStatus>(ctx, "--status",
                                               v1::ActionStatus_descriptor());
    if (!status.ok()) return status.status();
    req.set_status(*status);
  }
  if (ctx.Has("--rag")) {
    auto rag = EnumOption<v1::Rag>(ctx, "--rag", v1::Rag_descriptor());
    if (!rag.ok()) return rag.status();
    req.set_rag(*rag);
  }
  req.set_overdue(ctx.Has("--overdue"));
  req.set_due_soon(ctx.Has("--due-soon"));
  req.set_due_before(Opt(ctx, "--due-before"));
  req.set_due_after(Opt(ctx, "--due-after"));
  req.set_committee(Opt(ctx, "--committee"));
  req.set_text(Opt(ctx, "--text"));
  if (auto days = ctx.Number("--due-soon-days")) {
    req.set_due_soon_days(static_cast<uint32_t>(*days));
  }
  auto has_as_of = AsOfOption(ctx, &req);
  if (!has_as_of.ok()) return has_as_of.status();
  return req;
}

absl::Status ListAndPrint(Context& ctx, const v1::ListActionsRequest& req) {
  auto actions = AllActions(ctx, req);
  if (!actions.ok()) return actions.status();
  if (ctx.json) {
    v1::ListActionsResponse response;
    for (v1::Action& a : *actions) *response.add_actions() = std::move(a);
    std::cout << ToJson(response) << "\n";
    return absl::OkStatus();
  }
  std::cout << FormatActionList(*actions);
  return absl::OkStatus();
}

absl::Status Actions(Context& ctx) {
  auto req = ActionFilters(ctx);
  if (!req.ok()) return req.status();
  return ListAndPrint(ctx, *req);
}

absl::Status Overdue(Context& ctx) {
  auto req = ActionFilters(ctx);
  if (!req.ok()) return req.status();
  req->set_overdue(true);
  return ListAndPrint(ctx, *req);
}

// The filters both commands take (overdue's help lists the useful ones).
std::vector<OptionSpec> FilterOptions() {
  return {Text("--review"),
          Repeated("--lead"),
          Choice("--status", v1::ActionStatus_descriptor()),
          Choice("--rag", v1::Rag_descriptor()),
          Text("--due-before"),
          Text("--due-after"),
          Text("--committee"),
          Text("--text"),
          Number("--due-soon-days", "\"$0\" is not a number of days", 1,
                 UINT32_MAX),
          Text("--as-of"),
          Flag("--effective")};
}

}  // namespace

void AddListingCommands(std::vector<CommandSpec>* commands) {
  std::vector<OptionSpec> actions = FilterOptions();
  actions.push_back(Flag("--overdue"));
  actions.push_back(Flag("--due-soon"));
  commands->push_back(
      {"actions",
       "[--review REVIEW] [--committee C] [--lead NAME...] [--status S] "
       "[--rag red|amber|green] [--overdue] [--due-soon] [--due-before DATE] "
       "[--due-after DATE] [--text WORDS] [--due-soon-days N] "
       "[--as-of DATE|TIME [--effective]]",
       "List actions matching every filter given (any of several --lead).",
       actions, Actions});
  commands->push_back(
      {"overdue",
       "[--lead NAME...] [--committee C] [--review REVIEW] "
       "[--as-of DATE|TIME [--effective]]",
       "List overdue actions: target passed, neither completed nor "
       "cancelled.",
       FilterOptions(), Overdue});
}

}  // namespace rectrack::cli
