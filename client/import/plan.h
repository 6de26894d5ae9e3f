// Reads the action plans councils keep in word processors, exported as
// tab-separated text (`rectrack import --format plan`): the title lines
// above the table, a header row recognised by its words, one row per
// recommendation or per action. See docs/plan-import.md.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/import/transfer.h"

namespace rectrack::cli {

struct PlanOptions {
  std::string title;      // overrides the title read from the document
  std::string committee;  // the committee; the document rarely says
  std::string review_id;  // add to this review instead of opening one
};

// The commands that record the plan: the review (unless review_id is
// given), its recommendations, responses, actions and progress, in document
// order, referring to each other with "$N". INVALID_ARGUMENT when the
// document holds no action-plan table.
absl::StatusOr<std::vector<FileCommand>> PlanToCommands(
    absl::string_view content, const PlanOptions& options);

// HTML fragments as plain text: <p> and <br> become line breaks, <li> a
// "- " line, other tags vanish, entities are decoded.
std::string HtmlToText(absl::string_view html);

// A cell's text: its HTML turned to text, trimmed.
std::string CleanCell(absl::string_view cell);

// The paragraphs of a cell: its <p> elements, or the cell as one paragraph.
std::vector<std::string> CellParagraphs(absl::string_view cell);

// Several people in one cell: "Steve Hampson Cllr B Smith", "A; B", "A and
// B", "Lead Officer: NAME".
std::vector<std::string> SplitLeads(absl::string_view cell);

}  // namespace rectrack::cli
