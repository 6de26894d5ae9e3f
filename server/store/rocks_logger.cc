#include "server/store/rocks_logger.h"

#include <cstdio>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace rectrack::store {
namespace {

class JsonRocksLogger final : public rocksdb::Logger {
 public:
  JsonRocksLogger(Clock* clock, rocksdb::InfoLogLevel level)
      : rocksdb::Logger(level), clock_(clock) {}

  // RocksDB calls this form for messages without a level (they count as
  // info).
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }

  void Logv(const rocksdb::InfoLogLevel level, const char* format,
            va_list ap) override {
    if (level < GetInfoLogLevel()) return;
    char buffer[2048];
    va_list copy;
    va_copy(copy, ap);
    int n = std::vsnprintf(buffer, sizeof buffer, format, copy);
    va_end(copy);
    if (n < 0) return;
    std::string text(buffer, std::min<size_t>(n, sizeof buffer - 1));
    Log(clock_, Severity(level),
        absl::StrCat("rocksdb: ", absl::StripTrailingAsciiWhitespace(text)));
  }

 private:
  static const char* Severity(rocksdb::InfoLogLevel level) {
    switch (level) {
      case rocksdb::InfoLogLevel::DEBUG_LEVEL:
        return "debug";
      case rocksdb::InfoLogLevel::INFO_LEVEL:
      case rocksdb::InfoLogLevel::HEADER_LEVEL:
        return "info";
      case rocksdb::InfoLogLevel::WARN_LEVEL:
        return "warning";
      default:
        return "error";
    }
  }

  Clock* clock_;
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewJsonRocksLogger(
    Clock* clock, rocksdb::InfoLogLevel level) {
  return std::make_shared<JsonRocksLogger>(clock, level);
}

}  // namespace rectrack::store
