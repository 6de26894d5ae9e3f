// The pasted-text reader of the table model, and what every reader shares.
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "client/import/plan.h"
#include "client/import/table.h"
#include "client/import/transfer.h"

namespace rectrack::cli {

std::string TableCell::Text() const { return absl::StrJoin(paragraphs, "\n"); }

std::string DetectPlanFormat(absl::string_view content,
                             absl::string_view path) {
  std::string lower_path = absl::AsciiStrToLower(path);
  if (absl::StartsWith(content, "PK\x03\x04")) return "docx";
  std::string head = absl::AsciiStrToLower(content.substr(0, 4096));
  if (absl::StrContains(head, "<html") || absl::StrContains(head, "<table") ||
      absl::StrContains(head, "<!doctype html")) {
    return "html";
  }
  if (absl::EndsWith(lower_path, ".docx")) return "docx";
  if (absl::EndsWith(lower_path, ".html") ||
      absl::EndsWith(lower_path, ".htm")) {
    return "html";
  }
  return "text";
}

namespace {

// The cells of one pasted line: split at tabs, or at "|" when the line has
// no tab and at least two bars ("| a | b |" and "a | b" alike).
std::optional<std::vector<std::string>> PastedCells(const std::string& line) {
  if (absl::StrContains(line, '\t')) {
    return std::vector<std::string>(absl::StrSplit(line, '\t'));
  }
  absl::string_view l = absl::StripAsciiWhitespace(line);
  if (std::count(l.begin(), l.end(), '|') < 2) return std::nullopt;
  if (absl::ConsumePrefix(&l, "|")) absl::ConsumeSuffix(&l, "|");
  std::vector<std::string> cells = absl::StrSplit(l, '|');
  // A Markdown rule line ("|---|---|") separates the header from the rows.
  bool rule = true;
  for (const std::string& c : cells) {
    for (char ch : c) {
      if (ch != '-' && ch != ':' && ch != ' ') rule = false;
    }
  }
  if (rule) return std::vector<std::string>{};
  return cells;
}

}  // namespace

absl::StatusOr<Document> ReadPastedText(absl::string_view text) {
  if (absl::StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<std::string> lines =
      absl::StrSplit(absl::StrReplaceAll(text, {{"\r\n", "\n"}}), '\n');
  Document doc;
  doc.format = "text";
  Table* open = nullptr;
  int tables = 0;
  for (size_t n = 0; n < lines.size(); ++n) {
    const int line = static_cast<int>(n) + 1;
    if (lines[n].size() > kMaxLineBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", line, " is ", lines[n].size(),
                       " bytes long; a line may take at most 1 MiB"));
    }
    std::optional<std::vector<std::string>> cells = PastedCells(lines[n]);
    if (!cells.has_value()) {
      std::string t = CleanCell(lines[n]);
      // A blank line inside a table is a spacer, not the table's end.
      if (t.empty() && open != nullptr) continue;
      open = nullptr;
      doc.blocks.push_back(
          {t, std::nullopt, absl::StrCat("line ", line), line});
      continue;
    }
    if (cells->empty()) continue;  // a Markdown rule line
    if (open == nullptr) {
      DocumentBlock block;
      block.table = Table{{}, ++tables};
      block.where = absl::StrCat("line ", line);
      block.line = line;
      doc.blocks.push_back(std::move(block));
      open = &*doc.blocks.back().table;
    }
    TableRow row;
    row.where = absl::StrCat("line ", line);
    row.line = line;
    for (const std::string& c : *cells) {
      row.cells.push_back({CellParagraphs(c), 1, false});
    }
    open->rows.push_back(std::move(row));
  }
  return doc;
}

}  // namespace rectrack::cli
