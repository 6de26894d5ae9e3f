// The committee report as an Excel workbook (see report.h), written with
// Debian's libxlsxwriter: a sheet of recommendations and actions with RAG
// cell colours, one of exceptions and one of changes.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client/render/format.h"
#include "client/render/report.h"
#include "client/render/report_parts.h"
#include "client/render/report_words.h"
#include "client/render/workbook.h"

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

// The RAG cell formats of one workbook.
std::map<v1::Rag, lxw_format*> RagFormats(Workbook* book) {
  std::map<v1::Rag, lxw_format*> formats;
  for (v1::Rag rag : {v1::RAG_RED, v1::RAG_AMBER, v1::RAG_GREEN,
                      v1::RAG_NO_TARGET, v1::RAG_NOT_RATED}) {
    formats[rag] = book->Fill(RagFill(rag));
  }
  return formats;
}

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
  std::map<v1::Rag, lxw_format*> rag = RagFormats(book);
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
      book->Text(s, row, 9, Rag(a), rag[a.standing().rag()]);
      if (a.standing().overdue()) {
        book->Number(s, row, 10, a.standing().days_overdue());
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
  return WorkbookBytes([&](Workbook* book) {
    ItemsSheet(report, book);
    ExceptionsSheet(report, book);
    ChangesSheet(report, book);
  });
}

}  // namespace rectrack::cli
