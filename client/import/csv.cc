#include "client/import/csv.h"

#include <map>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/render/format.h"

namespace rectrack::cli {
namespace {

bool ValidUtf8(absl::string_view s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int extra = c < 0x80             ? 0
                : (c & 0xE0) == 0xC0 ? 1
                : (c & 0xF0) == 0xE0 ? 2
                : (c & 0xF8) == 0xF0 ? 3
                                     : -1;
    if (extra < 0 || i + extra >= s.size()) {
      return false;
    }
    for (int k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
        return false;
      }
    }
    i += extra + 1;
  }
  return true;
}

std::string Quote(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) {
    return field;
  }
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// A row as column name → value.
using Row = std::map<std::string, std::string>;

std::string Get(const Row& row, const std::string& column) {
  auto it = row.find(column);
  return it == row.end() ? "" : it->second;
}

std::vector<std::string> SplitSemicolons(const std::string& cell) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(cell, ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (!part.empty()) out.emplace_back(part);
  }
  return out;
}

}  // namespace

const std::vector<std::string>& CsvColumns() {
  static const auto* columns = new std::vector<std::string>{
      "kind", "key",       "id",        "review",  "recommendation",
      "ref",  "title",     "committee", "council", "published",
      "text", "portfolio", "decision",  "reason",  "by",
      "on",   "leads",     "due",       "status",  "note",
      "date"};
  return *columns;
}

absl::StatusOr<std::vector<CsvRecord>> ParseCsv(absl::string_view content) {
  if (absl::StartsWith(content, "\xEF\xBB\xBF")) {
    content.remove_prefix(3);
  }
  std::vector<CsvRecord> out;
  int line = 1;
  size_t i = 0;
  while (i < content.size()) {
    CsvRecord record{line, {}};
    std::string field;
    bool in_quotes = false;
    bool ended = false;
    int quote_line = line;
    while (i < content.size() && !ended) {
      char c = content[i];
      if (in_quotes) {
        if (c == '"') {
          if (i + 1 < content.size() && content[i + 1] == '"') {
            field += '"';
            ++i;
          } else {
            in_quotes = false;
          }
        } else if (c == '\r' && i + 1 < content.size() &&
                   content[i + 1] == '\n') {
          // A line break inside a field is kept as LF alone.
        } else {
          if (c == '\n') ++line;
          field += c;
        }
        ++i;
        continue;
      }
      if (c == '"' && field.empty()) {
        in_quotes = true;
        quote_line = line;
      } else if (c == ',') {
        record.fields.push_back(std::move(field));
        field.clear();
      } else if (c == '\r' && i + 1 < content.size() &&
                 content[i + 1] == '\n') {
        // CRLF: the LF ends the record.
      } else if (c == '\n') {
        ++line;
        ended = true;
      } else {
        field += c;
      }
      ++i;
    }
    if (in_quotes) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", quote_line,
                       ": a quoted field is never closed; is a \" missing?"));
    }
    record.fields.push_back(std::move(field));
    size_t bytes = 0;
    for (const std::string& f : record.fields) bytes += f.size();
    if (bytes > kMaxLineBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", record.line, ": the row is ", bytes,
                       " bytes long; a row may take at most 1 MiB"));
    }
    for (const std::string& f : record.fields) {
      if (!ValidUtf8(f)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "line ", record.line,
            ": the text is not valid UTF-8; save the file as UTF-8"));
      }
    }
    bool blank = record.fields.size() == 1 &&
                 absl::StripAsciiWhitespace(record.fields[0]).empty();
    if (!blank) {
      out.push_back(std::move(record));
    }
  }
  return out;
}

absl::StatusOr<std::vector<FileCommand>> CsvToCommands(
    absl::string_view content) {
  auto records = ParseCsv(content);
  if (!records.ok()) return records.status();
  if (records->empty()) {
    return absl::InvalidArgumentError("the file is empty: no header row");
  }
  // The header: names matched without regard to case or spaces.
  const std::set<std::string> known(CsvColumns().begin(), CsvColumns().end());
  std::vector<std::string> header;
  for (const std::string& name : (*records)[0].fields) {
    std::string n = absl::AsciiStrToLower(absl::StripAsciiWhitespace(name));
    if (!known.count(n)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", (*records)[0].line, ": unknown column \"", name,
          "\"; the columns are ", absl::StrJoin(CsvColumns(), ", ")));
    }
    header.push_back(n);
  }
  if (std::find(header.begin(), header.end(), "kind") == header.end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "line ", (*records)[0].line,
        ": the header has no \"kind\" column, which says what each row does"));
  }

  std::vector<FileCommand> out;
  std::vector<std::string> problems;
  std::map<std::string, size_t> keys;  // key → index of the creating command
  for (size_t r = 1; r < records->size(); ++r) {
    const CsvRecord& record = (*records)[r];
    auto problem = [&](const std::string& what) {
      problems.push_back(absl::StrCat("line ", record.line, ": ", what));
    };
    if (record.fields.size() > header.size()) {
      problem(absl::StrCat("has ", record.fields.size(),
                           " fields but the "
                           "header names ",
                           header.size(), " columns"));
      continue;
    }
    Row row;
    for (size_t c = 0; c < record.fields.size(); ++c) {
      row[header[c]] =
          std::string(absl::StripAsciiWhitespace(record.fields[c]));
    }
    // A reference is a key of an earlier row, or an id as it stands.
    auto ref = [&](const std::string& column) {
      std::string v = Get(row, column);
      auto it = keys.find(v);
      return it == keys.end() ? v : absl::StrCat("$", it->second);
    };
    auto enum_cell = [&](const std::string& column,
                         const google::protobuf::EnumDescriptor* type,
                         int* value) {
      std::string v = Get(row, column);
      if (v.empty()) {
        problem(absl::StrCat(column, " is required"));
        return false;
      }
      auto parsed = ParseEnumWord(type, v, column);
      if (!parsed.ok()) {
        problem(std::string(parsed.status().message()));
        return false;
      }
      *value = *parsed;
      return true;
    };
    v1::Command c;
    std::string kind = absl::AsciiStrToLower(Get(row, "kind"));
    if (kind == "review") {
      auto* o = c.mutable_open_review();
      o->set_title(Get(row, "title"));
      o->set_committee(Get(row, "committee"));
      o->set_council(Get(row, "council"));
      o->set_published_on(Get(row, "published"));
    } else if (kind == "report-back") {
      auto* s = c.mutable_schedule_report_back();
      s->set_review_id(ref("review"));
      s->set_date(Get(row, "date"));
      s->set_note(Get(row, "note"));
    } else if (kind == "close-review") {
      c.mutable_close_review()->set_review_id(ref("review"));
      c.mutable_close_review()->set_note(Get(row, "note"));
    } else if (kind == "recommendation") {
      auto* a = c.mutable_add_recommendation();
      a->set_review_id(ref("review"));
      a->set_ref(Get(row, "ref"));
      a->set_text(Get(row, "text"));
      a->set_portfolio(Get(row, "portfolio"));
    } else if (kind == "amend-recommendation") {
      auto* a = c.mutable_amend_recommendation();
      a->set_id(ref("id"));
      if (!Get(row, "ref").empty()) a->set_ref(Get(row, "ref"));
      if (!Get(row, "text").empty()) a->set_text(Get(row, "text"));
      if (!Get(row, "portfolio").empty())
        a->set_portfolio(Get(row, "portfolio"));
    } else if (kind == "response") {
      auto* r2 = c.mutable_record_response();
      r2->set_recommendation_id(ref("recommendation"));
      int decision = 0;
      if (!enum_cell("decision", v1::Decision_descriptor(), &decision))
        continue;
      r2->set_decision(static_cast<v1::Decision>(decision));
      r2->set_text(Get(row, "text"));
      r2->set_reason(Get(row, "reason"));
      r2->set_responded_by(Get(row, "by"));
      r2->set_responded_on(Get(row, "on"));
    } else if (kind == "recommendation-status") {
      auto* s = c.mutable_set_recommendation_status();
      s->set_recommendation_id(ref("recommendation"));
      int status = 0;
      if (!enum_cell("status", v1::RecommendationStatus_descriptor(),
                     &status)) {
        continue;
      }
      s->set_status(static_cast<v1::RecommendationStatus>(status));
      s->set_note(Get(row, "note"));
      s->set_effective_on(Get(row, "on"));
    } else if (kind == "action") {
      auto* a = c.mutable_add_action();
      a->set_recommendation_id(ref("recommendation"));
      a->set_text(Get(row, "text"));
      for (const std::string& lead : SplitSemicolons(Get(row, "leads"))) {
        a->add_leads(lead);
      }
      a->set_timescale(Get(row, "due"));
    } else if (kind == "update-action") {
      auto* u = c.mutable_update_action();
      u->set_id(ref("id"));
      if (!Get(row, "text").empty()) u->set_text(Get(row, "text"));
      if (!Get(row, "leads").empty()) {
        u->set_set_leads(true);
        for (const std::string& lead : SplitSemicolons(Get(row, "leads"))) {
          u->add_leads(lead);
        }
      }
      if (!Get(row, "due").empty()) u->set_timescale(Get(row, "due"));
      u->set_reason(Get(row, "reason"));
    } else if (kind == "action-status") {
      auto* s = c.mutable_set_action_status();
      s->set_id(ref("id"));
      int status = 0;
      if (!enum_cell("status", v1::ActionStatus_descriptor(), &status))
        continue;
      s->set_status(static_cast<v1::ActionStatus>(status));
      s->set_note(Get(row, "note"));
      s->set_effective_on(Get(row, "on"));
    } else if (kind == "progress") {
      auto* p = c.mutable_report_progress();
      p->set_id(ref("id"));
      p->set_text(Get(row, "text"));
      p->set_reported_on(Get(row, "on"));
    } else {
      problem(absl::StrCat(
          "kind \"", Get(row, "kind"),
          "\" is not one of review, report-back, close-review, "
          "recommendation, amend-recommendation, response, "
          "recommendation-status, action, update-action, action-status, "
          "progress"));
      continue;
    }
    std::string key = Get(row, "key");
    if (!key.empty()) {
      if (keys.count(key)) {
        problem(absl::StrCat("key \"", key,
                             "\" is already used on an earlier "
                             "row"));
        continue;
      }
      keys[key] = out.size();
    }
    out.push_back({record.line, std::move(c)});
    if (problems.size() >= 50) break;
  }
  if (!problems.empty()) {
    return absl::InvalidArgumentError(absl::StrJoin(problems, "\n"));
  }
  if (out.empty()) {
    return absl::InvalidArgumentError("the file has a header but no rows");
  }
  return out;
}

std::string CsvHeaderLine() {
  return absl::StrCat(absl::StrJoin(CsvColumns(), ","), "\n");
}

std::string CommandToCsvLine(const v1::Command& c) {
  Row row;
  switch (c.op_case()) {
    case v1::Command::kOpenReview:
      row = {{"kind", "review"},
             {"title", c.open_review().title()},
             {"committee", c.open_review().committee()},
             {"council", c.open_review().council()},
             {"published", c.open_review().published_on()}};
      break;
    case v1::Command::kScheduleReportBack:
      row = {{"kind", "report-back"},
             {"review", c.schedule_report_back().review_id()},
             {"date", c.schedule_report_back().date()},
             {"note", c.schedule_report_back().note()}};
      break;
    case v1::Command::kCloseReview:
      row = {{"kind", "close-review"},
             {"review", c.close_review().review_id()},
             {"note", c.close_review().note()}};
      break;
    case v1::Command::kAddRecommendation:
      row = {{"kind", "recommendation"},
             {"review", c.add_recommendation().review_id()},
             {"ref", c.add_recommendation().ref()},
             {"text", c.add_recommendation().text()},
             {"portfolio", c.add_recommendation().portfolio()}};
      break;
    case v1::Command::kAmendRecommendation:
      row = {{"kind", "amend-recommendation"},
             {"id", c.amend_recommendation().id()},
             {"ref", c.amend_recommendation().ref()},
             {"text", c.amend_recommendation().text()},
             {"portfolio", c.amend_recommendation().portfolio()}};
      break;
    case v1::Command::kRecordResponse:
      row = {{"kind", "response"},
             {"recommendation", c.record_response().recommendation_id()},
             {"decision", EnumWord(v1::Decision_descriptor(),
                                   c.record_response().decision())},
             {"text", c.record_response().text()},
             {"reason", c.record_response().reason()},
             {"by", c.record_response().responded_by()},
             {"on", c.record_response().responded_on()}};
      break;
    case v1::Command::kSetRecommendationStatus:
      row = {
          {"kind", "recommendation-status"},
          {"recommendation", c.set_recommendation_status().recommendation_id()},
          {"status", EnumWord(v1::RecommendationStatus_descriptor(),
                              c.set_recommendation_status().status())},
          {"note", c.set_recommendation_status().note()},
          {"on", c.set_recommendation_status().effective_on()}};
      break;
    case v1::Command::kAddAction:
      row = {{"kind", "action"},
             {"recommendation", c.add_action().recommendation_id()},
             {"text", c.add_action().text()},
             {"leads", absl::StrJoin(c.add_action().leads(), "; ")},
             {"due", c.add_action().timescale()}};
      break;
    case v1::Command::kUpdateAction:
      row = {{"kind", "update-action"},
             {"id", c.update_action().id()},
             {"text", c.update_action().text()},
             {"leads", absl::StrJoin(c.update_action().leads(), "; ")},
             {"due", c.update_action().timescale()},
             {"reason", c.update_action().reason()}};
      break;
    case v1::Command::kSetActionStatus:
      row = {{"kind", "action-status"},
             {"id", c.set_action_status().id()},
             {"status", EnumWord(v1::ActionStatus_descriptor(),
                                 c.set_action_status().status())},
             {"note", c.set_action_status().note()},
             {"on", c.set_action_status().effective_on()}};
      break;
    case v1::Command::kReportProgress:
      row = {{"kind", "progress"},
             {"id", c.report_progress().id()},
             {"text", c.report_progress().text()},
             {"on", c.report_progress().reported_on()}};
      break;
    case v1::Command::OP_NOT_SET:
      break;
  }
  std::vector<std::string> cells;
  for (const std::string& column : CsvColumns()) {
    cells.push_back(Quote(Get(row, column)));
  }
  return absl::StrCat(absl::StrJoin(cells, ","), "\n");
}

}  // namespace rectrack::cli
