// RocksDB's own messages (its "info log") routed into rectrackd's JSON log
// on stderr instead of a LOG file in the data directory.
//
// Why: RocksDB writes its info log to DATA_DIR/LOG through a buffered file
// writer. When the disk fills, a write to that file fails and the next
// flush or sync of it trips an assertion in the writer
// (writable_file_writer.h, "sync_without_flush_called_"); Debian's
// librocksdb7.8 is built with assertions on, so rectrackd aborted on a full
// disk, and again at every start while the disk stayed full. A logger of
// our own writes nothing to the data directory, so a full disk can only
// make database writes fail, and those are refused cleanly.
#pragma once

#include <cstdarg>
#include <memory>

#include "common/clock.h"
#include "rocksdb/env.h"

namespace rectrack::store {

// Messages at `level` and above become log lines {"level": ...,
// "msg": "rocksdb: ..."}. `clock` is not owned.
std::shared_ptr<rocksdb::Logger> NewJsonRocksLogger(
    Clock* clock,
    rocksdb::InfoLogLevel level = rocksdb::InfoLogLevel::WARN_LEVEL);

}  // namespace rectrack::store
