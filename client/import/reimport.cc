#include "client/import/reimport.h"

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

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

class Merger {
 public:
  Merger(const std::vector<FileCommand>& plan,
         const std::vector<ExistingRecommendation>& existing,
         std::vector<std::string>* where, std::vector<std::string>* changes)
      : plan_(plan), existing_(existing), where_(where), changes_(changes) {}

  std::vector<FileCommand> Run() {
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

  const ExistingRecommendation* MatchRec(const v1::AddRecommendation& add) {
    for (const auto& r : existing_) {
      if (!used_recs_.count(r.id) && !add.ref().empty() && r.ref == add.ref()) {
        return &r;
      }
    }
    for (const auto& r : existing_) {
      if (!used_recs_.count(r.id) && Normal(r.text) == Normal(add.text())) {
        return &r;
      }
    }
    return nullptr;
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
        if (rec_ != nullptr && rec_->responded) return;
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
      default:
        Keep(i, std::move(*c));
    }
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
    }
    if (action_ == nullptr) {
      Resolve(c->mutable_add_action()->mutable_recommendation_id());
      Keep(i, std::move(*c));
      return;
    }
    used_actions_.insert(action_->id);
    resolved_[i] = action_->id;
    if (!add.timescale().empty() && add.timescale() != action_->timescale) {
      v1::Command update;
      update.mutable_update_action()->set_id(action_->id);
      update.mutable_update_action()->set_timescale(add.timescale());
      update.mutable_update_action()->set_reason(
          "updated in the imported plan");
      changes_->push_back(absl::StrCat(action_->id, ": timescale \"",
                                       action_->timescale, "\" -> \"",
                                       add.timescale(), "\""));
      out_.push_back({plan_[i].line, std::move(update)});
      where_->push_back(at_);
    }
  }

  const std::vector<FileCommand>& plan_;
  const std::vector<ExistingRecommendation>& existing_;
  std::vector<std::string>* where_;
  std::vector<std::string>* changes_;
  std::string at_;
  std::map<size_t, std::string> resolved_;
  std::set<std::string> used_recs_;
  std::set<std::string> used_actions_;
  const ExistingRecommendation* rec_ = nullptr;
  const ExistingAction* action_ = nullptr;
  std::vector<FileCommand> out_;
};

}  // namespace

std::vector<FileCommand> ChangesAgainst(
    const std::vector<FileCommand>& plan,
    const std::vector<ExistingRecommendation>& existing,
    std::vector<std::string>* where, std::vector<std::string>* changes) {
  Merger merger(plan, existing, where, changes);
  return merger.Run();
}

}  // namespace rectrack::cli
