// Reads the action plans councils keep: Word .docx, web pages (HTML
// tables) and text pasted from Word or PDF (tabs or "|" between cells).
// Readers turn each into one table model (client/import/table.h); one
// interpreter finds the plan table, gives its columns roles from their
// headers and their content, and builds the commands. See
// docs/plan-import.md.
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
  std::string format;     // "docx", "html", "text"; empty: from the content
  std::string columns;    // --columns "1=ref,2=recommendation,4=lead"
  bool strict = false;    // refuse the whole plan if any row is unreadable
};

// What the interpreter made of a plan.
struct PlanReading {
  std::string format;  // the reader used
  // The commands that record the plan: the review (unless review_id is
  // given), its recommendations, responses, actions and progress, in
  // document order, referring to each other with "$N".
  std::vector<FileCommand> commands;
  // Where each command comes from: "line 7", "table 2 row 5".
  std::vector<std::string> where;
  // The roles given to each plan table's columns, one line each.
  std::vector<std::string> columns;
  // What it guessed and is unsure of.
  std::vector<std::string> unsure;
  // Rows it could not read (not imported), each with its place.
  std::vector<std::string> problems;
};

// Reads a plan from a file's bytes; `path` helps pick the reader.
// INVALID_ARGUMENT when the document holds no action-plan table, when
// --columns is malformed, or (with options.strict) when any row cannot be
// read.
absl::StatusOr<PlanReading> ReadPlan(absl::string_view content,
                                     absl::string_view path,
                                     const PlanOptions& options);

// ReadPlan's commands alone (for callers that need nothing else).
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
