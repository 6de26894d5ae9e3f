#include "server/domain/index_entries.h"

#include "absl/strings/ascii.h"
#include "server/domain/derived.h"

namespace rectrack::domain {

// Index entries of each kind of entity: (index name, value). Recomputed
// from the state before and after every event; Verify rebuilds them.
IndexEntries IndexEntriesOf(const v1::Review& r) {
  return {
      {"review_by_committee", absl::AsciiStrToLower(Trimmed(r.committee()))}};
}

IndexEntries IndexEntriesOf(const v1::Recommendation& r) {
  IndexEntries out;
  for (std::string& word : SearchWords(r.text())) {
    out.insert({"rec_by_word", std::move(word)});
  }
  return out;
}

IndexEntries IndexEntriesOf(const v1::Action& a) {
  IndexEntries out;
  out.insert({"action_by_review", a.review_id()});
  out.insert({"action_by_status", v1::ActionStatus_Name(a.status())});
  for (const std::string& lead : a.leads()) {
    out.insert({"action_by_lead", absl::AsciiStrToLower(Trimmed(lead))});
  }
  for (std::string& word : SearchWords(a.text())) {
    out.insert({"action_by_word", std::move(word)});
  }
  const std::string& due = a.timescale().latest();
  if (!due.empty()) {
    out.insert({"action_by_due", due});
    if (IsOpen(a.status())) out.insert({"open_action_by_due", due});
  }
  if (IsOpen(a.status()) && a.slippage().revisions() > 1) {
    out.insert({"open_action_revised_twice", ""});
  }
  if (a.update_request().status() != v1::UPDATE_STATUS_UNSPECIFIED) {
    out.insert({"action_by_update_status",
                v1::UpdateStatus_Name(a.update_request().status())});
  }
  return out;
}

IndexEntries IndexEntriesOf(const v1::Person& /*person*/) { return {}; }

std::string PersonNameKey(const std::string& name) {
  return "names/person/" + absl::AsciiStrToLower(Trimmed(name));
}

}  // namespace rectrack::domain
