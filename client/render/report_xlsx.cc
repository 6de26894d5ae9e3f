// The committee report as an Excel workbook (see report.h), written with
// Debian's libxlsxwriter: a sheet of recommendations and actions with RAG
// cell colours, one of exceptions and one of changes.
#include <fcntl.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/render/format.h"
#include "client/render/report.h"
#include "client/render/report_parts.h"
#include "client/render/report_words.h"

namespace rectrack::cli {
namespace {

using namespace report_parts;  // NOLINT(google-build-using-namespace)

uint32_t RagFill(v1::Rag rag) {
  switch (rag) {
    case v1::RAG_RED:
      return 0xC0392B;
    case v1::RAG_AMBER:
      return 0xE69F00;
    case v1::RAG_GREEN:
      return 0x2E8B57;
    default:
      return 0x7F7F7F;
  }
}

class Workbook {
 public:
  explicit Workbook(const std::string& path)
      : book_(workbook_new(path.c_str())) {
    if (book_ == nullptr) return;
    bold_ = workbook_add_format(book_);
    format_set_bold(bold_);
    wrap_ = workbook_add_format(book_);
    format_set_text_wrap(wrap_);
    format_set_align(wrap_, LXW_ALIGN_VERTICAL_TOP);
    for (v1::Rag rag : {v1::RAG_RED, v1::RAG_AMBER, v1::RAG_GREEN,
                        v1::RAG_NO_TARGET, v1::RAG_NOT_RATED}) {
      lxw_format* f = workbook_add_format(book_);
      format_set_bg_color(f, RagFill(rag));
      format_set_font_color(f, LXW_COLOR_WHITE);
      format_set_bold(f);
      format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
      rag_[rag] = f;
    }
  }
  bool ok() const { return book_ != nullptr; }

  lxw_worksheet* Sheet(
      const char* name,
      const std::vector<std::pair<std::string, double>>& cols) {
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
  void Text(lxw_worksheet* s, int row, int col, const std::string& text,
            lxw_format* f = nullptr) {
    worksheet_write_string(s, static_cast<lxw_row_t>(row),
                           static_cast<lxw_col_t>(col), text.c_str(),
                           f == nullptr ? wrap_ : f);
  }
  lxw_format* Rag(v1::Rag rag) { return rag_[rag]; }

  // Writes the file; false if libxlsxwriter could not.
  bool Close() {
    lxw_error e = workbook_close(book_);
    book_ = nullptr;
    return e == LXW_NO_ERROR;
  }
  ~Workbook() {
    if (book_ != nullptr) workbook_close(book_);
  }
  Workbook(const Workbook&) = delete;
  Workbook& operator=(const Workbook&) = delete;

 private:
  lxw_workbook* book_;
  lxw_format* bold_ = nullptr;
  lxw_format* wrap_ = nullptr;
  std::map<v1::Rag, lxw_format*> rag_;
};

void ItemsSheet(const v1::Report& r, Workbook* book) {
  lxw_worksheet* s = book->Sheet("Recommendations", {{"Ref", 8},
                                                     {"Recommendation", 45},
                                                     {"Portfolio", 18},
                                                     {"Status", 20},
                                                     {"Response", 40},
                                                     {"Action", 45},
                                                     {"Lead", 20},
                                                     {"Timescale", 14},
                                                     {"Action status", 14},
                                                     {"RAG", 11},
                                                     {"Days overdue", 9},
                                                     {"Latest update", 45}});
  int row = 1;
  for (const v1::ReportItem& item : r.items()) {
    const v1::Recommendation& rec = item.recommendation();
    auto rec_cells = [&] {
      book->Text(s, row, 0, rec.ref());
      book->Text(s, row, 1, rec.text());
      book->Text(s, row, 2, rec.portfolio());
      book->Text(s, row, 3, StatusLine(rec));
      book->Text(s, row, 4, ResponseLine(rec));
    };
    if (item.actions().empty()) {
      rec_cells();
      ++row;
    }
    for (const v1::Action& a : item.actions()) {
      rec_cells();
      book->Text(s, row, 5, a.text());
      book->Text(s, row, 6, Leads(a));
      book->Text(s, row, 7, a.timescale().text());
      book->Text(s, row, 8, ActionStatusWord(a));
      book->Text(s, row, 9, Rag(a), book->Rag(a.standing().rag()));
      if (a.standing().overdue()) {
        worksheet_write_number(s, static_cast<lxw_row_t>(row), 10,
                               a.standing().days_overdue(), nullptr);
      }
      book->Text(s, row, 11, LatestUpdate(a));
      ++row;
    }
  }
}

void ExceptionsSheet(const v1::Report& r, Workbook* book) {
  lxw_worksheet* s = book->Sheet(
      "Exceptions", {{"Exception", 26}, {"Item", 60}, {"Detail", 50}});
  int row = 1;
  const ReportNames names(r);
  for (const v1::ReportException& x : r.exceptions()) {
    book->Text(s, row, 0, ExceptionKindWords(x.kind()));
    book->Text(s, row, 1, ExceptionSubject(names, x));
    book->Text(s, row, 2, x.detail());
    ++row;
  }
}

void ChangesSheet(const v1::Report& r, Workbook* book) {
  lxw_worksheet* s =
      book->Sheet("Changes", {{"Took effect", 18}, {"Change", 100}});
  const ReportNames names(r);
  for (int i = 0; i < r.changes_size(); ++i) {
    book->Text(s, i + 1, 0, ChangeDay(r, i));
    book->Text(s, i + 1, 1, DescribeChange(r.changes(i), names));
  }
}

}  // namespace

absl::StatusOr<std::string> ReportXlsx(const v1::Report& report) {
  const char* tmp = std::getenv("TMPDIR");
  std::string path = absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp",
                                  "/rectrack-report-XXXXXX");
  int fd = mkstemp(path.data());
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot make a temporary file for the workbook in ",
                     tmp != nullptr ? tmp : "/tmp"));
  }
  close(fd);
  bool written = false;
  {
    Workbook book(path);
    if (book.ok()) {
      ItemsSheet(report, &book);
      ExceptionsSheet(report, &book);
      ChangesSheet(report, &book);
      written = book.Close();
    }
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  unlink(path.c_str());
  if (!written) {
    return absl::InternalError(
        "the Excel workbook could not be written (is the temporary "
        "directory full?)");
  }
  return bytes.str();
}

}  // namespace rectrack::cli
