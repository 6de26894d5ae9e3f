#include "server/domain/report.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/status_macros.h"
#include "server/domain/as_of.h"
#include "server/domain/derived.h"
#include "server/domain/rules.h"

namespace rectrack::domain {
namespace {

constexpr uint32_t kMaxDeadlineDays = 3660;
constexpr int kMaxChanges = 1000;

void AddStatusCounts(const std::map<v1::RecommendationStatus, uint32_t>& counts,
                     google::protobuf::RepeatedPtrField<v1::StatusCount>* out) {
  for (const auto& [status, count] : counts) {
    v1::StatusCount* c = out->Add();
    c->set_status(status);
    c->set_count(count);
  }
}

// Every stream of the review; what exists now includes all that ever did.
absl::StatusOr<std::vector<std::string>> StreamsOf(Queries* queries,
                                                   const v1::Review& current) {
  std::vector<std::string> streams = {current.id()};
  for (const std::string& rec_id : current.recommendation_ids()) {
    streams.push_back(rec_id);
    RECTRACK_ASSIGN_OR_RETURN(v1::Recommendation rec,
                              queries->GetRecommendation(rec_id));
    streams.insert(streams.end(), rec.action_ids().begin(),
                   rec.action_ids().end());
  }
  return streams;
}

// The report of one review, from its folded streams.
class ReportBuilder {
 public:
  ReportBuilder(const v1::GetReportRequest& request,
                const std::optional<AsOfSpec>& spec, std::string day,
                int due_soon_days, const EntityStates& states,
                const std::vector<v1::Event>& events)
      : request_(request),
        spec_(spec),
        day_(std::move(day)),
        due_soon_days_(due_soon_days),
        states_(states),
        events_(events) {}

  v1::Report Build(const v1::Review& review, std::string since) {
    v1::Report report;
    *report.mutable_review() = review;
    report.set_day(day_);
    if (spec_.has_value()) *report.mutable_as_of() = request_.as_of();
    report.set_response_deadline_days(request_.response_deadline_days());
    AddItems(review, &report);
    AddChanges(review, std::move(since), &report);
    AddTimeline(&report);
    return report;
  }

 private:
  // Each recommendation with its response timing and actions.
  void AddItems(const v1::Review& review, v1::Report* report) {
    // The executive's first response to each recommendation, by its date.
    absl::flat_hash_map<std::string, std::string> first_response;
    for (const v1::Event& e : events_) {
      if (e.payload().has_response_recorded()) {
        first_response.emplace(e.stream(), EffectiveDay(e));
      }
    }
    const std::string due_on =
        ResponseDueOn(review.published_on(),
                      static_cast<int>(request_.response_deadline_days()));
    v1::ReportSummary* summary = report->mutable_summary();
    std::map<v1::RecommendationStatus, uint32_t> by_status;
    for (const std::string& rec_id : review.recommendation_ids()) {
      auto rec_it = states_.recommendations.find(rec_id);
      if (rec_it == states_.recommendations.end()) continue;
      const v1::Recommendation& rec = rec_it->second;
      v1::ReportItem* item = report->add_items();
      *item->mutable_recommendation() = rec;
      ++by_status[rec.status()];
      summary->set_recommendations(summary->recommendations() + 1);
      auto responded = first_response.find(rec_id);
      SetTiming(
          review, due_on,
          responded == first_response.end() ? nullptr : &responded->second,
          item->mutable_response_timing(), summary);
      for (const std::string& action_id : rec.action_ids()) {
        auto act_it = states_.actions.find(action_id);
        if (act_it == states_.actions.end()) continue;
        AddAction(act_it->second, item, summary);
      }
    }
    AddStatusCounts(by_status, summary->mutable_by_status());
  }

  // `responded_on` is null while the response is awaited.
  void SetTiming(const v1::Review& review, const std::string& due_on,
                 const std::string* responded_on, v1::ResponseTiming* timing,
                 v1::ReportSummary* summary) {
    timing->set_due_on(due_on);
    if (responded_on == nullptr) {
      timing->set_late(!due_on.empty() && day_ > due_on);
      summary->set_responses_awaited(summary->responses_awaited() + 1);
      if (timing->late()) {
        summary->set_responses_overdue(summary->responses_overdue() + 1);
      }
      return;
    }
    timing->set_responded(true);
    timing->set_responded_on(*responded_on);
    if (!review.published_on().empty()) {
      timing->set_days_taken(DaysBetween(review.published_on(), *responded_on));
    }
    timing->set_late(!due_on.empty() && *responded_on > due_on);
    if (timing->late()) {
      summary->set_responses_late(summary->responses_late() + 1);
    } else {
      summary->set_responses_on_time(summary->responses_on_time() + 1);
    }
  }

  void AddAction(const v1::Action& folded, v1::ReportItem* item,
                 v1::ReportSummary* summary) {
    v1::Action* action = item->add_actions();
    *action = folded;
    *action->mutable_standing() = StandingOn(*action, day_, due_soon_days_);
    summary->set_actions(summary->actions() + 1);
    switch (action->standing().rag()) {
      case v1::RAG_RED:
        summary->set_red(summary->red() + 1);
        break;
      case v1::RAG_AMBER:
        summary->set_amber(summary->amber() + 1);
        break;
      default:
        summary->set_green(summary->green() + 1);
        break;
    }
    if (action->standing().overdue()) {
      summary->set_overdue(summary->overdue() + 1);
    }
    if (action->standing().due_soon()) {
      summary->set_due_soon(summary->due_soon() + 1);
    }
    if (action->slippage().revisions() > 0) {
      summary->set_actions_revised(summary->actions_revised() + 1);
      summary->set_revisions(summary->revisions() +
                             action->slippage().revisions());
      summary->set_days_slipped(summary->days_slipped() +
                                action->slippage().days_slipped());
    }
  }

  // What changed since `since`, else the previous report-back, else
  // publication.
  void AddChanges(const v1::Review& review, std::string since,
                  v1::Report* report) {
    if (since.empty()) {
      for (const v1::ReportBack& rb : review.report_backs()) {
        if (rb.date() < day_) since = rb.date();
      }
    }
    if (since.empty()) since = review.published_on();
    report->set_changed_since(since);
    for (const v1::Event& e : events_) {
      if (!since.empty() && EventDay(spec_, e) < since) continue;
      if (report->changes_size() == kMaxChanges) {
        report->set_changes_truncated(true);
        break;
      }
      *report->add_changes() = e;
    }
  }

  // Recommendations by status at the end of each day on which any changed,
  // dated by when the change took effect (a plan imported today still shows
  // its real history). Those days need not rise with log order, so each
  // day's picture takes each recommendation's last change dated on or
  // before it.
  void AddTimeline(v1::Report* report) {
    absl::flat_hash_map<
        std::string,
        std::vector<std::pair<std::string, v1::RecommendationStatus>>>
        changes_of;
    std::set<std::string> days;
    for (const v1::Event& e : events_) {
      const v1::EventPayload& p = e.payload();
      std::optional<v1::RecommendationStatus> status;
      if (p.has_recommendation_added()) {
        status = v1::RECOMMENDATION_STATUS_AWAITING_RESPONSE;
      } else if (p.has_response_recorded()) {
        status = StatusForDecision(p.response_recorded().decision());
      } else if (p.has_recommendation_status_set()) {
        status = p.recommendation_status_set().status();
      }
      if (!status.has_value()) continue;
      std::string event_day = EffectiveDay(e);
      days.insert(event_day);
      changes_of[e.stream()].emplace_back(std::move(event_day), *status);
    }
    for (const std::string& d : days) {
      std::map<v1::RecommendationStatus, uint32_t> counts;
      for (const auto& [rec_id, changes] : changes_of) {
        std::optional<v1::RecommendationStatus> status;
        for (const auto& [change_day, s] : changes) {
          if (change_day <= d) status = s;
        }
        if (status.has_value()) ++counts[*status];
      }
      v1::StatusPoint* point = report->add_timeline();
      point->set_day(d);
      AddStatusCounts(counts, point->mutable_counts());
    }
  }

  const v1::GetReportRequest& request_;
  const std::optional<AsOfSpec>& spec_;
  const std::string day_;
  const int due_soon_days_;
  const EntityStates& states_;
  const std::vector<v1::Event>& events_;
};

}  // namespace

absl::StatusOr<v1::Report> BuildReport(store::EventStore* store,
                                       Queries* queries,
                                       const v1::GetReportRequest& request) {
  RECTRACK_ASSIGN_OR_RETURN(v1::Review current,
                            queries->GetReview(request.review_id()));
  RECTRACK_ASSIGN_OR_RETURN(std::optional<AsOfSpec> spec,
                            ReadAsOf(request.has_as_of(), request.as_of()));
  RECTRACK_ASSIGN_OR_RETURN(int due_soon_days,
                            DueSoonDays(request.due_soon_days()));
  if (request.response_deadline_days() > kMaxDeadlineDays) {
    return absl::InvalidArgumentError(
        absl::StrCat("response_deadline_days: at most ", kMaxDeadlineDays));
  }
  std::string since;
  if (!request.since().empty()) {
    RECTRACK_ASSIGN_OR_RETURN(since, NormalizeDate(request.since(), "since"));
  }
  RECTRACK_ASSIGN_OR_RETURN(std::vector<std::string> streams,
                            StreamsOf(queries, current));
  std::vector<v1::Event> events;
  RECTRACK_ASSIGN_OR_RETURN(EntityStates states,
                            FoldStreams(store, streams, spec, &events));
  auto review_it = states.reviews.find(current.id());
  if (review_it == states.reviews.end()) {
    return NotYet("review", current.id(), *spec);
  }
  std::string day = spec.has_value() ? spec->day : Today(store);
  return ReportBuilder(request, spec, std::move(day), due_soon_days, states,
                       events)
      .Build(review_it->second, std::move(since));
}

}  // namespace rectrack::domain
