#include "client/render/report.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "client/render/format.h"
#include "client/render/report_parts.h"
#include "client/render/report_words.h"
#include "common/dates.h"

namespace rectrack::cli {
namespace report_parts {
namespace {

std::string Word(const google::protobuf::EnumDescriptor* type, int value) {
  return absl::StrReplaceAll(EnumWord(type, value), {{"-", " "}});
}

}  // namespace

std::string Or(const std::string& value, const std::string& fallback) {
  return value.empty() ? fallback : value;
}

std::string OneLine(const std::string& text) {
  return absl::StrReplaceAll(text, {{"\r\n", " "}, {"\n", " "}, {"\t", " "}});
}

std::string RecStatus(const v1::Recommendation& rec) {
  return Word(v1::RecommendationStatus_descriptor(), rec.status());
}

std::string StatusLine(const v1::Recommendation& rec) {
  std::string out = RecStatus(rec);
  if (rec.status() == v1::RECOMMENDATION_STATUS_SIGNED_OFF) {
    absl::StrAppend(&out, " on ", UkDate(rec.signed_off_on()));
  } else if (!rec.status_on().empty()) {
    absl::StrAppend(&out, " since ", UkDate(rec.status_on()));
  }
  if (!rec.override_reason().empty()) {
    absl::StrAppend(&out, " (signed off although not all done: ",
                    OneLine(rec.override_reason()), ")");
  }
  return out;
}

std::string ActionStatusWord(const v1::Action& a) {
  return Word(v1::ActionStatus_descriptor(), a.status());
}

std::string Rag(const v1::Action& a) {
  return absl::AsciiStrToUpper(absl::StrReplaceAll(RagWord(a), {{"-", " "}}));
}

std::string Leads(const v1::Action& a) {
  return absl::StrJoin(a.leads(), "; ");
}

std::string LatestUpdate(const v1::Action& a) {
  for (int i = a.progress_size() - 1; i >= 0; --i) {
    const v1::ProgressUpdate& p = a.progress(i);
    if (p.retracted()) continue;
    return absl::StrCat(UkDate(p.reported_on(), "date not stated"), ": ",
                        p.text());
  }
  return "";
}

std::string Decision(const v1::Recommendation& rec) {
  if (!rec.has_response()) return "awaiting response";
  return Word(v1::Decision_descriptor(), rec.response().decision());
}

std::string ResponseLine(const v1::Recommendation& rec) {
  std::string out = Decision(rec);
  if (!rec.has_response()) return out;
  const v1::Response& r = rec.response();
  if (!r.text().empty()) absl::StrAppend(&out, " — ", OneLine(r.text()));
  std::vector<std::string> by;
  if (!r.responded_by().empty()) by.push_back(r.responded_by());
  by.push_back(UkDate(r.responded_on()));
  absl::StrAppend(&out, " (", absl::StrJoin(by, ", "), ")");
  return out;
}

std::string Heading(const v1::Report& r) {
  return absl::StrCat("Progress report: ", r.review().title());
}

std::string AsOfLine(const v1::Report& r) {
  if (!r.has_as_of()) return absl::StrCat("Position on ", UkDate(r.day()));
  absl::Time at = TimeFromProto(r.as_of().at());
  if (r.as_of().axis() == v1::TIME_AXIS_EFFECTIVE) {
    return absl::StrCat("What had happened by ", UkDate(r.day()),
                        " (effective dates, as recorded now)");
  }
  return absl::StrCat(
      "As the tracker stood at ",
      absl::FormatTime("%H:%M UTC on ", at, absl::UTCTimeZone()),
      UkDate(r.day()));
}

std::vector<std::pair<std::string, std::string>> SummaryRows(
    const v1::Report& r) {
  const v1::ReportSummary& s = r.summary();
  std::vector<std::pair<std::string, std::string>> rows = {
      {"Recommendations", absl::StrCat(s.recommendations())},
      {"Actions", absl::StrCat(s.actions())},
      {"RAG", absl::StrCat(s.red(), " red, ", s.amber(), " amber, ", s.green(),
                           " green, ", s.no_target(), " no target, ",
                           s.not_rated(), " not rated (cancelled)")},
      {"Overdue actions", absl::StrCat(s.overdue())},
      {"Due soon", absl::StrCat(s.due_soon())},
      {"Responses",
       absl::StrCat(s.responses_on_time(), " on time, ", s.responses_late(),
                    " late, ", s.responses_awaited(), " awaited (",
                    s.responses_overdue(), " past due), ",
                    s.responses_date_not_recorded(), " date not recorded")},
      {"Response deadline", r.response_deadline_days() == 0
                                ? std::string("two months from publication")
                                : absl::StrCat(r.response_deadline_days(),
                                               " days from publication")},
      {"Slippage",
       s.actions_revised() == 0
           ? std::string("no targets revised")
           : absl::StrCat(s.actions_revised(),
                          " action(s) with revised targets (", s.revisions(),
                          " revision(s)), ", s.days_slipped(),
                          " days slipped in all")},
  };
  std::vector<std::string> statuses;
  for (const v1::StatusCount& c : s.by_status()) {
    statuses.push_back(
        absl::StrCat(Word(v1::RecommendationStatus_descriptor(), c.status()),
                     ": ", c.count()));
  }
  rows.push_back(
      {"Recommendations by status", Or(absl::StrJoin(statuses, ", "), "none")});
  return rows;
}

std::string ChangesTitle(const v1::Report& r) {
  return r.changed_since().empty()
             ? std::string("All changes, by the date each took effect")
             : absl::StrCat("Changes since ", UkDate(r.changed_since()),
                            ", by the date each took effect");
}

std::string ChangeDay(const v1::Report& r, int index) {
  if (index < r.change_days_size()) return UkDate(r.change_days(index));
  const v1::Event& e = r.changes(index);
  return UkDate(Or(e.effective_on(), DayOf(TimeFromProto(e.recorded_at()))));
}

std::string ExceptionSubject(const ReportNames& names,
                             const v1::ReportException& x) {
  std::string out = names.Of(x.recommendation_id());
  if (!x.action_id().empty()) {
    absl::StrAppend(&out, ", ", names.Of(x.action_id()));
  }
  return out;
}

}  // namespace report_parts

namespace {

using namespace report_parts;  // NOLINT(google-build-using-namespace)

void TextAction(const v1::Action& a, std::string* out) {
  absl::StrAppend(out, "   - [", Rag(a), "] ", OneLine(a.text()), "\n",
                  "     Lead: ", Or(Leads(a), "-"),
                  "   Timescale: ", Or(a.timescale().text(), "-"), " (",
                  DescribeWindow(a.timescale()),
                  ")   Status: ", ActionStatusWord(a), "\n");
  if (a.standing().overdue()) {
    absl::StrAppend(out, "     OVERDUE by ", a.standing().days_overdue(),
                    " days\n");
  }
  if (std::string slip = DescribeSlippage(a); !slip.empty()) {
    absl::StrAppend(out, "     Slippage: ", slip, "\n");
  }
  if (std::string latest = LatestUpdate(a); !latest.empty()) {
    absl::StrAppend(out, "     Latest update ", OneLine(latest), "\n");
  }
}

void TextItem(const v1::ReportItem& item, std::string* out) {
  const v1::Recommendation& rec = item.recommendation();
  absl::StrAppend(out, "\n", RecommendationLabel(rec), ". ",
                  OneLine(rec.text()), "\n");
  if (!rec.portfolio().empty()) {
    absl::StrAppend(out, "   Cabinet member / portfolio: ", rec.portfolio(),
                    "\n");
  }
  absl::StrAppend(out, "   Status: ", StatusLine(rec), "\n",
                  "   Response: ", ResponseLine(rec), "\n",
                  "   Response time: ", TimingWords(item.response_timing()),
                  "\n");
  for (const v1::Action& a : item.actions()) TextAction(a, out);
}

std::string Underlined(const std::string& title, char c) {
  return absl::StrCat(title, "\n", std::string(title.size(), c), "\n");
}

}  // namespace

std::string ReportText(const v1::Report& r) {
  const v1::Review& review = r.review();
  std::string out = Underlined(Heading(r), '=');
  if (!review.council().empty()) {
    absl::StrAppend(&out, "Council: ", review.council(), "\n");
  }
  absl::StrAppend(&out, "Committee: ", review.committee(), "\n");
  if (std::string meeting = MeetingLine(r); !meeting.empty()) {
    absl::StrAppend(&out, meeting, "\n");
  }
  absl::StrAppend(&out,
                  "Published: ", UkDate(review.published_on(), "not known"),
                  "\n", AsOfLine(r), "\n\n", Underlined("Exceptions", '-'));
  if (r.exceptions().empty()) out += "None.\n";
  const ReportNames names(r);
  for (const v1::ReportException& x : r.exceptions()) {
    absl::StrAppend(&out, ExceptionKindWords(x.kind()), ": ",
                    ExceptionSubject(names, x), " - ", x.detail(), "\n");
  }
  absl::StrAppend(&out, "\n", Underlined("Summary", '-'));
  for (const auto& [label, value] : SummaryRows(r)) {
    absl::StrAppend(&out, label, ": ", value, "\n");
  }
  absl::StrAppend(&out, "\n", Underlined("Recommendations", '-'));
  for (const v1::ReportItem& item : r.items()) TextItem(item, &out);
  absl::StrAppend(&out, "\n", Underlined(ChangesTitle(r), '-'));
  if (r.changes().empty()) out += "None.\n";
  for (int i = 0; i < r.changes_size(); ++i) {
    absl::StrAppend(&out, ChangeDay(r, i), "  ",
                    DescribeChange(r.changes(i), names), "\n");
  }
  if (r.changes_truncated()) out += "(more changes not shown)\n";
  absl::StrAppend(&out, "\nHow RAG is worked out:\n");
  for (const std::string& rule : r.rag_rules()) {
    absl::StrAppend(&out, "  ", rule, "\n");
  }
  return out;
}

namespace {

std::string MdCell(const std::string& s) {
  return absl::StrReplaceAll(OneLine(s), {{"|", "\\|"}});
}

void MdItem(const v1::ReportItem& item, std::string* out) {
  const v1::Recommendation& rec = item.recommendation();
  absl::StrAppend(out, "\n### ", MdCell(RecommendationLabel(rec)), ". ",
                  MdCell(rec.text()), "\n\n");
  if (!rec.portfolio().empty()) {
    absl::StrAppend(out, "- **Cabinet member / portfolio:** ",
                    MdCell(rec.portfolio()), "\n");
  }
  absl::StrAppend(out, "- **Status:** ", MdCell(StatusLine(rec)),
                  "\n- **Response:** ", MdCell(ResponseLine(rec)),
                  "\n- **Response time:** ",
                  TimingWords(item.response_timing()), "\n");
  if (item.actions().empty()) return;
  absl::StrAppend(out,
                  "\n| RAG | Action | Lead | Timescale | Status | Slippage | "
                  "Latest update |\n|---|---|---|---|---|---|---|\n");
  for (const v1::Action& a : item.actions()) {
    absl::StrAppend(
        out, "| ", Rag(a), a.standing().overdue() ? " (overdue)" : "", " | ",
        MdCell(a.text()), " | ", MdCell(Leads(a)), " | ",
        MdCell(a.timescale().text()), " | ", ActionStatusWord(a), " | ",
        MdCell(DescribeSlippage(a)), " | ", MdCell(LatestUpdate(a)), " |\n");
  }
}

}  // namespace

std::string ReportMarkdown(const v1::Report& r) {
  const v1::Review& review = r.review();
  std::string out = absl::StrCat("# ", MdCell(Heading(r)), "\n\n");
  if (!review.council().empty()) {
    absl::StrAppend(&out, "**Council:** ", MdCell(review.council()), "  \n");
  }
  absl::StrAppend(&out, "**Committee:** ", MdCell(review.committee()), "  \n");
  if (std::string meeting = MeetingLine(r); !meeting.empty()) {
    absl::StrAppend(&out, "**", meeting, "**  \n");
  }
  absl::StrAppend(&out, "**Published:** ",
                  UkDate(review.published_on(), "not known"), "  \n_",
                  AsOfLine(r), "_\n\n## Exceptions\n\n");
  if (r.exceptions().empty()) out += "None.\n";
  const ReportNames names(r);
  for (const v1::ReportException& x : r.exceptions()) {
    absl::StrAppend(&out, "- **", ExceptionKindWords(x.kind()), ":** ",
                    MdCell(ExceptionSubject(names, x)), " — ",
                    MdCell(x.detail()), "\n");
  }
  absl::StrAppend(&out, "\n## Summary\n\n| | |\n|---|---|\n");
  for (const auto& [label, value] : SummaryRows(r)) {
    absl::StrAppend(&out, "| ", label, " | ", MdCell(value), " |\n");
  }
  absl::StrAppend(&out, "\n## Recommendations\n");
  for (const v1::ReportItem& item : r.items()) MdItem(item, &out);
  absl::StrAppend(&out, "\n## ", ChangesTitle(r), "\n\n");
  if (r.changes().empty()) out += "None.\n";
  for (int i = 0; i < r.changes_size(); ++i) {
    absl::StrAppend(&out, "- ", ChangeDay(r, i), ": ",
                    MdCell(DescribeChange(r.changes(i), names)), "\n");
  }
  if (r.changes_truncated()) out += "- (more changes not shown)\n";
  absl::StrAppend(&out, "\n---\n\n**How RAG is worked out:**\n\n");
  for (const std::string& rule : r.rag_rules()) {
    absl::StrAppend(&out, "- ", MdCell(rule), "\n");
  }
  return out;
}

namespace {

const std::vector<std::string>& CsvHeader() {
  static const auto* const kHeader = new std::vector<std::string>{
      "review_id",      "rec_id",       "ref",
      "recommendation", "rec_status",   "decision",
      "response",       "responded_on", "response_due",
      "response_late",  "action_id",    "action",
      "leads",          "timescale",    "target_latest",
      "action_status",  "rag",          "overdue",
      "days_overdue",   "revisions",    "days_slipped",
      "latest_update",  "portfolio",    "signed_off_on",
      "override_reason"};
  return *kHeader;
}

std::vector<std::string> CsvActionFields(const v1::Action& a) {
  return {a.id(),
          a.text(),
          Leads(a),
          a.timescale().text(),
          a.timescale().latest(),
          EnumWord(v1::ActionStatus_descriptor(), a.status()),
          RagWord(a),
          std::string(a.standing().overdue() ? "yes" : "no"),
          absl::StrCat(a.standing().days_overdue()),
          absl::StrCat(a.slippage().revisions()),
          absl::StrCat(a.slippage().days_slipped()),
          LatestUpdate(a)};
}

}  // namespace

std::string ReportCsv(const v1::Report& r) {
  // The byte order mark makes Excel read the file as UTF-8.
  std::string out =
      absl::StrCat(kUtf8Bom, absl::StrJoin(CsvHeader(), ","), "\r\n");
  for (const v1::ReportItem& item : r.items()) {
    const v1::Recommendation& rec = item.recommendation();
    const v1::ResponseTiming& t = item.response_timing();
    const std::vector<std::string> rec_fields = {
        r.review().id(),
        rec.id(),
        rec.ref(),
        rec.text(),
        EnumWord(v1::RecommendationStatus_descriptor(), rec.status()),
        rec.has_response()
            ? EnumWord(v1::Decision_descriptor(), rec.response().decision())
            : "",
        rec.response().text(),
        t.date_not_recorded() ? "not recorded" : t.responded_on(),
        t.due_on(),
        t.late() ? "yes" : "no"};
    const std::vector<std::string> tail = {rec.portfolio(), rec.signed_off_on(),
                                           rec.override_reason()};
    auto row = [&](const v1::Action* a) {
      std::vector<std::string> fields = rec_fields;
      std::vector<std::string> action_fields =
          a != nullptr ? CsvActionFields(*a) : std::vector<std::string>(12);
      fields.insert(fields.end(), action_fields.begin(), action_fields.end());
      fields.insert(fields.end(), tail.begin(), tail.end());
      for (std::string& f : fields) f = CsvField(f);
      absl::StrAppend(&out, absl::StrJoin(fields, ","), "\r\n");
    };
    if (item.actions().empty()) row(nullptr);
    for (const v1::Action& a : item.actions()) row(&a);
  }
  return out;
}

absl::StatusOr<std::string> RenderReport(const v1::Report& report,
                                         const std::string& format) {
  if (format == "text" || format.empty()) return ReportText(report);
  if (format == "md" || format == "markdown") return ReportMarkdown(report);
  if (format == "csv") return ReportCsv(report);
  if (format == "html") return ReportHtml(report);
  if (format == "xlsx") return ReportXlsx(report);
  if (format == "json") return ToJson(report) + "\n";
  return absl::InvalidArgumentError(
      absl::StrCat("--format: \"", format,
                   "\" is not one of text, md, csv, html, xlsx, json"));
}

}  // namespace rectrack::cli
