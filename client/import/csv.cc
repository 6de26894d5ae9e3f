#include "client/import/csv.h"

#include <algorithm>
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

std::string LineProblem(int line, absl::string_view what) {
  return absl::StrCat("line ", line, ": ", what);
}

// One data row as the reader sees it: its cells by column name, with the
// keys of earlier rows to resolve references and a list to note problems on.
class CsvRow {
 public:
  CsvRow(const CsvRecord& record, const std::vector<std::string>& header,
         const std::map<std::string, size_t>& keys,
         std::vector<std::string>* problems)
      : line_(record.line), keys_(keys), problems_(problems) {
    for (size_t c = 0; c < record.fields.size(); ++c) {
      cells_[header[c]] = CsvFieldValue(
          std::string(absl::StripAsciiWhitespace(record.fields[c])));
    }
  }

  std::string Get(const std::string& column) const {
    return cli::Get(cells_, column);
  }

  // A reference is a key of an earlier row, or an id as it stands.
  std::string Ref(const std::string& column) const {
    std::string v = Get(column);
    auto it = keys_.find(v);
    return it == keys_.end() ? v : absl::StrCat("$", it->second);
  }

  // The enum word in `column` as a value of `type`; false, with a problem
  // noted, when the cell is empty or holds no word of `type`.
  bool Enum(const std::string& column,
            const google::protobuf::EnumDescriptor* type, int* value) const {
    std::string v = Get(column);
    if (v.empty()) {
      Problem(absl::StrCat(column, " is required"));
      return false;
    }
    auto parsed = ParseEnumWord(type, v, column);
    if (!parsed.ok()) {
      Problem(std::string(parsed.status().message()));
      return false;
    }
    *value = *parsed;
    return true;
  }

  void Problem(absl::string_view what) const {
    problems_->push_back(LineProblem(line_, what));
  }

 private:
  int line_;
  Row cells_;
  const std::map<std::string, size_t>& keys_;
  std::vector<std::string>* problems_;
};

// Each kind of row has a reader, Read..., which fills in the command from
// the row's cells (false, with a problem noted, when the row cannot be
// read), and a writer, ...Cells, which gives the cells export writes for
// such a command. The two sit side by side so that import and export of a
// kind are changed together.

// ------------------------------------------------------------ reviews

bool ReadOpenReview(const CsvRow& row, v1::Command* c) {
  auto* o = c->mutable_open_review();
  o->set_title(row.Get("title"));
  o->set_committee(row.Get("committee"));
  o->set_council(row.Get("council"));
  o->set_published_on(row.Get("published"));
  return true;
}

Row OpenReviewCells(const v1::Command& c) {
  return {{"title", c.open_review().title()},
          {"committee", c.open_review().committee()},
          {"council", c.open_review().council()},
          {"published", c.open_review().published_on()}};
}

bool ReadScheduleReportBack(const CsvRow& row, v1::Command* c) {
  auto* s = c->mutable_schedule_report_back();
  s->set_review_id(row.Ref("review"));
  s->set_date(row.Get("date"));
  s->set_note(row.Get("note"));
  return true;
}

Row ScheduleReportBackCells(const v1::Command& c) {
  return {{"review", c.schedule_report_back().review_id()},
          {"date", c.schedule_report_back().date()},
          {"note", c.schedule_report_back().note()}};
}

bool ReadCloseReview(const CsvRow& row, v1::Command* c) {
  c->mutable_close_review()->set_review_id(row.Ref("review"));
  c->mutable_close_review()->set_note(row.Get("note"));
  return true;
}

Row CloseReviewCells(const v1::Command& c) {
  return {{"review", c.close_review().review_id()},
          {"note", c.close_review().note()}};
}

// ------------------------------------------------------------ recommendations

bool ReadAddRecommendation(const CsvRow& row, v1::Command* c) {
  auto* a = c->mutable_add_recommendation();
  a->set_review_id(row.Ref("review"));
  a->set_ref(row.Get("ref"));
  a->set_text(row.Get("text"));
  a->set_portfolio(row.Get("portfolio"));
  return true;
}

Row AddRecommendationCells(const v1::Command& c) {
  return {{"review", c.add_recommendation().review_id()},
          {"ref", c.add_recommendation().ref()},
          {"text", c.add_recommendation().text()},
          {"portfolio", c.add_recommendation().portfolio()}};
}

// Empty cells leave those parts of the recommendation as they are.
bool ReadAmendRecommendation(const CsvRow& row, v1::Command* c) {
  auto* a = c->mutable_amend_recommendation();
  a->set_id(row.Ref("id"));
  if (!row.Get("ref").empty()) a->set_ref(row.Get("ref"));
  if (!row.Get("text").empty()) a->set_text(row.Get("text"));
  if (!row.Get("portfolio").empty()) a->set_portfolio(row.Get("portfolio"));
  return true;
}

Row AmendRecommendationCells(const v1::Command& c) {
  return {{"id", c.amend_recommendation().id()},
          {"ref", c.amend_recommendation().ref()},
          {"text", c.amend_recommendation().text()},
          {"portfolio", c.amend_recommendation().portfolio()}};
}

bool ReadRecordResponse(const CsvRow& row, v1::Command* c) {
  auto* r = c->mutable_record_response();
  r->set_recommendation_id(row.Ref("recommendation"));
  int decision = 0;
  if (!row.Enum("decision", v1::Decision_descriptor(), &decision)) {
    return false;
  }
  r->set_decision(static_cast<v1::Decision>(decision));
  r->set_text(row.Get("text"));
  r->set_reason(row.Get("reason"));
  r->set_responded_by(row.Get("by"));
  r->set_responded_on(row.Get("on"));
  return true;
}

Row RecordResponseCells(const v1::Command& c) {
  return {{"recommendation", c.record_response().recommendation_id()},
          {"decision",
           EnumWord(v1::Decision_descriptor(), c.record_response().decision())},
          {"text", c.record_response().text()},
          {"reason", c.record_response().reason()},
          {"by", c.record_response().responded_by()},
          {"on", c.record_response().responded_on()}};
}

bool ReadSetRecommendationStatus(const CsvRow& row, v1::Command* c) {
  auto* s = c->mutable_set_recommendation_status();
  s->set_recommendation_id(row.Ref("recommendation"));
  int status = 0;
  if (!row.Enum("status", v1::RecommendationStatus_descriptor(), &status)) {
    return false;
  }
  s->set_status(static_cast<v1::RecommendationStatus>(status));
  s->set_note(row.Get("note"));
  s->set_effective_on(row.Get("on"));
  return true;
}

Row SetRecommendationStatusCells(const v1::Command& c) {
  const v1::SetRecommendationStatus& s = c.set_recommendation_status();
  return {
      {"recommendation", s.recommendation_id()},
      {"status", EnumWord(v1::RecommendationStatus_descriptor(), s.status())},
      {"note", s.note()},
      {"on", s.effective_on()}};
}

// ------------------------------------------------------------ actions

bool ReadAddAction(const CsvRow& row, v1::Command* c) {
  auto* a = c->mutable_add_action();
  a->set_recommendation_id(row.Ref("recommendation"));
  a->set_text(row.Get("text"));
  for (const std::string& lead : SplitSemicolons(row.Get("leads"))) {
    a->add_leads(lead);
  }
  a->set_timescale(row.Get("due"));
  return true;
}

Row AddActionCells(const v1::Command& c) {
  return {{"recommendation", c.add_action().recommendation_id()},
          {"text", c.add_action().text()},
          {"leads", absl::StrJoin(c.add_action().leads(), "; ")},
          {"due", c.add_action().timescale()}};
}

// Empty cells leave those parts of the action as they are.
bool ReadUpdateAction(const CsvRow& row, v1::Command* c) {
  auto* u = c->mutable_update_action();
  u->set_id(row.Ref("id"));
  if (!row.Get("text").empty()) u->set_text(row.Get("text"));
  if (!row.Get("leads").empty()) {
    u->set_set_leads(true);
    for (const std::string& lead : SplitSemicolons(row.Get("leads"))) {
      u->add_leads(lead);
    }
  }
  if (!row.Get("due").empty()) u->set_timescale(row.Get("due"));
  u->set_reason(row.Get("reason"));
  return true;
}

Row UpdateActionCells(const v1::Command& c) {
  return {{"id", c.update_action().id()},
          {"text", c.update_action().text()},
          {"leads", absl::StrJoin(c.update_action().leads(), "; ")},
          {"due", c.update_action().timescale()},
          {"reason", c.update_action().reason()}};
}

bool ReadSetActionStatus(const CsvRow& row, v1::Command* c) {
  auto* s = c->mutable_set_action_status();
  s->set_id(row.Ref("id"));
  int status = 0;
  if (!row.Enum("status", v1::ActionStatus_descriptor(), &status)) {
    return false;
  }
  s->set_status(static_cast<v1::ActionStatus>(status));
  s->set_note(row.Get("note"));
  s->set_effective_on(row.Get("on"));
  return true;
}

Row SetActionStatusCells(const v1::Command& c) {
  return {{"id", c.set_action_status().id()},
          {"status", EnumWord(v1::ActionStatus_descriptor(),
                              c.set_action_status().status())},
          {"note", c.set_action_status().note()},
          {"on", c.set_action_status().effective_on()}};
}

bool ReadReportProgress(const CsvRow& row, v1::Command* c) {
  auto* p = c->mutable_report_progress();
  p->set_id(row.Ref("id"));
  p->set_text(row.Get("text"));
  p->set_reported_on(row.Get("on"));
  return true;
}

Row ReportProgressCells(const v1::Command& c) {
  return {{"id", c.report_progress().id()},
          {"text", c.report_progress().text()},
          {"on", c.report_progress().reported_on()}};
}

// ------------------------------------------------------------ kinds

struct CsvKind {
  const char* name;  // the `kind` cell
  v1::Command::OpCase op;
  bool (*read)(const CsvRow& row, v1::Command* command);
  Row (*cells)(const v1::Command& command);  // all but `kind`
};

// The "not one of" message lists the kinds in this order.
constexpr CsvKind kKinds[] = {
    {"review", v1::Command::kOpenReview, ReadOpenReview, OpenReviewCells},
    {"report-back", v1::Command::kScheduleReportBack, ReadScheduleReportBack,
     ScheduleReportBackCells},
    {"close-review", v1::Command::kCloseReview, ReadCloseReview,
     CloseReviewCells},
    {"recommendation", v1::Command::kAddRecommendation, ReadAddRecommendation,
     AddRecommendationCells},
    {"amend-recommendation", v1::Command::kAmendRecommendation,
     ReadAmendRecommendation, AmendRecommendationCells},
    {"response", v1::Command::kRecordResponse, ReadRecordResponse,
     RecordResponseCells},
    {"recommendation-status", v1::Command::kSetRecommendationStatus,
     ReadSetRecommendationStatus, SetRecommendationStatusCells},
    {"action", v1::Command::kAddAction, ReadAddAction, AddActionCells},
    {"update-action", v1::Command::kUpdateAction, ReadUpdateAction,
     UpdateActionCells},
    {"action-status", v1::Command::kSetActionStatus, ReadSetActionStatus,
     SetActionStatusCells},
    {"progress", v1::Command::kReportProgress, ReadReportProgress,
     ReportProgressCells},
};

// The command `row` asks for, by its kind; false, with a problem noted, when
// the kind is unknown or the row cannot be read.
bool ReadCommand(const CsvRow& row, v1::Command* c) {
  const std::string kind = absl::AsciiStrToLower(row.Get("kind"));
  for (const CsvKind& k : kKinds) {
    if (kind == k.name) return k.read(row, c);
  }
  std::vector<std::string> names;
  for (const CsvKind& k : kKinds) names.emplace_back(k.name);
  row.Problem(absl::StrCat("kind \"", row.Get("kind"), "\" is not one of ",
                           absl::StrJoin(names, ", ")));
  return false;
}

// Notes that the row's key, if it has one, names command `index`; false,
// with a problem noted, when an earlier row has the key.
bool ClaimKey(const CsvRow& row, size_t index,
              std::map<std::string, size_t>* keys) {
  std::string key = row.Get("key");
  if (key.empty()) return true;
  if (keys->count(key)) {
    row.Problem(
        absl::StrCat("key \"", key, "\" is already used on an earlier row"));
    return false;
  }
  (*keys)[key] = index;
  return true;
}

// The header's column names, matched without regard to case or spaces.
absl::StatusOr<std::vector<std::string>> ReadHeader(const CsvRecord& record) {
  const std::set<std::string> known(CsvColumns().begin(), CsvColumns().end());
  std::vector<std::string> header;
  for (const std::string& name : record.fields) {
    std::string n = absl::AsciiStrToLower(absl::StripAsciiWhitespace(name));
    if (!known.count(n)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", record.line, ": unknown column \"", name,
          "\"; the columns are ", absl::StrJoin(CsvColumns(), ", ")));
    }
    header.push_back(n);
  }
  if (std::find(header.begin(), header.end(), "kind") == header.end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "line ", record.line,
        ": the header has no \"kind\" column, which says what each row does"));
  }
  return header;
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
  auto header = ReadHeader((*records)[0]);
  if (!header.ok()) return header.status();

  std::vector<FileCommand> out;
  std::vector<std::string> problems;
  std::map<std::string, size_t> keys;  // key → index of the creating command
  for (size_t r = 1; r < records->size(); ++r) {
    const CsvRecord& record = (*records)[r];
    if (record.fields.size() > header->size()) {
      problems.push_back(
          LineProblem(record.line, absl::StrCat("has ", record.fields.size(),
                                                " fields but the header names ",
                                                header->size(), " columns")));
      continue;
    }
    CsvRow row(record, *header, keys, &problems);
    v1::Command c;
    if (!ReadCommand(row, &c) || !ClaimKey(row, out.size(), &keys)) continue;
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
  return absl::StrCat(kUtf8Bom, absl::StrJoin(CsvColumns(), ","), "\n");
}

std::vector<std::string> CommandToCsvCells(const v1::Command& c) {
  Row row;  // a command with no op is a row of empty cells
  for (const CsvKind& k : kKinds) {
    if (c.op_case() == k.op) {
      row = k.cells(c);
      row["kind"] = k.name;
      break;
    }
  }
  std::vector<std::string> cells;
  for (const std::string& column : CsvColumns()) {
    cells.push_back(Get(row, column));
  }
  return cells;
}

std::string CommandToCsvLine(const v1::Command& command) {
  std::vector<std::string> cells = CommandToCsvCells(command);
  for (std::string& cell : cells) cell = CsvField(cell);
  return absl::StrCat(absl::StrJoin(cells, ","), "\n");
}

}  // namespace rectrack::cli
