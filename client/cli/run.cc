#include "client/cli/run.h"

#include <exception>
#include <iostream>
#include <utility>

#include "client/cli/commands.h"
#include "client/cli/connection.h"
#include "client/cli/context.h"
#include "client/cli/parser.h"

namespace rectrack::cli {
namespace {

int RunCommand(const std::vector<std::string>& args) {
  CommandLine command_line(AllCommands());
  absl::StatusOr<Invocation> invocation = command_line.Parse(args);
  if (!invocation.ok()) return PrintError(invocation.status());
  if (invocation->command == nullptr) {
    std::cout << invocation->help;
    return invocation->help_exit_code;
  }
  Context ctx;
  ctx.options = invocation->options.get();
  ctx.words = std::move(invocation->words);
  ctx.positional = std::move(invocation->positional);
  ctx.commands = &command_line.tree();
  ctx.server = ctx.Get("--server").value_or(kDefaultServer);
  ctx.json = ctx.Has("--json");
  absl::StatusOr<client::ConnectOptions> connect =
      ConnectOptionsOf(*ctx.options);
  if (!connect.ok()) return PrintError(connect.status());
  ctx.channel = client::Connect(ctx.server, *connect);
  auto stub = v1::Tracker::NewStub(ctx.channel);
  ctx.stub = stub.get();
  absl::Status status = invocation->command->run(ctx);
  return status.ok() ? 0 : PrintError(status);
}

}  // namespace

int Run(const std::vector<std::string>& args) {
  try {
    return RunCommand(args);
  } catch (const std::exception& e) {
    // Parse errors are caught where CLI11 throws them; this is for a
    // declaration CLI11 refuses (two options of one name) and the like.
    return PrintError(absl::InternalError(e.what()));
  }
}

}  // namespace rectrack::cli
