// Where audit records live: SQLite (the embedded default, a file path) or
// PostgreSQL (for fleets, a "postgresql://" or "postgres://" connection
// string). AuditLog queues and spools in front of a store; the maintenance
// functions in audit_log.h open one by target. Both stores commit a batch as
// one transaction and ignore a record whose uid is already stored, so a
// spool replayed twice, or a batch whose commit outcome was unknown and was
// spooled, never duplicates a record.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace zhi::compliance {

struct AuditRecord {
  std::string
      uid;  // unique per record; filled by append() when empty (makes spool replay idempotent)
  int64_t time_ms = 0;  // Unix time, milliseconds; filled by append() when 0
  std::string request_id;
  std::string produce_id;  // AIGC ProduceID of the output, when there is one
  std::string region;
  std::string feature;
  std::string provider;
  std::string decision;  // "allow", "flag", "mask", "refuse"
  std::string category;
  std::string rule;  // term source ("file:line"), for operators
  std::string input_sha256;
  std::string output_sha256;
  std::string input_text;   // only when the policy stores raw text
  std::string output_text;  // only when the policy stores raw text
};

struct AuditStats {
  int64_t records = 0;
  int64_t oldest_ms = 0;
  int64_t newest_ms = 0;
  std::map<std::string, int64_t> by_decision;
};

// One JSON line of an export or a spool (no trailing newline).
std::string audit_record_line(const AuditRecord& r);
// False when the line is not a record (a torn spool line, say).
bool parse_audit_record_line(std::string_view line, AuditRecord* r);

class AuditStore {
 public:
  virtual ~AuditStore() = default;
  // All of `batch` in one transaction, or none of it. Records whose uid is
  // already stored are skipped.
  virtual Status write_batch(const std::vector<AuditRecord>& batch) = 0;
  virtual Result<AuditStats> stats() = 0;
  // Deletes records with time_ms < cutoff_ms; returns how many.
  virtual Result<int64_t> purge_before(int64_t cutoff_ms) = 0;
  // Records with time_ms >= since_ms as JSON lines, oldest first; returns how many.
  virtual Result<int64_t> export_jsonl(int64_t since_ms, std::ostream& out) = 0;
  virtual Result<std::optional<AuditRecord>> find_produce_id(const std::string& produce_id) = 0;
  // The target for messages (a PostgreSQL password is never shown).
  virtual const std::string& name() const = 0;
};

enum class AuditStoreMode {
  kWriter,    // creates the database and schema when missing
  kReadOnly,  // export, stats, lookups; the database must exist
  kMaintain,  // purge; the database must exist
};

// True for "postgresql://..." and "postgres://..." connection strings.
bool is_postgres_target(std::string_view target);
// `target` with any password replaced by "***", for messages.
std::string redact_target(std::string_view target);

// `busy_timeout_ms`: how long a write waits for a lock held elsewhere before
// it fails (SQLite busy timeout; PostgreSQL lock_timeout, and the connect
// timeout rounded up to whole seconds, at least 2). `may_start_offline`: a
// PostgreSQL writer whose server is unreachable still opens, and connects at
// its first write (for spool mode, which must keep serving while it is down).
Result<std::unique_ptr<AuditStore>> open_audit_store(const std::string& target, AuditStoreMode mode,
                                                     int busy_timeout_ms = 2000,
                                                     bool may_start_offline = false);

Result<std::unique_ptr<AuditStore>> open_sqlite_audit_store(const std::string& path,
                                                            AuditStoreMode mode,
                                                            int busy_timeout_ms);
Result<std::unique_ptr<AuditStore>> open_postgres_audit_store(const std::string& url,
                                                              AuditStoreMode mode, int timeout_ms,
                                                              bool may_start_offline);

}  // namespace zhi::compliance
