// One table model for every document a plan comes in (.docx, HTML, pasted
// text): the paragraphs outside tables and the tables, in document order,
// each table as rows of cells whose paragraphs are kept apart.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace rectrack::cli {

struct TableCell {
  // The cell's paragraphs, trimmed, none empty.
  std::vector<std::string> paragraphs;
  // Grid columns the cell covers (Word's gridSpan, HTML's colspan).
  int span = 1;
  // The cell continues the one above it (Word's vMerge, HTML's rowspan):
  // its paragraphs are empty.
  bool merged_above = false;

  // The paragraphs joined by line breaks.
  std::string Text() const;
};

struct TableRow {
  std::vector<TableCell> cells;
  // Where the row is, for messages: "line 12" or "table 2 row 5".
  std::string where;
  int line = 0;  // line in a text file; running row number otherwise
};

struct Table {
  std::vector<TableRow> rows;
  int number = 0;  // 1-based among the document's tables
};

// A paragraph outside any table, or a table.
struct DocumentBlock {
  std::string paragraph;
  std::optional<Table> table;
  std::string where;
  int line = 0;
};

struct Document {
  std::string format;  // "docx", "html" or "text"
  std::vector<DocumentBlock> blocks;
};

// The kinds of file a plan is read from, by their content first (a zip
// archive, markup), then by the file name's ending.
std::string DetectPlanFormat(absl::string_view content, absl::string_view path);

// A Word document's body: paragraphs and tables (w:tbl, w:tr, w:tc, w:p,
// gridSpan, vMerge). INVALID_ARGUMENT when it is not a readable .docx.
absl::StatusOr<Document> ReadDocx(absl::string_view bytes);

// An HTML page's tables (<table>, <tr>, <td>/<th>, colspan, rowspan) and the
// block-level text outside them.
absl::StatusOr<Document> ReadHtmlDocument(absl::string_view html);

// Text pasted from Word or PDF: lines with tabs, or with "|" between cells,
// are table rows (consecutive rows one table); other lines paragraphs. A
// cell may carry HTML (<p>, <br>, <li>), as word processors export it.
absl::StatusOr<Document> ReadPastedText(absl::string_view text);

}  // namespace rectrack::cli
