// The CSV format of `rectrack import --format csv` and `rectrack export
// --format csv`: one row per change, a `kind` column saying which, and the
// columns below matched by header name in any order. See docs/csv.md.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/import/transfer.h"
#include "rectrack/v1/commands.pb.h"

namespace rectrack::cli {

// Every column, in the order export writes them.
const std::vector<std::string>& CsvColumns();

// RFC 4180 records: quoted fields may hold commas, quotes ("") and line
// breaks; CRLF or LF; a UTF-8 byte order mark is skipped. Each record is
// returned with the line it starts on. (CsvToCommands also takes off the
// apostrophe CsvField puts before formula-like text.) INVALID_ARGUMENT naming
// the line for an unterminated quote or invalid UTF-8.
struct CsvRecord {
  int line;
  std::vector<std::string> fields;
};
absl::StatusOr<std::vector<CsvRecord>> ParseCsv(absl::string_view content);

// Reads rows into commands. A row's `key` names what it creates; a later
// row may put that key where an id goes. INVALID_ARGUMENT listing every
// problem as "line N: ...".
absl::StatusOr<std::vector<FileCommand>> CsvToCommands(
    absl::string_view content);

// The cells of `command`'s row, as text, in CsvColumns() order.
std::vector<std::string> CommandToCsvCells(const v1::Command& command);
// One CSV line (with its line break) for `command`, in CsvColumns() order;
// each field as CsvField (client/render/format.h) writes it.
std::string CommandToCsvLine(const v1::Command& command);
// The header line, after a UTF-8 byte order mark.
std::string CsvHeaderLine();

}  // namespace rectrack::cli
