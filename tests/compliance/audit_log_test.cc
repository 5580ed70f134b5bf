// The audit log: records are durable once acknowledged (even across kill -9),
// never hold raw text unless the policy says so, a write failure follows the
// policy (fail closed, or spool and replay), and retention purge and export work.
#include "compliance/audit_log.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include "compliance/sha256.h"
#include "test_paths.h"

namespace zhi::compliance {
namespace {

std::string fresh_db(const std::string& name) {
  const std::string path = zhi::testing::temp_dir() + "/" + name + ".db";
  for (const char* suffix : {"", "-wal", "-shm", ".spool"}) std::filesystem::remove(path + suffix);
  return path;
}

AuditLog::Options opts(const std::string& db) {
  AuditLog::Options o;
  o.path = db;
  return o;
}

AuditRecord record(const std::string& request, int64_t time_ms = 0) {
  AuditRecord r;
  r.time_ms = time_ms;
  r.request_id = request;
  r.produce_id = "pid-" + request;
  r.region = "cn";
  r.feature = "chat";
  r.provider = "local-qwen";
  r.decision = "allow";
  set_audit_texts(AuditSettings{}, "input " + request, "output " + request, &r);
  return r;
}

int64_t count(const std::string& db) {
  Result<AuditStats> s = audit_stats(db);
  EXPECT_TRUE(s.ok()) << s.status().to_string();
  return s.ok() ? s->records : -1;
}

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(AuditLog, RawTextOnlyWhenThePolicySaysSo) {
  AuditRecord r;
  set_audit_texts(AuditSettings{}, "secret input", "secret output", &r);
  EXPECT_EQ(r.input_sha256, sha256_hex("secret input"));
  EXPECT_TRUE(r.input_text.empty());
  EXPECT_TRUE(r.output_text.empty());
  AuditSettings raw;
  raw.store_raw_text = true;
  set_audit_texts(raw, "secret input", "secret output", &r);
  EXPECT_EQ(r.output_text, "secret output");
}

TEST(AuditLog, AppendsConcurrentlyAndExports) {
  const std::string db = fresh_db("concurrent");
  {
    Result<std::unique_ptr<AuditLog>> log = AuditLog::open(opts(db));
    ASSERT_TRUE(log.ok()) << log.status().to_string();
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 250; ++i)
          failures += !(*log)->append(record(std::to_string(t * 1000 + i))).ok();
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_TRUE((*log)->healthy());
  }
  EXPECT_EQ(count(db), 1000);
  std::ostringstream out;
  Result<int64_t> n = audit_export_jsonl(db, 0, out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1000);
  EXPECT_EQ(out.str().find("input 1"), std::string::npos);  // hashes only
  EXPECT_NE(out.str().find(sha256_hex("input 3249")), std::string::npos);
  Result<std::optional<AuditRecord>> found = audit_find_produce_id(db, "pid-2007");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->request_id, "2007");
}

TEST(AuditLog, RetentionPurgeAndExportSince) {
  const std::string db = fresh_db("retention");
  const int64_t day = 86400000, now = 1750000000000;
  {
    Result<std::unique_ptr<AuditLog>> log = AuditLog::open(opts(db));
    ASSERT_TRUE(log.ok());
    for (int age : {400, 200, 184, 182, 30, 0})
      ASSERT_TRUE((*log)->append_async(record(std::to_string(age), now - age * day)).ok());
    ASSERT_TRUE((*log)->flush().ok());
  }
  std::ostringstream recent;
  ASSERT_EQ(audit_export_jsonl(db, now - 31 * day, recent).value(), 2);
  Result<int64_t> purged = audit_purge(db, 183, now);  // six months
  ASSERT_TRUE(purged.ok()) << purged.status().to_string();
  EXPECT_EQ(*purged, 3);
  EXPECT_EQ(count(db), 3);
  EXPECT_EQ(audit_stats(db)->oldest_ms, now - 182 * day);
  EXPECT_FALSE(audit_purge(db, 0, now).ok());
}

// Holds the database's write lock from another connection: the log cannot write.
class WriteLock {
 public:
  explicit WriteLock(const std::string& db) {
    EXPECT_EQ(sqlite3_open(db.c_str(), &db_), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db_, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  ~WriteLock() { release(); }
  void release() {
    if (db_) {
      sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
      sqlite3_close(db_);
      db_ = nullptr;
    }
  }

 private:
  sqlite3* db_ = nullptr;
};

TEST(AuditLog, FailClosedWhenTheDatabaseCannotBeWritten) {
  const std::string db = fresh_db("fail-closed");
  AuditLog::Options o = opts(db);
  o.busy_timeout_ms = 50;
  Result<std::unique_ptr<AuditLog>> log = AuditLog::open(o);
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)->append(record("before")).ok());
  {
    WriteLock lock(db);
    const Status st = (*log)->append(record("during"));
    EXPECT_FALSE(st.ok());
    EXPECT_EQ(st.code(), StatusCode::kIoError);
    EXPECT_FALSE((*log)->healthy());  // the service must refuse requests now
  }
  ASSERT_TRUE((*log)->append(record("after")).ok());
  EXPECT_TRUE((*log)->healthy());
  log->reset();
  EXPECT_EQ(count(db), 2);  // the refused one was never acknowledged
}

TEST(AuditLog, SpoolWhenTheDatabaseCannotBeWrittenAndReplayLater) {
  const std::string db = fresh_db("spool");
  AuditLog::Options o = opts(db);
  o.busy_timeout_ms = 50;
  o.on_failure = AuditFailureMode::kSpool;
  {
    Result<std::unique_ptr<AuditLog>> log = AuditLog::open(o);
    ASSERT_TRUE(log.ok());
    WriteLock lock(db);
    for (int i = 0; i < 20; ++i)
      ASSERT_TRUE((*log)->append(record("spooled" + std::to_string(i))).ok());
    EXPECT_EQ((*log)->spooled(), 20u);
    EXPECT_TRUE((*log)->healthy());
    lock.release();
    ASSERT_TRUE((*log)->append(record("direct")).ok());  // a good write replays the spool
    EXPECT_EQ((*log)->spooled(), 0u);
  }
  EXPECT_EQ(count(db), 21);
  // Spooled and never replayed (the process ended while the database was locked): replayed at open.
  {
    Result<std::unique_ptr<AuditLog>> log = AuditLog::open(o);
    ASSERT_TRUE(log.ok());
    WriteLock lock(db);
    for (int i = 0; i < 5; ++i)
      ASSERT_TRUE((*log)->append(record("late" + std::to_string(i))).ok());
    lock.release();
    log->reset();
  }
  EXPECT_GE(std::filesystem::file_size(db + ".spool"), 1u);
  { ASSERT_TRUE(AuditLog::open(o).ok()); }
  EXPECT_EQ(count(db), 26);
  EXPECT_EQ(std::filesystem::file_size(db + ".spool"), 0u);
}

// A child appends a burst of 10,000 decisions from 4 threads and reports each
// acknowledged request id on a pipe; the parent kills it with SIGKILL part way
// and checks that every acknowledged record is in the database.
TEST(AuditLog, KillNineLosesNothingAcknowledged) {
  for (const AuditFailureMode mode : {AuditFailureMode::kFailClosed, AuditFailureMode::kSpool}) {
    const std::string db = fresh_db(mode == AuditFailureMode::kSpool ? "kill9-spool" : "kill9");
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      AuditLog::Options o = opts(db);
      o.on_failure = mode;
      o.queue_capacity = 256;
      Result<std::unique_ptr<AuditLog>> log = AuditLog::open(o);
      if (!log.ok()) _exit(2);
      std::mutex pipe_mu;
      std::vector<std::thread> threads;
      for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
          for (int i = 0; i < 2500; ++i) {
            const std::string id = std::to_string(t * 100000 + i);
            if (!(*log)->append(record(id)).ok()) continue;
            const std::string line = id + "\n";
            std::lock_guard<std::mutex> lk(pipe_mu);
            if (write(fds[1], line.data(), line.size()) != static_cast<ssize_t>(line.size()))
              _exit(3);
          }
        });
      }
      for (auto& th : threads) th.join();
      _exit(0);
    }
    close(fds[1]);
    std::set<std::string> acked;
    std::string buf;
    char chunk[4096];
    bool killed = false;
    while (true) {
      const ssize_t n = read(fds[0], chunk, sizeof(chunk));
      if (n <= 0) break;
      buf.append(chunk, static_cast<size_t>(n));
      size_t nl;
      while ((nl = buf.find('\n')) != std::string::npos) {
        acked.insert(buf.substr(0, nl));
        buf.erase(0, nl + 1);
      }
      if (!killed && acked.size() >= 3000) {
        kill(pid, SIGKILL);  // mid-burst
        killed = true;
      }
    }
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(killed);
    EXPECT_TRUE(WIFSIGNALED(status));
    ASSERT_GE(acked.size(), 3000u);
    { ASSERT_TRUE(AuditLog::open(opts(db)).ok()); }  // recovery: replays any spool
    std::ostringstream out;
    ASSERT_TRUE(audit_export_jsonl(db, 0, out).ok());
    std::set<std::string> stored;
    std::istringstream in(out.str());
    std::string line;
    while (std::getline(in, line)) {
      const size_t at = line.find("\"request_id\":\"");
      stored.insert(line.substr(at + 14, line.find('"', at + 14) - at - 14));
    }
    size_t lost = 0;
    for (const std::string& id : acked) lost += stored.count(id) == 0;
    EXPECT_EQ(lost, 0u) << "of " << acked.size() << " acknowledged";
    EXPECT_LT(acked.size(), 10000u) << "the burst finished before the kill";
  }
}

}  // namespace
}  // namespace zhi::compliance
