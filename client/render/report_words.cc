#include "client/render/report_words.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "client/render/format.h"
#include "common/dates.h"

namespace rectrack::cli {
namespace {

std::string Word(const google::protobuf::EnumDescriptor* type, int value) {
  return absl::StrReplaceAll(EnumWord(type, value), {{"-", " "}});
}

std::string OneLine(const std::string& text) {
  return absl::StrReplaceAll(text, {{"\r\n", " "}, {"\n", " "}, {"\t", " "}});
}

std::string Quoted(const std::string& text) {
  std::string line = OneLine(text);
  constexpr size_t kMax = 60;
  if (line.size() > kMax) {
    size_t cut = line.rfind(' ', kMax);
    line = absl::StrCat(
        line.substr(0, cut == std::string::npos || cut < 30 ? kMax : cut), "…");
  }
  return absl::StrCat("'", line, "'");
}

std::string WithNote(std::string sentence, const std::string& note) {
  if (!note.empty()) absl::StrAppend(&sentence, ": ", OneLine(note));
  return sentence;
}

std::string Target(const std::string& text) {
  return text.empty() ? std::string("no target") : OneLine(text);
}

}  // namespace

std::string UkDate(const std::string& ymd, const std::string& missing) {
  if (ymd.empty()) return missing;
  std::optional<absl::CivilDay> day = ParseDay(ymd);
  if (!day.has_value()) return ymd;
  static const char* const kMonths[] = {
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  return absl::StrCat(day->day(), " ", kMonths[day->month() - 1], " ",
                      day->year());
}

std::string RecommendationLabel(const v1::Recommendation& rec) {
  return absl::StrCat("Recommendation ",
                      rec.ref().empty() ? rec.id() : rec.ref());
}

ReportNames::ReportNames(const v1::Report& report) {
  labels_[report.review().id()] = "the review";
  for (const v1::ReportItem& item : report.items()) {
    labels_[item.recommendation().id()] =
        RecommendationLabel(item.recommendation());
    for (const v1::Action& a : item.actions()) {
      labels_[a.id()] = absl::StrCat("action ", Quoted(a.text()));
      actions_[a.id()] = &a;
    }
  }
}

std::string ReportNames::Of(const std::string& id) const {
  auto it = labels_.find(id);
  return it == labels_.end() ? id : it->second;
}

std::string ReportNames::TargetBefore(const v1::Event& event) const {
  auto it = actions_.find(event.stream());
  if (it == actions_.end()) return "";
  const v1::Action& a = *it->second;
  for (int i = 1; i < a.targets_size(); ++i) {
    if (a.targets(i).recorded_at().seconds() == event.recorded_at().seconds() &&
        a.targets(i).recorded_at().nanos() == event.recorded_at().nanos()) {
      return a.targets(i - 1).target().text();
    }
  }
  return "";
}

// A correction of the record, or a retracted progress note.
std::string DescribeCorrection(const v1::Event& e, const std::string& who) {
  const v1::EventPayload& p = e.payload();
  switch (p.kind_case()) {
    case v1::EventPayload::kRecordCorrected: {
      const v1::CorrectRecord& c = p.record_corrected();
      return WithNote(
          absl::StrCat("Record of ", who, " corrected by ", e.actor(),
                       c.was().empty() ? "" : " (it said: " + c.was() + ")"),
          c.reason());
    }
    case v1::EventPayload::kProgressRetracted:
      return WithNote(
          absl::StrCat("Progress note ", p.progress_retracted().number(),
                       " on ", who, " retracted by ", e.actor()),
          p.progress_retracted().reason());
    default:
      break;
  }
  return e.type();
}

// The update cycle's events (people, requests, answers, decisions, mail).
std::string DescribeUpdateCycle(const v1::Event& e, const std::string& who) {
  const v1::EventPayload& p = e.payload();
  switch (p.kind_case()) {
    case v1::EventPayload::kPersonAdded:
      return absl::StrCat(p.person_added().name(), " in the directory at ",
                          p.person_added().email());
    case v1::EventPayload::kUpdateRequested:
      return absl::StrCat("Update on ", who, " asked of ",
                          absl::StrJoin(p.update_requested().leads(), "; "),
                          " for the meeting of ",
                          UkDate(p.update_requested().meeting()), ", due ",
                          UkDate(p.update_requested().due()));
    case v1::EventPayload::kUpdateAnswered:
      return absl::StrCat("Update on ", who, " answered by ", e.actor(), ": ",
                          OneLine(p.update_answered().text()));
    case v1::EventPayload::kUpdateDecided:
      return WithNote(
          absl::StrCat("Update on ", who, " from ",
                       p.update_decided().answered_by(),
                       p.update_decided().status() == v1::UPDATE_STATUS_RETURNED
                           ? " returned by "
                           : " approved by ",
                       e.actor()),
          p.update_decided().comment());
    case v1::EventPayload::kMessageSent:
      return absl::StrCat("Message sent to ", p.message_sent().to(), ": ",
                          p.message_sent().subject());
    default:
      break;
  }
  return e.type();
}

std::string DescribeChange(const v1::Event& e, const ReportNames& names) {
  const v1::EventPayload& p = e.payload();
  const std::string who = names.Of(e.stream());
  switch (p.kind_case()) {
    case v1::EventPayload::kReviewOpened:
      return absl::StrCat("Review opened: ", p.review_opened().title());
    case v1::EventPayload::kReportBackScheduled:
      return absl::StrCat("Report-back to the committee scheduled for ",
                          UkDate(p.report_back_scheduled().date()));
    case v1::EventPayload::kRecommendationAdded:
      return absl::StrCat(who, " made");
    case v1::EventPayload::kRecommendationAmended:
      return absl::StrCat("Wording of ", who, " amended");
    case v1::EventPayload::kResponseRecorded:
      return WithNote(
          absl::StrCat("Executive's response to ", who, " recorded: ",
                       Word(v1::Decision_descriptor(),
                            p.response_recorded().decision())),
          p.response_recorded().reason());
    case v1::EventPayload::kRecommendationStatusSet: {
      const v1::SetRecommendationStatus& s = p.recommendation_status_set();
      std::string out = WithNote(
          absl::StrCat(who, " now ",
                       Word(v1::RecommendationStatus_descriptor(), s.status())),
          s.note());
      if (!s.override_reason().empty()) {
        absl::StrAppend(&out, " (signed off although not all done: ",
                        OneLine(s.override_reason()), ")");
      }
      return out;
    }
    case v1::EventPayload::kActionAdded: {
      const v1::AddAction& a = p.action_added();
      return absl::StrCat("Action ", Quoted(a.text()), " agreed for ",
                          names.Of(a.recommendation_id()), ", led by ",
                          absl::StrJoin(a.leads(), "; "), ", target ",
                          Target(a.timescale()));
    }
    case v1::EventPayload::kActionUpdated: {
      const v1::UpdateAction& u = p.action_updated();
      if (u.has_timescale()) {
        std::string before = names.TargetBefore(e);
        return WithNote(
            absl::StrCat("Target for ", who, " revised",
                         before.empty() ? "" : " from " + Target(before),
                         " to ", Target(u.timescale())),
            u.reason());
      }
      return u.set_leads() ? absl::StrCat("Lead for ", who, " now ",
                                          absl::StrJoin(u.leads(), "; "))
                           : absl::StrCat("Wording of ", who, " amended");
    }
    case v1::EventPayload::kActionStatusSet:
      return WithNote(absl::StrCat(who, " now ",
                                   Word(v1::ActionStatus_descriptor(),
                                        p.action_status_set().status())),
                      p.action_status_set().note());
    case v1::EventPayload::kProgressReported:
      return absl::StrCat(
          "Progress on ", who, ": ", OneLine(p.progress_reported().text()),
          p.progress_reported().answered_by().empty()
              ? ""
              : absl::StrCat(" (update from ",
                             p.progress_reported().answered_by(),
                             ", approved by ", e.actor(), ")"));
    case v1::EventPayload::kRecordCorrected:
    case v1::EventPayload::kProgressRetracted:
      return DescribeCorrection(e, who);
    case v1::EventPayload::kReviewClosed:
      return WithNote("Review closed", p.review_closed().note());
    case v1::EventPayload::kPersonAdded:
    case v1::EventPayload::kUpdateRequested:
    case v1::EventPayload::kUpdateAnswered:
    case v1::EventPayload::kUpdateDecided:
    case v1::EventPayload::kMessageSent:
      return DescribeUpdateCycle(e, who);
    case v1::EventPayload::KIND_NOT_SET:
      break;
  }
  return e.type();
}

std::string TimingWords(const v1::ResponseTiming& t) {
  if (t.responded()) {
    if (t.date_not_recorded()) return "responded, date not recorded";
    std::string out = absl::StrCat("responded ", UkDate(t.responded_on()));
    if (!t.due_on().empty()) {
      absl::StrAppend(&out, ", ", t.days_taken(), " days after publication, ",
                      t.late() ? "LATE" : "on time", " (due ",
                      UkDate(t.due_on()), ")");
    }
    return out;
  }
  if (t.due_on().empty()) return "no response yet";
  return absl::StrCat("no response yet; due ", UkDate(t.due_on()),
                      t.late() ? " (OVERDUE)" : "");
}

std::string ExceptionKindWords(v1::ReportException::Kind kind) {
  switch (kind) {
    case v1::ReportException::KIND_OVERDUE:
      return "Overdue";
    case v1::ReportException::KIND_NO_TARGET:
      return "No target";
    case v1::ReportException::KIND_REVISED_MORE_THAN_ONCE:
      return "Target revised more than once";
    case v1::ReportException::KIND_PROPOSED_FOR_SIGN_OFF:
      return "Proposed for sign-off";
    case v1::ReportException::KIND_UPDATE_NOT_ANSWERED:
      return "Update not answered";
    default:
      return "Exception";
  }
}

std::string MeetingLine(const v1::Report& r) {
  if (r.meeting_on().empty()) return "";
  return absl::StrCat("For the meeting of ", UkDate(r.meeting_on()));
}

}  // namespace rectrack::cli
