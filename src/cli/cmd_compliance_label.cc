// zhi label apply | verify: AI-generated content labels (GB 45438-2025).
// `apply` labels a generated text (explicit label per policy, implicit AIGC
// metadata with a fresh ProduceID), writes the export, and can record the
// ProduceID in the audit log; `verify` reads an export back and checks it.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "compliance/aigc_label.h"
#include "compliance/audit_log.h"
#include "compliance/moderator.h"
#include "compliance/policy_loader.h"

namespace zhi::cli {
namespace {

namespace cp = zhi::compliance;

struct LabelArgs {
  std::string policy, text, file, export_path, format = "json", lang, audit, audit_spool,
                                               request_id, provider = "local-qwen";
  std::string verify_file;
};

std::string dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

int apply_main(const LabelArgs& a) {
  if (a.text.empty() == a.file.empty())
    return report(invalid_argument("give either TEXT or --file F"));
  cp::ExportFormat format;
  if (!cp::parse_export_format(a.format, &format))
    return report(invalid_argument("--format: expected json or markdown, got '" + a.format + "'"));
  Result<cp::PolicyPack> pack = cp::load_policy_pack(a.policy);
  if (!pack.ok()) return report(pack.status());
  if (!pack->routing.providers.empty() && !pack->routing.provider_allowed(a.provider))
    return report(invalid_argument("--provider: '" + a.provider + "' is not allowed in region '" +
                                   pack->identity.region + "'"));
  std::string text = a.text;
  if (!a.file.empty()) {
    Result<std::string> t = read_file(a.file);
    if (!t.ok()) return report(t.status());
    text = std::move(t).value();
  }
  Result<std::shared_ptr<const cp::Moderator>> mod = cp::Moderator::create(std::move(pack).value());
  if (!mod.ok()) return report(mod.status());
  const cp::PolicyPack& p = (*mod)->pack();
  Result<cp::Verdict> v = (*mod)->check(text, a.lang);
  if (!v.ok()) return report(v.status());
  // What the user may see of this output: a refusal, the masked text, or the text.
  const std::string shown = v->decision == cp::Action::kRefuse ? v->refusal
                            : v->decision == cp::Action::kMask ? v->masked
                                                               : text;
  const std::string produce_id = cp::new_produce_id();
  const cp::AigcMetadata meta = cp::make_aigc_metadata(p.labels, produce_id);
  const std::string content = cp::add_explicit_label(p.labels, shown, v->language);
  {
    std::ofstream out(a.export_path, std::ios::binary);
    out << cp::export_labeled(format, content, meta);
    if (!out) return report(io_error(a.export_path + ": cannot write export"));
  }
  if (!a.audit.empty()) {
    cp::AuditLog::Options o;
    o.path = a.audit;
    o.spool_path = a.audit_spool;
    o.on_failure = p.audit.on_write_failure;
    Result<std::unique_ptr<cp::AuditLog>> log = cp::AuditLog::open(o);
    if (!log.ok()) return report(log.status());
    cp::AuditRecord r;
    r.request_id = a.request_id.empty() ? produce_id : a.request_id;
    r.produce_id = produce_id;
    r.region = p.identity.region;
    r.feature = "label";
    r.provider = a.provider;
    r.decision = cp::action_name(v->decision);
    if (v->category >= 0) r.category = p.categories[v->category].id;
    for (const cp::Finding& f : v->findings) {
      if (static_cast<int>(f.category) == v->category) {
        r.rule = p.terms[f.rule].source;
        break;
      }
    }
    cp::set_audit_texts(p.audit, "", shown, &r);
    if (Status st = (*log)->append(std::move(r)); !st.ok()) return report(st);
  }
  nlohmann::ordered_json j;
  j["produce_id"] = produce_id;
  j["export"] = a.export_path;
  j["format"] = format == cp::ExportFormat::kJson ? "json" : "markdown";
  j["decision"] = cp::action_name(v->decision);
  j["explicit_label"] = p.labels.explicit_enabled;
  if (!a.audit.empty()) j["audit"] = a.audit;
  std::printf("%s\n", dump(j).c_str());
  return 0;
}

int verify_main(const LabelArgs& a) {
  Result<std::string> text = read_file(a.verify_file);
  if (!text.ok()) return report(text.status());
  nlohmann::ordered_json j;
  j["file"] = a.verify_file;
  std::vector<std::string> problems;
  Result<cp::LabeledDocument> doc = cp::read_labeled(a.verify_file, text.value());
  if (!doc.ok()) {
    problems.push_back(doc.status().message());
  } else {
    j["format"] = doc->format == cp::ExportFormat::kJson ? "json" : "markdown";
    j.update(cp::aigc_json(doc->aigc));
    if (!a.policy.empty()) {
      Result<cp::PolicyPack> pack = cp::load_policy_pack(a.policy);
      if (!pack.ok()) return report(pack.status());
      const bool explicit_found = cp::has_explicit_label(pack->labels, doc->content);
      j["explicit_label"] = explicit_found;
      if (pack->labels.explicit_enabled && !explicit_found)
        problems.push_back("the explicit label required by " + a.policy + " is missing");
      if (doc->aigc.content_producer != pack->labels.content_producer)
        problems.push_back("ContentProducer '" + doc->aigc.content_producer +
                           "' is not this provider's ('" + pack->labels.content_producer + "')");
    }
    if (!a.audit.empty()) {
      Result<std::optional<cp::AuditRecord>> rec =
          cp::audit_find_produce_id(a.audit, doc->aigc.produce_id);
      if (!rec.ok()) return report(rec.status());
      j["audit_record"] = rec->has_value();
      if (rec->has_value()) {
        j["audit_decision"] = (*rec)->decision;
      } else {
        problems.push_back("ProduceID " + doc->aigc.produce_id + " is not in the audit log " +
                           a.audit);
      }
    }
  }
  j["ok"] = problems.empty();
  j["problems"] = problems;
  std::printf("%s\n", dump(j).c_str());
  return problems.empty() ? 0 : kExitFailure;
}

}  // namespace

Command add_label_command(CLI::App& app) {
  auto a = std::make_shared<LabelArgs>();
  CLI::App* cmd =
      app.add_subcommand("label", "AI-generated content labels (GB 45438): apply, verify");
  cmd->require_subcommand(1);
  CLI::App* apply = cmd->add_subcommand("apply", "label a generated text and write the export");
  apply->add_option("--policy", a->policy, "policy pack directory (label settings, region)")
      ->required();
  apply->add_option("text", a->text, "the generated text");
  apply->add_option("--file", a->file, "read the generated text from a file");
  apply->add_option("--export", a->export_path, "where to write the labelled export")->required();
  apply->add_option("--format", a->format,
                    "json (content + AIGC field) or markdown (front matter)");
  apply
      ->add_option("--lang", a->lang,
                   "language of the explicit label: zh-CN or en (default: detected)")
      ->check(CLI::IsMember({"zh-CN", "en"}));
  apply->add_option("--audit", a->audit,
                    "audit database to record the ProduceID in: a SQLite file or postgresql://...");
  apply->add_option("--audit-spool", a->audit_spool,
                    "where records wait while the database is down (policy on_write_failure: "
                    "spool; default for SQLite: DB.spool)");
  apply->add_option("--request-id", a->request_id,
                    "request id for the audit record (default: the ProduceID)");
  apply->add_option("--provider", a->provider,
                    "model provider that generated the text (checked against routing)");
  CLI::App* verify = cmd->add_subcommand("verify", "read an export's labels back and check them");
  verify->add_option("file", a->verify_file, "export to verify (JSON or Markdown)")->required();
  verify->add_option("--policy", a->policy,
                     "also check the explicit label and ContentProducer against a pack");
  verify->add_option("--audit", a->audit,
                     "also check that the ProduceID is in this audit database (file or "
                     "postgresql://...)");
  return {cmd, [a, apply] { return apply->parsed() ? apply_main(*a) : verify_main(*a); }};
}

}  // namespace zhi::cli
