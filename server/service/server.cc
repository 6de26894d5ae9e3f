#include "server/service/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "server/service/access_log.h"

namespace rectrack::service {
namespace {

// Largest request message accepted (see tracker.proto).
constexpr int kMaxMessageBytes = 16 * 1024 * 1024;

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(ServerOptions options) {
  std::unique_ptr<Server> server(new Server());
  server->options_ = options;
  if (!options.restore_from.empty()) {
    RECTRACK_RETURN_IF_ERROR(store::EventStore::RestoreFromBackup(
        options.restore_from, options.data_dir));
  }
  store::StoreOptions store_options;
  store_options.clock = options.clock;
  RECTRACK_ASSIGN_OR_RETURN(
      server->store_, store::EventStore::Open(options.data_dir, store_options));
  server->tracker_ = std::make_unique<domain::Tracker>(server->store_.get());
  if (server->store_->projections_stale()) {
    // Written by an older rectrackd: its state and indexes are rebuilt
    // from the log, which never changes form.
    RECTRACK_ASSIGN_OR_RETURN(uint64_t events,
                              server->tracker_->RebuildProjections());
    Log(options.clock, "info",
        "rebuilt state and indexes from the event log for this version",
        {{"events", static_cast<double>(events)}});
  }
  server->service_ = std::make_unique<TrackerService>(server->tracker_.get());

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // Without this, a second server on the same port would silently share it.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(),
                           &server->port_);
    builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  if (options.access_log) {
    std::vector<
        std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
        creators;
    creators.push_back(std::make_unique<AccessLogFactory>(options.clock));
    builder.experimental().SetInterceptorCreators(std::move(creators));
  }
  builder.RegisterService(server->service_.get());
  server->grpc_server_ = builder.BuildAndStart();
  if (server->grpc_server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", options.listen,
        ": the address is in use or not valid here; choose another --listen"));
  }
  return server;
}

std::string Server::address() const {
  std::string host(options_.listen.substr(0, options_.listen.rfind(':')));
  return absl::StrCat(host, ":", port_);
}

void Server::Shutdown(absl::Duration grace) {
  if (grpc_server_ == nullptr) {
    return;
  }
  if (auto* health = grpc_server_->GetHealthCheckService()) {
    health->SetServingStatus(false);
  }
  store_->StopAccepting();
  grpc_server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  grpc_server_->Wait();
  grpc_server_.reset();
  service_.reset();
  tracker_.reset();
  store_.reset();  // joins the committer and closes the database
}

Server::~Server() { Shutdown(); }

}  // namespace rectrack::service
