// The text of a plan's cells: HTML to text, paragraphs, and lead names.
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "client/import/plan.h"
#include "client/import/plan_internal.h"

namespace rectrack::cli {

std::string CleanCell(absl::string_view cell) {
  return std::string(absl::StripAsciiWhitespace(HtmlToText(cell)));
}

std::string HtmlToText(absl::string_view html) {
  std::string out;
  size_t i = 0;
  while (i < html.size()) {
    char c = html[i];
    if (c == '<') {
      size_t end = html.find('>', i);
      if (end == absl::string_view::npos) {
        out.append(html.data() + i, html.size() - i);
        break;
      }
      std::string tag = absl::AsciiStrToLower(html.substr(i + 1, end - i - 1));
      absl::string_view name = tag;
      absl::ConsumePrefix(&name, "/");
      name = name.substr(0, name.find_first_of(" /"));
      if (name == "br" || (name == "p" && tag[0] == '/')) {
        out += '\n';
      } else if (name == "li" && tag[0] != '/') {
        out += "\n- ";
      }
      i = end + 1;
    } else if (c == '&') {
      size_t end = html.find(';', i);
      std::string entity = end == absl::string_view::npos || end - i > 8
                               ? ""
                               : std::string(html.substr(i + 1, end - i - 1));
      static const std::map<std::string, std::string> kEntities = {
          {"amp", "&"},
          {"lt", "<"},
          {"gt", ">"},
          {"quot", "\""},
          {"apos", "'"},
          {"nbsp", " "},
          {"pound", "\xC2\xA3"},
          {"ndash", "\xE2\x80\x93"},
          {"rsquo", "\xE2\x80\x99"}};
      uint32_t code = 0;
      if (auto it = kEntities.find(entity); it != kEntities.end()) {
        out += it->second;
        i = end + 1;
      } else if (absl::StartsWith(entity, "#") &&
                 absl::SimpleAtoi(entity.substr(1), &code) && code < 0x80) {
        out += static_cast<char>(code);
        i = end + 1;
      } else {
        out += c;
        ++i;
      }
    } else {
      out += c;
      ++i;
    }
  }
  // Tidy the line breaks the tags left.
  std::vector<std::string> lines;
  for (absl::string_view l : absl::StrSplit(out, '\n')) {
    l = absl::StripAsciiWhitespace(l);
    if (!l.empty()) lines.emplace_back(l);
  }
  return absl::StrJoin(lines, "\n");
}

std::vector<std::string> CellParagraphs(absl::string_view cell) {
  std::vector<std::string> out;
  if (absl::StrContains(absl::AsciiStrToLower(cell), "<p")) {
    for (absl::string_view part : absl::StrSplit(cell, "</p>")) {
      std::string text = CleanCell(part);
      if (!text.empty()) out.push_back(text);
    }
    return out;
  }
  std::string text = CleanCell(cell);
  if (!text.empty()) out.push_back(text);
  return out;
}

namespace {

// Whether the words after an " and " start another person or post ("Cllr
// Y", "Head of Finance", "Jo Bloggs") rather than finish this one's title
// ("Law and Governance").
// `names`: also a first name and a surname ("Jo Bloggs"), unless the second
// word ends a post ("HR and Payroll Manager" is one post); without it only
// the words that open a post or a person ("Head", "Cllr", "the").
bool IsOneOf(absl::string_view word, std::initializer_list<const char*> set) {
  for (const char* w : set) {
    if (word == w) return true;
  }
  return false;
}

// Words that name a post ("Director", "Manager"): after an opener such as
// "Corporate" or "Senior" one of them must follow for it to be a post.
bool IsPostWord(absl::string_view w) {
  return IsOneOf(w,
                 {"Director",      "Directors",  "Manager",      "Managers",
                  "Head",          "Officer",    "Officers",     "Member",
                  "Members",       "Executive",  "Holder",       "Lead",
                  "Leader",        "Adviser",    "Advisor",      "Coordinator",
                  "Team",          "Accountant", "Engineer",     "Solicitor",
                  "Secretary",     "Clerk",      "Auditor",      "Chair",
                  "Commissioner",  "Inspector",  "Nurse",        "Governor",
                  "Governors",     "Board",      "Group",        "Partner",
                  "Principal",     "Teacher",    "Controller",   "Analyst",
                  "Surveyor",      "Planner",    "Consultant",   "Supervisor",
                  "Administrator", "Specialist", "Practitioner", "Champion",
                  "Leadership",    "Management", "Monitoring",   "Officer's"});
}

// Words that name a service or a subject, not a person ("Finance and
// Corporate Resources", "Housing and Community Safety").
bool IsServiceWord(absl::string_view w) {
  return IsOneOf(w, {"Community",
                     "Communities",
                     "Safety",
                     "Resources",
                     "Services",
                     "Service",
                     "Finance",
                     "Housing",
                     "Planning",
                     "Transport",
                     "Environment",
                     "Development",
                     "Regeneration",
                     "Governance",
                     "Law",
                     "Legal",
                     "Health",
                     "Care",
                     "Education",
                     "Children",
                     "Adult",
                     "Adults",
                     "Culture",
                     "Leisure",
                     "Customer",
                     "Customers",
                     "Digital",
                     "Property",
                     "Assets",
                     "Economy",
                     "Growth",
                     "Place",
                     "People",
                     "Performance",
                     "Policy",
                     "Partnerships",
                     "Operations",
                     "Democratic",
                     "Public",
                     "Social",
                     "Neighbourhoods",
                     "Waste",
                     "Highways",
                     "Estates",
                     "Revenues",
                     "Benefits",
                     "ICT",
                     "HR",
                     "Human",
                     "Commercial",
                     "Strategy",
                     "Corporate",
                     "Quality",
                     "Safeguarding",
                     "Learning",
                     "Skills",
                     "Wellbeing",
                     "Sport",
                     "Parks",
                     "Libraries",
                     "Transformation",
                     "Change",
                     "Audit",
                     "Risk",
                     "Procurement",
                     "Facilities",
                     "Support",
                     "Business",
                     "Infrastructure",
                     "Technology",
                     "Information",
                     "Enforcement",
                     "Licensing",
                     "Marketing",
                     "Communications",
                     "Projects"});
}

bool StartsAnotherLead(absl::string_view rest, bool names = true) {
  std::vector<absl::string_view> words =
      absl::StrSplit(rest, absl::ByAnyChar(" ,;/"), absl::SkipEmpty());
  if (words.empty()) return false;
  static const char* kOpeners[] = {
      "Cllr", "Councillor", "Head", "Director", "Leader", "Chair", "Mr",
      "Mrs",  "Ms",         "Dr",   "the ",     "The ",   "Mayor"};
  for (const char* o : kOpeners) {
    if (absl::StartsWith(rest, o)) return true;
  }
  // Words that open a post only when a post word follows ("Corporate
  // Director", "Senior Manager", "Chief Executive"), not a service's name
  // ("Corporate Resources").
  if (IsOneOf(words[0], {"Chief", "Assistant", "Deputy", "Cabinet", "Portfolio",
                         "Executive", "Senior", "Service", "Lead", "Corporate",
                         "Strategic", "Interim", "Acting"})) {
    for (size_t i = 0; i < words.size() && i < 4; ++i) {
      if ((i > 0 || words[0] == "Executive" || words[0] == "Lead") &&
          IsPostWord(words[i])) {
        return i > 0 || words.size() == 1;
      }
    }
    return false;
  }
  if (!names) return false;
  static const char* kPostEnds[] = {"Manager", "Officer",    "Team", "Unit",
                                    "Service", "Services",   "Lead", "Adviser",
                                    "Advisor", "Coordinator"};
  if (words.size() >= 2) {
    for (const char* end : kPostEnds) {
      if (words[1] == end) return false;
    }
  }
  // A first name and a surname, not a service's name.
  return words.size() >= 2 && absl::ascii_isupper(words[0][0]) &&
         absl::ascii_isupper(words[1][0]) && words[1].size() > 1 &&
         words[1][1] != '&' && !IsServiceWord(words[0]) &&
         !IsServiceWord(words[1]);
}

}  // namespace

std::vector<std::string> SplitLeads(absl::string_view cell) {
  std::string text = CleanCell(cell);
  for (const char* label : {"Lead Officer:", "Lead Member:", "Lead:"}) {
    size_t at = absl::AsciiStrToLower(text).find(absl::AsciiStrToLower(label));
    if (at != std::string::npos) text = text.substr(at + strlen(label));
  }
  // Separators outside parentheses: ";", ",", "/", "&", line breaks, " and "
  // before another person, " Cllr ".
  // After "... for " a post's areas follow ("Portfolio Holder for Housing,
  // Planning and Transport"): there a comma or "and" starts another lead
  // only with a word that opens one ("..., and the Head of ...").
  std::string marked;
  int depth = 0;
  bool areas = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '(') ++depth;
    if (c == ')' && depth > 0) --depth;
    absl::string_view rest = absl::string_view(text).substr(i);
    if (depth == 0) {
      if (absl::StartsWith(rest, " for ")) areas = true;
      if (c == ',' && areas &&
          !StartsAnotherLead(absl::StripLeadingAsciiWhitespace(rest.substr(1)),
                             false)) {
        marked.push_back(c);
        continue;
      }
      if (c == ';' || c == ',' || c == '/' || c == '\n') {
        marked.push_back(';');
        areas = false;
        continue;
      }
      if (absl::StartsWith(rest, " & ") &&
          StartsAnotherLead(rest.substr(3), !areas)) {
        marked.push_back(';');
        areas = false;
        i += 2;
        continue;
      }
      if (absl::StartsWith(rest, " and ") &&
          StartsAnotherLead(rest.substr(5), !areas)) {
        marked.push_back(';');
        areas = false;
        i += 4;
        continue;
      }
      if (absl::StartsWith(rest, " Cllr ") && !marked.empty()) {
        marked.push_back(';');
        continue;
      }
    }
    marked.push_back(c);
  }
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(marked, ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (!part.empty()) out.emplace_back(part);
  }
  return out;
}

std::optional<std::pair<std::string, std::string>> TrailingRef(
    absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  size_t open = text.rfind('(');
  if (!absl::EndsWith(text, ")") || open == absl::string_view::npos ||
      open == 0) {
    return std::nullopt;
  }
  absl::string_view inside = text.substr(open + 1, text.size() - open - 2);
  for (const char* label : {"Recommendation ", "recommendation ", "Rec "}) {
    if (!absl::ConsumePrefix(&inside, label)) continue;
    std::string ref = CleanRef(inside);
    if (ref.empty() || !LooksLikeRef(ref)) return std::nullopt;
    return std::make_pair(
        ref, std::string(absl::StripAsciiWhitespace(text.substr(0, open))));
  }
  return std::nullopt;
}

std::string WithoutStepNumber(const std::string& paragraph) {
  size_t i = 0;
  // "3." or "3)" or "1.1": a step's number.
  while (i < paragraph.size() && i < 6 &&
         (absl::ascii_isdigit(paragraph[i]) ||
          (i > 0 && paragraph[i] == '.' && i + 1 < paragraph.size() &&
           absl::ascii_isdigit(paragraph[i + 1])))) {
    ++i;
  }
  if (i == 0 || i + 2 >= paragraph.size()) return paragraph;
  size_t rest = i;
  if (paragraph[rest] == '.' || paragraph[rest] == ')') ++rest;
  const bool dotted = paragraph.find('.') < i;
  if (paragraph[rest] != ' ' || (rest == i && !dotted) ||
      !absl::ascii_isupper(paragraph[rest + 1])) {
    return paragraph;
  }
  return paragraph.substr(rest + 1);
}

}  // namespace rectrack::cli
