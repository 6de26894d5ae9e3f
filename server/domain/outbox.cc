#include "server/domain/outbox.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/dates.h"
#include "common/status_macros.h"
#include "server/domain/derived.h"
#include "server/domain/fold.h"
#include "server/domain/index_entries.h"
#include "server/domain/stored_state.h"

namespace rectrack::domain {
namespace {

// The actions asked of one lead for one meeting of one review.
struct LeadUpdates {
  std::string review_id;
  std::string meeting;
  std::string lead;  // as the first action names them
  std::string due;   // the earliest due day of their requests
  std::vector<const v1::Action*> actions;
};

bool Unanswered(const v1::Action& a) {
  const v1::UpdateStatus s = a.update_request().status();
  return s == v1::UPDATE_STATUS_OPEN || s == v1::UPDATE_STATUS_RETURNED;
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "\"";
}

class OutboxBuilder {
 public:
  OutboxBuilder(store::EventStore* store, Queries* queries,
                const UpdateSettings& settings, std::string day)
      : store_(store),
        queries_(queries),
        settings_(settings),
        day_(std::move(day)) {}

  absl::StatusOr<v1::ListOutboxResponse> Build(const std::string& review_id) {
    v1::ListUpdatesRequest asked;
    asked.set_review_id(review_id);
    RECTRACK_ASSIGN_OR_RETURN(v1::ListUpdatesResponse updates,
                              queries_->ListUpdates(asked));
    actions_.assign(updates.actions().begin(), updates.actions().end());
    std::map<std::string, LeadUpdates> by_lead;  // review/meeting/lead
    for (const v1::Action& a : actions_) {
      for (const std::string& lead : a.leads()) {
        const std::string key =
            absl::StrCat(a.review_id(), "/", a.update_request().meeting(), "/",
                         absl::AsciiStrToLower(Trimmed(lead)));
        LeadUpdates& group = by_lead[key];
        if (group.actions.empty()) {
          group = {a.review_id(),
                   a.update_request().meeting(),
                   Trimmed(lead),
                   a.update_request().due(),
                   {}};
        }
        group.due = std::min(group.due, a.update_request().due());
        group.actions.push_back(&a);
      }
    }
    RECTRACK_ASSIGN_OR_RETURN(auto sent, store_->ScanState(SentMessageKey("")));
    for (const auto& [state_key, bytes] : sent) {
      RECTRACK_ASSIGN_OR_RETURN(
          v1::OutboxMessage m, ParseState<v1::OutboxMessage>(state_key, bytes));
      if (!review_id.empty() && m.review_id() != review_id) continue;
      sent_keys_.insert(m.key());
      sent_.push_back(std::move(m));
    }
    for (const auto& [key, group] : by_lead) {
      RECTRACK_RETURN_IF_ERROR(AddRequest(key, group));
      RECTRACK_RETURN_IF_ERROR(AddReminders(group));
    }
    RECTRACK_RETURN_IF_ERROR(AddDigests());
    v1::ListOutboxResponse response;
    response.set_day(day_);
    for (auto& m : due_) *response.add_messages() = std::move(m);
    for (auto& m : sent_) *response.add_messages() = std::move(m);
    return response;
  }

 private:
  // Adds `m` unless it was sent; its address from the directory.
  absl::Status Due(v1::OutboxMessage m) {
    if (sent_keys_.count(m.key())) return absl::OkStatus();
    RECTRACK_ASSIGN_OR_RETURN(std::optional<std::string> id,
                              store_->GetState(PersonNameKey(m.recipient())));
    if (id.has_value()) {
      RECTRACK_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                                store_->GetState(*id));
      if (bytes.has_value()) {
        RECTRACK_ASSIGN_OR_RETURN(v1::Person person,
                                  ParseState<v1::Person>(*id, *bytes));
        m.set_to(person.email());
      }
    }
    if (m.to().empty()) {
      m.set_problem(absl::StrCat("no address for ", m.recipient(),
                                 " in the directory of people; add one with "
                                 "rectrack people add"));
    }
    due_.push_back(std::move(m));
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> ReviewTitle(const std::string& id) {
    RECTRACK_ASSIGN_OR_RETURN(v1::Review review, queries_->GetReview(id));
    return absl::StrCat(review.title(), " (", review.committee(), ")");
  }

  // One action as a lead reads it, with how to answer.
  absl::StatusOr<std::string> ActionText(const v1::Action& a, int n) {
    RECTRACK_ASSIGN_OR_RETURN(
        v1::Recommendation rec,
        queries_->GetRecommendation(a.recommendation_id()));
    std::string last = "none yet";
    for (const v1::ProgressUpdate& p : a.progress()) {
      if (p.retracted()) continue;
      last = absl::StrCat(p.reported_on().empty() ? "undated" : p.reported_on(),
                          ": ", p.text());
    }
    return absl::StrCat(
        n, ". ", a.id(), ": ", a.text(), "\n   Recommendation ", rec.ref(),
        ": ", rec.text(), "\n   Target: ",
        a.timescale().text().empty() ? "none given" : a.timescale().text(),
        "\n   Last update: ", last, "\n   To answer: rectrack updates answer ",
        a.id(),
        " --text \"WHAT HAS BEEN DONE\" [--status in-progress|completed|"
        "blocked] [--due \"NEW TARGET\" --reason \"WHY\"]\n"
        "   Or by the API: Apply with {\"commands\": [{\"answerUpdate\": "
        "{\"id\": ",
        Quote(a.id()),
        ", \"text\": \"...\"}}]} (POST /rectrack.v1.Tracker/Apply)\n");
  }

  absl::StatusOr<std::string> ActionsText(
      const std::vector<const v1::Action*>& actions) {
    std::string out;
    int n = 0;
    for (const v1::Action* a : actions) {
      RECTRACK_ASSIGN_OR_RETURN(std::string one, ActionText(*a, ++n));
      absl::StrAppend(&out, one, "\n");
    }
    return out;
  }

  absl::Status AddRequest(const std::string& key, const LeadUpdates& g) {
    RECTRACK_ASSIGN_OR_RETURN(std::string title, ReviewTitle(g.review_id));
    RECTRACK_ASSIGN_OR_RETURN(std::string list, ActionsText(g.actions));
    v1::OutboxMessage m;
    m.set_key(absl::StrCat("request/", key));
    m.set_kind("request");
    m.set_review_id(g.review_id);
    m.set_recipient(g.lead);
    m.set_subject(absl::StrCat("Update wanted by ", g.due, ": ", title));
    m.set_body(absl::StrCat(
        "Dear ", g.lead, ",\n\nPlease give an update on ",
        g.actions.size() == 1 ? "the action" : "the actions",
        " below, which you lead, by ", g.due,
        g.actions.size() == 1 ? ". It is" : ". They are", " reported to ",
        title, " at its meeting on ", g.meeting, ".\n\n", list,
        "Your answer is checked by the scrutiny officer before it goes to the "
        "committee.\n"));
    return Due(std::move(m));
  }

  absl::Status AddReminders(const LeadUpdates& g) {
    std::vector<const v1::Action*> open;
    for (const v1::Action* a : g.actions) {
      if (Unanswered(*a) && IsOpen(a->status())) open.push_back(a);
    }
    if (open.empty()) return absl::OkStatus();
    const std::string before =
        AddDays(g.due, -settings_.reminder_days_before_due);
    std::string when;
    if (day_ >= g.due) {
      when = g.due;
    } else if (day_ >= before && settings_.reminder_days_before_due > 0) {
      when = before;
    } else {
      return absl::OkStatus();
    }
    RECTRACK_ASSIGN_OR_RETURN(std::string title, ReviewTitle(g.review_id));
    RECTRACK_ASSIGN_OR_RETURN(std::string list, ActionsText(open));
    v1::OutboxMessage m;
    m.set_key(absl::StrCat("reminder/", g.review_id, "/", g.meeting, "/", when,
                           "/", absl::AsciiStrToLower(g.lead)));
    m.set_kind("reminder");
    m.set_review_id(g.review_id);
    m.set_recipient(g.lead);
    const std::string due_words = day_ < g.due    ? "due on " + g.due
                                  : day_ == g.due ? std::string("due today")
                                                  : "overdue since " + g.due;
    m.set_subject(absl::StrCat(day_ < g.due    ? "Reminder: update due "
                               : day_ == g.due ? "Update due today"
                                               : "Update overdue since ",
                               day_ == g.due ? "" : g.due, ": ", title));
    m.set_body(absl::StrCat(
        "Dear ", g.lead, ",\n\nThe update", open.size() == 1 ? "" : "s",
        " below ", open.size() == 1 ? "is" : "are", " ", due_words,
        " and not answered yet. ", open.size() == 1 ? "It is" : "They are",
        " reported to ", title, " on ", g.meeting, ".\n\n", list));
    return Due(std::move(m));
  }

  // One digest per review and meeting, to whoever asked, on the due day.
  absl::Status AddDigests() {
    std::map<std::string, std::vector<const v1::Action*>> by_meeting;
    std::map<std::string, std::string> due_of;
    for (const v1::Action& a : actions_) {
      const std::string k =
          absl::StrCat(a.review_id(), "/", a.update_request().meeting());
      by_meeting[k].push_back(&a);
      auto [it, fresh] = due_of.emplace(k, a.update_request().due());
      if (!fresh) it->second = std::min(it->second, a.update_request().due());
    }
    for (const auto& [k, actions] : by_meeting) {
      const std::string& due = due_of[k];
      if (day_ < due) continue;
      std::string outstanding, waiting;
      for (const v1::Action* a : actions) {
        const std::string line =
            absl::StrCat("- ", a->id(), " (", absl::StrJoin(a->leads(), "; "),
                         "): ", a->text(), "\n");
        if (Unanswered(*a) && IsOpen(a->status())) outstanding += line;
        if (a->update_request().status() == v1::UPDATE_STATUS_ANSWERED) {
          waiting += line;
        }
      }
      if (outstanding.empty() && waiting.empty()) continue;
      const v1::Action& first = *actions.front();
      RECTRACK_ASSIGN_OR_RETURN(std::string title,
                                ReviewTitle(first.review_id()));
      v1::OutboxMessage m;
      m.set_key(absl::StrCat("digest/", k, "/", due));
      m.set_kind("digest");
      m.set_review_id(first.review_id());
      m.set_recipient(first.update_request().requested_by());
      m.set_subject(absl::StrCat("Updates outstanding for ", title,
                                 ", meeting ",
                                 first.update_request().meeting()));
      m.set_body(absl::StrCat(
          "Updates were due on ", due, " for the meeting on ",
          first.update_request().meeting(), ".\n\nNot answered:\n",
          outstanding.empty() ? "- none\n" : outstanding,
          "\nAnswered, waiting for your approval (rectrack updates approve "
          "ACTION, or return ACTION --comment C):\n",
          waiting.empty() ? "- none\n" : waiting));
      RECTRACK_RETURN_IF_ERROR(Due(std::move(m)));
    }
    return absl::OkStatus();
  }

  store::EventStore* store_;
  Queries* queries_;
  const UpdateSettings& settings_;
  const std::string day_;
  std::vector<v1::Action> actions_;
  std::set<std::string> sent_keys_;
  std::vector<v1::OutboxMessage> due_;
  std::vector<v1::OutboxMessage> sent_;
};

}  // namespace

absl::StatusOr<v1::ListOutboxResponse> BuildOutbox(
    store::EventStore* store, Queries* queries,
    const v1::ListOutboxRequest& request, const UpdateSettings& settings) {
  OutboxBuilder builder(store, queries, settings, DayOf(store->clock()->Now()));
  return builder.Build(Trimmed(request.review_id()));
}

}  // namespace rectrack::domain
