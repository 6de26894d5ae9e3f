// Who makes a request, and what they may change. The permission that
// depends on state (an officer may update only the actions it leads) is
// checked by the committer against the state each command is applied to,
// never against state read when the request arrived, which may have
// changed by the time it is written.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "rectrack/v1/commands.pb.h"
#include "rectrack/v1/domain.pb.h"

namespace rectrack::domain {

// Decides, inside the commit, whether one command may run.
class CommandGuard {
 public:
  virtual ~CommandGuard() = default;
  // `action` is the action the command changes, as it stands at that point
  // of the commit (after the request's earlier commands), or null when the
  // command is not a change to an existing action. A non-OK status refuses
  // the command; its message is shown to the caller as it is.
  virtual absl::Status Admit(const v1::Command& command,
                             const v1::Action* action) const = 0;
};

struct Actor {
  // May make every change. Implicit so that tools and tests can pass a name.
  Actor(std::string actor_name)  // NOLINT(google-explicit-constructor)
      : name(std::move(actor_name)) {}
  Actor(const char* actor_name)  // NOLINT(google-explicit-constructor)
      : name(actor_name) {}
  Actor(std::string actor_name, std::shared_ptr<const CommandGuard> g)
      : name(std::move(actor_name)), guard(std::move(g)) {}

  // Recorded as the actor of every event.
  std::string name;
  // Null: every command may run.
  std::shared_ptr<const CommandGuard> guard;
};

}  // namespace rectrack::domain
