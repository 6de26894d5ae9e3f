#include "client/render/format.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/dates.h"

namespace rectrack::cli {
namespace {

// "ACTION_STATUS_" for ActionStatus: the name of value 0 less "UNSPECIFIED".
std::string EnumPrefix(const google::protobuf::EnumDescriptor* type) {
  std::string zero = type->FindValueByNumber(0)->name();
  return zero.substr(0, zero.size() - std::string("UNSPECIFIED").size());
}

std::string Or(const std::string& value, const std::string& fallback) {
  return value.empty() ? fallback : value;
}

std::string OneLine(const std::string& text, size_t max) {
  std::string s = absl::StrReplaceAll(text, {{"\n", " "}, {"\t", " "}});
  if (s.size() > max) {
    s = s.substr(0, max - 3) + "...";
  }
  return s;
}

std::string Time(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", TimeFromProto(ts),
                          absl::UTCTimeZone());
}

// Characters that make a spreadsheet read a cell as a formula.
constexpr absl::string_view kFormulaStart = "=+-@\t\r";

bool PlainNumber(const std::string& v) {
  if (v.size() < 2 || (v[0] != '-' && v[0] != '+')) return false;
  return std::all_of(v.begin() + 1, v.end(), [](char c) {
    return absl::ascii_isdigit(static_cast<unsigned char>(c));
  });
}

// The apostrophe CsvField puts before `v`'s text, if any.
bool NeedsApostrophe(const std::string& v) {
  if (v.empty()) return false;
  if (v[0] == '\'') {
    return v.size() > 1 &&
           (v[1] == '\'' || absl::StrContains(kFormulaStart, v[1]));
  }
  return absl::StrContains(kFormulaStart, v[0]) && !PlainNumber(v);
}

}  // namespace

std::string CsvField(const std::string& text) {
  std::string v = NeedsApostrophe(text) ? absl::StrCat("'", text) : text;
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  return absl::StrCat("\"", absl::StrReplaceAll(v, {{"\"", "\"\""}}), "\"");
}

std::string CsvFieldValue(const std::string& field) {
  if (field.size() > 1 && field[0] == '\'' &&
      NeedsApostrophe(field.substr(1))) {
    return field.substr(1);
  }
  return field;
}

std::string EnumWord(const google::protobuf::EnumDescriptor* type, int value) {
  const google::protobuf::EnumValueDescriptor* v =
      type->FindValueByNumber(value);
  if (v == nullptr) {
    return absl::StrCat(value);
  }
  std::string word = v->name().substr(EnumPrefix(type).size());
  absl::AsciiStrToLower(&word);
  return absl::StrReplaceAll(word, {{"_", "-"}});
}

absl::StatusOr<int> ParseEnumWord(const google::protobuf::EnumDescriptor* type,
                                  const std::string& word,
                                  const std::string& option) {
  std::string name = absl::StrCat(
      EnumPrefix(type),
      absl::AsciiStrToUpper(absl::StrReplaceAll(
          absl::StripAsciiWhitespace(word), {{"-", "_"}, {" ", "_"}})));
  const google::protobuf::EnumValueDescriptor* v = type->FindValueByName(name);
  if (v != nullptr && v->number() != 0) {
    return v->number();
  }
  std::vector<std::string> words;
  for (int i = 0; i < type->value_count(); ++i) {
    if (type->value(i)->number() != 0) {
      words.push_back(EnumWord(type, type->value(i)->number()));
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      option, ": \"", word, "\" is not one of ", absl::StrJoin(words, ", ")));
}

std::string ToJson(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = false;
  if (!google::protobuf::util::MessageToJsonString(message, &out, options)
           .ok()) {
    return "{}";
  }
  return out;
}

std::string ToJsonLine(const google::protobuf::Message& message) {
  std::string out;
  // Printing a valid message cannot fail.
  (void)google::protobuf::util::MessageToJsonString(
      message, &out, google::protobuf::util::JsonPrintOptions());
  return out;
}

std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  };
  measure(header);
  for (const auto& row : rows) {
    measure(row);
  }
  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) {
        line += std::string(width[i] - row[i].size() + 2, ' ');
      }
    }
    absl::StrAppend(&out, absl::StripTrailingAsciiWhitespace(line), "\n");
  };
  emit(header);
  for (const auto& row : rows) {
    emit(row);
  }
  return out;
}

std::string FormatReviewList(const std::vector<v1::Review>& reviews) {
  if (reviews.empty()) {
    return "No reviews yet. Open one with: rectrack review open --title T "
           "--committee C\n";
  }
  std::vector<std::vector<std::string>> rows;
  rows.reserve(reviews.size());
  for (const v1::Review& r : reviews) {
    rows.push_back({r.id(), EnumWord(v1::ReviewStatus_descriptor(), r.status()),
                    Or(r.published_on(), "-"),
                    absl::StrCat(r.recommendation_ids_size()),
                    OneLine(r.committee(), 40), OneLine(r.title(), 60)});
  }
  return FormatTable(
      {"ID", "STATUS", "PUBLISHED", "RECS", "COMMITTEE", "TITLE"}, rows);
}

std::string FormatActionList(const std::vector<v1::Action>& actions) {
  if (actions.empty()) {
    return "No actions match.\n";
  }
  std::vector<std::vector<std::string>> rows;
  rows.reserve(actions.size());
  for (const v1::Action& a : actions) {
    rows.push_back({a.id(), a.recommendation_id(),
                    EnumWord(v1::ActionStatus_descriptor(), a.status()),
                    RagWord(a), OneLine(Or(a.timescale().text(), "-"), 24),
                    Or(a.timescale().latest(), "-"),
                    OneLine(absl::StrJoin(a.leads(), "; "), 30),
                    OneLine(a.text(), 60)});
  }
  return FormatTable(
      {"ID", "REC", "STATUS", "RAG", "TIMESCALE", "DUE BY", "LEADS", "ACTION"},
      rows);
}

std::string FormatReview(const v1::Review& r) {
  std::string out = absl::StrCat(r.id(), "  ", r.title(), "\n");
  absl::StrAppend(&out, "  Committee: ", Or(r.committee(), "-"), "\n");
  if (!r.council().empty()) {
    absl::StrAppend(&out, "  Council: ", r.council(), "\n");
  }
  absl::StrAppend(
      &out, "  Published: ", Or(r.published_on(), "-"),
      "   Status: ", EnumWord(v1::ReviewStatus_descriptor(), r.status()), "\n");
  if (!r.closing_note().empty()) {
    absl::StrAppend(&out, "  Closing note: ", r.closing_note(), "\n");
  }
  if (r.report_backs_size() > 0) {
    std::vector<std::string> dates;
    for (const v1::ReportBack& rb : r.report_backs()) {
      dates.push_back(rb.note().empty()
                          ? rb.date()
                          : absl::StrCat(rb.date(), " (", rb.note(), ")"));
    }
    absl::StrAppend(&out, "  Report-backs: ", absl::StrJoin(dates, ", "), "\n");
  }
  return out;
}

std::string FormatRecommendation(const v1::Recommendation& rec,
                                 const std::vector<v1::Action>& actions) {
  std::string out = absl::StrCat(
      rec.id(), "  Recommendation ", rec.ref(), "  [",
      EnumWord(v1::RecommendationStatus_descriptor(), rec.status()), "]\n");
  absl::StrAppend(&out, "  ", rec.text(), "\n");
  if (!rec.portfolio().empty()) {
    absl::StrAppend(&out, "  Portfolio: ", rec.portfolio(), "\n");
  }
  if (rec.has_response()) {
    const v1::Response& resp = rec.response();
    std::vector<std::string> who = {
        EnumWord(v1::Decision_descriptor(), resp.decision())};
    if (!resp.responded_by().empty()) who.push_back(resp.responded_by());
    if (!resp.responded_on().empty()) who.push_back(resp.responded_on());
    absl::StrAppend(&out, "  Response (", absl::StrJoin(who, ", "),
                    "): ", resp.text(), "\n");
    if (!resp.reason().empty()) {
      absl::StrAppend(&out, "  Reason: ", resp.reason(), "\n");
    }
  }
  if (!rec.status_note().empty()) {
    absl::StrAppend(&out, "  Status note: ", rec.status_note(), "\n");
  }
  if (!rec.signed_off_on().empty()) {
    absl::StrAppend(&out, "  Signed off: ", rec.signed_off_on(), "\n");
  }
  for (const v1::Action& a : actions) {
    out += FormatAction(a, "  ");
  }
  return out;
}

std::string RagWord(const v1::Action& a) {
  if (a.standing().rag() == v1::RAG_UNSPECIFIED) return "-";
  return EnumWord(v1::Rag_descriptor(), a.standing().rag());
}

std::string DescribeWindow(const v1::Timescale& t) {
  if (t.text().empty()) return "no target set";
  if (t.ongoing()) return "ongoing, no end date";
  if (t.unparsed()) return "no date could be read from it";
  std::string out;
  if (!t.earliest().empty() && t.earliest() != t.latest()) {
    out = absl::StrCat(t.earliest(), " to ", Or(t.latest(), "?"));
  } else {
    out = absl::StrCat("by ", Or(t.latest(), "?"));
  }
  if (t.tentative()) out += ", tentative";
  return out;
}

std::string DescribeStanding(const v1::Action& a) {
  const v1::ActionStanding& s = a.standing();
  if (s.rag() == v1::RAG_UNSPECIFIED) return "";
  std::string out = absl::AsciiStrToUpper(RagWord(a));
  if (s.overdue()) {
    absl::StrAppend(&out, ", overdue by ", s.days_overdue(),
                    s.days_overdue() == 1 ? " day" : " days");
  } else if (s.due_soon()) {
    out += ", due soon";
  }
  absl::StrAppend(&out, " (on ", s.day(), ")");
  return out;
}

std::string DescribeSlippage(const v1::Action& a) {
  if (a.slippage().revisions() == 0) return "";
  return absl::StrCat("target revised ", a.slippage().revisions(),
                      a.slippage().revisions() == 1 ? " time" : " times",
                      ", slipped ", a.slippage().days_slipped(), " days");
}

std::string FormatAction(const v1::Action& a, const std::string& indent) {
  std::string out =
      absl::StrCat(indent, a.id(), "  [",
                   EnumWord(v1::ActionStatus_descriptor(), a.status()),
                   "]  due: ", Or(a.timescale().text(), "-"),
                   "  lead: ", Or(absl::StrJoin(a.leads(), "; "), "-"), "\n");
  absl::StrAppend(&out, indent, "  ", a.text(), "\n");
  absl::StrAppend(&out, indent, "  Target: ", DescribeWindow(a.timescale()));
  if (std::string standing = DescribeStanding(a); !standing.empty()) {
    absl::StrAppend(&out, "   Standing: ", standing);
  }
  out += "\n";
  if (a.targets_size() > 1) {
    absl::StrAppend(&out, indent, "  Targets (", DescribeSlippage(a), "):\n");
    for (int i = 0; i < a.targets_size(); ++i) {
      const v1::TargetRevision& t = a.targets(i);
      absl::StrAppend(
          &out, indent, "    ", i == 0 ? "original" : "revised ", "  \"",
          t.target().text(), "\"  (", DescribeWindow(t.target()), ")",
          t.reason().empty() ? "" : "  reason: " + t.reason(), "\n");
    }
  }
  if (!a.status_note().empty()) {
    absl::StrAppend(&out, indent, "  Status note: ", a.status_note(), "\n");
  }
  if (a.progress_size() > 0) {
    const v1::ProgressUpdate& p = a.progress(a.progress_size() - 1);
    absl::StrAppend(&out, indent, "  Latest progress (", p.reported_on(),
                    "): ", p.text(), "\n");
  }
  return out;
}

std::string FormatEvent(const v1::Event& e) {
  std::string out = absl::StrCat("#", e.position(), "  ", e.stream(), " v",
                                 e.version(), "  ", Time(e.recorded_at()), "  ",
                                 e.type(), "  by ", Or(e.actor(), "-"));
  if (!e.effective_on().empty()) {
    absl::StrAppend(&out, "  effective ", e.effective_on());
  }
  // The payload's set fields, as compact JSON.
  absl::StrAppend(&out, "\n    ", ToJsonLine(e.payload()));
  return out + "\n";
}

}  // namespace rectrack::cli
