// The committee report (`rectrack report`) in each of its formats. The
// server works out the content (rectrack.v1.Report); this only lays it out.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "rectrack/v1/tracker.pb.h"

namespace rectrack::cli {

// Plain text for a terminal or an email.
std::string ReportText(const v1::Report& report);
// Markdown, for the intranet or a wiki.
std::string ReportMarkdown(const v1::Report& report);
// One row per action (a recommendation without actions gets one row), for
// a spreadsheet.
std::string ReportCsv(const v1::Report& report);
// One self-contained HTML page with SVG charts (RAG counts; recommendations
// by status over time), laid out to print on A4.
std::string ReportHtml(const v1::Report& report);
// An Excel workbook (the bytes of an .xlsx file): recommendations and
// actions with RAG cell colours, exceptions, and changes.
absl::StatusOr<std::string> ReportXlsx(const v1::Report& report);
// `format` is text, md, csv, html, xlsx or json; INVALID_ARGUMENT otherwise.
absl::StatusOr<std::string> RenderReport(const v1::Report& report,
                                         const std::string& format);

}  // namespace rectrack::cli
