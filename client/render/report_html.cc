// The committee report as one self-contained HTML page (see report.h).
#include <algorithm>
#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "client/render/format.h"
#include "client/render/report.h"
#include "client/render/report_parts.h"
#include "client/render/report_words.h"
#include "common/dates.h"

namespace rectrack::cli {
namespace {

using namespace report_parts;  // NOLINT(google-build-using-namespace)

std::string Word(const google::protobuf::EnumDescriptor* type, int value) {
  return absl::StrReplaceAll(EnumWord(type, value), {{"-", " "}});
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
constexpr const char* kGrey = "#7f7f7f";

std::string RagColour(v1::Rag rag) {
  switch (rag) {
    case v1::RAG_RED:
      return kRed;
    case v1::RAG_AMBER:
      return kAmber;
    case v1::RAG_GREEN:
      return kGreen;
    default:
      return kGrey;
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
  uint32_t most = std::max({s.red(), s.amber(), s.green(), s.no_target(), 1u});
  std::string out = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "role=\"img\" aria-label=\"Actions by RAG rating\">",
      width, 4 * (bar_h + gap));
  struct Bar {
    const char* label;
    uint32_t count;
    const char* colour;
  };
  const Bar bars[] = {{"Red", s.red(), kRed},
                      {"Amber", s.amber(), kAmber},
                      {"Green", s.green(), kGreen},
                      {"No target", s.no_target(), kGrey}};
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

// The time axis of the status chart: x for a day, in proportion to the
// days between the first picture and the report's day (or the last one's).
class TimeAxis {
 public:
  TimeAxis(const v1::Report& r, int left, int width)
      : left_(left), width_(width) {
    if (r.timeline_size() == 0) return;
    first_ = ParseDay(r.timeline(0).day());
    std::optional<absl::CivilDay> end = ParseDay(r.day());
    std::optional<absl::CivilDay> last =
        ParseDay(r.timeline(r.timeline_size() - 1).day());
    if (!end.has_value() || (last.has_value() && *end <= *last)) {
      end = last.has_value() ? *last + 1 : end;
    }
    if (first_.has_value() && end.has_value() && *end > *first_) {
      span_ = static_cast<double>(*end - *first_);
    }
  }
  double X(const std::string& day) const {
    std::optional<absl::CivilDay> d = ParseDay(day);
    double days = d.has_value() && first_.has_value()
                      ? static_cast<double>(*d - *first_)
                      : 0.0;
    return left_ + width_ * days / span_;
  }

 private:
  const int left_, width_;
  std::optional<absl::CivilDay> first_;
  double span_ = 1.0;
};

// The legend of the statuses drawn, along the bottom at `y`.
std::string StatusLegend(const std::map<v1::RecommendationStatus, bool>& used,
                         int left, int y) {
  std::string out;
  int x = left;
  for (const auto& [status, yes] : used) {
    std::string label = Word(v1::RecommendationStatus_descriptor(), status);
    absl::StrAppendFormat(
        &out,
        "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
        "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>",
        x, y, StatusColour(status), x + 13, y + 9, Html(label));
    x += 20 + static_cast<int>(label.size()) * 6;
  }
  return out;
}

// Stacked bars of recommendations by status, each drawn from the day it
// describes until the next one, so time runs in proportion to the dates.
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
  const TimeAxis axis(r, left, plot_w);
  std::map<v1::RecommendationStatus, bool> used;
  for (int i = 0; i < r.timeline_size(); ++i) {
    const v1::StatusPoint& p = r.timeline(i);
    const double x0 = axis.X(p.day());
    const double x1 = i + 1 < r.timeline_size()
                          ? axis.X(r.timeline(i + 1).day())
                          : static_cast<double>(left + plot_w);
    double y = top + plot_h;
    for (const v1::StatusCount& c : p.counts()) {
      double h = plot_h * static_cast<double>(c.count()) / most;
      y -= h;
      used[c.status()] = true;
      absl::StrAppendFormat(
          &out,
          "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
          "fill=\"%s\"><title>From %s: %s %d</title></rect>",
          x0, y, std::max(x1 - x0, 1.0), h, StatusColour(c.status()),
          UkDate(p.day()),
          Word(v1::RecommendationStatus_descriptor(), c.status()), c.count());
    }
  }
  if (r.timeline_size() > 0) {
    absl::StrAppendFormat(
        &out,
        "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>"
        "<text x=\"%d\" y=\"%d\" font-size=\"11\" "
        "text-anchor=\"end\">%s</text>",
        left, top + plot_h + 14, UkDate(r.timeline(0).day()), left + plot_w,
        top + plot_h + 14,
        UkDate(std::max(r.day(), r.timeline(r.timeline_size() - 1).day())));
  }
  return absl::StrCat(out, StatusLegend(used, left, height - 14), "</svg>");
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
    ".meta { color: #444; } .council { font-size: 13pt; margin: 0; }\n"
    "footer { margin-top: 18px; font-size: 9pt; color: #333; }\n";

// The page's head and the report's heading: the council, committee and
// meeting, the review, and the position the report describes.
std::string HtmlHead(const v1::Report& r) {
  const v1::Review& review = r.review();
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
      "<title>",
      Html(Heading(r)), "</title>\n<style>\n", kHtmlStyle,
      "</style></head><body>\n");
  if (!review.council().empty()) {
    absl::StrAppend(&out, "<p class=\"council\">", Html(review.council()),
                    "</p>\n");
  }
  absl::StrAppend(&out, "<h1>", Html(Heading(r)), "</h1>\n<p class=\"meta\">",
                  Html(review.committee()));
  if (std::string meeting = MeetingLine(r); !meeting.empty()) {
    absl::StrAppend(&out, "<br><b>", Html(meeting), "</b>");
  }
  absl::StrAppend(&out, "<br>Published ",
                  Html(UkDate(review.published_on(), "(date not known)")),
                  ".<br>", Html(AsOfLine(r)), ".</p>\n");
  return out;
}

// What the committee should look at first.
std::string HtmlExceptions(const v1::Report& r) {
  std::string out = "<h2>Exceptions</h2>\n";
  if (r.exceptions().empty()) return out + "<p>None.</p>\n";
  out +=
      "<table class=\"exceptions\"><tr><th>Exception</th><th>Item</th>"
      "<th>Detail</th></tr>\n";
  const ReportNames names(r);
  for (const v1::ReportException& x : r.exceptions()) {
    absl::StrAppend(&out, "<tr><td>", Html(ExceptionKindWords(x.kind())),
                    "</td><td>", Html(ExceptionSubject(names, x)), "</td><td>",
                    Html(x.detail()), "</td></tr>\n");
  }
  return out + "</table>\n";
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
  std::string out =
      absl::StrCat("<div class=\"rec\"><h3>", Html(RecommendationLabel(rec)),
                   ". ", Html(rec.text()), "</h3>\n<p>");
  if (!rec.portfolio().empty()) {
    absl::StrAppend(&out, "<b>Cabinet member / portfolio:</b> ",
                    Html(rec.portfolio()), "<br>");
  }
  absl::StrAppend(&out, "<b>Status:</b> ", Html(StatusLine(rec)),
                  "<br><b>Response:</b> ", Html(ResponseLine(rec)),
                  "<br><b>Response time:</b> ",
                  Html(TimingWords(item.response_timing())), "</p>\n");
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
    const ReportNames names(r);
    out += "<table><tr><th>Date</th><th>Change</th></tr>\n";
    for (int i = 0; i < r.changes_size(); ++i) {
      absl::StrAppend(&out, "<tr><td>", Html(ChangeDay(r, i)), "</td><td>",
                      Html(DescribeChange(r.changes(i), names)),
                      "</td></tr>\n");
    }
    out += "</table>\n";
  }
  if (r.changes_truncated()) out += "<p>(More changes not shown.)</p>\n";
  return out;
}

// The RAG rules as the server applies them.
std::string HtmlFootnote(const v1::Report& r) {
  std::string out = "<footer><p><b>How RAG is worked out</b></p><ul>\n";
  for (const std::string& rule : r.rag_rules()) {
    absl::StrAppend(&out, "<li>", Html(rule), "</li>\n");
  }
  return out + "</ul></footer>\n";
}

}  // namespace

std::string ReportHtml(const v1::Report& r) {
  std::string out = absl::StrCat(HtmlHead(r), HtmlExceptions(r), HtmlSummary(r),
                                 "<h2>Recommendations</h2>\n");
  for (const v1::ReportItem& item : r.items()) {
    out += HtmlItem(item);
  }
  absl::StrAppend(&out, HtmlChanges(r), HtmlFootnote(r), "</body></html>\n");
  return out;
}

}  // namespace rectrack::cli
