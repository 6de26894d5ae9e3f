// Arbitrary input as an ApplyRequest, checked the way rectrackd checks a
// request (text and enum checks, then the domain rules in a dry run against
// a database holding a review, a recommendation and an action, as a
// scrutiny user and as an officer leading that action): never a crash, and
// every refusal names its problem.
//
// Input whose first byte is odd is decoded as a sequence of commands built
// from the bytes (operation, target among the ids that exist, any 32-bit
// enum value, text), so that the rules behind a valid id and an out-of-range
// enum are reached at once; even input is parsed as protobuf's wire form.
// The domain is run even when the request checks refuse it: it must never
// rely on them not to crash.
#include <fuzzer/FuzzedDataProvider.h>
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

namespace v1 = rectrack::v1;

struct World {
  std::unique_ptr<rectrack::store::EventStore> store;
  std::unique_ptr<rectrack::domain::Tracker> tracker;
  rectrack::domain::Actor officer{""};
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
    v1::ApplyRequest seed;
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
    response->set_decision(v1::DECISION_ACCEPTED);
    response->set_text("Agreed");
    auto* action = seed.add_commands()->mutable_add_action();
    action->set_recommendation_id("$1");
    action->set_text("Do it");
    action->add_leads("Lead");
    action->set_timescale("Sept 10?");
    if (!w->tracker->ApplyAndWait(seed, "fuzz").ok()) std::abort();
    rectrack::service::Principal officer;
    officer.actor = "officer";
    officer.role = rectrack::service::Role::kOfficer;
    officer.leads = {"Lead"};
    w->officer = rectrack::service::Access::ActorOf(officer);
    return w;
  }();
  return *world;
}

std::string Id(FuzzedDataProvider& in) {
  static const char* const kIds[] = {"review-1", "rec-1",     "action-1",
                                     "$0",       " action-1", "action-2"};
  if (in.ConsumeBool()) return in.ConsumeRandomLengthString(16);
  return kIds[in.ConsumeIntegralInRange<size_t>(0, 5)];
}

// One command of every kind the decoder can name, with any enum value.
void AddCommand(FuzzedDataProvider& in, v1::ApplyRequest* request) {
  v1::Command* c = request->add_commands();
  const std::string text = in.ConsumeRandomLengthString(32);
  switch (in.ConsumeIntegralInRange<int>(0, 6)) {
    case 0: {
      auto* s = c->mutable_set_action_status();
      s->set_id(Id(in));
      s->set_status(static_cast<v1::ActionStatus>(in.ConsumeIntegral<int>()));
      s->set_effective_on(text);
      break;
    }
    case 1: {
      auto* s = c->mutable_set_recommendation_status();
      s->set_recommendation_id(Id(in));
      s->set_status(
          static_cast<v1::RecommendationStatus>(in.ConsumeIntegral<int>()));
      break;
    }
    case 2: {
      auto* r = c->mutable_record_response();
      r->set_recommendation_id(Id(in));
      r->set_decision(static_cast<v1::Decision>(in.ConsumeIntegral<int>()));
      r->set_text(text);
      r->set_reason(text);
      break;
    }
    case 3: {
      auto* p = c->mutable_report_progress();
      p->set_id(Id(in));
      p->set_text(text);
      p->set_reported_on(in.ConsumeRandomLengthString(12));
      break;
    }
    case 4: {
      auto* u = c->mutable_update_action();
      u->set_id(Id(in));
      u->set_timescale(text);
      u->set_reason(text);
      break;
    }
    case 5: {
      auto* a = c->mutable_add_action();
      a->set_recommendation_id(Id(in));
      a->set_text(text);
      a->add_leads(in.ConsumeRandomLengthString(8));
      a->set_timescale(in.ConsumeRandomLengthString(16));
      break;
    }
    default:
      c->mutable_schedule_report_back()->set_review_id(Id(in));
      c->mutable_schedule_report_back()->set_date(text);
      break;
  }
  if (in.ConsumeBool()) c->set_expected_version(in.ConsumeIntegral<uint8_t>());
}

void Check(const absl::StatusOr<v1::ApplyResponse>& result,
           const v1::ApplyRequest& request) {
  if (!result.ok() && result.status().message().empty()) std::abort();
  if (result.ok() && result->results_size() != request.commands_size()) {
    std::abort();  // one result per command
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World& world = TheWorld();
  v1::ApplyRequest request;
  if (size > 0 && (data[0] & 1) != 0) {
    FuzzedDataProvider in(data + 1, size - 1);
    const int commands = in.ConsumeIntegralInRange<int>(1, 8);
    for (int i = 0; i < commands; ++i) AddCommand(in, &request);
  } else if (!request.ParseFromArray(data, static_cast<int>(size))) {
    return 0;
  }
  absl::Status checked = rectrack::service::CheckText(request);
  if (!checked.ok() && checked.message().empty()) std::abort();
  request.set_dry_run(true);  // the rules without growing the database
  request.clear_request_id();
  Check(world.tracker->ApplyAndWait(request, "fuzz"), request);
  Check(world.tracker->ApplyAndWait(request, world.officer), request);
  return 0;
}
