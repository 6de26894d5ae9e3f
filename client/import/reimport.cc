#include "client/import/reimport.h"

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "client/render/format.h"

namespace rectrack::cli {
namespace {

// Text compared without case, punctuation or spacing differences.
std::string Normal(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (absl::ascii_isalnum(c)) {
      out.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

// The words of a text, lower case, of three letters or more.
std::set<std::string> WordSet(absl::string_view text) {
  std::set<std::string> words;
  std::string word;
  for (size_t i = 0; i <= text.size(); ++i) {
    char c = i < text.size() ? text[i] : ' ';
    if (absl::ascii_isalnum(c)) {
      word.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
      continue;
    }
    if (word.size() >= 3) words.insert(word);
    word.clear();
  }
  return words;
}

// Whether two texts say much the same in other words: half or more of the
// words either uses are shared.
bool Reworded(absl::string_view a, absl::string_view b) {
  std::set<std::string> x = WordSet(a);
  std::set<std::string> y = WordSet(b);
  if (x.empty() || y.empty()) return false;
  size_t shared = 0;
  for (const std::string& w : x) shared += y.count(w);
  return shared * 2 >= x.size() + y.size() - shared;
}

std::string Quote(absl::string_view text) {
  std::string t(text.substr(0, 70));
  if (text.size() > 70) absl::StrAppend(&t, "...");
  for (char& c : t) {
    if (c == '\n') c = ' ';
  }
  return absl::StrCat("\"", t, "\"");
}

std::string DecisionWords(v1::Decision d) {
  return d == v1::DECISION_UNSPECIFIED ? "not stated"
                                       : EnumWord(v1::Decision_descriptor(), d);
}

class Merger {
 public:
  Merger(const std::vector<FileCommand>& plan,
         const std::vector<ExistingRecommendation>& existing,
         std::vector<std::string>* where, std::vector<std::string>* changes,
         std::vector<std::string>* attention)
      : plan_(plan),
        existing_(existing),
        where_(where),
        changes_(changes),
        attention_(attention) {}

  std::vector<FileCommand> Run() {
    for (const FileCommand& fc : plan_) {
      if (fc.command.has_add_recommendation()) {
        doc_refs_.insert(fc.command.add_recommendation().ref());
      }
    }
    std::vector<std::string> old_where = *where_;
    where_->clear();
    for (size_t i = 0; i < plan_.size(); ++i) {
      at_ = i < old_where.size() ? old_where[i] : "";
      v1::Command c = plan_[i].command;
      Step(i, &c);
    }
    return std::move(out_);
  }

 private:
  void Keep(size_t i, v1::Command c) {
    resolved_[i] = absl::StrCat("$", out_.size());
    out_.push_back({plan_[i].line, std::move(c)});
    where_->push_back(at_);
  }

  // "$N" of the plan → the id it was matched to, or "$M" of the output.
  void Resolve(std::string* field) {
    size_t n = 0;
    if (!absl::StartsWith(*field, "$") ||
        !absl::SimpleAtoi(field->substr(1), &n)) {
      return;
    }
    auto it = resolved_.find(n);
    if (it != resolved_.end()) *field = it->second;
  }

  // The recommendation the tracker holds for `add`: the same reference,
  // else the same text, else (reported) the same words reworded.
  const ExistingRecommendation* MatchRec(const v1::AddRecommendation& add) {
    for (const auto& r : existing_) {
      if (!used_recs_.count(r.id) && !add.ref().empty() && r.ref == add.ref()) {
        if (Normal(r.text) != Normal(add.text())) {
          attention_->push_back(absl::StrCat(
              r.id, " (recommendation ", r.ref,
              "): the document words it differently; the tracker's text is "
              "kept. The document says ",
              Quote(add.text()), "; the tracker ", Quote(r.text),
              ". If the wording really changed, record it by hand."));
        }
        return &r;
      }
    }
    for (const auto& r : existing_) {
      if (!used_recs_.count(r.id) && Normal(r.text) == Normal(add.text())) {
        return &r;
      }
    }
    for (const auto& r : existing_) {
      // Reworded: only one whose reference the document no longer has.
      if (!used_recs_.count(r.id) && !doc_refs_.count(r.ref) &&
          Reworded(r.text, add.text())) {
        attention_->push_back(absl::StrCat(
            r.id, " (recommendation ", r.ref, "): the document has ",
            add.ref().empty() ? "a recommendation"
                              : absl::StrCat("recommendation ", add.ref()),
            " reworded from it (", Quote(add.text()),
            "); read as the same one, nothing added and its text kept. If it "
            "is a new recommendation, add it by hand."));
        return &r;
      }
    }
    return nullptr;
  }

  // A response in the document to a recommendation the tracker already
  // holds a response for: a different decision is for a person to settle.
  void RecordedResponse(const v1::RecordResponse& response) {
    if (response.decision() == rec_->decision) return;
    attention_->push_back(absl::StrCat(
        rec_->id, " (recommendation ", rec_->ref,
        "): the document now gives the decision as ",
        DecisionWords(response.decision()), "; the tracker records ",
        DecisionWords(rec_->decision),
        ". Nothing was changed: if the document is right, run `rectrack "
        "correct ",
        rec_->id, " --decision ", DecisionWords(response.decision()),
        " --reason \"...\"`."));
  }

  void Step(size_t i, v1::Command* c) {
    switch (c->op_case()) {
      case v1::Command::kAddRecommendation: {
        rec_ = MatchRec(c->add_recommendation());
        action_ = nullptr;
        if (rec_ != nullptr) {
          used_recs_.insert(rec_->id);
          resolved_[i] = rec_->id;
          return;
        }
        Resolve(c->mutable_add_recommendation()->mutable_review_id());
        Keep(i, std::move(*c));
        return;
      }
      case v1::Command::kRecordResponse:
        if (rec_ != nullptr && rec_->responded) {
          RecordedResponse(c->record_response());
          return;
        }
        if (rec_ != nullptr) {
          changes_->push_back(absl::StrCat(rec_->id, ": response recorded"));
        }
        Resolve(c->mutable_record_response()->mutable_recommendation_id());
        Keep(i, std::move(*c));
        return;
      case v1::Command::kAddAction:
        AddAction(i, c);
        return;
      case v1::Command::kSetActionStatus:
        if (action_ != nullptr &&
            action_->status == c->set_action_status().status()) {
          return;
        }
        if (action_ != nullptr) {
          changes_->push_back(absl::StrCat(action_->id, ": status changes"));
        }
        Resolve(c->mutable_set_action_status()->mutable_id());
        Keep(i, std::move(*c));
        return;
      case v1::Command::kReportProgress:
        if (action_ != nullptr) {
          for (const std::string& p : action_->progress) {
            if (Normal(p) == Normal(c->report_progress().text())) return;
          }
          changes_->push_back(absl::StrCat(action_->id, ": new progress"));
        }
        Resolve(c->mutable_report_progress()->mutable_id());
        Keep(i, std::move(*c));
        return;
      case v1::Command::kUpdateAction: {
        // A revised target of an action the tracker holds is compared
        // with it where the action is matched (AddAction).
        size_t n = 0;
        const std::string& id = c->update_action().id();
        if (absl::StartsWith(id, "$") && absl::SimpleAtoi(id.substr(1), &n) &&
            resolved_.count(n) > 0) {
          return;
        }
        Resolve(c->mutable_update_action()->mutable_id());
        Keep(i, std::move(*c));
        return;
      }
      default:
        Keep(i, std::move(*c));
    }
  }

  // The target the document gives the action added by command `i`: its
  // revised target where the plan revises it, else the one it is added with.
  std::string PlannedTimescale(size_t i) const {
    std::string wanted = plan_[i].command.add_action().timescale();
    const std::string self = absl::StrCat("$", i);
    for (size_t j = i + 1; j < plan_.size(); ++j) {
      const v1::Command& later = plan_[j].command;
      if (later.has_update_action() && later.update_action().id() == self &&
          !later.update_action().timescale().empty()) {
        wanted = later.update_action().timescale();
      }
    }
    return wanted;
  }

  void AddAction(size_t i, v1::Command* c) {
    action_ = nullptr;
    const v1::AddAction& add = c->add_action();
    if (rec_ != nullptr) {
      for (const auto& a : rec_->actions) {
        if (!used_actions_.count(a.id) &&
            Normal(a.text) == Normal(add.text())) {
          action_ = &a;
          break;
        }
      }
      for (size_t k = 0; action_ == nullptr && k < rec_->actions.size(); ++k) {
        const ExistingAction& a = rec_->actions[k];
        if (!used_actions_.count(a.id) && Reworded(a.text, add.text())) {
          action_ = &a;
          attention_->push_back(absl::StrCat(
              a.id, " (an action of recommendation ", rec_->ref,
              "): the document words it differently (", Quote(add.text()),
              "); read as the same action, its text kept. If it is a new "
              "action, add it by hand."));
        }
      }
    }
    if (action_ == nullptr) {
      Resolve(c->mutable_add_action()->mutable_recommendation_id());
      Keep(i, std::move(*c));
      return;
    }
    used_actions_.insert(action_->id);
    resolved_[i] = action_->id;
    const std::string wanted = PlannedTimescale(i);
    if (!wanted.empty() && wanted != action_->timescale) {
      v1::Command update;
      update.mutable_update_action()->set_id(action_->id);
      update.mutable_update_action()->set_timescale(wanted);
      update.mutable_update_action()->set_reason(
          "updated in the imported plan");
      changes_->push_back(absl::StrCat(action_->id, ": timescale \"",
                                       action_->timescale, "\" -> \"", wanted,
                                       "\""));
      out_.push_back({plan_[i].line, std::move(update)});
      where_->push_back(at_);
    }
  }

  const std::vector<FileCommand>& plan_;
  const std::vector<ExistingRecommendation>& existing_;
  std::vector<std::string>* where_;
  std::vector<std::string>* changes_;
  std::vector<std::string>* attention_;
  std::string at_;
  std::map<size_t, std::string> resolved_;
  std::set<std::string> used_recs_;
  std::set<std::string> doc_refs_;
  std::set<std::string> used_actions_;
  const ExistingRecommendation* rec_ = nullptr;
  const ExistingAction* action_ = nullptr;
  std::vector<FileCommand> out_;
};

}  // namespace

std::vector<FileCommand> ChangesAgainst(
    const std::vector<FileCommand>& plan,
    const std::vector<ExistingRecommendation>& existing,
    std::vector<std::string>* where, std::vector<std::string>* changes,
    std::vector<std::string>* attention) {
  Merger merger(plan, existing, where, changes, attention);
  return merger.Run();
}

}  // namespace rectrack::cli
