#include "client/render/workbook.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace rectrack::cli {
namespace {

// Excel's limit on the characters of one cell (counted here in bytes,
// which is never fewer).
constexpr size_t kCellMax = 32767;

}  // namespace

Workbook::Workbook(const std::string& path)
    : book_(workbook_new(path.c_str())) {
  if (book_ == nullptr) return;
  bold_ = workbook_add_format(book_);
  format_set_bold(bold_);
  wrap_ = workbook_add_format(book_);
  format_set_text_wrap(wrap_);
  format_set_align(wrap_, LXW_ALIGN_VERTICAL_TOP);
}

Workbook::~Workbook() {
  if (book_ != nullptr) workbook_close(book_);
}

lxw_worksheet* Workbook::Sheet(
    const char* name, const std::vector<std::pair<std::string, double>>& cols) {
  lxw_worksheet* s = workbook_add_worksheet(book_, name);
  for (size_t c = 0; c < cols.size(); ++c) {
    worksheet_set_column(s, static_cast<lxw_col_t>(c),
                         static_cast<lxw_col_t>(c), cols[c].second, wrap_);
    worksheet_write_string(s, 0, static_cast<lxw_col_t>(c),
                           cols[c].first.c_str(), bold_);
  }
  worksheet_freeze_panes(s, 1, 0);
  return s;
}

void Workbook::Text(lxw_worksheet* s, int row, int col, const std::string& text,
                    lxw_format* f) {
  std::string cell = text;
  if (cell.size() > kCellMax) {
    // Excel holds at most 32,767 characters in a cell: cut at a character
    // boundary and say so in the cell, rather than leave it empty.
    const std::string cut =
        " [cut here: an Excel cell holds 32,767 characters; the CSV or "
        "jsonl export has the whole text]";
    size_t end = kCellMax - cut.size();
    while (end > 0 && (static_cast<unsigned char>(cell[end]) & 0xC0) == 0x80) {
      --end;
    }
    cell = absl::StrCat(cell.substr(0, end), cut);
  }
  worksheet_write_string(s, static_cast<lxw_row_t>(row),
                         static_cast<lxw_col_t>(col), cell.c_str(),
                         f == nullptr ? wrap_ : f);
}

void Workbook::Number(lxw_worksheet* s, int row, int col, double value) {
  worksheet_write_number(s, static_cast<lxw_row_t>(row),
                         static_cast<lxw_col_t>(col), value, nullptr);
}

lxw_format* Workbook::Fill(uint32_t rgb) {
  lxw_format* f = workbook_add_format(book_);
  format_set_bg_color(f, rgb);
  format_set_font_color(f, LXW_COLOR_WHITE);
  format_set_bold(f);
  format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
  return f;
}

bool Workbook::Close() {
  lxw_error e = workbook_close(book_);
  book_ = nullptr;
  return e == LXW_NO_ERROR;
}

absl::StatusOr<std::string> WorkbookBytes(
    const std::function<void(Workbook*)>& fill) {
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  std::string path = absl::StrCat(dir, "/rectrack-workbook-XXXXXX");
  int fd = mkstemp(path.data());
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot make a temporary file for the workbook in ", dir));
  }
  close(fd);
  bool written = false;
  {
    Workbook book(path);
    if (book.ok()) {
      fill(&book);
      written = book.Close();
    }
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  unlink(path.c_str());
  if (!written) {
    return absl::InternalError(absl::StrCat(
        "the Excel workbook could not be written (is ", dir, " full?)"));
  }
  return bytes.str();
}

absl::StatusOr<std::string> TableWorkbook(
    const char* sheet,
    const std::vector<std::pair<std::string, double>>& columns,
    const std::vector<std::vector<std::string>>& rows) {
  return WorkbookBytes([&](Workbook* book) {
    lxw_worksheet* s = book->Sheet(sheet, columns);
    for (size_t r = 0; r < rows.size(); ++r) {
      for (size_t c = 0; c < rows[r].size(); ++c) {
        if (!rows[r][c].empty()) {
          book->Text(s, static_cast<int>(r) + 1, static_cast<int>(c),
                     rows[r][c]);
        }
      }
    }
    worksheet_autofilter(s, 0, 0, static_cast<lxw_row_t>(rows.size()),
                         static_cast<lxw_col_t>(columns.size() - 1));
  });
}

}  // namespace rectrack::cli
