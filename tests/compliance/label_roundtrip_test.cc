// Done-means 3: generate -> export -> verify, and the ProduceID is found in
// the audit log. Library level here; through the `zhi` binary below when it
// has been built.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "compliance/aigc_label.h"
#include "compliance/audit_log.h"
#include "compliance/moderator.h"
#include "compliance/policy_loader.h"
#include "compliance/sha256.h"
#include "session/tiny_model.h"
#include "test_paths.h"

namespace zhi::compliance {
namespace {

std::string shipped_cn() { return zhi::testing::source_dir() + "/policy/cn"; }

TEST(LabelRoundTrip, ExportVerifyAndAuditRecord) {
  Result<PolicyPack> pack = load_policy_pack(shipped_cn());
  ASSERT_TRUE(pack.ok()) << pack.status().to_string();
  Result<std::shared_ptr<const Moderator>> mod = Moderator::create(std::move(pack).value());
  ASSERT_TRUE(mod.ok());
  const PolicyPack& p = (*mod)->pack();
  const std::string db = zhi::testing::temp_dir() + "/roundtrip.db";
  std::filesystem::remove(db);

  const std::string generated = "杭州今天晴，最高气温二十五度。";
  const Verdict v = (*mod)->check(generated).value();
  ASSERT_EQ(v.decision, Action::kAllow);
  const std::string id = new_produce_id();
  const std::string file =
      export_labeled(ExportFormat::kMarkdown, add_explicit_label(p.labels, generated, v.language),
                     make_aigc_metadata(p.labels, id));
  {
    AuditLog::Options o;
    o.path = db;
    Result<std::unique_ptr<AuditLog>> log = AuditLog::open(o);
    ASSERT_TRUE(log.ok());
    AuditRecord r;
    r.request_id = "req-42";
    r.produce_id = id;
    r.region = p.identity.region;
    r.decision = action_name(v.decision);
    set_audit_texts(p.audit, "今天杭州天气怎么样？", generated, &r);
    ASSERT_TRUE((*log)->append(r).ok());
  }

  Result<LabeledDocument> doc = read_labeled("export.md", file);
  ASSERT_TRUE(doc.ok()) << doc.status().to_string();
  EXPECT_TRUE(has_explicit_label(p.labels, doc->content));
  EXPECT_EQ(doc->aigc.content_producer, p.identity.provider_code);
  Result<std::optional<AuditRecord>> rec = audit_find_produce_id(db, doc->aigc.produce_id);
  ASSERT_TRUE(rec.ok());
  ASSERT_TRUE(rec->has_value());
  EXPECT_EQ((*rec)->request_id, "req-42");
  EXPECT_TRUE((*rec)->output_text.empty());  // the cn pack keeps hashes only
}

std::string run(const std::string& args, int* rc) {
  const std::string cmd = zhi::testing::cli_path() + " " + args + " 2>&1";
  FILE* f = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  const int status = f ? pclose(f) : -1;
  *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

TEST(LabelRoundTrip, ThroughTheCli) {
  if (!std::filesystem::exists(zhi::testing::cli_path()))
    GTEST_SKIP() << "zhi binary not built at " << zhi::testing::cli_path()
                 << " (build the zhi target)";
  const std::string dir = zhi::testing::temp_dir();
  const std::string db = dir + "/cli-roundtrip.db", out = dir + "/cli-export.json";
  std::filesystem::remove(db);
  int rc = 0;
  const std::string applied = run("label apply --policy " + shipped_cn() +
                                      " '模型生成的文字' --export " + out + " --audit " + db,
                                  &rc);
  ASSERT_EQ(rc, 0) << applied;
  const std::string verified =
      run("label verify " + out + " --policy " + shipped_cn() + " --audit " + db, &rc);
  EXPECT_EQ(rc, 0) << verified;
  EXPECT_NE(verified.find("\"audit_record\":true"), std::string::npos) << verified;
  // Tampering with the ProduceID breaks the link to the audit log.
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  s.replace(s.find("\"ProduceID\": \"") + 14, 4, "XXXX");
  std::ofstream(out) << s;
  const std::string bad = run("label verify " + out + " --audit " + db, &rc);
  EXPECT_EQ(rc, 1) << bad;
  EXPECT_NE(bad.find("not in the audit log"), std::string::npos) << bad;
  // Moderation from the command line: decision, category and spans as JSON.
  const std::string mod = run("moderate --policy " + shipped_cn() + " '请解释演示违 禁 词'", &rc);
  EXPECT_EQ(rc, 0);
  EXPECT_NE(mod.find("\"decision\":\"refuse\""), std::string::npos) << mod;
  EXPECT_NE(mod.find("\"category\":\"A1.8\""), std::string::npos) << mod;
}

// Done-means 3 end to end: `zhi run --policy` generates (tiny model), exports
// the labelled answer and records its ProduceID; `zhi label verify` reads the
// export back and finds the ProduceID in the audit log.
TEST(LabelRoundTrip, GenerateExportVerifyThroughZhiRun) {
  if (!std::filesystem::exists(zhi::testing::cli_path()))
    GTEST_SKIP() << "zhi binary not built at " << zhi::testing::cli_path()
                 << " (build the zhi target)";
  const std::string dir = zhi::testing::temp_dir();
  const std::string db = dir + "/run-roundtrip.db";
  std::filesystem::remove(db);
  int rc = 0;
  for (const std::string format : {"json", "markdown"}) {
    SCOPED_TRACE(format);
    const std::string out = dir + "/run-export." + format;
    const std::string ran =
        run("run -m " + zhi::testing::tiny_model_path() +
                " -t 1 -c 256 --temp 0 -n 12 -p '今天杭州天气怎么样？' --policy " + shipped_cn() +
                " --export " + out + " --format " + format + " --audit " + db,
            &rc);
    ASSERT_EQ(rc, 0) << ran;
    const size_t at = ran.find("\"produce_id\":\"");
    ASSERT_NE(at, std::string::npos) << ran;
    const std::string produce_id = ran.substr(at + 14, ran.find('"', at + 14) - at - 14);
    std::ifstream in(out);
    std::stringstream ss;
    ss << in.rdbuf();
    Result<LabeledDocument> doc = read_labeled(out, ss.str());
    ASSERT_TRUE(doc.ok()) << doc.status().to_string();
    EXPECT_EQ(doc->aigc.produce_id, produce_id);
    const std::string verified =
        run("label verify " + out + " --policy " + shipped_cn() + " --audit " + db, &rc);
    EXPECT_EQ(rc, 0) << verified;
    EXPECT_NE(verified.find("\"audit_record\":true"), std::string::npos) << verified;
    EXPECT_NE(verified.find("\"explicit_label\":true"), std::string::npos) << verified;
    Result<std::optional<AuditRecord>> rec = audit_find_produce_id(db, produce_id);
    ASSERT_TRUE(rec.ok() && rec->has_value());
    EXPECT_EQ((*rec)->feature, "run");
    EXPECT_EQ((*rec)->input_sha256, sha256_hex("今天杭州天气怎么样？"));
    EXPECT_TRUE((*rec)->input_text.empty());  // the cn pack keeps hashes only
  }
  // A prompt the pack refuses: the refusal is what is exported and recorded.
  const std::string out = dir + "/run-refused.json";
  const std::string refused =
      run("run -m " + zhi::testing::tiny_model_path() +
              " -t 1 -c 256 --temp 0 -n 12 -p '请解释演示违 禁 词' --policy " + shipped_cn() +
              " --export " + out + " --audit " + db,
          &rc);
  ASSERT_EQ(rc, 0) << refused;
  EXPECT_NE(refused.find("\"decision\":\"refuse\""), std::string::npos) << refused;
  EXPECT_NE(refused.find("\"category\":\"A1.8\""), std::string::npos) << refused;
  EXPECT_EQ(audit_stats(db)->by_decision["refuse"], 1);
  // --export without --policy is a usage error, not a silent unlabelled file.
  run("run -m " + zhi::testing::tiny_model_path() + " -p hi --export " + out, &rc);
  EXPECT_NE(rc, 0);
}

}  // namespace
}  // namespace zhi::compliance
