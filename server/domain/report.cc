#include "server/domain/report.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

bool IsUpdateCycle(const v1::Event& e) {
  return e.payload().has_update_requested() ||
         e.payload().has_update_answered() ||
         e.payload().has_update_decided() || e.payload().has_message_sent();
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
                const std::vector<v1::Event>& events,
                const std::vector<std::string>& days)
      : request_(request),
        spec_(spec),
        day_(std::move(day)),
        due_soon_days_(due_soon_days),
        states_(states),
        events_(events),
        days_(days) {}

  v1::Report Build(const v1::Review& review, std::string since) {
    v1::Report report;
    *report.mutable_review() = review;
    report.set_day(day_);
    if (spec_.has_value()) *report.mutable_as_of() = request_.as_of();
    report.set_response_deadline_days(request_.response_deadline_days());
    report.set_meeting_on(MeetingOn(review));
    for (std::string& rule : RagRules(due_soon_days_)) {
      report.add_rag_rules(std::move(rule));
    }
    AddItems(review, &report);
    AddExceptions(&report);
    AddChanges(review, std::move(since), &report);
    AddTimeline(&report);
    return report;
  }

 private:
  // Each recommendation with its response timing and actions.
  // The meeting asked for, else the first report-back on or after the day.
  std::string MeetingOn(const v1::Review& review) const {
    if (!request_.meeting_on().empty()) return request_.meeting_on();
    for (const v1::ReportBack& rb : review.report_backs()) {
      if (rb.date() >= day_) return rb.date();
    }
    return "";
  }

  void AddItems(const v1::Review& review, v1::Report* report) {
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
      SetTiming(review, due_on, rec, item->mutable_response_timing(), summary);
      for (const std::string& action_id : rec.action_ids()) {
        auto act_it = states_.actions.find(action_id);
        if (act_it == states_.actions.end()) continue;
        AddAction(act_it->second, item, summary);
      }
    }
    AddStatusCounts(by_status, summary->mutable_by_status());
  }

  // Timing of the response in force (the latest recorded or corrected).
  void SetTiming(const v1::Review& review, const std::string& due_on,
                 const v1::Recommendation& rec, v1::ResponseTiming* timing,
                 v1::ReportSummary* summary) {
    timing->set_due_on(due_on);
    if (!rec.has_response()) {
      timing->set_late(!due_on.empty() && day_ > due_on);
      summary->set_responses_awaited(summary->responses_awaited() + 1);
      if (timing->late()) {
        summary->set_responses_overdue(summary->responses_overdue() + 1);
      }
      return;
    }
    timing->set_responded(true);
    const std::string& responded_on = rec.response().responded_on();
    if (responded_on.empty()) {
      timing->set_date_not_recorded(true);
      summary->set_responses_date_not_recorded(
          summary->responses_date_not_recorded() + 1);
      return;
    }
    timing->set_responded_on(responded_on);
    if (!review.published_on().empty()) {
      timing->set_days_taken(DaysBetween(review.published_on(), responded_on));
    }
    timing->set_late(!due_on.empty() && responded_on > due_on);
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
    // What a lead answered is not in the record until it is approved.
    if (action->update_request().status() != v1::UPDATE_STATUS_APPROVED) {
      action->mutable_update_request()->clear_answer();
    }
    *action->mutable_standing() = StandingOn(*action, day_, due_soon_days_);
    summary->set_actions(summary->actions() + 1);
    switch (action->standing().rag()) {
      case v1::RAG_RED:
        summary->set_red(summary->red() + 1);
        break;
      case v1::RAG_AMBER:
        summary->set_amber(summary->amber() + 1);
        break;
      case v1::RAG_NO_TARGET:
        summary->set_no_target(summary->no_target() + 1);
        break;
      case v1::RAG_NOT_RATED:
        summary->set_not_rated(summary->not_rated() + 1);
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
    // Selected and ordered by one axis: the day each change took effect.
    std::vector<std::pair<std::string, const v1::Event*>> changes;
    absl::flat_hash_map<std::string, int> notes_seen;
    for (size_t i = 0; i < events_.size(); ++i) {
      if (RetractedNote(events_[i], &notes_seen)) continue;
      // Asking, answering and deciding are not changes to the record; an
      // approved answer's note, status and target are events of their own.
      if (IsUpdateCycle(events_[i])) continue;
      if (!since.empty() && days_[i] < since) continue;
      changes.emplace_back(days_[i], &events_[i]);
    }
    std::stable_sort(
        changes.begin(), changes.end(),
        [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [d, e] : changes) {
      if (report->changes_size() == kMaxChanges) {
        report->set_changes_truncated(true);
        break;
      }
      *report->add_changes() = *e;
      report->add_change_days(std::move(d));
    }
  }

  // A progress note since retracted: reports leave it out (history keeps
  // it). `seen` counts each action's notes so far.
  bool RetractedNote(const v1::Event& e,
                     absl::flat_hash_map<std::string, int>* seen) const {
    if (!e.payload().has_progress_reported()) return false;
    const int index = (*seen)[e.stream()]++;
    auto it = states_.actions.find(e.stream());
    return it != states_.actions.end() && index < it->second.progress_size() &&
           it->second.progress(index).retracted();
  }

  // Exceptions, in the order of the recommendations and their actions.
  void AddExceptions(v1::Report* report) const {
    using Kind = v1::ReportException;
    auto add = [&](Kind::Kind kind, const std::string& rec_id,
                   const std::string& action_id, std::string detail) {
      v1::ReportException* x = report->add_exceptions();
      x->set_kind(kind);
      x->set_recommendation_id(rec_id);
      x->set_action_id(action_id);
      x->set_detail(std::move(detail));
    };
    for (const v1::ReportItem& item : report->items()) {
      const v1::Recommendation& rec = item.recommendation();
      bool all_done = item.actions_size() > 0;
      for (const v1::Action& a : item.actions()) {
        all_done = all_done && !IsOpen(a.status());
        if (a.standing().overdue()) {
          add(Kind::KIND_OVERDUE, rec.id(), a.id(),
              absl::StrCat("overdue by ", a.standing().days_overdue(),
                           " days (target: ", a.timescale().text(), ")"));
        }
        if (IsOpen(a.status()) && !HasReadableTarget(a.timescale())) {
          add(Kind::KIND_NO_TARGET, rec.id(), a.id(),
              a.timescale().text().empty()
                  ? std::string("no target given")
                  : absl::StrCat("target \"", a.timescale().text(),
                                 "\" cannot be read as a date"));
        }
        if (a.slippage().revisions() > 1) {
          add(Kind::KIND_REVISED_MORE_THAN_ONCE, rec.id(), a.id(),
              absl::StrCat("target revised ", a.slippage().revisions(),
                           " times, now ", a.timescale().text()));
        }
        if (IsOpen(a.status()) && UpdateOverdue(a.update_request(), day_)) {
          const v1::UpdateRequest& r = a.update_request();
          add(Kind::KIND_UPDATE_NOT_ANSWERED, rec.id(), a.id(),
              absl::StrCat("update for the meeting of ", r.meeting(),
                           " not answered by ", absl::StrJoin(a.leads(), "; "),
                           " (due ", r.due(), ")"));
        }
      }
      if (all_done && !IsFinal(rec.status()) &&
          rec.status() != v1::RECOMMENDATION_STATUS_CLOSED_NOT_IMPLEMENTED &&
          rec.status() != v1::RECOMMENDATION_STATUS_REJECTED) {
        add(Kind::KIND_PROPOSED_FOR_SIGN_OFF, rec.id(), "",
            "every action is completed or cancelled; not yet signed off");
      }
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
    // Each recommendation's status after each of its events, folded on its
    // own so that corrections count as they do in the state.
    EntityStates scratch;
    for (size_t i = 0; i < events_.size(); ++i) {
      const v1::Event& e = events_[i];
      if (!states_.recommendations.contains(e.stream())) continue;
      if (!FoldEvent(e, &scratch).ok()) continue;
      auto it = scratch.recommendations.find(e.stream());
      if (it == scratch.recommendations.end()) continue;
      auto& changes = changes_of[e.stream()];
      if (!changes.empty() && changes.back().second == it->second.status()) {
        continue;
      }
      const std::string& event_day = days_[i];
      days.insert(event_day);
      changes.emplace_back(event_day, it->second.status());
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
  // The day each of events_ took effect (ViewDays).
  const std::vector<std::string>& days_;
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
  v1::GetReportRequest checked = request;
  if (!request.meeting_on().empty()) {
    RECTRACK_ASSIGN_OR_RETURN(
        *checked.mutable_meeting_on(),
        NormalizeDate(request.meeting_on(), "meeting_on"));
  }
  RECTRACK_ASSIGN_OR_RETURN(std::vector<std::string> streams,
                            StreamsOf(queries, current));
  std::vector<v1::Event> events;
  std::vector<std::string> days;
  RECTRACK_ASSIGN_OR_RETURN(EntityStates states,
                            FoldStreams(store, streams, spec, &events, &days));
  auto review_it = states.reviews.find(current.id());
  if (review_it == states.reviews.end()) {
    return NotYet("review", current.id(), *spec);
  }
  std::string day = spec.has_value() ? spec->day : Today(store);
  return ReportBuilder(checked, spec, std::move(day), due_soon_days, states,
                       events, days)
      .Build(review_it->second, std::move(since));
}

}  // namespace rectrack::domain
