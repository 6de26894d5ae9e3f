// The reading a person gives of a plan (its .expected file), and the field
// by field comparison of what the importer read with it. Shared by
// plan_heldout_test (the interpreter alone) and plan_corpus_test (through
// a real rectrackd).
//
// The .expected format: "key: value" lines; "rec REF: text" opens a
// recommendation, "action:" an action in it; lead (";"-separated),
// timescale, status and progress belong to the last action, decision to the
// last recommendation; "file:" names the plan's file when it is not the
// .expected file's name with another extension, "title:" the review's
// title. Texts are prefixes of what should be read.
#pragma once

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/render/format.h"
#include "rectrack/v1/domain.pb.h"

namespace rectrack::plan_test {

// Letters and digits only, in lower case: how texts are compared.
inline std::string Normal(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (absl::ascii_isalnum(c)) {
      out.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

inline bool Begins(absl::string_view actual, absl::string_view prefix) {
  return absl::StartsWith(Normal(actual), Normal(prefix));
}

// An action as expected or as read.
struct PlanAction {
  std::string text;
  std::vector<std::string> leads;  // without "Not stated"
  std::string timescale;
  std::string status;  // "" for none (not started)
  std::vector<std::string> progress;
};
// A recommendation as expected or as read.
struct PlanRec {
  std::string ref;
  std::string text;
  std::string decision = "none";
  std::vector<PlanAction> actions;
};
struct ExpectedPlan {
  std::string file;
  std::string title;
  std::vector<PlanRec> recs;
};

inline ExpectedPlan ParseExpected(const std::filesystem::path& path) {
  ExpectedPlan plan;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t colon = line.find(": ");
    std::string key = line.substr(0, colon);
    std::string value =
        colon == std::string::npos ? "" : line.substr(colon + 2);
    if (absl::StartsWith(key, "rec ")) {
      plan.recs.push_back({key.substr(4), value, "none", {}});
    } else if (key == "file") {
      plan.file = value;
    } else if (key == "title") {
      plan.title = value;
    } else if (key == "decision") {
      plan.recs.back().decision = value;
    } else if (key == "action") {
      plan.recs.back().actions.push_back({value, {}, "", "", {}});
    } else if (key == "lead") {
      plan.recs.back().actions.back().leads =
          absl::StrSplit(value, "; ", absl::SkipEmpty());
    } else if (key == "timescale") {
      plan.recs.back().actions.back().timescale = value;
    } else if (key == "status") {
      plan.recs.back().actions.back().status = value;
    } else if (key == "progress") {
      plan.recs.back().actions.back().progress.push_back(value);
    }
  }
  return plan;
}

// The .expected files of `dir`, in name order.
inline std::vector<std::filesystem::path> ExpectedFiles(
    const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> expected;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".expected") {
      expected.push_back(entry.path());
    }
  }
  std::sort(expected.begin(), expected.end());
  return expected;
}

// The plan an .expected file describes; empty when it is kept elsewhere.
inline std::filesystem::path PlanFile(const std::filesystem::path& expected,
                                      const ExpectedPlan& plan) {
  if (!plan.file.empty()) return expected.parent_path() / plan.file;
  for (const char* ext : {".docx", ".html", ".txt", ".tsv"}) {
    std::filesystem::path candidate = expected;
    candidate.replace_extension(ext);
    if (std::filesystem::exists(candidate)) return candidate;
  }
  return {};
}

inline std::string DecisionWord(v1::Decision d) {
  return d == v1::DECISION_UNSPECIFIED
             ? "none"
             : cli::EnumWord(v1::Decision_descriptor(), d);
}

// The status a plan states; "" for none (not started).
inline std::string StatusWord(v1::ActionStatus s) {
  return s == v1::ACTION_STATUS_UNSPECIFIED ||
                 s == v1::ACTION_STATUS_NOT_STARTED
             ? ""
             : cli::EnumWord(v1::ActionStatus_descriptor(), s);
}

// Found of expected, per field; extra recommendations or actions count
// against.
struct Score {
  std::map<std::string, std::pair<int, int>> fields;  // field → agree, total
  std::vector<std::string> misses;
  std::vector<std::string> refused;  // "file: why" for each file refused
  int rows_not_read = 0;
  void Add(const std::string& field, bool agree, int total = 1) {
    fields[field].first += agree ? 1 : 0;
    fields[field].second += total;
  }
  void Merge(const Score& o) {
    for (const auto& [f, c] : o.fields) {
      fields[f].first += c.first;
      fields[f].second += c.second;
    }
    misses.insert(misses.end(), o.misses.begin(), o.misses.end());
    refused.insert(refused.end(), o.refused.begin(), o.refused.end());
    rows_not_read += o.rows_not_read;
  }
  double Share(const std::string& f) const {
    auto it = fields.find(f);
    return it == fields.end() || it->second.second == 0
               ? 1.0
               : double(it->second.first) / it->second.second;
  }
};

inline void ScoreProgress(const std::string& at, const PlanAction& e,
                          const PlanAction* a, Score* s) {
  int actual = a == nullptr ? 0 : static_cast<int>(a->progress.size());
  int found = 0;
  for (const std::string& p : e.progress) {
    for (int i = 0; i < actual; ++i) {
      if (Begins(a->progress[i], p)) {
        ++found;
        break;
      }
    }
  }
  int total = std::max<int>(actual, static_cast<int>(e.progress.size()));
  if (total > 0) {
    s->fields["progress"].first += found;
    s->fields["progress"].second += total;
    if (found != total) s->misses.push_back(at + " progress");
  }
}

// Leads, timescale, status and progress of one action; `a` is null when
// the action was not read.
inline void ScoreAction(const std::string& at, const PlanAction& e,
                        const PlanAction* a, Score* s) {
  std::vector<std::string> got;
  std::vector<std::string> want;
  if (a != nullptr) {
    for (const std::string& l : a->leads) got.push_back(Normal(l));
  }
  for (const std::string& l : e.leads) want.push_back(Normal(l));
  bool ok = a != nullptr && got == want;
  s->Add("leads", ok);
  if (!ok) {
    s->misses.push_back(absl::StrCat(
        at, " lead",
        a == nullptr ? ""
                     : " (read \"" + absl::StrJoin(a->leads, "; ") + "\")"));
  }
  ok = a != nullptr && a->timescale == e.timescale;
  s->Add("timescales", ok);
  if (!ok) {
    s->misses.push_back(
        absl::StrCat(at, " timescale",
                     a == nullptr ? "" : " (read \"" + a->timescale + "\")"));
  }
  ok = a != nullptr && a->status == e.status;
  s->Add("status", ok);
  if (!ok) s->misses.push_back(at + " status");
  ScoreProgress(at, e, a, s);
}

// What was read of plan `name` against what a person reads in it. A
// recommendation is matched by its reference, else by its place.
inline void ScorePlan(const std::string& name,
                      const std::vector<PlanRec>& expected,
                      const std::vector<PlanRec>& read, Score* s) {
  s->Add("recommendations", false,
         std::max<int>(0, static_cast<int>(read.size()) -
                              static_cast<int>(expected.size())));
  for (size_t i = 0; i < expected.size(); ++i) {
    const PlanRec& e = expected[i];
    const PlanRec* got = nullptr;
    for (const PlanRec& r : read) {
      if (r.ref == e.ref) got = &r;
    }
    if (got == nullptr && i < read.size()) got = &read[i];
    std::string where = absl::StrCat(name, " rec ", e.ref);
    bool ok = got != nullptr && got->ref == e.ref && Begins(got->text, e.text);
    s->Add("recommendations", ok);
    if (!ok) s->misses.push_back(where + " text/ref");
    ok = got != nullptr && got->decision == e.decision;
    s->Add("decisions", ok);
    if (!ok) s->misses.push_back(where + " decision");
    size_t have = got == nullptr ? 0 : got->actions.size();
    s->Add("actions", false,
           std::max<int>(
               0, static_cast<int>(have) - static_cast<int>(e.actions.size())));
    for (size_t j = 0; j < e.actions.size(); ++j) {
      const PlanAction* a = j < have ? &got->actions[j] : nullptr;
      std::string at = absl::StrCat(where, " action ", j + 1);
      ok = a != nullptr && Begins(a->text, e.actions[j].text);
      s->Add("actions", ok);
      if (!ok) {
        s->misses.push_back(absl::StrCat(
            at, " text", a == nullptr ? "" : " (read \"" + a->text + "\")"));
      }
      ScoreAction(at, e.actions[j], ok ? a : nullptr, s);
    }
  }
}

// A plan the importer refused: every field it should have read is missed.
inline void ScoreRefused(const std::string& name, const std::string& why,
                         const std::vector<PlanRec>& expected, Score* s) {
  s->refused.push_back(absl::StrCat(name, ": ", why));
  for (const PlanRec& e : expected) {
    s->Add("recommendations", false);
    s->Add("decisions", false);
    for (const PlanAction& a : e.actions) {
      for (const char* f : {"actions", "leads", "timescales", "status"}) {
        s->Add(f, false);
      }
      if (!a.progress.empty()) {
        s->Add("progress", false, static_cast<int>(a.progress.size()));
      }
    }
  }
}

constexpr const char* kShownFields[] = {"recommendations", "actions",
                                        "leads",           "timescales",
                                        "decisions",       "progress"};

// One plan's figures on one line: found of expected, per field.
inline void PrintFile(const std::string& name, const Score& s) {
  std::string line = absl::StrFormat("  %-44s", name);
  for (const char* f : kShownFields) {
    auto it = s.fields.find(f);
    if (it == s.fields.end()) continue;
    absl::StrAppendFormat(&line, " %s %d/%d", absl::string_view(f).substr(0, 5),
                          it->second.first, it->second.second);
  }
  if (!s.refused.empty()) absl::StrAppend(&line, "  REFUSED");
  if (s.rows_not_read > 0) {
    absl::StrAppend(&line, "  rows not read: ", s.rows_not_read);
  }
  std::printf("%s\n", line.c_str());
}

// A set's figures in total, then what was refused and what differs.
inline void PrintTotal(const std::string& title, size_t plans, const Score& s) {
  std::printf("%s (%zu plans):\n", title.c_str(), plans);
  for (const char* f : {"recommendations", "actions", "leads", "timescales",
                        "decisions", "progress", "status"}) {
    auto it = s.fields.find(f);
    if (it == s.fields.end()) continue;
    std::printf("  %-16s %4d of %4d  %5.1f%%\n", f, it->second.first,
                it->second.second, 100.0 * s.Share(f));
  }
  std::printf("  refused files: %zu; rows not read: %d\n", s.refused.size(),
              s.rows_not_read);
  for (const std::string& m : s.refused) {
    std::printf("    refused: %s\n", m.c_str());
  }
  for (const std::string& m : s.misses) {
    std::printf("    differs: %s\n", m.c_str());
  }
}

}  // namespace rectrack::plan_test
