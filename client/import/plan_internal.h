// Shared inside the plan interpreter: column roles and the readings of
// cell text that the interpreter's parts use.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "client/import/plan.h"
#include "client/import/table.h"
#include "rectrack/v1/domain.pb.h"

namespace rectrack::cli {

enum class Role {
  kNone,
  kRef,  // the recommendation's number in a column of its own
  kRecommendation,
  kAction,
  kTaken,  // progress: "Progress", "Update", "Current position"
  kLead,
  kTiming,
  kStatus,
  kAccepted,  // the decision: Yes / No / Partly / Agreed in principle
  kResponse,
  kPortfolio,     // the cabinet member a recommendation falls to
  kProgressDate,  // when the row's progress was written: "Date of update"
  kCompletedOn,   // when the action was done: "Date completed", "Closed"
};

// "ref", "recommendation", ... as --columns and --dry-run write them.
const char* RoleName(Role role);
std::optional<Role> RoleFromName(absl::string_view name);

// What a header cell's words say the column holds.
Role HeaderRole(absl::string_view header);

// A column's role and why it was given.
struct ColumnRole {
  Role role = Role::kNone;
  std::string header;
  std::string why;  // "header", "content: 9 of 10 cells look like dates", ...
  bool unsure = false;
};

// A table's rows laid out on its grid: cell c of a row is grid column c
// (spans expanded: the first column holds the text, the rest are empty).
std::vector<std::vector<TableCell>> GridRows(const Table& table);

// The roles of a plan table's columns from its header row (nullptr when it
// has none) and the content of its data rows; `forced` (from --columns,
// 0-based column → role) wins.
std::vector<ColumnRole> AssignRoles(
    const std::vector<TableCell>* header,
    const std::vector<std::vector<TableCell>>& rows,
    const std::vector<std::pair<int, Role>>& forced);

// Parses --columns "1=ref,2=recommendation,4=lead" into 0-based columns.
absl::StatusOr<std::vector<std::pair<int, Role>>> ParseColumns(
    absl::string_view spec);

// Whether a row reads as a header row: short cells, two or more of them
// naming a role, one of them an action-plan role.
bool IsHeaderRow(const std::vector<TableCell>& cells);

// A first row of short labels over columns whose cells below are
// references, dates or decisions, which the labels are not: a header in
// words the reader does not know ("Whose", "Month").
bool LooksLikeUnusualHeader(const std::vector<std::vector<TableCell>>& grid);

// Cell readings.
bool LooksLikeTimescale(absl::string_view text);
std::optional<v1::Decision> DecisionWord(absl::string_view text);
std::optional<v1::ActionStatus> StatusWord(absl::string_view text);
// The decision when the whole text is a decision phrase ("Agreed",
// "Partially accepted."); nullopt for "No further action".
std::optional<v1::Decision> ExactDecision(absl::string_view text);
// A decision stated inside a comment: "Recommendation is supported by the
// committee", "Recommendation not agreed."
std::optional<v1::Decision> DecisionPhraseWithin(absl::string_view text);
// "Red", "Amber", "Green": a RAG rating, which rectrack derives and never
// stores by hand.
bool IsRagRating(absl::string_view text);
bool LooksLikeRef(absl::string_view text);
bool LooksLikeLead(absl::string_view text);

// "1: That ..." / "1. That" / "R2.1 That" / "a) That" / "Recommendation 2:
// That" → ("1", "That ..."); nullopt when the text does not start with a
// reference.
std::optional<std::pair<std::string, std::string>> LeadingRef(
    absl::string_view text);

// A reference as written in a column of its own, without its punctuation:
// "1." → "1", "(ii)" → "ii", "Recommendation 3" → "3".
std::string CleanRef(absl::string_view text);

// "Lead Officer: J. Smith The review will…" → lead "J. Smith", rest "The
// review will…". A label on its own paragraph takes the whole paragraph.
struct Labelled {
  std::vector<std::string> leads;
  std::string timing;
  std::string rest;
};
std::optional<Labelled> TakeLabel(absl::string_view paragraph);

// "Action update (October 2006): text" → ("1 October 2006", "text").
std::optional<std::pair<std::string, std::string>> ActionUpdate(
    absl::string_view paragraph);

// Whether a recommendation's text stops at the end of a sentence.
bool EndsSentence(const std::string& text);
// "- item", "• item", "1) item".
bool IsBullet(const std::string& p);
// The decision a response's own words give: "(accepted)" / "(rejected)",
// a decision phrase that is its whole first clause, or one inside it.
std::optional<v1::Decision> DecisionInText(const std::string& text);
// "Agreed. The plan has been changed" -> "The plan has been changed".
std::string WithoutDecisionClause(const std::string& text);
// "R2.1" -> "R2", "3a" -> "3"; empty when it has no parent.
std::string ParentRef(const std::string& ref);

// Lettered or numbered items in one cell: "It was resolved: a) That ...;
// and b) That ..." or "(i) ...; and (ii) ...". Items run a), b), c)... or
// (i), (ii)... or 1), 2)...; each after the first follows the end of the one
// before ("; and", ";", ".") or a new line. nullopt unless there are two or
// more.
struct LetteredItems {
  std::string lead_in;  // the words before the first item
  std::vector<std::pair<std::string, std::string>> items;  // label, text
};
std::optional<LetteredItems> SplitLetteredItems(absl::string_view text);

// A line of page furniture between a table's pages: "Page 3", "3 of 7".
bool IsPageFurniture(absl::string_view paragraph);

// The title block above the plan: title, committee, the meeting date.
struct TitleBlock {
  std::string title;
  std::string committee;
  std::string published;
  std::string meeting_date;
  // A decision the text above the plan gives all its recommendations
  // ("The LGA has accepted them", "all the recommendations be agreed"),
  // with the sentence that says it; empty when none does.
  v1::Decision decision = v1::DECISION_UNSPECIFIED;
  std::string decision_said;
};
// "• item", "- item", "· item" → "item".
std::string WithoutBullet(const std::string& paragraph);
// "Speed up decisions. (Recommendation 2)": the reference written after
// the text, and the text.
std::optional<std::pair<std::string, std::string>> TrailingRef(
    absl::string_view text);
// "3. Run more groups" → "Run more groups": an action's step number.
std::string WithoutStepNumber(const std::string& paragraph);
// The first date written in `text` ("8 July 2010", "October 2006"), as
// YYYY-MM-DD; empty when it has none.
std::string DateIn(absl::string_view text);

TitleBlock ReadTitleBlock(const std::vector<std::string>& paragraphs);

// The legacy SCRAIP text layout (one cell per line, cells separated by
// lines of a non-breaking space): INVALID_ARGUMENT when the text has none.
absl::StatusOr<std::vector<FileCommand>> ReadScraipText(
    absl::string_view content, const PlanOptions& options);

}  // namespace rectrack::cli
