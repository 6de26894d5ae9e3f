#include "server/domain/commands.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "server/domain/decider.h"

namespace rectrack::domain {
namespace {

std::string Fingerprint(const v1::ApplyRequest& request) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    for (const v1::Command& c : request.commands()) {
      c.SerializeToCodedStream(&coded);
    }
  }
  return out;
}

absl::Status CheckSize(const v1::ApplyRequest& request) {
  if (request.commands().empty()) {
    return absl::InvalidArgumentError(
        "commands: the request has no commands; give at least one");
  }
  if (request.commands_size() > kMaxCommandsPerRequest) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "a request may hold at most ", kMaxCommandsPerRequest,
        " commands and this one has ", request.commands_size(),
        "; split it into smaller requests, or stream them with BulkApply"));
  }
  return absl::OkStatus();
}

// Several results stored as one: each is a u32 big-endian length, then it.
std::string JoinResults(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) {
    uint32_t n = static_cast<uint32_t>(p.size());
    for (int shift = 24; shift >= 0; shift -= 8) {
      out.push_back(static_cast<char>((n >> shift) & 0xFF));
    }
    out += p;
  }
  return out;
}

// The decider for `chunks`, applied in order in one transaction as if they
// were one request ("$N" counts across them). With more than one chunk,
// errors name the chunk.
store::EventStore::Decider DecideChunks(
    const std::shared_ptr<const std::vector<v1::ApplyRequest>>& chunks,
    const Actor& actor, UpdateSettings settings) {
  return [chunks, actor,
          settings](store::Transaction& txn) -> absl::StatusOr<std::string> {
    std::vector<std::string> results;
    // A dry run reports every problem; a real run stops at the first.
    const bool dry_run = (*chunks)[0].dry_run();
    RequestDecider decider(txn, actor, dry_run, settings);
    absl::Status first_failure;          // its code and details are the reply's
    google::rpc::BadRequest violations;  // of every chunk
    std::vector<std::string> problems;
    for (size_t i = 0; i < chunks->size(); ++i) {
      absl::StatusOr<v1::ApplyResponse> response =
          decider.Run((*chunks)[i].commands());
      if (response.ok()) {
        results.push_back(response->SerializeAsString());
        continue;
      }
      if (first_failure.ok()) first_failure = response.status();
      if (auto bad = BadRequestOf(response.status())) {
        violations.MergeFrom(*bad);
      }
      for (absl::string_view line :
           absl::StrSplit(response.status().message(), '\n')) {
        problems.push_back(chunks->size() == 1
                               ? std::string(line)
                               : absl::StrCat("chunk ", i, ": ", line));
      }
      if (!dry_run) break;
    }
    if (!problems.empty()) {
      absl::Status out = Reworded(first_failure, absl::StrJoin(problems, "\n"));
      SetBadRequest(&out, violations);
      return out;
    }
    return JoinResults(results);
  };
}

// Request ids are the caller's own, and an Apply's are apart from an
// all-or-nothing BulkApply's: one caller can neither replay another's
// request (and read its result) nor claim an id first to make another's
// request fail.
std::string RequestScope(absl::string_view kind, const Actor& actor) {
  return absl::StrCat(kind, "/", actor.name);
}

}  // namespace

absl::StatusOr<std::vector<v1::ApplyResponse>> SplitResults(
    absl::string_view bytes, bool replayed) {
  std::vector<v1::ApplyResponse> out;
  while (!bytes.empty()) {
    if (bytes.size() < 4) {
      return absl::DataLossError(
          "the stored result of this request is damaged");
    }
    uint32_t n = 0;
    for (int i = 0; i < 4; ++i) {
      n = (n << 8) | static_cast<uint8_t>(bytes[i]);
    }
    bytes.remove_prefix(4);
    v1::ApplyResponse response;
    if (n > bytes.size() ||
        !response.ParseFromArray(bytes.data(), static_cast<int>(n))) {
      return absl::DataLossError(
          "the stored result of this request is damaged");
    }
    bytes.remove_prefix(n);
    response.set_replayed(replayed);
    out.push_back(std::move(response));
  }
  return out;
}

void Commands::Apply(const v1::ApplyRequest& request, const Actor& actor,
                     ApplyDone done, absl::Time deadline) {
  if (absl::Status s = CheckSize(request); !s.ok()) {
    done(s);
    return;
  }
  store::RequestInfo info{request.request_id(),
                          Fingerprint(request),
                          request.correlation_id(),
                          request.dry_run(),
                          deadline,
                          RequestScope("apply", actor)};
  // The decider runs later on the committer thread: it owns its copy.
  auto chunks = std::make_shared<const std::vector<v1::ApplyRequest>>(
      std::vector<v1::ApplyRequest>{request});
  store_->Submit(
      std::move(info), DecideChunks(chunks, actor, settings_),
      [done = std::move(done)](absl::StatusOr<store::CommitResult> result) {
        if (!result.ok()) {
          done(result.status());
          return;
        }
        auto responses = SplitResults(result->result, result->replayed);
        if (!responses.ok()) {
          done(responses.status());
          return;
        }
        done(std::move(responses->at(0)));
      });
}

void Commands::ApplyAll(std::vector<v1::ApplyRequest> chunks,
                        const Actor& actor, ApplyAllDone done) {
  if (chunks.empty()) {
    done(absl::InvalidArgumentError("no chunks were sent"));
    return;
  }
  size_t total = 0;
  std::string fingerprint;
  for (size_t i = 0; i < chunks.size(); ++i) {
    if (absl::Status s = CheckSize(chunks[i]); !s.ok()) {
      done(
          absl::Status(s.code(), absl::StrCat("chunk ", i, ": ", s.message())));
      return;
    }
    total += chunks[i].commands_size();
    fingerprint += Fingerprint(chunks[i]);
  }
  if (total > static_cast<size_t>(kMaxCommandsAllOrNothing)) {
    done(absl::ResourceExhaustedError(absl::StrCat(
        "an all-or-nothing batch may hold at most ", kMaxCommandsAllOrNothing,
        " commands and this one has ", total,
        "; send it without all_or_nothing, chunk by chunk")));
    return;
  }
  const v1::ApplyRequest& first = chunks[0];
  store::RequestInfo info{first.request_id(),     std::move(fingerprint),
                          first.correlation_id(), first.dry_run(),
                          absl::InfiniteFuture(), RequestScope("bulk", actor)};
  auto shared =
      std::make_shared<const std::vector<v1::ApplyRequest>>(std::move(chunks));
  store_->Submit(
      std::move(info), DecideChunks(shared, actor, settings_),
      [done = std::move(done)](absl::StatusOr<store::CommitResult> result) {
        if (!result.ok()) {
          done(result.status());
          return;
        }
        done(SplitResults(result->result, result->replayed));
      });
}

absl::StatusOr<v1::ApplyResponse> Commands::ApplyAndWait(
    const v1::ApplyRequest& request, const Actor& actor) {
  absl::Notification finished;
  absl::StatusOr<v1::ApplyResponse> outcome;
  Apply(request, actor, [&](absl::StatusOr<v1::ApplyResponse> r) {
    outcome = std::move(r);
    finished.Notify();
  });
  finished.WaitForNotification();
  return outcome;
}

}  // namespace rectrack::domain
