// Reading a plan: the document in the table model, then the interpreter
// (plan_interpreter.h) finding the plan's tables and their columns.
#include "client/import/plan.h"

#include <algorithm>
#include <map>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "client/import/plan_interpreter.h"

namespace rectrack::cli {

namespace {

// A plan laid out one recommendation per column: headings that are one
// word and the numbers 1, 2, 3 ... ("Priority 1 | Priority 2 | Priority
// 3") over a single row whose cells open with the recommendation and list
// its actions, a paragraph each. Read as the table a person turns it into:
// a row per column, with its number, recommendation and actions.
std::optional<Table> ByColumns(const Table& table) {
  std::vector<const TableRow*> body;
  for (size_t r = 1; r < table.rows.size(); ++r) {
    for (const TableCell& c : table.rows[r].cells) {
      if (!c.paragraphs.empty()) {
        body.push_back(&table.rows[r]);
        break;
      }
    }
  }
  if (table.rows.empty() || body.size() != 1) return std::nullopt;
  const std::vector<TableCell>& heads = table.rows[0].cells;
  const std::vector<TableCell>& cells = body[0]->cells;
  if (heads.size() < 2 || cells.size() != heads.size()) return std::nullopt;
  std::string word;
  for (size_t c = 0; c < heads.size(); ++c) {
    std::vector<std::string> parts = absl::StrSplit(
        heads[c].Text(), absl::ByAnyChar(" \n"), absl::SkipEmpty());
    if (parts.size() != 2 || (c > 0 && parts[0] != word) ||
        parts[1] != absl::StrCat(c + 1) || cells[c].paragraphs.empty() ||
        cells[c].span != 1) {
      return std::nullopt;
    }
    word = parts[0];
  }
  Table out;
  out.number = table.number;
  out.rows.push_back({{{{"Ref"}}, {{"Recommendation"}}, {{"Action"}}},
                      table.rows[0].where,
                      table.rows[0].line});
  for (size_t c = 0; c < cells.size(); ++c) {
    const std::vector<std::string>& p = cells[c].paragraphs;
    TableCell actions;  // the points after "... by:", a list
    for (size_t i = 1; i < p.size(); ++i) {
      actions.paragraphs.push_back(absl::StrCat("\xE2\x80\xA2 ", p[i]));
    }
    out.rows.push_back({{{{absl::StrCat(c + 1)}}, {{p[0]}}, actions},
                        absl::StrCat(body[0]->where, " column ", c + 1),
                        body[0]->line});
  }
  return out;
}

// Whether two rows say the same, whatever the case, spacing and line breaks
// (Word repeats a table's header on each page as it is).
bool SameWords(const std::vector<TableCell>& a,
               const std::vector<TableCell>& b) {
  auto words = [](const std::vector<TableCell>& row) {
    std::string all;
    for (const TableCell& c : row) absl::StrAppend(&all, " ", c.Text());
    std::vector<std::string> out =
        absl::StrSplit(absl::AsciiStrToLower(all), absl::ByAnyChar(" \n\t"),
                       absl::SkipEmpty());
    return out;
  };
  return words(a) == words(b);
}

// Whether one of a table's first rows is a header that names the plan's
// text: its recommendations or its actions.
bool HasPlanHeader(const Table& table) {
  std::vector<std::vector<TableCell>> grid = GridRows(table);
  for (size_t r = 0; r < grid.size() && r < 3; ++r) {
    if (!IsHeaderRow(grid[r])) continue;
    for (const TableCell& c : grid[r]) {
      Role role = HeaderRole(c.Text());
      if (role == Role::kRecommendation || role == Role::kAction) return true;
    }
  }
  return false;
}

}  // namespace

absl::Status PlanInterpreter::Read(const Document& doc) {
  text_format_ = doc.format == "text";
  std::vector<std::string> before;
  std::vector<std::string> recent;
  // Tables before the first one headed as a plan (a summary of counts, a
  // key of decision words) are not the plan, whatever their words.
  size_t first_headed = doc.blocks.size();
  for (size_t b = 0; b < doc.blocks.size() && forced_.empty(); ++b) {
    if (doc.blocks[b].table.has_value() &&
        HasPlanHeader(*doc.blocks[b].table)) {
      first_headed = b;
      break;
    }
  }
  for (const DocumentBlock& block : doc.blocks) {
    const size_t b = static_cast<size_t>(&block - doc.blocks.data());
    if (block.table.has_value() && b < first_headed &&
        first_headed < doc.blocks.size()) {
      out_->columns.push_back(absl::StrCat(
          "table ", block.table->number, " (", block.table->rows.size(),
          " rows): not the plan: it comes before table ",
          doc.blocks[first_headed].table->number,
          ", whose headings name the plan's recommendations or actions"));
      continue;
    }
    if (!block.table.has_value()) {
      // "Page 3 of 7" between a table's pages does not end its last row.
      if (block.paragraph.empty() || IsPageFurniture(block.paragraph)) {
        continue;
      }
      ReleaseHeld();
      if (!opened_) before.push_back(block.paragraph);
      recent.push_back(block.paragraph);
      if (auto item = LeadingRef(WithoutBullet(block.paragraph));
          item.has_value() && !item->second.empty()) {
        listed_.emplace(item->first, item->second);
      }
      continue;
    }
    std::optional<Table> turned = ByColumns(*block.table);
    if (turned.has_value()) {
      out_->unsure.push_back(absl::StrCat(
          "table ", turned->number,
          " has one recommendation per column (headings numbered 1, 2, "
          "...): each column read as a row"));
    }
    ReadTable(turned.has_value() ? *turned : *block.table, before, recent);
    recent.clear();
  }
  ReleaseHeld();
  if (!opened_) {
    return absl::InvalidArgumentError(
        "no action-plan table was found: no table has headings such as "
        "Recommendation, Action, Lead, Timescale or Status, or columns that "
        "read as them. Nothing was imported.");
  }
  FlushRecommendation();
  if (recommendations_ == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the action-plan table (table ", first_plan_table_,
        ") has headings but no recommendations under them",
        out_->problems.empty()
            ? std::string()
            : absl::StrCat(" that could be read (",
                           absl::StrJoin(out_->problems, "; "), ")"),
        ". Nothing was imported."));
  }
  return absl::OkStatus();
}

bool PlanInterpreter::HasFilled(Role r,
                                const std::vector<std::vector<TableCell>>& rows,
                                const std::vector<ColumnRole>& roles) const {
  for (size_t c = 0; c < roles.size(); ++c) {
    if (roles[c].role != r) continue;
    for (const auto& row : rows) {
      if (c < row.size() && !row[c].paragraphs.empty()) return true;
    }
  }
  return false;
}

bool PlanInterpreter::IsPlan(
    const std::vector<ColumnRole>& roles,
    const std::vector<std::vector<TableCell>>& rows) const {
  if (rows.empty()) return false;
  bool prose = HasFilled(Role::kRecommendation, rows, roles) ||
               HasFilled(Role::kAction, rows, roles);
  int other = 0;
  for (Role r : {Role::kRef, Role::kLead, Role::kTiming, Role::kAccepted,
                 Role::kResponse, Role::kTaken, Role::kStatus, Role::kPortfolio,
                 Role::kAction}) {
    if (HasFilled(r, rows, roles)) ++other;
  }
  return prose && other >= 1;
}

void PlanInterpreter::DescribeRoles(const Table& table, size_t rows) {
  std::string head =
      absl::StrCat("table ", table.number, " (", rows, " rows): ");
  for (size_t c = 0; c < roles_.size(); ++c) {
    const ColumnRole& r = roles_[c];
    std::string line = absl::StrCat(
        head, "column ", c + 1, " ",
        r.header.empty()
            ? "(no heading)"
            : absl::StrCat("\"", absl::StrReplaceAll(r.header, {{"\n", " "}}),
                           "\""),
        " -> ", RoleName(r.role), " (", r.why, ")");
    if (r.unsure) out_->unsure.push_back(line);
    out_->columns.push_back(r.unsure ? line + "  [unsure]" : line);
  }
}

void PlanInterpreter::ReadTable(const Table& table,
                                const std::vector<std::string>& before,
                                const std::vector<std::string>& recent) {
  std::vector<std::vector<TableCell>> grid = GridRows(table);
  size_t header = grid.size();
  for (size_t i = 0; i < grid.size() && i < 3; ++i) {
    if (IsHeaderRow(grid[i])) {
      header = i;
      break;
    }
  }
  if (header == grid.size() && LooksLikeUnusualHeader(grid)) header = 0;
  std::vector<std::vector<TableCell>> data(
      grid.begin() + static_cast<long>(std::min(header + 1, grid.size())),
      grid.end());
  if (header == grid.size()) data = grid;
  std::vector<ColumnRole> roles;
  size_t width = 0;
  for (const auto& r : grid) width = std::max(width, r.size());
  bool continuation = header == grid.size() && !roles_.empty() &&
                      ContinuesColumns(data, &roles);
  if (!continuation) {
    roles = AssignRoles(header == grid.size() ? nullptr : &grid[header], data,
                        forced_);
  }
  if (!IsPlan(roles, data)) {
    ReleaseHeld();
    out_->columns.push_back(absl::StrCat(
        "table ", table.number, " (", grid.size(),
        " rows): not a plan table (no recommendation or action text with "
        "leads, timescales or responses beside it)"));
    return;
  }
  bool shifted = std::any_of(roles.begin(), roles.end(), [](const auto& r) {
    return r.why == "continues the table before, shifted";
  });
  if (continuation && shifted) {
    out_->unsure.push_back(absl::StrCat(
        "table ", table.number, " has no heading and ", width,
        " columns where the table before has ", roles_.size(),
        ": read as its continuation, its columns matched to the ones before "
        "by what they hold"));
  }
  roles_ = roles;
  auto above = RecommendationAbove(recent);
  if (!continuation) DescribeRoles(table, grid.size());
  if (!opened_) {
    first_plan_table_ = table.number;
    OpenReview(ReadTitleBlock(before),
               table.rows.empty() ? 0 : table.rows[0].line);
  }
  if (above.has_value()) {
    ReleaseHeld();
    FlushRecommendation();
    pending_ = NewRec(absl::StrCat("table ", table.number), 0, above->first,
                      above->second);
  }
  after_page_break_ = header != grid.size() || continuation;
  for (size_t r = header == grid.size() ? 0 : header + 1; r < grid.size();
       ++r) {
    if (IsHeaderRow(grid[r]) &&
        (header == grid.size() || SameWords(grid[r], grid[header]))) {
      after_page_break_ = true;  // the header repeated after a page break
      continue;
    }
    bool empty =
        std::all_of(grid[r].begin(), grid[r].end(),
                    [](const TableCell& c) { return c.paragraphs.empty(); });
    if (empty) continue;
    if (TakeHeadingRow(table.rows[r], grid[r])) continue;
    Offer(grid[r], table.rows[r]);
    after_page_break_ = false;
  }
}

std::optional<std::pair<std::string, std::string>>
PlanInterpreter::RecommendationAbove(const std::vector<std::string>& recent) {
  // Only for a table that has no recommendation of its own: no reference
  // column, and no recommendation column but one guessed from its place.
  const int rec = Column(Role::kRecommendation);
  const bool guessed =
      rec >= 0 && absl::StartsWith(roles_[rec].why, "text before the actions");
  if ((rec >= 0 && !guessed) || Column(Role::kRef) >= 0) return std::nullopt;
  for (auto it = recent.rbegin(); it != recent.rend(); ++it) {
    auto numbered = LeadingRef(*it);
    if (!numbered.has_value()) numbered = TrailingRef(*it);
    if (!numbered.has_value()) continue;
    if (guessed) {
      roles_[rec].role = Role::kNone;
      roles_[rec].why = "the recommendation is the numbered line above";
    }
    return numbered;
  }
  return std::nullopt;
}

bool PlanInterpreter::TakeHeadingRow(const TableRow& row,
                                     const std::vector<TableCell>& grid) {
  if (auto heading = RecommendationHeading(row, grid)) {
    // "Recommendation 3: ..." across the table, its actions in the rows
    // below: as a heading above its own table, inside this one.
    ReleaseHeld();
    FlushRecommendation();
    pending_ = NewRec(row.where, row.line, heading->first, heading->second);
    return true;
  }
  if (!IsSectionHeading(row, grid)) return false;
  ReleaseHeld();
  std::string text;
  for (const TableCell& c : grid) text += c.Text();
  out_->unsure.push_back(absl::StrCat(
      row.where, ": \"", absl::ClippedSubstr(text, 0, 60),
      "\" read as a heading over the rows below, not a recommendation"));
  return true;
}

namespace {

// The one cell of text of a row, when it spans the whole table.
const TableCell* SpanningCell(const TableRow& row, size_t width) {
  const TableCell* cell = nullptr;
  for (const TableCell& c : row.cells) {
    if (c.merged_above) return nullptr;
    if (c.paragraphs.empty()) continue;
    if (cell != nullptr) return nullptr;
    cell = &c;
  }
  return cell != nullptr && cell->span >= 2 &&
                 cell->span >= static_cast<int>(width) - 1
             ? cell
             : nullptr;
}

}  // namespace

std::optional<std::pair<std::string, std::string>>
PlanInterpreter::RecommendationHeading(
    const TableRow& row, const std::vector<TableCell>& grid) const {
  const TableCell* cell =
      SpanningCell(row, std::max(grid.size(), roles_.size()));
  if (cell == nullptr) return std::nullopt;
  auto numbered = LeadingRef(cell->Text());
  if (!numbered.has_value() || numbered->second.empty()) return std::nullopt;
  return numbered;
}

bool PlanInterpreter::IsSectionHeading(
    const TableRow& row, const std::vector<TableCell>& grid) const {
  int filled = -1;
  for (size_t c = 0; c < grid.size(); ++c) {
    if (grid[c].merged_above) return false;  // a recommendation goes on
    if (grid[c].paragraphs.empty()) continue;
    if (filled >= 0) return false;
    filled = static_cast<int>(c);
  }
  if (filled < 0) return false;
  const std::string text = grid[filled].Text();
  const size_t words =
      std::count(text.begin(), text.end(), ' ') + 1;  // roughly
  if (words < 2 || words > 25 || LooksLikeRef(text) ||
      LeadingRef(text).has_value() || text.back() == ':') {
    return false;
  }
  return SpanningCell(row, std::max(grid.size(), roles_.size())) != nullptr ||
         (filled == Column(Role::kRef) && filled == 0);
}

bool PlanInterpreter::ContinuesColumns(
    const std::vector<std::vector<TableCell>>& rows,
    std::vector<ColumnRole>* roles) const {
  size_t width = 0;
  for (const auto& r : rows) width = std::max(width, r.size());
  bool same = width == roles_.size();
  // As wide as the table before: its continuation, shifted only when
  // that fits the cells clearly better.
  int best_offset = 0;
  int best = same ? Fit(rows, 0) : 0;
  for (int offset = -2; offset <= 2; ++offset) {
    if (offset == 0) continue;
    int fit = Fit(rows, offset);
    if (fit > best + (same ? 1 : 0)) {
      best = fit;
      best_offset = offset;
    }
  }
  if (!same && best <= 0) return false;
  roles->assign(width, ColumnRole{Role::kNone, "", "", false});
  for (size_t c = 0; c < width; ++c) {
    int old_column = static_cast<int>(c) + best_offset;
    if (old_column >= 0 && old_column < static_cast<int>(roles_.size())) {
      (*roles)[c] = roles_[old_column];
      (*roles)[c].why = best_offset == 0
                            ? roles_[old_column].why
                            : "continues the table before, shifted";
    }
  }
  return true;
}

int PlanInterpreter::Fit(const std::vector<std::vector<TableCell>>& rows,
                         int offset) const {
  int fit = 0;
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      if (row[c].paragraphs.empty()) continue;
      int old_column = static_cast<int>(c) + offset;
      if (old_column < 0 || old_column >= static_cast<int>(roles_.size())) {
        --fit;  // text where the table before had no column
        continue;
      }
      fit += CellFits(row[c].Text(), roles_[old_column].role) ? 1 : -1;
    }
  }
  return fit;
}

bool PlanInterpreter::CellFits(const std::string& text, Role role) {
  bool prose = text.size() > 30;
  switch (role) {
    case Role::kRef:
      return LooksLikeRef(text) || LeadingRef(text).has_value();
    case Role::kTiming:
    case Role::kProgressDate:
    case Role::kCompletedOn:
      return LooksLikeTimescale(text);
    case Role::kLead:
    case Role::kPortfolio:
      return LooksLikeLead(text) || (!prose && !LooksLikeTimescale(text));
    case Role::kAccepted:
      return DecisionWord(text).has_value();
    case Role::kStatus:
      return StatusWord(text).has_value() || IsRagRating(text) ||
             text.size() < 30;
    case Role::kNone:
      return false;
    default:
      return prose;
  }
}

namespace {

absl::StatusOr<Document> ReadDocument(absl::string_view content,
                                      const std::string& format) {
  if (format == "docx") return ReadDocx(content);
  if (format == "html") return ReadHtmlDocument(content);
  return ReadPastedText(content);
}

}  // namespace

absl::StatusOr<PlanReading> ReadPlan(absl::string_view content,
                                     absl::string_view path,
                                     const PlanOptions& options) {
  PlanReading reading;
  reading.format =
      options.format.empty() ? DetectPlanFormat(content, path) : options.format;
  if (reading.format == "plan" || reading.format == "tsv" ||
      reading.format == "txt") {
    reading.format = "text";
  }
  absl::StatusOr<std::vector<std::pair<int, Role>>> forced =
      ParseColumns(options.columns);
  if (!forced.ok()) return forced.status();
  absl::StatusOr<Document> doc = ReadDocument(content, reading.format);
  if (!doc.ok()) return doc.status();
  PlanInterpreter interpreter(options, *std::move(forced), &reading);
  absl::Status read = interpreter.Read(*doc);
  if (!read.ok() && reading.format == "text" && reading.commands.empty()) {
    // Text with no tab-separated table may be a SCRAIP pasted a cell a line.
    absl::StatusOr<std::vector<FileCommand>> scraip =
        ReadScraipText(content, options);
    if (!scraip.ok()) return scraip.status();
    reading.commands = *std::move(scraip);
    reading.columns = {
        "no tab-separated table: read as a SCRAIP pasted a cell a line "
        "(\"Recommendation X\" headings)"};
    reading.where.clear();
    for (const FileCommand& fc : reading.commands) {
      reading.where.push_back(absl::StrCat("line ", fc.line));
    }
    return reading;
  }
  if (!read.ok()) return read;
  if (options.strict && !reading.problems.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(absl::StrJoin(reading.problems, "\n"),
                     "\n--strict: ", reading.problems.size(),
                     " row(s) could not be read, so nothing was imported"));
  }
  return reading;
}

absl::StatusOr<std::vector<FileCommand>> PlanToCommands(
    absl::string_view content, const PlanOptions& options) {
  absl::StatusOr<PlanReading> reading = ReadPlan(content, "", options);
  if (!reading.ok()) return reading.status();
  return std::move(reading->commands);
}

}  // namespace rectrack::cli
