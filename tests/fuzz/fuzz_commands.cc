// Arbitrary bytes as an ApplyRequest, checked the way rectrackd checks a
// request (text limits, then the domain rules in a dry run against a
// database holding a review, a recommendation and an action): never a
// crash, and every refusal names its problem.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "rectrack/v1/tracker.pb.h"
#include "server/domain/tracker.h"
#include "server/service/access.h"
#include "server/store/event_store.h"

namespace {

struct World {
  std::unique_ptr<rectrack::store::EventStore> store;
  std::unique_ptr<rectrack::domain::Tracker> tracker;
};

World& TheWorld() {
  static World* world = [] {
    auto* w = new World;
    char dir[] = "/tmp/rectrack-fuzz-XXXXXX";
    if (mkdtemp(dir) == nullptr) std::abort();
    auto store = rectrack::store::EventStore::Open(dir);
    if (!store.ok()) std::abort();
    w->store = *std::move(store);
    w->tracker = std::make_unique<rectrack::domain::Tracker>(w->store.get());
    rectrack::v1::ApplyRequest seed;
    auto* open = seed.add_commands()->mutable_open_review();
    open->set_title("Fuzz");
    open->set_committee("Fuzz committee");
    open->set_published_on("2007-05-17");
    auto* rec = seed.add_commands()->mutable_add_recommendation();
    rec->set_review_id("$0");
    rec->set_ref("1");
    rec->set_text("Text");
    auto* response = seed.add_commands()->mutable_record_response();
    response->set_recommendation_id("$1");
    response->set_decision(rectrack::v1::DECISION_ACCEPTED);
    response->set_text("Agreed");
    auto* action = seed.add_commands()->mutable_add_action();
    action->set_recommendation_id("$1");
    action->set_text("Do it");
    action->add_leads("Lead");
    action->set_timescale("Sept 10?");
    if (!w->tracker->ApplyAndWait(seed, "fuzz").ok()) std::abort();
    return w;
  }();
  return *world;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World& world = TheWorld();
  rectrack::v1::ApplyRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  if (!rectrack::service::CheckText(request).ok()) return 0;
  request.set_dry_run(true);  // the rules without growing the database
  request.clear_request_id();
  auto result = world.tracker->ApplyAndWait(request, "fuzz");
  if (!result.ok() && result.status().message().empty()) std::abort();
  if (result.ok() && result->results_size() != request.commands_size()) {
    std::abort();  // one result per command
  }
  return 0;
}
