// Moving commands in and out of files: the JSONL format of `rectrack import`
// and `rectrack export`, one Command per line in the protobuf JSON mapping.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rectrack/v1/commands.pb.h"
#include "rectrack/v1/events.pb.h"

namespace rectrack::cli {

// Longest line (or CSV record) an import reads.
inline constexpr size_t kMaxLineBytes = 1 << 20;

struct FileCommand {
  int line;  // 1-based line in the file
  v1::Command command;
};

// Parses JSONL: one Command per non-blank line. INVALID_ARGUMENT listing
// every problem as "line N: ..." (one per line of the message).
absl::StatusOr<std::vector<FileCommand>> ParseJsonl(absl::string_view content);

// In a file, "$N" names the entity created by the file's command N (from
// 0). For a chunk starting at command `chunk_start`, rewrites references
// to earlier chunks to the ids they created (`created[N]`) and references
// inside the chunk to count from the chunk's start. INVALID_ARGUMENT for a
// reference to a command not yet applied.
absl::Status RebaseReferences(v1::Command* command, size_t chunk_start,
                              const std::vector<std::string>& created);

// The command that re-creates `event` (its payload is the validated
// command that produced it).
v1::Command CommandFromEvent(const v1::Event& event);

// A stable 64-bit FNV-1a hash, as 16 hex digits (request ids of imports).
std::string StableHash(absl::string_view bytes);

}  // namespace rectrack::cli
