// The plan interpreter: finds the plan table(s) in a document read into the
// table model, and builds recommendations, responses, actions, leads,
// timescales and progress from their rows. Its parts are defined by job:
// plan.cc (finding the plan's tables and their columns), plan_rows.cc (rows
// split by page breaks, lettered items), plan_row.cc (one row's cells:
// recommendation, actions, labels, updates) and plan_emit.cc (the commands
// a recommendation becomes).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "client/import/plan_internal.h"

namespace rectrack::cli {

class PlanInterpreter {
 public:
  PlanInterpreter(const PlanOptions& options,
                  std::vector<std::pair<int, Role>> forced, PlanReading* out)
      : options_(options), forced_(std::move(forced)), out_(out) {}

  absl::Status Read(const Document& doc);

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
    std::string progress_date;   // from a "Date of update" column
    std::string completed_on;    // from a "Date completed" column
    std::string revised_timing;  // from a "Revised target date" column
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
                 const std::vector<ColumnRole>& roles) const;

  // A table is a plan when it has text for recommendations or actions and
  // something a plan tracks beside it.
  bool IsPlan(const std::vector<ColumnRole>& roles,
              const std::vector<std::vector<TableCell>>& rows) const;

  void DescribeRoles(const Table& table, size_t rows);

  void ReadTable(const Table& table, const std::vector<std::string>& before,
                 const std::vector<std::string>& recent);

  // Whether a table without a heading carries on the plan table before it,
  // and with which roles: the same number of columns, or columns shifted by
  // the page (one or two more or fewer), matched by what their cells hold.
  bool ContinuesColumns(const std::vector<std::vector<TableCell>>& rows,
                        std::vector<ColumnRole>* roles) const;

  // How well the rows' cells fit the roles of the columns before, read
  // `offset` columns along: cells that read as their column's role count
  // for, cells that read as another role against.
  int Fit(const std::vector<std::vector<TableCell>>& rows, int offset) const;

  static bool CellFits(const std::string& text, Role role);

  // From the row's other columns: the progress date, the day it was done
  // (a "Date completed" makes it completed), a revised target; and
  // "Complete" where the date would be is a status, not a target.
  void FillFromRow(const std::vector<TableCell>& cells, PendingAction* a) const;

  // A row that heads the rows below it ("Theme 1: Governance"): its one
  // cell of text spans the table, or stands alone in the reference column,
  // and is neither a reference nor opens with one.
  bool IsSectionHeading(const TableRow& row,
                        const std::vector<TableCell>& grid) const;
  // "Recommendation 2: ..." or "... (Recommendation 2)" in the paragraphs
  // above a table that holds only its actions: its reference and text.
  std::optional<std::pair<std::string, std::string>> RecommendationAbove(
      const std::vector<std::string>& recent);
  // A heading row (either kind below), taken: true when the row was one.
  bool TakeHeadingRow(const TableRow& row, const std::vector<TableCell>& grid);
  // A row whose one cell spans the table and opens with a reference
  // ("Recommendation 3: That ..."): the reference and the text.
  std::optional<std::pair<std::string, std::string>> RecommendationHeading(
      const TableRow& row, const std::vector<TableCell>& grid) const;

  // Holds a data row until the next shows whether it goes on (a row split
  // by a page break), then interprets it. Of a row that goes on from the
  // held one, the cells that continue text above are joined to it; the
  // rest, if any, are a row of their own (another action of the same
  // recommendation).
  void Offer(const std::vector<TableCell>& cells, const TableRow& row);

  // The column of `held_` that holds what column `c` of this row holds.
  int HeldColumn(size_t c) const;

  // Which cells of a row that starts with an empty cell (and has no
  // reference) go on from the held row's text: right after a page break (a
  // new table, or the header repeated), a cell starting in lower case, or
  // one below prose cut mid-sentence; elsewhere only a cell in lower case
  // below text cut mid-sentence. Empty when none does.
  std::vector<bool> ContinuingCells(const std::vector<TableCell>& cells) const;

  void JoinToHeld(const std::vector<TableCell>& cells,
                  const std::vector<bool>& joins, const TableRow& row);

  // Interprets the held row, as the roles of its own table read it; a cell
  // of lettered items ("(i) ...; and (ii) ...") is one recommendation each.
  void ReleaseHeld();

  // The row as one row per lettered item of its recommendation cell; a
  // cell with as many paragraphs as there are items gives each item its
  // own, any other cell is shared.
  std::vector<std::vector<TableCell>> SplitItems(const HeldRow& held);

  // The column holding `role`: the first named so by its header or by
  // --columns, else the first given it by content.
  int Column(Role role) const;

  const TableCell* CellOf(const std::vector<TableCell>& cells, Role role) const;

  std::vector<std::string> Paragraphs(const std::vector<TableCell>& cells,
                                      Role role) const;

  std::string Text(const std::vector<TableCell>& cells, Role role) const;

  void Emit(const std::string& where, int line, v1::Command command);

  void OpenReview(const TitleBlock& block, int line);

  // Starts a recommendation, or continues the one open when the row carries
  // no reference and the text before did not end (a page break).
  void RecommendationCells(const std::vector<TableCell>& cells,
                           const TableRow& row);

  void Row(const std::vector<TableCell>& cells, const TableRow& row);

  void RowActions(const std::vector<TableCell>& cells, const TableRow& row);

  // Bullet marks ("•", "- ") are not part of what a cell says.
  static void CleanFields(
      std::initializer_list<std::vector<std::string>*> cells);

  // "Action update (October 2006): ..." paragraphs become dated progress of
  // the action they follow.
  void TakeUpdates(std::vector<std::string>* paragraphs);

  // Labels inside the action text: "Lead Officer: J. Smith The review…".
  static void TakeLabels(std::vector<std::string>* actions,
                         std::vector<std::string>* leads, std::string* timing);

  // Adds `a` to the open recommendation, or to its last action as news.
  void AddAction(PendingAction a, const TableCell* lead_cell,
                 const TableCell* timing_cell);

  // The leads an action without any takes: its recommendation's label, the
  // cabinet member when the table has no lead column, the parent
  // recommendation's ("R2.1" under "R2").
  std::vector<std::string> InheritedLeads(const PendingRec& rec) const;

  std::optional<v1::Decision> Decide(const PendingRec& rec) const;

  void FlushRecommendation();

  void EmitResponse(const PendingRec& rec, const std::string& rec_ref,
                    v1::Decision decision);

  void EmitAction(const std::string& rec_ref, PendingAction* a);

  // Progress on action `action_ref`, dated as the document dates it (empty:
  // not stated).
  void EmitProgress(const PendingAction& a, const std::string& action_ref,
                    const std::string& text, const std::string& reported_on);

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
  // Numbered items written above the plan's tables ("1.1 raising
  // expectations ..."), by reference: the recommendations of a table that
  // has references and actions but no recommendation column.
  std::map<std::string, std::string> listed_;
  int recommendations_ = 0;
  std::map<std::string, std::vector<std::string>> leads_by_ref_;
};

}  // namespace rectrack::cli
