// Giving a plan table's columns their roles, from the header's words and
// from what the cells hold.
#include <algorithm>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "client/import/plan_internal.h"

namespace rectrack::cli {
namespace {

constexpr std::pair<Role, const char*> kRoleNames[] = {
    {Role::kNone, "ignore"},
    {Role::kRef, "ref"},
    {Role::kRecommendation, "recommendation"},
    {Role::kAction, "action"},
    {Role::kTaken, "progress"},
    {Role::kLead, "lead"},
    {Role::kTiming, "timescale"},
    {Role::kStatus, "status"},
    {Role::kAccepted, "decision"},
    {Role::kResponse, "response"},
    {Role::kPortfolio, "portfolio"},
    {Role::kProgressDate, "progress-date"},
    {Role::kCompletedOn, "completed-on"},
};

// A header's words, lower case, without footnote markers ("Deadline[3]"),
// punctuation or doubled spaces.
std::string HeaderWords(absl::string_view header) {
  std::string h;
  int depth = 0;
  for (char c : header) {
    if (c == '[') ++depth;
    if (depth == 0 && c != '?' && c != ':' && c != '*') {
      h.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
    }
    if (c == ']' && depth > 0) --depth;
  }
  h = absl::StrReplaceAll(h, {{"(s)", "s"}, {"\n", " "}, {"/", " / "}});
  absl::RemoveExtraAsciiWhitespace(&h);
  // "Lead Officer2": a footnote number written as a superscript.
  while (h.size() > 3 && absl::ascii_isdigit(h.back()) &&
         absl::ascii_isalpha(h[h.size() - 2])) {
    h.pop_back();
  }
  return h;
}

bool HasAny(const std::string& h, std::initializer_list<const char*> words) {
  for (const char* w : words) {
    if (absl::StrContains(h, w)) return true;
  }
  return false;
}

bool HasWord(const std::string& h, std::initializer_list<const char*> words) {
  std::vector<absl::string_view> tokens =
      absl::StrSplit(h, absl::ByAnyChar(" .,"), absl::SkipEmpty());
  for (absl::string_view t : tokens) {
    for (const char* w : words) {
      if (t == w) return true;
    }
  }
  return false;
}

// What fraction of a column's non-empty cells a test holds for.
struct ColumnContent {
  int cells = 0;
  int timescale = 0;
  int decision = 0;
  int ref = 0;
  int lead = 0;
  int status = 0;
  int phrased = 0;   // worded as a recommendation: "That ...", "... should ..."
  int numbered = 0;  // prose opening with a reference: "1.1 The LGA ..."
  int depth = 0;     // the dots of those references, summed ("1.1.1": 2)
  size_t length = 0;
  double Share(int n) const { return cells == 0 ? 0 : double(n) / cells; }
  size_t AverageLength() const { return cells == 0 ? 0 : length / cells; }
};

ColumnContent ReadColumn(const std::vector<std::vector<TableCell>>& rows,
                         size_t column) {
  ColumnContent c;
  for (const auto& row : rows) {
    if (column >= row.size()) continue;
    std::string t = row[column].Text();
    if (t.empty()) continue;
    ++c.cells;
    c.length += t.size();
    if (LooksLikeTimescale(t)) ++c.timescale;
    if (DecisionWord(t).has_value() && t.size() <= 40) ++c.decision;
    if (LooksLikeRef(t)) ++c.ref;
    if (LooksLikeLead(t)) ++c.lead;
    if (StatusWord(t).has_value()) ++c.status;
    if (absl::StartsWith(t, "That ") || absl::StrContains(t, " should ")) {
      ++c.phrased;
    }
    if (auto numbered = LeadingRef(t); numbered && t.size() > 40) {
      ++c.numbered;
      c.depth += static_cast<int>(
          std::count(numbered->first.begin(), numbered->first.end(), '.'));
    }
  }
  return c;
}

// The role the content alone suggests, with why; kNone for prose.
std::pair<Role, std::string> ContentRole(const ColumnContent& c) {
  auto said = [&](int n, const char* what) {
    return absl::StrCat("content: ", n, " of ", c.cells, " cells ", what);
  };
  if (c.cells == 0) return {Role::kNone, "empty"};
  if (c.Share(c.ref) >= 0.6) return {Role::kRef, said(c.ref, "are references")};
  if (c.Share(c.decision) >= 0.6) {
    return {Role::kAccepted, said(c.decision, "are decisions")};
  }
  if (c.Share(c.status) >= 0.6) {
    return {Role::kStatus, said(c.status, "are statuses")};
  }
  if (c.Share(c.timescale) >= 0.6) {
    return {Role::kTiming, said(c.timescale, "read as dates")};
  }
  if (c.Share(c.lead) >= 0.6 && c.AverageLength() < 50) {
    return {Role::kLead, said(c.lead, "are names or roles")};
  }
  return {Role::kNone, "prose"};
}

}  // namespace

const char* RoleName(Role role) {
  for (const auto& [r, name] : kRoleNames) {
    if (r == role) return name;
  }
  return "ignore";
}

std::optional<Role> RoleFromName(absl::string_view name) {
  std::string n = absl::AsciiStrToLower(absl::StripAsciiWhitespace(name));
  if (n == "reference" || n == "no") return Role::kRef;
  if (n == "timing" || n == "target" || n == "deadline") return Role::kTiming;
  if (n == "accepted" || n == "agreed") return Role::kAccepted;
  if (n == "update" || n == "taken") return Role::kTaken;
  if (n == "none" || n == "skip") return Role::kNone;
  for (const auto& [r, rname] : kRoleNames) {
    if (n == rname) return r;
  }
  return std::nullopt;
}

// Whom the recommendation was made to, or passed to, is who leads it
// ("Recommendation made to:", "Referred to").
static bool NamesWhoItIsFor(const std::string& h) {
  return HasAny(h, {"made to", "directed to", "referred to", "addressed to",
                    "assigned to", "allocated to", "for action by"});
}

// "Ref", "No.", "Rec no": a header over the recommendations' numbers.
bool IsRefHeader(const std::string& h) {
  static const std::set<std::string> kRefHeaders = {
      "no",        "no.",     "number",   "ref",     "ref.",
      "reference", "rec no",  "rec no.",  "rec",     "rec.",
      "#",         "item",    "id",       "rec ref", "ref no",
      "ref no.",   "item no", "item no.", "para",    "paragraph"};
  std::vector<std::string> words = absl::StrSplit(h, ' ', absl::SkipEmpty());
  return kRefHeaders.count(h) > 0 ||
         (words.size() <= 3 &&
          HasWord(words.back(),
                  {"no", "number", "ref", "#", "num", "reference"})) ||
         ((absl::StrContains(h, "recommendation") ||
           absl::StrContains(h, "rec")) &&
          HasWord(h, {"no", "number", "ref", "reference", "num"}));
}

// A column of when the action was done, or of what success looks like:
// neither a target date nor progress.
std::optional<Role> DoneOrSuccessRole(const std::string& h) {
  // The day the action was done ("Completed Date", "Date closed", "Actual
  // completion date"), where a target says when it should be.
  if (HasWord(h, {"date", "dates", "on"}) &&
      HasAny(h, {"completed", "closed", "implemented", "actual"}) &&
      !HasAny(h, {"target", "due", "expected", "planned", "to be"})) {
    return Role::kCompletedOn;
  }
  // "Outcome target", "Success measure": what success looks like, not a
  // date and not progress.
  if (HasAny(h, {"outcome target", "success", "measure of",
                 "performance target", "kpi target", "target outcome"})) {
    return Role::kNone;
  }
  return std::nullopt;
}

Role HeaderRole(absl::string_view header) {
  std::string h = HeaderWords(header);
  if (h.empty()) return Role::kNone;
  if (IsRefHeader(h)) return Role::kRef;
  // The date a progress note was written.
  // ("Progress to date" is the progress so far.)
  if (HasWord(h, {"date", "dates"}) && !HasAny(h, {"to date"}) &&
      HasAny(h, {"update", "progress", "as at", "position"})) {
    return Role::kProgressDate;
  }
  // A date something happened (the meeting, the executive's decision) is
  // not a target.
  if (HasWord(h, {"date", "dates"}) &&
      HasAny(h, {"added", "raised", "meeting", "exec", "agreed", "issued",
                 "made", "decision", "reported", "opened", "logged"})) {
    return Role::kNone;
  }
  if (NamesWhoItIsFor(h)) return Role::kLead;
  if (std::optional<Role> r = DoneOrSuccessRole(h)) return *r;
  if (HasAny(h, {"to be completed", "by when", "target", "deadline",
                 "timescale", "due date", "completion date"})) {
    return Role::kTiming;
  }
  if (HasAny(h, {"officer", "owner", "responsib", "accountable"}) ||
      absl::StartsWith(h, "lead") || HasWord(h, {"who", "lead"})) {
    return Role::kLead;
  }
  // "Action taken/planned", "Actions proposed": what will be done.
  if (HasAny(h, {"action"}) &&
      HasAny(h, {"planned", "proposed", "to be taken", "agreed action"})) {
    return Role::kAction;
  }
  if (HasAny(h, {"progress", "update", "current position", "commentary",
                 "action taken", "actions taken", "position statement",
                 "evidence", "outcome"})) {
    return Role::kTaken;
  }
  if (HasAny(h, {"action", "how will", "what will", "next step", "measure",
                 "implementation"})) {
    return Role::kAction;
  }
  if (HasAny(h, {"decision", "accept", "agreed", "supported", "approved"}) ||
      h == "agree") {
    return Role::kAccepted;
  }
  if (HasAny(h, {"response", "comment", "remarks"}) ||
      HasWord(h, {"view", "views"})) {
    return Role::kResponse;
  }
  if (HasAny(h, {"recommendation", "proposal", "finding"})) {
    return Role::kRecommendation;
  }
  if (HasAny(h, {"cabinet member", "portfolio", "executive member"})) {
    return Role::kPortfolio;
  }
  if (HasAny(h, {"lead", "responsib", "owner", "officer", "accountable",
                 "contact", "by whom"}) ||
      h == "who") {
    return Role::kLead;
  }
  if (HasAny(h, {"timing", "timescale", "time scale", "deadline", "target",
                 "date", "due", "completion", "timetable", "timeframe",
                 "time frame", "milestone", "when"}) ||
      h == "by") {
    return Role::kTiming;
  }
  if (h == "status" || HasAny(h, {"rag", "status"}) || h == "complete" ||
      h == "completed" || h == "done") {
    return Role::kStatus;
  }
  return Role::kNone;
}

bool IsHeaderRow(const std::vector<TableCell>& cells) {
  int known = 0;
  int filled = 0;
  bool planish = false;
  for (const TableCell& c : cells) {
    std::string t = c.Text();
    if (t.empty()) continue;
    ++filled;
    // Headings are short; a long cell is content that mentions the words.
    if (t.size() > 50) return false;
    Role r = HeaderRole(t);
    if (r != Role::kNone) ++known;
    if (r == Role::kAction || r == Role::kLead || r == Role::kTiming ||
        r == Role::kRecommendation || r == Role::kResponse ||
        r == Role::kAccepted) {
      planish = true;
    }
  }
  // Most of a header's cells name a role; content rows name few.
  return filled >= 2 && known >= 2 && known * 2 >= filled && planish;
}

// A first row of short labels over columns whose cells below are
// references, dates or decisions, which the labels are not: a header in
// words the reader does not know ("Whose", "Month").
bool LooksLikeUnusualHeader(const std::vector<std::vector<TableCell>>& grid) {
  if (grid.size() < 2) return false;
  for (const TableCell& c : grid[0]) {
    if (c.Text().size() > 40) return false;
  }
  for (size_t col = 0; col < grid[0].size(); ++col) {
    std::string top = grid[0][col].Text();
    if (top.empty()) continue;
    auto typed = [](const std::string& t) {
      return LooksLikeRef(t) || LooksLikeTimescale(t) ||
             DecisionWord(t).has_value();
    };
    int below = 0;
    int typed_below = 0;
    for (size_t r = 1; r < grid.size(); ++r) {
      if (col >= grid[r].size() || grid[r][col].Text().empty()) continue;
      ++below;
      typed_below += typed(grid[r][col].Text()) ? 1 : 0;
    }
    if (below > 0 && typed_below * 10 >= below * 8 && !typed(top)) {
      return true;
    }
  }
  return false;
}

std::vector<std::vector<TableCell>> GridRows(const Table& table) {
  std::vector<std::vector<TableCell>> out;
  out.reserve(table.rows.size());
  for (const TableRow& row : table.rows) {
    std::vector<TableCell> grid;
    for (const TableCell& c : row.cells) {
      grid.push_back(c);
      for (int i = 1; i < c.span && grid.size() < 64; ++i) {
        grid.push_back({{}, 1, c.merged_above});
      }
    }
    out.push_back(std::move(grid));
  }
  return out;
}

absl::StatusOr<std::vector<std::pair<int, Role>>> ParseColumns(
    absl::string_view spec) {
  std::vector<std::pair<int, Role>> out;
  for (absl::string_view part :
       absl::StrSplit(spec, absl::ByAnyChar(",;"), absl::SkipWhitespace())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(part, absl::MaxSplits('=', 1));
    int column = 0;
    std::optional<Role> role = RoleFromName(kv.second);
    if (!absl::SimpleAtoi(kv.first, &column) || column < 1 || column > 64 ||
        !role.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--columns: \"", part,
          "\" should be COLUMN=ROLE, the column counted from 1 and the role "
          "one of ref, recommendation, action, lead, timescale, decision, "
          "response, progress, status, portfolio, ignore"));
    }
    out.emplace_back(column - 1, *role);
  }
  return out;
}

namespace {

constexpr char kRefButText[] = "header says reference, but its cells are text";

// AssignRoles in steps, each a rule over the whole table.
class RoleAssigner {
 public:
  RoleAssigner(const std::vector<TableCell>* header,
               const std::vector<std::vector<TableCell>>& rows)
      : header_(header) {
    size_t width = header != nullptr ? header->size() : 0;
    for (const auto& r : rows) width = std::max(width, r.size());
    roles_.resize(width);
    content_.resize(width);
    for (size_t c = 0; c < width; ++c) {
      content_[c] = ReadColumn(rows, c);
      if (header != nullptr && c < header->size()) {
        roles_[c].header = (*header)[c].Text();
      }
      FromHeaderAndContent(c);
    }
  }

  std::vector<ColumnRole> Finish(
      const std::vector<std::pair<int, Role>>& forced) {
    DropDatesBeforeTheText();
    OneProgressColumn();
    NumberedProseIsTheRecommendation();
    NameTextBeforeTheActions();
    NameProseColumns();
    SwapByWording();
    for (const auto& [column, role] : forced) {
      if (static_cast<size_t>(column) >= roles_.size()) {
        roles_.resize(column + 1);
      }
      roles_[column].role = role;
      roles_[column].why = "--columns";
      roles_[column].unsure = false;
    }
    ResponseAsAction();
    if (!Has(Role::kLead)) {
      for (ColumnRole& c : roles_) {
        if (c.role == Role::kPortfolio) {
          c.why += "; also the actions' lead (no lead column)";
        }
      }
    }
    return std::move(roles_);
  }

 private:
  bool Has(Role r) const {
    return std::any_of(roles_.begin(), roles_.end(),
                       [r](const ColumnRole& c) { return c.role == r; });
  }

  void FromHeaderAndContent(size_t c) {
    ColumnRole& col = roles_[c];
    const ColumnContent& content = content_[c];
    Role by_header = HeaderRole(col.header);
    auto [by_content, why] = ContentRole(content);
    if (by_header == Role::kNone) {
      if (HasWord(HeaderWords(col.header), {"date", "dates"})) {
        col.why = "a date something happened, not a target";
      } else if (by_content != Role::kNone &&
                 (col.header.empty() || by_content != Role::kLead)) {
        // A named column nobody knows (Audit, Area, Origin) is not taken
        // for the lead on content alone.
        col.role = by_content;
        col.why = why;
        col.unsure = header_ != nullptr && !col.header.empty();
      }
      return;
    }
    col.role = by_header;
    col.why = "header";
    // Yes / No under "Response" or "Status" is the decision.
    if (by_content == Role::kAccepted &&
        (by_header == Role::kResponse || by_header == Role::kStatus)) {
      col.role = Role::kAccepted;
      col.why = absl::StrCat("header and ", why);
    }
    if ((by_header == Role::kTiming || by_header == Role::kLead) &&
        content.AverageLength() > 80) {
      col.unsure = true;
      col.why = "header, but its cells are long text";
    }
    // "Item" over subjects' names: a reference by its header, prose by its
    // content.
    if (by_header == Role::kRef && content.Share(content.ref) < 0.3 &&
        content.AverageLength() > 20) {
      col.role = Role::kNone;
      col.why = kRefButText;
      col.unsure = true;
    }
  }

  size_t FirstTextColumn() const {
    for (size_t c = 0; c < roles_.size(); ++c) {
      if (roles_[c].role == Role::kRecommendation ||
          roles_[c].role == Role::kAction) {
        return c;
      }
    }
    return roles_.size();
  }

  // Of two columns headed as progress ("Outcome" and "Progress to date"),
  // the one that says progress or update holds it.
  void OneProgressColumn() {
    int said = -1;
    for (size_t c = 0; c < roles_.size(); ++c) {
      if (roles_[c].role == Role::kTaken && roles_[c].why == "header" &&
          HasAny(HeaderWords(roles_[c].header), {"progress", "update"})) {
        said = static_cast<int>(c);
        break;
      }
    }
    for (size_t c = 0; c < roles_.size() && said >= 0; ++c) {
      if (static_cast<int>(c) != said && roles_[c].role == Role::kTaken &&
          !HasAny(HeaderWords(roles_[c].header), {"progress", "update"})) {
        roles_[c].role = Role::kNone;
        roles_[c].why =
            absl::StrCat("progress is in \"", roles_[said].header, "\"");
        roles_[c].unsure = true;
      }
    }
  }

  // A date column before the text it would qualify says when the
  // recommendation was made, not when it is due.
  void DropDatesBeforeTheText() {
    for (size_t c = 0; c < FirstTextColumn(); ++c) {
      if (roles_[c].role == Role::kTiming &&
          HeaderWords(roles_[c].header) == "date") {
        roles_[c].role = Role::kNone;
        roles_[c].why = "a date before the recommendation is when it was made";
        roles_[c].unsure = true;
      }
    }
  }

  // A column nobody named whose cells are numbered prose ("1.1 The LGA
  // should ...") holds the recommendations when the column headed so holds
  // only short words over them (a theme, often merged over its rows).
  // Of two such columns, the one numbered deeper holds them ("1.1.1 The
  // council's accounts ..." under key lines "1.1 The council produces
  // ..."): the other holds what they are grouped under.
  void NumberedProseIsTheRecommendation() {
    int best = -1;
    for (size_t c = 0; c < roles_.size(); ++c) {
      const ColumnContent& content = content_[c];
      if (roles_[c].role != Role::kNone || content.cells < 2 ||
          content.Share(content.numbered) < 0.6) {
        continue;
      }
      if (best < 0 || content.depth * content_[best].numbered >
                          content_[best].depth * content.numbered) {
        best = static_cast<int>(c);
      }
    }
    if (best < 0) return;
    const size_t c = static_cast<size_t>(best);
    const ColumnContent& content = content_[c];
    for (size_t r = 0; r < roles_.size(); ++r) {
      if (roles_[r].role == Role::kRecommendation &&
          content_[r].AverageLength() < 40) {
        roles_[r].role = Role::kNone;
        roles_[r].why =
            "short words over the numbered recommendations: a theme";
        roles_[r].unsure = true;
      }
    }
    if (Has(Role::kRecommendation)) return;
    roles_[c].role = Role::kRecommendation;
    roles_[c].why = absl::StrCat("content: ", content.numbered, " of ",
                                 content.cells, " cells are numbered prose");
    roles_[c].unsure = true;
  }

  // A named column of text before the actions, in a table with no
  // recommendation column, holds what the actions are for ("Agenda item").
  void NameTextBeforeTheActions() {
    if (Has(Role::kRecommendation)) return;
    for (size_t c = 0; c < FirstTextColumn(); ++c) {
      const ColumnContent& content = content_[c];
      if (roles_[c].role == Role::kNone && content.AverageLength() >= 12 &&
          !roles_[c].header.empty() &&
          !HasWord(HeaderWords(roles_[c].header), {"date", "dates"}) &&
          content.Share(content.ref) < 0.3 &&
          content.Share(content.lead) < 0.6) {
        roles_[c].role = Role::kRecommendation;
        roles_[c].why =
            "text before the actions, in a table without a recommendation "
            "column";
        roles_[c].unsure = true;
        return;
      }
    }
  }

  // Prose columns nobody named: the recommendation first, then the action.
  void NameProseColumns() {
    for (size_t c = 0; c < roles_.size(); ++c) {
      if (roles_[c].role != Role::kNone || content_[c].cells == 0 ||
          content_[c].AverageLength() < 8 ||
          (!roles_[c].header.empty() && roles_[c].why != kRefButText)) {
        continue;
      }
      for (Role r : {Role::kRecommendation, Role::kAction, Role::kTaken}) {
        if (!Has(r)) {
          roles_[c].role = r;
          roles_[c].why = "no heading; the first column of prose left";
          roles_[c].unsure = header_ == nullptr;
          break;
        }
      }
    }
  }

  // Headings that say the opposite of their cells ("ACTION" over "The
  // Council should ...", "PROPOSAL" over what will be done): recommendations
  // are worded "That ..." or "... should ...", actions are not.
  void SwapByWording() {
    auto column = [&](Role r) {
      for (size_t c = 0; c < roles_.size(); ++c) {
        if (roles_[c].role == r) return static_cast<int>(c);
      }
      return -1;
    };
    int rec = column(Role::kRecommendation);
    int action = column(Role::kAction);
    if (rec < 0 || action < 0) return;
    const ColumnContent& r = content_[rec];
    const ColumnContent& a = content_[action];
    if (a.Share(a.phrased) >= 0.6 && r.Share(r.phrased) < 0.3) {
      std::swap(roles_[rec].role, roles_[action].role);
      for (int c : {rec, action}) {
        roles_[c].why =
            "content: its cells are worded as " +
            std::string(c == action ? "recommendations" : "actions") +
            ", whatever the heading";
        roles_[c].unsure = true;
      }
    }
  }

  // With no action column, the response (or a column headed like progress)
  // is the agreed action.
  void ResponseAsAction() {
    if (Has(Role::kAction) || !(Has(Role::kLead) || Has(Role::kTiming))) {
      return;
    }
    for (Role r : {Role::kResponse, Role::kTaken}) {
      auto it = std::find_if(roles_.begin(), roles_.end(),
                             [r](const ColumnRole& c) { return c.role == r; });
      if (it != roles_.end() && it->why != "--columns") {
        it->role = Role::kAction;
        it->why = absl::StrCat(
            it->why, "; no action column, so this text is the action");
        it->unsure = true;
        return;
      }
    }
  }

  const std::vector<TableCell>* header_;
  std::vector<ColumnRole> roles_;
  std::vector<ColumnContent> content_;
};

}  // namespace

std::vector<ColumnRole> AssignRoles(
    const std::vector<TableCell>* header,
    const std::vector<std::vector<TableCell>>& rows,
    const std::vector<std::pair<int, Role>>& forced) {
  RoleAssigner assigner(header, rows);
  return assigner.Finish(forced);
}

}  // namespace rectrack::cli
