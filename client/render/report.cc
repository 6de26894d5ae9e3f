#include "client/render/report.h"

#include <algorithm>
#include <map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "client/render/format.h"
#include "common/dates.h"

namespace rectrack::cli {
namespace {

std::string Word(const google::protobuf::EnumDescriptor* type, int value) {
  return absl::StrReplaceAll(EnumWord(type, value), {{"-", " "}});
}

std::string RecStatus(const v1::Recommendation& rec) {
  return Word(v1::RecommendationStatus_descriptor(), rec.status());
}

std::string ActionStatusWord(const v1::Action& a) {
  return Word(v1::ActionStatus_descriptor(), a.status());
}

std::string Rag(const v1::Action& a) {
  return absl::AsciiStrToUpper(RagWord(a));
}

std::string Or(const std::string& value, const std::string& fallback) {
  return value.empty() ? fallback : value;
}

std::string OneLine(const std::string& text) {
  return absl::StrReplaceAll(text, {{"\r\n", " "}, {"\n", " "}, {"\t", " "}});
}

std::string Leads(const v1::Action& a) {
  return absl::StrJoin(a.leads(), "; ");
}

std::string LatestUpdate(const v1::Action& a) {
  if (a.progress_size() == 0) return "";
  const v1::ProgressUpdate& p = a.progress(a.progress_size() - 1);
  return absl::StrCat(p.reported_on(), ": ", p.text());
}

std::string Decision(const v1::Recommendation& rec) {
  if (!rec.has_response()) return "awaiting response";
  return Word(v1::Decision_descriptor(), rec.response().decision());
}

std::string Timing(const v1::ResponseTiming& t) {
  if (t.responded()) {
    std::string out = absl::StrCat("responded ", Or(t.responded_on(), "?"));
    if (!t.due_on().empty()) {
      absl::StrAppend(&out, ", ", t.days_taken(), " days after publication, ",
                      t.late() ? "LATE" : "on time", " (due ", t.due_on(), ")");
    }
    return out;
  }
  if (t.due_on().empty()) return "no response yet";
  return absl::StrCat("no response yet; due ", t.due_on(),
                      t.late() ? " (OVERDUE)" : "");
}

std::string Heading(const v1::Report& r) {
  std::string out = absl::StrCat("Progress report: ", r.review().title());
  return out;
}

std::string AsOfLine(const v1::Report& r) {
  if (!r.has_as_of()) return absl::StrCat("Position on ", r.day());
  absl::Time at = TimeFromProto(r.as_of().at());
  if (r.as_of().axis() == v1::TIME_AXIS_EFFECTIVE) {
    return absl::StrCat("What had happened by ", r.day(),
                        " (effective dates, as recorded now)");
  }
  return absl::StrCat(
      "As the tracker stood at ",
      absl::FormatTime("%Y-%m-%d %H:%M UTC", at, absl::UTCTimeZone()));
}

std::vector<std::pair<std::string, std::string>> SummaryRows(
    const v1::Report& r) {
  const v1::ReportSummary& s = r.summary();
  std::vector<std::pair<std::string, std::string>> rows = {
      {"Recommendations", absl::StrCat(s.recommendations())},
      {"Actions", absl::StrCat(s.actions())},
      {"RAG", absl::StrCat(s.red(), " red, ", s.amber(), " amber, ", s.green(),
                           " green")},
      {"Overdue actions", absl::StrCat(s.overdue())},
      {"Due soon", absl::StrCat(s.due_soon())},
      {"Responses",
       absl::StrCat(s.responses_on_time(), " on time, ", s.responses_late(),
                    " late, ", s.responses_awaited(), " awaited (",
                    s.responses_overdue(), " past due)")},
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
             ? std::string("All changes")
             : absl::StrCat("Changes since ", r.changed_since());
}

std::string ChangeDay(const v1::Event& e) {
  return Or(e.effective_on(), DayOf(TimeFromProto(e.recorded_at())));
}

// ------------------------------------------------------------------ HTML

std::string Html(absl::string_view s) {
  return absl::StrReplaceAll(s, {{"&", "&amp;"},
                                 {"<", "&lt;"},
                                 {">", "&gt;"},
                                 {"\"", "&quot;"},
                                 {"'", "&#39;"}});
}

constexpr const char* kRed = "#c0392b";
constexpr const char* kAmber = "#e69f00";
constexpr const char* kGreen = "#2e8b57";

std::string RagColour(v1::Rag rag) {
  switch (rag) {
    case v1::RAG_RED:
      return kRed;
    case v1::RAG_AMBER:
      return kAmber;
    case v1::RAG_GREEN:
      return kGreen;
    default:
      return "#999999";
  }
}

std::string StatusColour(v1::RecommendationStatus status) {
  static const char* const kColours[] = {
      "#999999", "#bbbbbb", "#4c72b0", "#6a8fd0", "#8fa9e0",
      "#c7c7c7", "#c0392b", "#e69f00", "#55a868", "#2e6b3f",
      "#8c564b", "#7f7f7f", "#444444"};
  int i = static_cast<int>(status);
  return i >= 0 && i < 13 ? kColours[i] : "#999999";
}

std::string RagChart(const v1::ReportSummary& s) {
  const int width = 320, bar_h = 26, gap = 10, label_w = 70;
  uint32_t most = std::max({s.red(), s.amber(), s.green(), 1u});
  std::string out = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "role=\"img\" aria-label=\"Actions by RAG rating\">",
      width, 3 * (bar_h + gap));
  struct Bar {
    const char* label;
    uint32_t count;
    const char* colour;
  };
  const Bar bars[] = {{"Red", s.red(), kRed},
                      {"Amber", s.amber(), kAmber},
                      {"Green", s.green(), kGreen}};
  int y = 0;
  for (const Bar& b : bars) {
    int w = static_cast<int>((width - label_w - 40) *
                             static_cast<double>(b.count) / most);
    absl::StrAppendFormat(
        &out,
        "<text x=\"0\" y=\"%d\" font-size=\"13\">%s</text>"
        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
        "<text x=\"%d\" y=\"%d\" font-size=\"13\">%d</text>",
        y + bar_h - 8, b.label, label_w, y, std::max(w, 1), bar_h, b.colour,
        label_w + std::max(w, 1) + 6, y + bar_h - 8, b.count);
    y += bar_h + gap;
  }
  return out + "</svg>";
}

// Stacked columns: one per day on which any recommendation changed status.
std::string TimelineChart(const v1::Report& r) {
  const int width = 640, height = 220, left = 36, bottom = 40, top = 10;
  const int plot_w = width - left - 10, plot_h = height - top - bottom;
  uint32_t most = 1;
  for (const v1::StatusPoint& p : r.timeline()) {
    uint32_t total = 0;
    for (const v1::StatusCount& c : p.counts()) total += c.count();
    most = std::max(most, total);
  }
  std::string out = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "role=\"img\" aria-label=\"Recommendations by status over time\">"
      "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>"
      "<text x=\"0\" y=\"%d\" font-size=\"11\">%d</text>"
      "<text x=\"0\" y=\"%d\" font-size=\"11\">0</text>",
      width, height, left, top + plot_h, left + plot_w, top + plot_h, top + 10,
      most, top + plot_h);
  const int n = std::max(r.timeline_size(), 1);
  const double col_w = static_cast<double>(plot_w) / n;
  std::map<v1::RecommendationStatus, bool> used;
  for (int i = 0; i < r.timeline_size(); ++i) {
    const v1::StatusPoint& p = r.timeline(i);
    double y = top + plot_h;
    for (const v1::StatusCount& c : p.counts()) {
      double h = plot_h * static_cast<double>(c.count()) / most;
      y -= h;
      used[c.status()] = true;
      absl::StrAppendFormat(
          &out,
          "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
          "fill=\"%s\"><title>%s: %s %d</title></rect>",
          left + i * col_w + 1, y, std::max(col_w - 2, 1.0), h,
          StatusColour(c.status()), p.day(),
          Word(v1::RecommendationStatus_descriptor(), c.status()), c.count());
    }
  }
  if (r.timeline_size() > 0) {
    absl::StrAppendFormat(&out,
                          "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>"
                          "<text x=\"%d\" y=\"%d\" font-size=\"11\" "
                          "text-anchor=\"end\">%s</text>",
                          left, top + plot_h + 14, r.timeline(0).day(),
                          left + plot_w, top + plot_h + 14,
                          r.timeline(r.timeline_size() - 1).day());
  }
  // Legend.
  int x = left;
  for (const auto& [status, yes] : used) {
    std::string label = Word(v1::RecommendationStatus_descriptor(), status);
    absl::StrAppendFormat(
        &out,
        "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
        "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>",
        x, height - 14, StatusColour(status), x + 13, height - 5, Html(label));
    x += 20 + static_cast<int>(label.size()) * 6;
  }
  return out + "</svg>";
}

// Laid out to print on A4, RAG cells keeping their colours on paper.
constexpr char kHtmlStyle[] =
    "@page { size: A4; margin: 15mm; }\n"
    "body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; "
    "color: #111; max-width: 180mm; margin: 0 auto; padding: 8px; }\n"
    "h1 { font-size: 18pt; margin-bottom: 2px; } h2 { font-size: 14pt; "
    "border-bottom: 2px solid #333; margin-top: 18px; }\n"
    "h3 { font-size: 12pt; margin: 14px 0 4px; }\n"
    "table { border-collapse: collapse; width: 100%; margin: 4px 0; }\n"
    "th, td { border: 1px solid #999; padding: 3px 5px; text-align: left; "
    "vertical-align: top; font-size: 9.5pt; }\n"
    "th { background: #eee; }\n"
    ".rag { font-weight: bold; color: #fff; text-align: center; "
    "-webkit-print-color-adjust: exact; print-color-adjust: exact; }\n"
    ".charts { display: flex; flex-wrap: wrap; gap: 16px; }\n"
    ".rec { break-inside: avoid; page-break-inside: avoid; }\n"
    ".meta { color: #444; }\n";

// The page's head and the report's heading: the review, who reported and
// when, and the position the report describes.
std::string HtmlHead(const v1::Report& r) {
  const v1::Review& review = r.review();
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
      "<title>",
      Html(Heading(r)), "</title>\n<style>\n", kHtmlStyle,
      "</style></head><body>\n<h1>", Html(Heading(r)),
      "</h1>\n<p class=\"meta\">", Html(review.committee()));
  if (!review.council().empty()) {
    absl::StrAppend(&out, ", ", Html(review.council()));
  }
  absl::StrAppend(&out, ". Published ",
                  Html(Or(review.published_on(), "(date not known)")), ".<br>",
                  Html(AsOfLine(r)), ".</p>\n");
  return out;
}

// The summary table and the charts.
std::string HtmlSummary(const v1::Report& r) {
  std::string out = "<h2>Summary</h2>\n<table>";
  for (const auto& [label, value] : SummaryRows(r)) {
    absl::StrAppend(&out, "<tr><th>", Html(label), "</th><td>", Html(value),
                    "</td></tr>");
  }
  absl::StrAppend(&out,
                  "</table>\n<div class=\"charts\"><figure><figcaption>"
                  "Actions by RAG rating</figcaption>",
                  RagChart(r.summary()),
                  "</figure><figure><figcaption>Recommendations by status "
                  "over time</figcaption>",
                  TimelineChart(r), "</figure></div>\n");
  return out;
}

// An action's row: RAG (and whether overdue) in its colour, then what,
// who, when (with any slippage), status and the latest update.
std::string HtmlActionRow(const v1::Action& a) {
  std::string slip = DescribeSlippage(a);
  return absl::StrCat(
      "<tr><td class=\"rag\" style=\"background:",
      RagColour(a.standing().rag()), "\">", Html(Rag(a)),
      a.standing().overdue() ? "<br>overdue" : "", "</td><td>", Html(a.text()),
      "</td><td>", Html(Leads(a)), "</td><td>", Html(a.timescale().text()),
      slip.empty() ? "" : absl::StrCat("<br><i>", Html(slip), "</i>"),
      "</td><td>", Html(ActionStatusWord(a)), "</td><td>",
      Html(LatestUpdate(a)), "</td></tr>\n");
}

// A recommendation, its status and response, and a table of its actions;
// kept on one page when it fits.
std::string HtmlItem(const v1::ReportItem& item) {
  const v1::Recommendation& rec = item.recommendation();
  std::string out = absl::StrCat(
      "<div class=\"rec\"><h3>", Html(rec.ref()), ". ", Html(rec.text()),
      "</h3>\n<p><b>Status:</b> ", Html(RecStatus(rec)),
      "<br><b>Response:</b> ", Html(Decision(rec)));
  if (rec.has_response()) {
    absl::StrAppend(&out, " — ", Html(rec.response().text()));
  }
  absl::StrAppend(&out, "<br><b>Response time:</b> ",
                  Html(Timing(item.response_timing())), "</p>\n");
  if (!item.actions().empty()) {
    absl::StrAppend(&out,
                    "<table><tr><th>RAG</th><th>Action</th><th>Lead</th>"
                    "<th>Timescale</th><th>Status</th><th>Latest update"
                    "</th></tr>\n");
    for (const v1::Action& a : item.actions()) {
      out += HtmlActionRow(a);
    }
    out += "</table>\n";
  }
  out += "</div>\n";
  return out;
}

// The changes section: a table of them, or "None.".
std::string HtmlChanges(const v1::Report& r) {
  std::string out = absl::StrCat("<h2>", Html(ChangesTitle(r)), "</h2>\n");
  if (r.changes().empty()) {
    out += "<p>None.</p>\n";
  } else {
    out += "<table><tr><th>Date</th><th>Item</th><th>Change</th></tr>\n";
    for (const v1::Event& e : r.changes()) {
      absl::StrAppend(&out, "<tr><td>", Html(ChangeDay(e)), "</td><td>",
                      Html(e.stream()), "</td><td>", Html(DescribeChange(e)),
                      "</td></tr>\n");
    }
    out += "</table>\n";
  }
  if (r.changes_truncated()) out += "<p>(More changes not shown.)</p>\n";
  return out;
}

}  // namespace

std::string DescribeChange(const v1::Event& e) {
  const v1::EventPayload& p = e.payload();
  switch (p.kind_case()) {
    case v1::EventPayload::kReviewOpened:
      return absl::StrCat("Review opened: ", p.review_opened().title());
    case v1::EventPayload::kReportBackScheduled:
      return absl::StrCat("Report-back scheduled for ",
                          p.report_back_scheduled().date());
    case v1::EventPayload::kRecommendationAdded:
      return absl::StrCat("Recommendation ", p.recommendation_added().ref(),
                          " added");
    case v1::EventPayload::kRecommendationAmended:
      return "Recommendation wording corrected";
    case v1::EventPayload::kResponseRecorded:
      return absl::StrCat(
          "Response recorded: ",
          Word(v1::Decision_descriptor(), p.response_recorded().decision()));
    case v1::EventPayload::kRecommendationStatusSet:
      return absl::StrCat("Recommendation now ",
                          Word(v1::RecommendationStatus_descriptor(),
                               p.recommendation_status_set().status()),
                          p.recommendation_status_set().note().empty()
                              ? ""
                              : ": " + p.recommendation_status_set().note());
    case v1::EventPayload::kActionAdded:
      return absl::StrCat("Action added: ", OneLine(p.action_added().text()));
    case v1::EventPayload::kActionUpdated: {
      const v1::UpdateAction& u = p.action_updated();
      if (u.has_timescale()) {
        return absl::StrCat("Target changed to \"", u.timescale(), "\"",
                            u.reason().empty() ? "" : " (" + u.reason() + ")");
      }
      return u.set_leads()
                 ? absl::StrCat("Leads now ", absl::StrJoin(u.leads(), "; "))
                 : std::string("Action wording changed");
    }
    case v1::EventPayload::kActionStatusSet:
      return absl::StrCat(
          "Action now ",
          Word(v1::ActionStatus_descriptor(), p.action_status_set().status()),
          p.action_status_set().note().empty()
              ? ""
              : ": " + p.action_status_set().note());
    case v1::EventPayload::kProgressReported:
      return absl::StrCat("Progress: ", OneLine(p.progress_reported().text()));
    case v1::EventPayload::kReviewClosed:
      return "Review closed";
    case v1::EventPayload::KIND_NOT_SET:
      break;
  }
  return e.type();
}

std::string ReportText(const v1::Report& r) {
  const v1::Review& review = r.review();
  std::string out =
      absl::StrCat(Heading(r), "\n", std::string(Heading(r).size(), '='), "\n");
  absl::StrAppend(&out, "Committee: ", review.committee(), "\n");
  if (!review.council().empty()) {
    absl::StrAppend(&out, "Council: ", review.council(), "\n");
  }
  absl::StrAppend(&out, "Published: ", Or(review.published_on(), "not known"),
                  "\n", AsOfLine(r), "\n\nSummary\n-------\n");
  for (const auto& [label, value] : SummaryRows(r)) {
    absl::StrAppend(&out, label, ": ", value, "\n");
  }
  absl::StrAppend(&out, "\nRecommendations\n---------------\n");
  for (const v1::ReportItem& item : r.items()) {
    const v1::Recommendation& rec = item.recommendation();
    absl::StrAppend(&out, "\n", rec.ref(), ". ", OneLine(rec.text()), "\n",
                    "   Status: ", RecStatus(rec), "\n",
                    "   Response: ", Decision(rec));
    if (rec.has_response()) {
      absl::StrAppend(&out, " - ", OneLine(rec.response().text()));
      if (!rec.response().responded_by().empty()) {
        absl::StrAppend(&out, " (", rec.response().responded_by(), ")");
      }
    }
    absl::StrAppend(
        &out, "\n   Response time: ", Timing(item.response_timing()), "\n");
    for (const v1::Action& a : item.actions()) {
      absl::StrAppend(&out, "   - [", Rag(a), "] ", OneLine(a.text()), "\n",
                      "     Lead: ", Or(Leads(a), "-"),
                      "   Timescale: ", Or(a.timescale().text(), "-"), " (",
                      DescribeWindow(a.timescale()),
                      ")   Status: ", ActionStatusWord(a), "\n");
      if (a.standing().overdue()) {
        absl::StrAppend(&out, "     OVERDUE by ", a.standing().days_overdue(),
                        " days\n");
      }
      if (std::string slip = DescribeSlippage(a); !slip.empty()) {
        absl::StrAppend(&out, "     Slippage: ", slip, "\n");
      }
      if (std::string latest = LatestUpdate(a); !latest.empty()) {
        absl::StrAppend(&out, "     Latest update ", OneLine(latest), "\n");
      }
    }
  }
  absl::StrAppend(&out, "\n", ChangesTitle(r), "\n",
                  std::string(ChangesTitle(r).size(), '-'), "\n");
  if (r.changes().empty()) out += "None.\n";
  for (const v1::Event& e : r.changes()) {
    absl::StrAppend(&out, ChangeDay(e), "  ", e.stream(), "  ",
                    DescribeChange(e), "\n");
  }
  if (r.changes_truncated()) out += "(more changes not shown)\n";
  return out;
}

std::string ReportMarkdown(const v1::Report& r) {
  auto cell = [](const std::string& s) {
    return absl::StrReplaceAll(OneLine(s), {{"|", "\\|"}});
  };
  const v1::Review& review = r.review();
  std::string out = absl::StrCat("# ", cell(Heading(r)), "\n\n");
  absl::StrAppend(&out, "**Committee:** ", cell(review.committee()), "  \n");
  if (!review.council().empty()) {
    absl::StrAppend(&out, "**Council:** ", cell(review.council()), "  \n");
  }
  absl::StrAppend(&out, "**Published:** ",
                  Or(review.published_on(), "not known"), "  \n_", AsOfLine(r),
                  "_\n\n## Summary\n\n| | |\n|---|---|\n");
  for (const auto& [label, value] : SummaryRows(r)) {
    absl::StrAppend(&out, "| ", label, " | ", cell(value), " |\n");
  }
  absl::StrAppend(&out, "\n## Recommendations\n");
  for (const v1::ReportItem& item : r.items()) {
    const v1::Recommendation& rec = item.recommendation();
    absl::StrAppend(&out, "\n### ", cell(rec.ref()), ". ", cell(rec.text()),
                    "\n\n- **Status:** ", RecStatus(rec), "\n- **Response:** ",
                    Decision(rec));
    if (rec.has_response()) {
      absl::StrAppend(&out, " — ", cell(rec.response().text()));
    }
    absl::StrAppend(&out, "\n- **Response time:** ",
                    Timing(item.response_timing()), "\n");
    if (item.actions().empty()) continue;
    absl::StrAppend(&out,
                    "\n| RAG | Action | Lead | Timescale | Status | Slippage | "
                    "Latest update |\n|---|---|---|---|---|---|---|\n");
    for (const v1::Action& a : item.actions()) {
      absl::StrAppend(
          &out, "| ", Rag(a), a.standing().overdue() ? " (overdue)" : "", " | ",
          cell(a.text()), " | ", cell(Leads(a)), " | ",
          cell(a.timescale().text()), " | ", ActionStatusWord(a), " | ",
          cell(DescribeSlippage(a)), " | ", cell(LatestUpdate(a)), " |\n");
    }
  }
  absl::StrAppend(&out, "\n## ", ChangesTitle(r), "\n\n");
  if (r.changes().empty()) out += "None.\n";
  for (const v1::Event& e : r.changes()) {
    absl::StrAppend(&out, "- ", ChangeDay(e), " `", e.stream(), "` ",
                    cell(DescribeChange(e)), "\n");
  }
  if (r.changes_truncated()) out += "- (more changes not shown)\n";
  return out;
}

std::string ReportCsv(const v1::Report& r) {
  auto field = [](const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    return absl::StrCat("\"", absl::StrReplaceAll(s, {{"\"", "\"\""}}), "\"");
  };
  const std::vector<std::string> header = {
      "review_id",    "rec_id",        "ref",           "recommendation",
      "rec_status",   "decision",      "response",      "responded_on",
      "response_due", "response_late", "action_id",     "action",
      "leads",        "timescale",     "target_latest", "action_status",
      "rag",          "overdue",       "days_overdue",  "revisions",
      "days_slipped", "latest_update"};
  std::string out = absl::StrJoin(header, ",") + "\r\n";
  for (const v1::ReportItem& item : r.items()) {
    const v1::Recommendation& rec = item.recommendation();
    const v1::ResponseTiming& t = item.response_timing();
    std::vector<std::string> rec_fields = {
        r.review().id(),
        rec.id(),
        rec.ref(),
        rec.text(),
        EnumWord(v1::RecommendationStatus_descriptor(), rec.status()),
        rec.has_response()
            ? EnumWord(v1::Decision_descriptor(), rec.response().decision())
            : "",
        rec.response().text(),
        t.responded_on(),
        t.due_on(),
        t.late() ? "yes" : "no"};
    auto row = [&](const v1::Action* a) {
      std::vector<std::string> fields = rec_fields;
      if (a != nullptr) {
        for (std::string v :
             {a->id(), a->text(), Leads(*a), a->timescale().text(),
              a->timescale().latest(),
              EnumWord(v1::ActionStatus_descriptor(), a->status()), RagWord(*a),
              std::string(a->standing().overdue() ? "yes" : "no"),
              absl::StrCat(a->standing().days_overdue()),
              absl::StrCat(a->slippage().revisions()),
              absl::StrCat(a->slippage().days_slipped()), LatestUpdate(*a)}) {
          fields.push_back(std::move(v));
        }
      } else {
        fields.resize(header.size());
      }
      for (std::string& f : fields) f = field(f);
      absl::StrAppend(&out, absl::StrJoin(fields, ","), "\r\n");
    };
    if (item.actions().empty()) row(nullptr);
    for (const v1::Action& a : item.actions()) row(&a);
  }
  return out;
}

std::string ReportHtml(const v1::Report& r) {
  std::string out =
      absl::StrCat(HtmlHead(r), HtmlSummary(r), "<h2>Recommendations</h2>\n");
  for (const v1::ReportItem& item : r.items()) {
    out += HtmlItem(item);
  }
  absl::StrAppend(&out, HtmlChanges(r), "</body></html>\n");
  return out;
}

absl::StatusOr<std::string> RenderReport(const v1::Report& report,
                                         const std::string& format) {
  if (format == "text" || format.empty()) return ReportText(report);
  if (format == "md" || format == "markdown") return ReportMarkdown(report);
  if (format == "csv") return ReportCsv(report);
  if (format == "html") return ReportHtml(report);
  if (format == "json") return ToJson(report) + "\n";
  return absl::InvalidArgumentError(absl::StrCat(
      "--format: \"", format, "\" is not one of text, md, csv, html, json"));
}

}  // namespace rectrack::cli
