// The secondary index entries each kind of entity calls for. The decider
// keeps them in step with every event; verify and rebuild recompute them
// from folded state, so all three agree by construction.
#pragma once

#include <set>
#include <string>
#include <utility>

#include "rectrack/v1/domain.pb.h"

namespace rectrack::domain {

// (index name, value) pairs.
using IndexEntries = std::set<std::pair<std::string, std::string>>;

// A review is found by its committee (lower case).
IndexEntries IndexEntriesOf(const v1::Review& review);
// A recommendation is found by the words of its text.
IndexEntries IndexEntriesOf(const v1::Recommendation& recommendation);
// An action is found by review, status, lead, words, due day, and (while
// open) due day and "revised more than once".
IndexEntries IndexEntriesOf(const v1::Action& action);
// A person is found by name through its own state key (PersonNameKey), so
// that the committer can look it up; no index entries.
IndexEntries IndexEntriesOf(const v1::Person& person);
// The state key holding the id of the person called `name` (any case).
std::string PersonNameKey(const std::string& name);

}  // namespace rectrack::domain
