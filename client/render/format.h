// How the CLI shows API messages to a person (tables and outlines) and to a
// script (protobuf JSON).
#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rectrack/v1/domain.pb.h"
#include "rectrack/v1/events.pb.h"

namespace rectrack::cli {

// ACTION_STATUS_IN_PROGRESS → "in-progress" (the enum's common prefix is
// dropped).
std::string EnumWord(const google::protobuf::EnumDescriptor* type, int value);
// "in-progress" → ACTION_STATUS_IN_PROGRESS; INVALID_ARGUMENT listing the
// accepted words otherwise (never the UNSPECIFIED value).
absl::StatusOr<int> ParseEnumWord(const google::protobuf::EnumDescriptor* type,
                                  const std::string& word,
                                  const std::string& option);

// The protobuf JSON mapping of `message`, indented.
std::string ToJson(const google::protobuf::Message& message);
// The same on one line, without a line break.
std::string ToJsonLine(const google::protobuf::Message& message);

// CSV files rectrack writes start with this UTF-8 byte order mark, so that
// Excel reads them as UTF-8 ("Council’s", not "Councilâ€™s").
inline constexpr char kUtf8Bom[] = "\xEF\xBB\xBF";

// One CSV field as rectrack writes it: quoted when it must be (RFC 4180),
// and safe to open in a spreadsheet — text that Excel would take for a
// formula (=, +, -, @, tab or CR first, unless a plain number) gets a
// leading apostrophe, so opening the file runs nothing. An apostrophe that
// would otherwise be taken for ours is doubled, so CsvFieldValue gives the
// text back exactly.
std::string CsvField(const std::string& text);
// The text of a field written by CsvField, its neutralising apostrophe
// removed (a field of a hand-made file passes through unless it starts
// with an apostrophe followed by one of = + - @ ').
std::string CsvFieldValue(const std::string& field);

// Columns padded to the widest cell; the last column is not padded.
std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows);

std::string FormatReviewList(const std::vector<v1::Review>& reviews);
std::string FormatActionList(const std::vector<v1::Action>& actions);

std::string FormatReview(const v1::Review& review);
// A recommendation with its response and, when given, its actions.
std::string FormatRecommendation(const v1::Recommendation& rec,
                                 const std::vector<v1::Action>& actions);
std::string FormatAction(const v1::Action& action, const std::string& indent);
// "green", "amber", "red", or "-" when no standing was worked out.
std::string RagWord(const v1::Action& action);
// A timescale's window in words: "2010-09-01 to 2010-09-30, tentative".
std::string DescribeWindow(const v1::Timescale& timescale);
// "RED, overdue by 12 days (on 2026-11-23)"; empty without a standing.
std::string DescribeStanding(const v1::Action& action);
// "target revised 2 times, slipped 61 days"; empty if never revised.
std::string DescribeSlippage(const v1::Action& action);
// One event as a line or two: position, stream, version, time, type,
// actor, effective date and the payload's fields.
std::string FormatEvent(const v1::Event& event);

}  // namespace rectrack::cli
