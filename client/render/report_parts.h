// Pieces of the committee report shared by its formats (report.cc for
// text, Markdown and CSV; report_html.cc for HTML). Internal to render/.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "client/render/report_words.h"
#include "rectrack/v1/tracker.pb.h"

namespace rectrack::cli::report_parts {

std::string Heading(const v1::Report& r);
// "Position on 2 December 2026", or what an as-of report describes.
std::string AsOfLine(const v1::Report& r);
std::vector<std::pair<std::string, std::string>> SummaryRows(
    const v1::Report& r);
// "Changes since 1 October 2008, by the date each took effect".
std::string ChangesTitle(const v1::Report& r);
// The day each change took effect, from the report (else the event).
std::string ChangeDay(const v1::Report& r, int index);
std::string RecStatus(const v1::Recommendation& rec);
// "signed off on 3 March 2008" with the override reason, if any.
std::string StatusLine(const v1::Recommendation& rec);
std::string Decision(const v1::Recommendation& rec);
// "accepted — text (The Leader, 3 March 2008)".
std::string ResponseLine(const v1::Recommendation& rec);
std::string ActionStatusWord(const v1::Action& a);
std::string Rag(const v1::Action& a);
std::string Leads(const v1::Action& a);
// The latest progress note not retracted: "3 March 2008: text".
std::string LatestUpdate(const v1::Action& a);
std::string OneLine(const std::string& text);
std::string Or(const std::string& value, const std::string& fallback);
// The label of the exception's subject: "Recommendation A, action 'X'".
std::string ExceptionSubject(const ReportNames& names,
                             const v1::ReportException& x);

}  // namespace rectrack::cli::report_parts
