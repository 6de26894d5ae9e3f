// The plan interpreter: finds the plan table(s) in a document read into the
// table model, and builds recommendations, responses, actions, leads,
// timescales and progress from their rows.
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
#include "absl/strings/strip.h"
#include "client/import/plan_internal.h"

namespace rectrack::cli {
namespace {

class PlanInterpreter {
 public:
  PlanInterpreter(const PlanOptions& options,
                  std::vector<std::pair<int, Role>> forced, PlanReading* out)
      : options_(options), forced_(std::move(forced)), out_(out) {}

  absl::Status Read(const Document& doc) {
    text_format_ = doc.format == "text";
    std::vector<std::string> before;
    std::vector<std::string> recent;
    for (const DocumentBlock& block : doc.blocks) {
      if (!block.table.has_value()) {
        // "Page 3 of 7" between a table's pages does not end its last row.
        if (block.paragraph.empty() || IsPageFurniture(block.paragraph)) {
          continue;
        }
        ReleaseHeld();
        if (!opened_) before.push_back(block.paragraph);
        recent.push_back(block.paragraph);
        continue;
      }
      ReadTable(*block.table, before, recent);
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

 private:
  struct PendingAction {
    std::string where;
    int line;
    std::string text;
    std::vector<std::string> leads;
    std::string timing;
    std::string status;
    std::vector<std::string> progress;
    std::vector<std::pair<std::string, std::string>> dated;  // date, text
    std::string progress_date;  // from a "Date of update" column
  };
  struct PendingRec {
    std::string where;
    int line = 0;
    std::string ref;
    std::string text;
    std::vector<PendingAction> actions;
    std::string decision;  // the decision column's words
    std::string response;
    std::string portfolio;
    std::vector<std::string> leads;  // "Lead Member: ..." in its own cell
    bool response_is_action = false;
    std::vector<std::pair<std::string, std::string>> early_updates;
  };

  // A row read but not yet interpreted: the next row may continue it (a row
  // split by a page break).
  struct HeldRow {
    std::vector<TableCell> cells;
    TableRow row;
    std::vector<ColumnRole> roles;
    bool after_page_break = false;
  };

  static PendingRec NewRec(std::string where, int line, std::string ref,
                           std::string text) {
    PendingRec rec;
    rec.where = std::move(where);
    rec.line = line;
    rec.ref = std::move(ref);
    rec.text = std::move(text);
    return rec;
  }

  bool HasFilled(Role r, const std::vector<std::vector<TableCell>>& rows,
                 const std::vector<ColumnRole>& roles) const {
    for (size_t c = 0; c < roles.size(); ++c) {
      if (roles[c].role != r) continue;
      for (const auto& row : rows) {
        if (c < row.size() && !row[c].paragraphs.empty()) return true;
      }
    }
    return false;
  }

  // A table is a plan when it has text for recommendations or actions and
  // something a plan tracks beside it.
  bool IsPlan(const std::vector<ColumnRole>& roles,
              const std::vector<std::vector<TableCell>>& rows) const {
    if (rows.empty()) return false;
    bool prose = HasFilled(Role::kRecommendation, rows, roles) ||
                 HasFilled(Role::kAction, rows, roles);
    int other = 0;
    for (Role r : {Role::kRef, Role::kLead, Role::kTiming, Role::kAccepted,
                   Role::kResponse, Role::kTaken, Role::kStatus,
                   Role::kPortfolio, Role::kAction}) {
      if (HasFilled(r, rows, roles)) ++other;
    }
    return prose && other >= 1;
  }

  void DescribeRoles(const Table& table, size_t rows) {
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

  void ReadTable(const Table& table, const std::vector<std::string>& before,
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
    if (!continuation) DescribeRoles(table, grid.size());
    if (!opened_) {
      first_plan_table_ = table.number;
      OpenReview(ReadTitleBlock(before),
                 table.rows.empty() ? 0 : table.rows[0].line);
    }
    if (Column(Role::kRecommendation) < 0 && Column(Role::kRef) < 0) {
      // A recommendation written as a heading above its own table.
      for (auto it = recent.rbegin(); it != recent.rend(); ++it) {
        auto numbered = LeadingRef(*it);
        if (numbered.has_value()) {
          ReleaseHeld();
          FlushRecommendation();
          pending_ = NewRec(absl::StrCat("table ", table.number), 0,
                            numbered->first, numbered->second);
          break;
        }
      }
    }
    after_page_break_ = header != grid.size() || continuation;
    for (size_t r = header == grid.size() ? 0 : header + 1; r < grid.size();
         ++r) {
      if (IsHeaderRow(grid[r])) {  // repeated after a page break
        after_page_break_ = true;
        continue;
      }
      bool empty =
          std::all_of(grid[r].begin(), grid[r].end(),
                      [](const TableCell& c) { return c.paragraphs.empty(); });
      if (empty) continue;
      Offer(grid[r], table.rows[r]);
      after_page_break_ = false;
    }
  }

  // Whether a table without a heading carries on the plan table before it,
  // and with which roles: the same number of columns, or columns shifted by
  // the page (one or two more or fewer), matched by what their cells hold.
  bool ContinuesColumns(const std::vector<std::vector<TableCell>>& rows,
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

  // How well the rows' cells fit the roles of the columns before, read
  // `offset` columns along: cells that read as their column's role count
  // for, cells that read as another role against.
  int Fit(const std::vector<std::vector<TableCell>>& rows, int offset) const {
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

  static bool CellFits(const std::string& text, Role role) {
    bool prose = text.size() > 30;
    switch (role) {
      case Role::kRef:
        return LooksLikeRef(text) || LeadingRef(text).has_value();
      case Role::kTiming:
      case Role::kProgressDate:
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

  // Holds a data row until the next shows whether it goes on (a row split
  // by a page break), then interprets it. Of a row that goes on from the
  // held one, the cells that continue text above are joined to it; the
  // rest, if any, are a row of their own (another action of the same
  // recommendation).
  void Offer(const std::vector<TableCell>& cells, const TableRow& row) {
    std::vector<bool> joins;
    if (held_.has_value()) joins = ContinuingCells(cells);
    if (std::find(joins.begin(), joins.end(), true) == joins.end()) {
      ReleaseHeld();
      held_ = HeldRow{cells, row, roles_, after_page_break_};
      return;
    }
    std::vector<TableCell> rest = cells;
    bool more = false;
    for (size_t c = 0; c < rest.size(); ++c) {
      if (joins[c]) {
        rest[c].paragraphs.clear();
      } else if (!rest[c].paragraphs.empty()) {
        more = true;
      }
    }
    JoinToHeld(cells, joins, row);
    if (more) {
      ReleaseHeld();
      held_ = HeldRow{std::move(rest), row, roles_, false};
    }
  }

  // The column of `held_` that holds what column `c` of this row holds.
  int HeldColumn(size_t c) const {
    if (c >= roles_.size() || roles_[c].role == Role::kNone) return -1;
    const std::vector<ColumnRole>& before = held_->roles;
    if (before.size() == roles_.size() && before[c].role == roles_[c].role) {
      return static_cast<int>(c);
    }
    int found = -1;
    for (size_t k = 0; k < before.size(); ++k) {
      if (before[k].role != roles_[c].role) continue;
      if (before[k].header == roles_[c].header) return static_cast<int>(k);
      if (found < 0) found = static_cast<int>(k);
    }
    return found;
  }

  // Which cells of a row that starts with an empty cell (and has no
  // reference) go on from the held row's text: right after a page break (a
  // new table, or the header repeated), a cell starting in lower case, or
  // one below prose cut mid-sentence; elsewhere only a cell in lower case
  // below text cut mid-sentence. Empty when none does.
  std::vector<bool> ContinuingCells(const std::vector<TableCell>& cells) const {
    std::vector<bool> joins(cells.size(), false);
    if (cells.empty() || !cells[0].paragraphs.empty() ||
        cells[0].merged_above) {
      return {};
    }
    int ref = Column(Role::kRef);
    if (ref >= 0 && static_cast<size_t>(ref) < cells.size() &&
        !cells[ref].paragraphs.empty()) {
      return {};
    }
    for (size_t c = 0; c < cells.size(); ++c) {
      if (cells[c].paragraphs.empty() || cells[c].merged_above) continue;
      int k = HeldColumn(c);
      if (k < 0 || static_cast<size_t>(k) >= held_->cells.size() ||
          held_->cells[k].paragraphs.empty()) {
        continue;
      }
      const std::string& above = held_->cells[k].paragraphs.back();
      bool cut = !EndsSentence(above) && above.size() > 40;
      bool lower = absl::ascii_islower(cells[c].paragraphs.front()[0]);
      joins[c] = after_page_break_ ? (lower || cut) : (lower && cut);
    }
    return joins;
  }

  void JoinToHeld(const std::vector<TableCell>& cells,
                  const std::vector<bool>& joins, const TableRow& row) {
    for (size_t c = 0; c < cells.size(); ++c) {
      if (!joins[c]) continue;
      TableCell& into = held_->cells[HeldColumn(c)];
      std::vector<std::string> more = cells[c].paragraphs;
      if (!EndsSentence(into.paragraphs.back())) {
        absl::StrAppend(&into.paragraphs.back(), " ", more.front());
        more.erase(more.begin());
      }
      into.paragraphs.insert(into.paragraphs.end(), more.begin(), more.end());
    }
    out_->unsure.push_back(absl::StrCat(
        row.where, " starts with an empty cell and goes on from ",
        held_->row.where, ": read as one row split by a page break"));
  }

  // Interprets the held row, as the roles of its own table read it; a cell
  // of lettered items ("(i) ...; and (ii) ...") is one recommendation each.
  void ReleaseHeld() {
    if (!held_.has_value()) return;
    HeldRow held = std::move(*held_);
    held_.reset();
    std::vector<ColumnRole> roles = std::move(roles_);
    bool after_page_break = after_page_break_;
    roles_ = held.roles;
    after_page_break_ = held.after_page_break;
    for (const std::vector<TableCell>& cells : SplitItems(held)) {
      Row(cells, held.row);
      after_page_break_ = false;
    }
    roles_ = std::move(roles);
    after_page_break_ = after_page_break;
  }

  // The row as one row per lettered item of its recommendation cell; a
  // cell with as many paragraphs as there are items gives each item its
  // own, any other cell is shared.
  std::vector<std::vector<TableCell>> SplitItems(const HeldRow& held) {
    int rec = Column(Role::kRecommendation);
    if (rec < 0 || static_cast<size_t>(rec) >= held.cells.size()) {
      return {held.cells};
    }
    std::optional<LetteredItems> items =
        SplitLetteredItems(held.cells[rec].Text());
    if (!items.has_value()) return {held.cells};
    int ref = Column(Role::kRef);
    std::string ref_text =
        ref >= 0 && static_cast<size_t>(ref) < held.cells.size()
            ? CleanRef(held.cells[ref].Text())
            : "";
    std::vector<std::vector<TableCell>> out;
    size_t n = items->items.size();
    for (size_t k = 0; k < n; ++k) {
      std::vector<TableCell> cells = held.cells;
      const auto& [label, text] = items->items[k];
      for (size_t c = 0; c < cells.size(); ++c) {
        if (static_cast<int>(c) != rec && cells[c].paragraphs.size() == n) {
          cells[c].paragraphs = {held.cells[c].paragraphs[k]};
        }
      }
      if (!ref_text.empty()) {
        cells[ref].paragraphs = {absl::ascii_isdigit(ref_text.back())
                                     ? absl::StrCat(ref_text, label)
                                     : absl::StrCat(ref_text, ".", label)};
        cells[rec].paragraphs = {text};
      } else {
        cells[rec].paragraphs = {absl::StrCat("(", label, ") ", text)};
      }
      out.push_back(std::move(cells));
    }
    std::string labels;
    for (const auto& item : items->items) {
      absl::StrAppend(&labels, labels.empty() ? "" : ", ", item.first);
    }
    out_->unsure.push_back(absl::StrCat(
        held.row.where, ": the recommendation cell holds the items ", labels,
        ", read as ", n, " recommendations",
        items->lead_in.empty()
            ? std::string()
            : absl::StrCat(" (the words before them, \"", items->lead_in,
                           "\", are not part of any)")));
    return out;
  }

  // The column holding `role`: the first named so by its header or by
  // --columns, else the first given it by content.
  int Column(Role role) const {
    int found = -1;
    for (size_t i = 0; i < roles_.size(); ++i) {
      if (roles_[i].role != role) continue;
      if (!roles_[i].unsure) return static_cast<int>(i);
      if (found < 0) found = static_cast<int>(i);
    }
    return found;
  }

  const TableCell* CellOf(const std::vector<TableCell>& cells,
                          Role role) const {
    int c = Column(role);
    if (c < 0 || static_cast<size_t>(c) >= cells.size()) return nullptr;
    return &cells[c];
  }

  std::vector<std::string> Paragraphs(const std::vector<TableCell>& cells,
                                      Role role) const {
    const TableCell* c = CellOf(cells, role);
    return c == nullptr ? std::vector<std::string>() : c->paragraphs;
  }

  std::string Text(const std::vector<TableCell>& cells, Role role) const {
    return absl::StrJoin(Paragraphs(cells, role), "\n");
  }

  void Emit(const std::string& where, int line, v1::Command command) {
    out_->commands.push_back({line, std::move(command)});
    out_->where.push_back(where);
  }

  void OpenReview(const TitleBlock& block, int line) {
    opened_ = true;
    meeting_date_ = block.meeting_date;
    if (!block.decision_said.empty()) {
      default_decision_ = block.decision;
      out_->unsure.push_back(absl::StrCat(
          "recommendations without a decision of their own are read as ",
          block.decision == v1::DECISION_ACCEPTED ? "accepted" : "rejected",
          ", as the text above the plan says: \"", block.decision_said, "\""));
    }
    if (!options_.review_id.empty()) {
      review_ref_ = options_.review_id;
      return;
    }
    v1::Command c;
    auto* o = c.mutable_open_review();
    o->set_title(!options_.title.empty() ? options_.title
                 : block.title.empty()   ? "Imported action plan"
                                         : block.title);
    o->set_committee(!options_.committee.empty() ? options_.committee
                     : block.committee.empty()   ? "Not stated in the document"
                                                 : block.committee);
    o->set_published_on(block.published);
    review_ref_ = absl::StrCat("$", out_->commands.size());
    Emit("title block", line, std::move(c));
  }

  // Starts a recommendation, or continues the one open when the row carries
  // no reference and the text before did not end (a page break).
  void RecommendationCells(const std::vector<TableCell>& cells,
                           const TableRow& row) {
    std::vector<std::string> paragraphs =
        Paragraphs(cells, Role::kRecommendation);
    std::vector<std::string> label_leads;
    std::vector<std::string> kept;
    for (const std::string& p : paragraphs) {
      std::optional<Labelled> l = TakeLabel(p);
      if (l.has_value() && !l->leads.empty()) {
        label_leads = l->leads;
        if (!l->rest.empty()) kept.push_back(l->rest);
      } else {
        kept.push_back(p);
      }
    }
    std::string rec_text = absl::StrJoin(kept, "\n");
    std::string ref_cell = CleanRef(Text(cells, Role::kRef));
    if (Column(Role::kRecommendation) < 0 && !ref_cell.empty()) {
      // A plan of numbered actions: each is its own recommendation.
      rec_text = Text(cells, Role::kAction);
    }
    if (rec_text.empty() && ref_cell.empty()) return;
    int filled = 0;
    for (const TableCell& c : cells) filled += c.paragraphs.empty() ? 0 : 1;
    if (ref_cell.empty() && filled == 1 && absl::EndsWith(rec_text, ":") &&
        !LeadingRef(rec_text).has_value()) {
      // "It was resolved that ...:" leads in to the lettered items below.
      FlushRecommendation();
      return;
    }
    auto numbered = LeadingRef(rec_text);
    if (!ref_cell.empty()) {
      numbered = std::make_pair(ref_cell, numbered && !LooksLikeRef(ref_cell)
                                              ? numbered->second
                                              : rec_text);
    }
    // In pasted text a row broken by the page goes on in the next line; in a
    // .docx or web page a row is a row, and only a new table or a repeated
    // header (a page break) can cut one.
    bool continues =
        !numbered.has_value() && pending_.has_value() &&
        (after_page_break_ || (text_format_ && !EndsSentence(pending_->text)));
    if (continues) {
      pending_->text = absl::StrCat(pending_->text, " ", rec_text);
      return;
    }
    FlushRecommendation();
    pending_ =
        NewRec(row.where, row.line,
               numbered ? numbered->first : absl::StrCat(recommendations_ + 1),
               numbered ? numbered->second : rec_text);
    pending_->leads = label_leads;
    if (pending_->text.empty()) {
      out_->problems.push_back(absl::StrCat(
          row.where, ": recommendation ", pending_->ref,
          " has a reference but no text; it was read with its reference as "
          "its text"));
      pending_->text = absl::StrCat("Recommendation ", pending_->ref);
    }
  }

  void Row(const std::vector<TableCell>& cells, const TableRow& row) {
    RecommendationCells(cells, row);
    if (!pending_.has_value()) {
      out_->problems.push_back(absl::StrCat(
          row.where,
          ": this row comes before any recommendation, so it was not "
          "imported"));
      return;
    }
    std::string decision = Text(cells, Role::kAccepted);
    if (!decision.empty() && pending_->decision.empty()) {
      pending_->decision = decision;
    }
    std::string response = Text(cells, Role::kResponse);
    if (!response.empty()) {
      pending_->response =
          pending_->response.empty()
              ? response
              : absl::StrCat(pending_->response, "\n", response);
    }
    std::string portfolio = Text(cells, Role::kPortfolio);
    if (!portfolio.empty() && pending_->portfolio.empty()) {
      pending_->portfolio = portfolio;
    }
    RowActions(cells, row);
  }

  void RowActions(const std::vector<TableCell>& cells, const TableRow& row) {
    std::vector<std::string> actions = Paragraphs(cells, Role::kAction);
    std::vector<std::string> leads = Paragraphs(cells, Role::kLead);
    std::vector<std::string> timings = Paragraphs(cells, Role::kTiming);
    std::vector<std::string> statuses = Paragraphs(cells, Role::kStatus);
    std::vector<std::string> taken = Paragraphs(cells, Role::kTaken);
    const std::string action_role_why =
        Column(Role::kAction) >= 0 ? roles_[Column(Role::kAction)].why : "";
    if (absl::StrContains(action_role_why, "no action column") &&
        !actions.empty()) {
      pending_->response_is_action = true;
      if (pending_->response.empty()) {
        pending_->response = absl::StrJoin(actions, "\n");
      }
      actions[0] = WithoutDecisionClause(actions[0]);
    }
    CleanFields({&actions, &leads, &timings, &statuses, &taken});
    TakeUpdates(&actions);
    TakeUpdates(&taken);
    if (statuses.empty() && taken.size() == 1 &&
        StatusWord(taken[0]).has_value()) {
      // "Completed" under "Progress" or "Outcome" is the action's status.
      statuses = std::move(taken);
      taken.clear();
    }
    std::vector<std::string> label_leads;
    std::string label_timing;
    TakeLabels(&actions, &label_leads, &label_timing);
    bool split =
        actions.size() >= 2 &&
        (leads.size() == actions.size() || timings.size() == actions.size() ||
         std::all_of(actions.begin(), actions.end(), IsBullet));
    if (!split && actions.size() > 1) {
      actions = {absl::StrJoin(actions, "\n")};
    }
    auto nth = [split](const std::vector<std::string>& v, size_t i) {
      if (v.empty()) return std::string();
      if (!split) return absl::StrJoin(v, "\n");
      return i < v.size() ? v[i] : (v.size() == 1 ? v[0] : std::string());
    };
    if (actions.empty() && !taken.empty() && !pending_->actions.empty()) {
      // Progress on its own row: news of the action above.
      for (std::string& t : taken) {
        pending_->actions.back().progress.push_back(std::move(t));
      }
      return;
    }
    if (actions.empty() && (!leads.empty() || !timings.empty())) {
      // A lead or a timescale with no action text: the response (or the
      // decision) as written is what they lead.
      std::string said = Text(cells, Role::kResponse);
      if (said.empty()) said = Text(cells, Role::kAccepted);
      if (!said.empty()) actions.push_back(said);
    }
    for (size_t i = 0; i < actions.size(); ++i) {
      PendingAction a{row.where,
                      row.line,
                      actions[i],
                      SplitLeads(nth(leads, i)),
                      nth(timings, i),
                      nth(statuses, i),
                      {},
                      {},
                      ""};
      if (a.leads.empty()) a.leads = label_leads;
      if (a.timing.empty()) a.timing = label_timing;
      std::optional<v1::ActionStatus> done = StatusWord(a.timing);
      if (a.status.empty() && done.has_value() &&
          (*done == v1::ACTION_STATUS_COMPLETED ||
           *done == v1::ACTION_STATUS_CANCELLED)) {
        // "Complete" where the date would be: no target, a status.
        a.status = std::move(a.timing);
        a.timing.clear();
      }
      if (i == 0 && !taken.empty()) a.progress = taken;
      a.progress_date = DateIn(Text(cells, Role::kProgressDate));
      AddAction(std::move(a), CellOf(cells, Role::kLead),
                CellOf(cells, Role::kTiming));
    }
  }

  // Bullet marks ("•", "- ") are not part of what a cell says.
  static void CleanFields(
      std::initializer_list<std::vector<std::string>*> cells) {
    for (std::vector<std::string>* cell : cells) {
      for (std::string& p : *cell) p = WithoutBullet(p);
    }
  }

  // "Action update (October 2006): ..." paragraphs become dated progress of
  // the action they follow.
  void TakeUpdates(std::vector<std::string>* paragraphs) {
    std::vector<std::string> kept;
    for (std::string& p : *paragraphs) {
      auto update = ActionUpdate(p);
      if (!update.has_value()) {
        kept.push_back(std::move(p));
      } else if (!pending_->actions.empty()) {
        pending_->actions.back().dated.push_back(*update);
      } else {
        pending_->early_updates.push_back(*update);
      }
    }
    *paragraphs = std::move(kept);
  }

  // Labels inside the action text: "Lead Officer: J. Smith The review…".
  static void TakeLabels(std::vector<std::string>* actions,
                         std::vector<std::string>* leads, std::string* timing) {
    std::vector<std::string> kept;
    for (const std::string& p : *actions) {
      std::optional<Labelled> l = TakeLabel(p);
      if (!l.has_value()) {
        kept.push_back(p);
        continue;
      }
      if (!l->leads.empty()) *leads = l->leads;
      if (!l->timing.empty()) *timing = l->timing;
      if (!l->rest.empty()) kept.push_back(l->rest);
    }
    *actions = std::move(kept);
  }

  // Adds `a` to the open recommendation, or to its last action as news.
  void AddAction(PendingAction a, const TableCell* lead_cell,
                 const TableCell* timing_cell) {
    // A merged cell (Word's vMerge, HTML's rowspan) repeats the one above.
    if (!pending_->actions.empty()) {
      const PendingAction& prev = pending_->actions.back();
      if (a.leads.empty() && lead_cell != nullptr && lead_cell->merged_above) {
        a.leads = prev.leads;
      }
      if (a.timing.empty() && timing_cell != nullptr &&
          timing_cell->merged_above) {
        a.timing = prev.timing;
      }
    }
    // An action with nobody and no date after another reads as news of it.
    if (a.leads.empty() && a.timing.empty() && a.status.empty() &&
        !pending_->actions.empty() && Column(Role::kLead) >= 0) {
      pending_->actions.back().progress.push_back(a.text);
      return;
    }
    pending_->actions.push_back(std::move(a));
  }

  // The leads an action without any takes: its recommendation's label, the
  // cabinet member when the table has no lead column, the parent
  // recommendation's ("R2.1" under "R2").
  std::vector<std::string> InheritedLeads(const PendingRec& rec) const {
    if (!rec.leads.empty()) return rec.leads;
    if (Column(Role::kLead) < 0 && !rec.portfolio.empty()) {
      return SplitLeads(rec.portfolio);
    }
    for (std::string parent = ParentRef(rec.ref); !parent.empty();
         parent = ParentRef(parent)) {
      auto it = leads_by_ref_.find(parent);
      if (it != leads_by_ref_.end()) return it->second;
    }
    return {};
  }

  std::optional<v1::Decision> Decide(const PendingRec& rec) const {
    if (!rec.decision.empty()) {
      std::optional<v1::Decision> d = DecisionWord(rec.decision);
      if (!d.has_value()) d = DecisionInText(rec.decision);
      if (d.has_value()) return d;
    }
    // "(accepted)" / "(rejected)" written after the recommendation.
    std::string lower = absl::AsciiStrToLower(rec.text);
    bool accepted = absl::StrContains(lower, "(accepted)");
    bool rejected = absl::StrContains(lower, "(rejected)");
    if (accepted || rejected) {
      return accepted && rejected ? v1::DECISION_PARTIALLY_ACCEPTED
             : accepted           ? v1::DECISION_ACCEPTED
                                  : v1::DECISION_REJECTED;
    }
    std::optional<v1::Decision> d;
    if (!rec.response.empty()) {
      d = DecisionInText(rec.response);
      if (d.has_value()) return d;
      // Words of a response that neither accept nor reject.
      if (!rec.response_is_action) return v1::DECISION_NOTED;
    }
    return default_decision_;
  }

  void FlushRecommendation() {
    if (!pending_.has_value()) return;
    PendingRec rec = std::move(*pending_);
    pending_.reset();
    ++recommendations_;
    std::string text = rec.text;
    for (const char* marker :
         {"(accepted)", "(rejected)", "(Accepted)", "(Rejected)"}) {
      text = absl::StrReplaceAll(text, {{marker, ""}});
    }
    std::optional<v1::Decision> decision = Decide(rec);
    if (rec.actions.empty()) {
      for (const auto& [date, update] : rec.early_updates) {
        absl::StrAppend(&text, "\nAction update (", date, "): ", update);
      }
    }
    v1::Command add;
    add.mutable_add_recommendation()->set_review_id(review_ref_);
    add.mutable_add_recommendation()->set_ref(rec.ref);
    add.mutable_add_recommendation()->set_text(
        std::string(absl::StripAsciiWhitespace(text)));
    add.mutable_add_recommendation()->set_portfolio(rec.portfolio);
    std::string rec_ref = absl::StrCat("$", out_->commands.size());
    Emit(rec.where, rec.line, std::move(add));
    if (decision.has_value() && *decision == v1::DECISION_REJECTED &&
        !rec.actions.empty()) {
      if (rec.decision.empty() && !rec.response_is_action) {
        decision.reset();  // actions were agreed, so it was not rejected
      } else {
        // A rejected recommendation takes no actions: what the row says is
        // the reason.
        if (rec.response.empty()) {
          rec.response = rec.actions.front().text;
        }
        if (!rec.response_is_action) {
          out_->problems.push_back(
              absl::StrCat(rec.where, ": recommendation ", rec.ref,
                           " is rejected, so its actions were not imported"));
        }
        rec.actions.clear();
      }
    }
    if (decision.has_value()) EmitResponse(rec, rec_ref, *decision);
    std::vector<std::string> inherited = InheritedLeads(rec);
    for (PendingAction& a : rec.actions) {
      if (&a == &rec.actions.front()) {
        a.dated.insert(a.dated.begin(), rec.early_updates.begin(),
                       rec.early_updates.end());
      }
      if (a.leads.empty()) a.leads = inherited;
      if (!a.leads.empty() && !leads_by_ref_.count(rec.ref)) {
        leads_by_ref_[rec.ref] = a.leads;
      }
      EmitAction(rec_ref, &a);
    }
  }

  void EmitResponse(const PendingRec& rec, const std::string& rec_ref,
                    v1::Decision decision) {
    std::string said = !rec.response.empty()               ? rec.response
                       : !rec.decision.empty()             ? rec.decision
                       : decision == v1::DECISION_REJECTED ? "Rejected"
                                                           : "Accepted";
    v1::Command respond;
    auto* r = respond.mutable_record_response();
    r->set_recommendation_id(rec_ref);
    r->set_decision(decision);
    r->set_text(said);
    if (decision == v1::DECISION_REJECTED) {
      r->set_reason(rec.response.empty()
                        ? "No reason is given in the imported document"
                        : rec.response);
    }
    r->set_responded_by(rec.portfolio);
    r->set_responded_on(meeting_date_);
    Emit(rec.where, rec.line, std::move(respond));
  }

  void EmitAction(const std::string& rec_ref, PendingAction* a) {
    v1::Command c;
    auto* add_action = c.mutable_add_action();
    add_action->set_recommendation_id(rec_ref);
    add_action->set_text(a->text);
    if (a->leads.empty()) a->leads.push_back("Not stated");
    for (const std::string& l : a->leads) add_action->add_leads(l);
    add_action->set_timescale(a->timing);
    std::string action_ref = absl::StrCat("$", out_->commands.size());
    Emit(a->where, a->line, std::move(c));
    std::optional<v1::ActionStatus> status = StatusWord(a->status);
    if (status.has_value() && *status != v1::ACTION_STATUS_NOT_STARTED) {
      v1::Command s;
      s.mutable_set_action_status()->set_id(action_ref);
      s.mutable_set_action_status()->set_status(*status);
      s.mutable_set_action_status()->set_effective_on(meeting_date_);
      Emit(a->where, a->line, std::move(s));
    } else if (!status.has_value() && !a->status.empty() &&
               !IsRagRating(a->status)) {
      a->progress.insert(a->progress.begin(), a->status);
    }
    for (const std::string& p : a->progress) {
      EmitProgress(*a, action_ref, p,
                   a->progress_date.empty() ? meeting_date_ : a->progress_date);
    }
    for (const auto& [date, update] : a->dated) {
      EmitProgress(*a, action_ref, update, date);
    }
  }

  // Progress on action `action_ref`, dated as the document dates it (empty:
  // not stated).
  void EmitProgress(const PendingAction& a, const std::string& action_ref,
                    const std::string& text, const std::string& reported_on) {
    v1::Command u;
    u.mutable_report_progress()->set_id(action_ref);
    u.mutable_report_progress()->set_text(text);
    u.mutable_report_progress()->set_reported_on(reported_on);
    Emit(a.where, a.line, std::move(u));
  }

  const PlanOptions& options_;
  std::vector<std::pair<int, Role>> forced_;
  PlanReading* out_;
  std::vector<ColumnRole> roles_;
  bool opened_ = false;
  std::string review_ref_;
  std::string meeting_date_;
  bool after_page_break_ = false;
  bool text_format_ = false;
  std::optional<HeldRow> held_;
  int first_plan_table_ = 0;
  // "The council has accepted the recommendations" above the plan.
  std::optional<v1::Decision> default_decision_;
  std::optional<PendingRec> pending_;
  int recommendations_ = 0;
  std::map<std::string, std::vector<std::string>> leads_by_ref_;
};

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
