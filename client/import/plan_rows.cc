// The plan interpreter's rows: a row held until the next shows whether a
// page break split it, and a cell of lettered items read as one
// recommendation each.
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
#include "client/import/plan_interpreter.h"

namespace rectrack::cli {

void PlanInterpreter::Offer(const std::vector<TableCell>& cells,
                            const TableRow& row) {
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

int PlanInterpreter::HeldColumn(size_t c) const {
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

std::vector<bool> PlanInterpreter::ContinuingCells(
    const std::vector<TableCell>& cells) const {
  std::vector<bool> joins(cells.size(), false);
  if (cells.empty() || !cells[0].paragraphs.empty() || cells[0].merged_above) {
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

void PlanInterpreter::JoinToHeld(const std::vector<TableCell>& cells,
                                 const std::vector<bool>& joins,
                                 const TableRow& row) {
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

void PlanInterpreter::ReleaseHeld() {
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

std::vector<std::vector<TableCell>> PlanInterpreter::SplitItems(
    const HeldRow& held) {
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

}  // namespace rectrack::cli
