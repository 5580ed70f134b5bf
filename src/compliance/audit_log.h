// The audit log: one record per moderation decision or generation, written by
// one writer thread from a bounded queue into an audit store (audit_store.h):
// SQLite (WAL, synchronous=FULL; the embedded default, named by a file path)
// or PostgreSQL (named by a "postgresql://" connection string).
//
// Records hold the SHA-256 of input and output, never the raw text unless the
// policy pack sets audit.store_raw_text. "Acknowledged" means durable: append()
// returns OK only once the record's transaction has committed (or, in spool
// mode when the database cannot be written, once it is fsynced to the spool
// file), so a kill -9 loses nothing that was acknowledged.
//
// When the database cannot be written (disk full, locked, server down), the
// policy decides: fail closed (append fails, healthy() turns false, and the
// service must refuse requests), or spool to a local file (JSON lines;
// "<db>.spool" beside a SQLite file, given explicitly for PostgreSQL) and
// replay the spool into the database at the next successful write or open.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "compliance/audit_store.h"
#include "compliance/policy.h"
#include "core/status.h"

namespace zhi::compliance {

// Fills the hashes, and the raw texts only when `settings` allows it.
void set_audit_texts(const AuditSettings& settings, std::string_view input, std::string_view output,
                     AuditRecord* r);

int64_t now_ms();

class AuditLog {
 public:
  struct Options {
    std::string path;  // SQLite database file, or a PostgreSQL connection string
    // Where records wait while the database cannot be written. Default for a
    // SQLite file: path + ".spool"; required for PostgreSQL in spool mode.
    std::string spool_path;
    size_t queue_capacity = 1024;
    AuditFailureMode on_failure = AuditFailureMode::kFailClosed;
    int busy_timeout_ms = 2000;  // how long a write waits for a lock before it counts as failed
  };

  static Result<std::unique_ptr<AuditLog>> open(Options options);
  ~AuditLog();  // drains the queue and stops the writer
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Queues the record (waiting while the queue is full) and returns once it is durable.
  Status append(AuditRecord r);
  // Queues without waiting for durability; flush() waits for all queued so far.
  Status append_async(AuditRecord r);
  Status flush();

  // False once a write failed in fail-closed mode.
  bool healthy() const;
  // Records written to the spool and not yet replayed.
  size_t spooled() const;

 private:
  explicit AuditLog(Options o) : opt_(std::move(o)) {}
  Status enqueue(AuditRecord r, uint64_t* seq);
  Status wait_for(uint64_t seq);
  void writer_loop();
  Status write_batch(const std::vector<AuditRecord>& batch);
  Status spool_batch(const std::vector<AuditRecord>& batch);
  Status replay_spool();

  Options opt_;
  std::unique_ptr<AuditStore> store_;

  mutable std::mutex mu_;
  std::condition_variable queue_cv_;  // writer waits for work; producers wait for room
  std::condition_variable done_cv_;   // producers wait for durability
  std::deque<std::pair<uint64_t, AuditRecord>> queue_;
  uint64_t next_seq_ = 1;
  uint64_t done_seq_ = 0;              // every seq <= this has been handled
  std::map<uint64_t, Status> failed_;  // seqs whose write failed (fail-closed), until waited for
  bool healthy_ = true;
  bool stop_ = false;
  size_t spooled_ = 0;
  std::thread writer_;
};

// Maintenance and reading, on their own connection. `path`: a SQLite file or a
// PostgreSQL connection string.
Result<AuditStats> audit_stats(const std::string& path);
// Deletes records older than `retention_days` before `now_ms`; returns how many.
Result<int64_t> audit_purge(const std::string& path, int retention_days, int64_t now_ms);
// Writes records with time_ms >= since_ms as JSON lines, oldest first; returns how many.
Result<int64_t> audit_export_jsonl(const std::string& path, int64_t since_ms, std::ostream& out);
Result<std::optional<AuditRecord>> audit_find_produce_id(const std::string& path,
                                                         const std::string& produce_id);

}  // namespace zhi::compliance
