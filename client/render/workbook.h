// Excel workbooks (.xlsx) written with Debian's libxlsxwriter: the sheets,
// cell formats and file handling shared by `report --format xlsx` and
// `export --format xlsx`. Every cell is written as a string or a number,
// never as a formula, so text such as "=1+1" cannot run when opened.
#pragma once

#include <xlsxwriter.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace rectrack::cli {

class Workbook {
 public:
  explicit Workbook(const std::string& path);
  ~Workbook();
  Workbook(const Workbook&) = delete;
  Workbook& operator=(const Workbook&) = delete;

  bool ok() const { return book_ != nullptr; }

  // A sheet with a bold, frozen header row of (title, column width).
  lxw_worksheet* Sheet(const char* name,
                       const std::vector<std::pair<std::string, double>>& cols);
  // Text wrapped at the top of its cell, in format `f` if given.
  void Text(lxw_worksheet* s, int row, int col, const std::string& text,
            lxw_format* f = nullptr);
  void Number(lxw_worksheet* s, int row, int col, double value);
  // Bold white text on `rgb` (0xRRGGBB), e.g. for a RAG cell.
  lxw_format* Fill(uint32_t rgb);

  // Writes the file; false if libxlsxwriter could not.
  bool Close();

 private:
  lxw_workbook* book_;
  lxw_format* bold_ = nullptr;
  lxw_format* wrap_ = nullptr;
};

// The bytes of a workbook that `fill` lays out (written through a temporary
// file, which is removed). INTERNAL naming the cause if it cannot be.
absl::StatusOr<std::string> WorkbookBytes(
    const std::function<void(Workbook*)>& fill);

// One sheet named `sheet` of `rows` under a header of `columns`
// (title, width), with a filter on the header row.
absl::StatusOr<std::string> TableWorkbook(
    const char* sheet,
    const std::vector<std::pair<std::string, double>>& columns,
    const std::vector<std::vector<std::string>>& rows);

}  // namespace rectrack::cli
