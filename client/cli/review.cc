// rectrack review open|list|show|schedule|close: the reviews (scrutiny
// reports) being tracked.
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "client/cli/commands.h"
#include "client/cli/context.h"
#include "client/cli/rpc.h"
#include "client/render/format.h"

namespace rectrack::cli {
namespace {

absl::Status ReviewOpen(Context& ctx) {
  v1::Command c;
  v1::OpenReview* o = c.mutable_open_review();
  o->set_title(Opt(ctx, "--title"));
  o->set_committee(Opt(ctx, "--committee"));
  o->set_council(Opt(ctx, "--council"));
  o->set_published_on(Opt(ctx, "--published"));
  return PrintChange(ctx, ApplyOne(ctx, c), "Opened review");
}

absl::Status ReviewList(Context& ctx) {
  // Every page, as one list.
  v1::ListReviewsResponse response;
  v1::ListReviewsRequest request;
  do {
    v1::ListReviewsResponse page;
    absl::Status status =
        Unary(ctx, &v1::Tracker::Stub::ListReviews, request, &page);
    if (!status.ok()) return status;
    for (v1::Review& review : *page.mutable_reviews()) {
      *response.add_reviews() = std::move(review);
    }
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  Print(
      ctx, response,
      FormatReviewList({response.reviews().begin(), response.reviews().end()}));
  return absl::OkStatus();
}

// `rectrack review show --json`: the review and everything in it, as one
// JSON object.
void PrintReviewJson(const v1::Review& review,
                     const std::vector<v1::Recommendation>& recs,
                     const std::vector<v1::Action>& actions) {
  std::vector<std::string> rec_json;
  rec_json.reserve(recs.size());
  for (const auto& r : recs) rec_json.push_back(ToJson(r));
  std::vector<std::string> action_json;
  action_json.reserve(actions.size());
  for (const auto& a : actions) action_json.push_back(ToJson(a));
  std::cout << "{\n\"review\": " << ToJson(review)
            << ",\n\"recommendations\": [" << absl::StrJoin(rec_json, ",\n")
            << "],\n\"actions\": [" << absl::StrJoin(action_json, ",\n")
            << "]\n}\n";
}

absl::Status ReviewShow(Context& ctx) {
  v1::GetReviewRequest req;
  v1::Review review;
  absl::Status status =
      GetOne(ctx, "review", &v1::Tracker::Stub::GetReview, &req, &review);
  if (!status.ok()) return status;
  const v1::AsOf* as_of = req.has_as_of() ? &req.as_of() : nullptr;
  auto recs = GetEach(ctx, &v1::Tracker::Stub::GetRecommendation,
                      review.recommendation_ids(), as_of);
  if (!recs.ok()) return recs.status();
  v1::ListActionsRequest areq;
  areq.set_review_id(req.id());
  if (as_of != nullptr) *areq.mutable_as_of() = *as_of;
  auto actions = AllActions(ctx, areq);
  if (!actions.ok()) return actions.status();
  if (ctx.json) {
    PrintReviewJson(review, *recs, *actions);
    return absl::OkStatus();
  }
  std::cout << FormatReview(review);
  if (recs->empty()) {
    std::cout << "\nNo recommendations yet. Add one with: rectrack rec add "
              << review.id() << " --ref 1 --text \"...\"\n";
  }
  for (const auto& rec : *recs) {
    std::vector<v1::Action> mine;
    for (const auto& a : *actions) {
      if (a.recommendation_id() == rec.id()) mine.push_back(a);
    }
    std::cout << "\n" << FormatRecommendation(rec, mine);
  }
  return absl::OkStatus();
}

absl::Status ReviewSchedule(Context& ctx) {
  return ChangeOne(ctx, "review", "Scheduled a report-back for",
                   [&](const std::string& id, v1::Command* c) {
                     v1::ScheduleReportBack* s =
                         c->mutable_schedule_report_back();
                     s->set_review_id(id);
                     s->set_date(Opt(ctx, "--date"));
                     s->set_note(Opt(ctx, "--note"));
                     s->set_effective_on(Opt(ctx, "--on"));
                     return absl::OkStatus();
                   });
}

absl::Status ReviewClose(Context& ctx) {
  return ChangeOne(
      ctx, "review", "Closed", [&](const std::string& id, v1::Command* c) {
        c->mutable_close_review()->set_review_id(id);
        c->mutable_close_review()->set_note(Opt(ctx, "--note"));
        c->mutable_close_review()->set_effective_on(Opt(ctx, "--on"));
        return absl::OkStatus();
      });
}

}  // namespace

void AddReviewCommands(std::vector<CommandSpec>* commands) {
  commands->push_back(
      {"review open",
       "--title T --committee C [--council O] [--published DATE]",
       "Open a review (a scrutiny report) for tracking.",
       // The server names a missing title or committee.
       {Text("--title"), Text("--committee"), Text("--council"),
        Text("--published")},
       ReviewOpen,
       true});
  commands->push_back(
      {"review list", "", "List every review.", {}, ReviewList});
  commands->push_back(
      {"review show",
       "REVIEW [--as-of DATE|TIME [--effective]]",
       "Show the whole tracker for a review: recommendations, responses, "
       "actions and latest progress.",
       {Text("--as-of"), Flag("--effective")},
       ReviewShow});
  commands->push_back(
      {"review schedule",
       "REVIEW --date DATE [--note T] [--on DATE]",
       "Add a report-back meeting to the review's schedule "
       "(a past meeting may be recorded too). --on: the day "
       "the meeting was fixed.",
       {Text("--date").Required(), Text("--note"), Text("--on")},
       ReviewSchedule,
       true});
  commands->push_back({"review close",
                       "REVIEW [--note T] [--on DATE]",
                       "Close a review: nothing in it changes after this. "
                       "--on: the day it was closed.",
                       {Text("--note"), Text("--on")},
                       ReviewClose,
                       true});
}

}  // namespace rectrack::cli
