// zhi write {proofread,rewrite,summarize,key-points,list,table},
// zhi notify-summary, thread-summary, reply, priority, tags: the
// intelligence features (zhi/features.hpp) from the command line. Text or
// JSON in (a file or stdin), a readable answer or --json out; map-reduce
// progress on stderr.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/cli_common.h"
#include "compliance/aigc_label.h"
#include "compliance/moderator.h"
#include "compliance/policy_loader.h"
#include "zhi/features.hpp"

namespace zhi::cli {
namespace {

using Json = nlohmann::json;
using features::Feature;

struct FeatureArgs {
  std::string model;
  int threads = default_threads();
  int64_t ctx = 4096;
  std::string file = "-";
  std::string lang;
  bool json = false;
  uint64_t seed = 0x5EED;
  float temp = 0.0f;  // features default to greedy: the same text gives the same answer
  int64_t chunk_tokens = 0;
  std::string policy;
  std::string tone, instruction;
  int max_chars = 80;
};

void add_feature_flags(CLI::App* cmd, FeatureArgs* a) {
  cmd->add_option("-m,--model", a->model, "GGUF model file")->required();
  cmd->add_option("-t,--threads", a->threads, "threads")->check(CLI::Range(1, 512));
  cmd->add_option("-c,--ctx-size", a->ctx,
                  "context size in tokens; longer input is chunked (map-reduce)")
      ->check(CLI::Range(int64_t{64}, int64_t{1} << 24));
  cmd->add_option("file", a->file, "input file, or - for stdin (default)");
  cmd->add_option("--lang", a->lang, "answer language: en or zh (default: the input's)");
  cmd->add_flag("--json", a->json, "print the result as JSON");
  cmd->add_option("-s,--seed", a->seed, "random seed (with --temp > 0)");
  cmd->add_option("--temp", a->temp, "temperature; 0 (default) = greedy")
      ->check(CLI::Range(0.0f, 5.0f));
  cmd->add_option("--chunk-tokens", a->chunk_tokens,
                  "input tokens per model call (0: as many as fit)")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 24));
  cmd->add_option("--policy", a->policy,
                  "policy pack directory (e.g. policy/cn): refuse what it refuses")
      ->check(CLI::ExistingDirectory);
}

Result<std::string> read_input(const std::string& file) {
  if (file == "-" || file.empty()) {
    std::string s((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    return s;
  }
  return read_file(file);
}

bool takes_json(Feature f) {
  return f == Feature::kNotifySummary || f == Feature::kThreadSummary || f == Feature::kReply ||
         f == Feature::kPriority || f == Feature::kTags;
}

std::string dump(const Json& j) { return j.dump(2, ' ', false, Json::error_handler_t::replace); }

std::string joined(const Json& arr, const char* sep) {
  std::string out;
  for (const Json& x : arr) {
    if (!out.empty()) out += sep;
    out += x.is_string() ? x.get<std::string>() : x.dump();
  }
  return out;
}

void print_human(Feature f, const Json& r) {
  if (r.contains("refused")) {
    std::printf("refused (%s): %s\n", r["refused"]["category"].get<std::string>().c_str(),
                r["refused"]["message"].get<std::string>().c_str());
    return;
  }
  switch (f) {
    case Feature::kProofread: {
      std::printf("%s\n", r["corrected"].get<std::string>().c_str());
      if (!r["edits"].empty()) std::printf("\nedits:\n");
      for (const Json& e : r["edits"]) {
        std::printf("  [%zu, %zu) %s: \"%s\" -> \"%s\"%s%s\n", e["start"].get<size_t>(),
                    e["end"].get<size_t>(), e["kind"].get<std::string>().c_str(),
                    e["original"].get<std::string>().c_str(),
                    e["replacement"].get<std::string>().c_str(),
                    e["reason"].get<std::string>().empty() ? "" : " — ",
                    e["reason"].get<std::string>().c_str());
      }
      for (const Json& n : r["check"]["notes"])
        std::fprintf(stderr, "note: %s\n", n.get<std::string>().c_str());
      break;
    }
    case Feature::kRewrite:
      std::printf("%s\n", r["text"].get<std::string>().c_str());
      break;
    case Feature::kSummarize:
    case Feature::kNotifySummary:
      std::printf("%s\n", r["summary"].get<std::string>().c_str());
      break;
    case Feature::kKeyPoints:
    case Feature::kList:
      for (const Json& p : r[f == Feature::kList ? "items" : "points"])
        std::printf("- %s\n", p.get<std::string>().c_str());
      break;
    case Feature::kTable:
      std::printf("%s", r["markdown"].get<std::string>().c_str());
      break;
    case Feature::kThreadSummary:
      std::printf("%s\n", r["summary"].get<std::string>().c_str());
      if (!r["open_questions"].empty()) std::printf("\nopen questions:\n");
      for (const Json& q : r["open_questions"]) std::printf("- %s\n", q.get<std::string>().c_str());
      if (!r["action_items"].empty()) std::printf("\naction items:\n");
      for (const Json& a : r["action_items"]) {
        const std::string owner = a["owner"].get<std::string>();
        std::printf("- %s%s%s%s\n", a["item"].get<std::string>().c_str(), owner.empty() ? "" : " (",
                    owner.c_str(), owner.empty() ? "" : ")");
      }
      break;
    case Feature::kReply:
      for (size_t i = 0; i < r["replies"].size(); ++i)
        std::printf("%zu. %s\n", i + 1, r["replies"][i].get<std::string>().c_str());
      for (const Json& q : r["questions"])
        std::printf("? %s [%s]\n", q["question"].get<std::string>().c_str(),
                    joined(q["options"], " | ").c_str());
      break;
    case Feature::kPriority:
      std::printf("%s: %s\n", r["urgent"].get<bool>() ? "urgent" : "not urgent",
                  r["reason"].get<std::string>().c_str());
      if (r["deadline"].is_string())
        std::printf("deadline: %s\n", r["deadline"].get<std::string>().c_str());
      break;
    case Feature::kTags: {
      std::printf("topics: %s\n", joined(r["topics"], ", ").c_str());
      std::string ents;
      for (const Json& e : r["entities"]) {
        if (!ents.empty()) ents += ", ";
        ents += e["text"].get<std::string>() + " (" + e["type"].get<std::string>() + ")";
      }
      std::printf("entities: %s\n", ents.c_str());
      std::printf("actions: %s\n", joined(r["actions"], "; ").c_str());
      std::printf("sentiment: %s\n", r["sentiment"].get<std::string>().c_str());
      break;
    }
  }
  const Json& c = r["coverage"];
  if (c["chunks"].get<int>() > 1) {
    std::fprintf(stderr, "covered %llu of %llu input bytes in %d chunks\n",
                 static_cast<unsigned long long>(c["covered_bytes"].get<uint64_t>()),
                 static_cast<unsigned long long>(c["input_bytes"].get<uint64_t>()),
                 c["chunks"].get<int>());
  }
}

std::string trim_label(std::string s) {
  while (!s.empty() && (s.front() == '\n' || s.front() == ' ')) s.erase(s.begin());
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

struct PolicyHooks {
  GuardrailHook guardrail;
  features::FeatureOptions::TextFilter input_filter;
  features::FeatureOptions::TextFilter output_filter;
  compliance::LabelSettings labels;
};

// `text` with the pack's mask spans starred. A refuse hit fails when
// `refuse_fails`; otherwise the text passes unchanged for the guardrail.
Expected<std::string> starred(const compliance::Moderator& mod, std::string_view text,
                              bool refuse_fails) {
  Result<compliance::Verdict> v = mod.check(text);
  if (!v.ok()) return Error(ErrorCode::kInternal, "moderation failed: " + v.status().to_string());
  if (refuse_fails && v->decision == compliance::Action::kRefuse)
    return Error(ErrorCode::kGuardrailViolation,
                 "the result was blocked: category " + mod.category(v->category).id);
  if (v->decision == compliance::Action::kMask) return std::move(v->masked);
  return std::string(text);
}

// The pack's moderation as the features' guardrail, and its AIGC label settings.
Result<PolicyHooks> policy_hooks(const std::string& dir) {
  ZHI_ASSIGN_OR_RETURN(compliance::PolicyPack pack, compliance::load_policy_pack(dir));
  PolicyHooks h;
  h.labels = pack.labels;
  ZHI_ASSIGN_OR_RETURN(std::shared_ptr<const compliance::Moderator> mod,
                       compliance::Moderator::create(std::move(pack)));
  h.guardrail = [mod](GuardrailStage, std::string_view text) {
    Result<compliance::Verdict> v = mod->check(text);
    if (!v.ok()) return GuardrailVerdict{false, "moderation failed: " + v.status().to_string()};
    if (v->decision != compliance::Action::kRefuse) return GuardrailVerdict{};
    const std::string category = v->category >= 0 ? mod->category(v->category).id : "refuse";
    return GuardrailVerdict{false, category + ": " + v->refusal};
  };
  // The guardrail refuses; spans of the pack's mask categories are starred
  // in the input before the model sees it, and in the result. Input that
  // hits a refuse category passes unchanged here: the guardrail refuses
  // its prompt, and the result says so.
  h.input_filter = [mod](std::string_view text) { return starred(*mod, text, false); };
  h.output_filter = [mod](std::string_view text) { return starred(*mod, text, true); };
  return h;
}

int run_feature_command(Feature f, const FeatureArgs& a) {
  auto text = read_input(a.file);
  if (!text.ok()) return report(text.status());
  Json input = text.value();
  if (takes_json(f)) {
    Json parsed = Json::parse(text.value(), nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded() && (parsed.is_array() || parsed.is_object() || parsed.is_string()))
      input = parsed;
  }
  Json params = Json::object();
  if (!a.tone.empty()) params["tone"] = a.tone;
  if (!a.instruction.empty()) params["instruction"] = a.instruction;
  if (f == Feature::kNotifySummary) params["max_chars"] = a.max_chars;
  if (!a.lang.empty()) params["lang"] = a.lang;

  features::FeatureOptions o;
  o.generation.greedy = a.temp <= 0.0f;
  if (!o.generation.greedy) o.generation.temperature = a.temp;
  o.generation.seed = a.seed;
  o.chunk_tokens = a.chunk_tokens;
  std::optional<compliance::LabelSettings> labels;
  if (!a.policy.empty()) {
    auto hooks = policy_hooks(a.policy);
    if (!hooks.ok()) return report(hooks.status());
    o.guardrail = std::move(hooks->guardrail);
    o.input_filter = std::move(hooks->input_filter);
    o.output_filter = std::move(hooks->output_filter);
    labels = hooks->labels;
  }
  std::unique_ptr<ProgressBar> bar;
  std::string bar_phase;
  o.progress = [&](const features::Progress& p) {
    if (p.total <= 1 && p.phase == "map" && !bar) return;  // one call: nothing to show
    if (!bar || bar_phase != p.phase) {
      if (bar) bar->finish();
      bar_phase = p.phase;
      bar = std::make_unique<ProgressBar>(std::string(features::feature_name(f)) + " " + p.phase);
    }
    bar->update(static_cast<size_t>(p.done), static_cast<size_t>(p.total));
  };

  ModelOptions mo;
  mo.context_size = a.ctx;
  mo.threads = a.threads;
  auto model = Model::load(a.model, mo);
  if (!model.ok()) return report(Status(StatusCode::kInvalidArgument, model.error().to_string()));
  auto r = features::run_feature(model.value(), f, input, params, o);
  if (bar) bar->finish();
  if (!r.ok()) {
    std::fprintf(stderr, "zhi: %s\n", r.error().to_string().c_str());
    return r.error().code() == ErrorCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  // GB 45438 labels on generated results: the implicit one as metadata in
  // the JSON, the explicit one as a visible line.
  const bool answered = !r->contains("refused");
  const std::string label_lang = (*r)["lang"] == "zh" ? "zh-CN" : "en";
  if (labels && answered && labels->implicit_enabled)
    (*r)["AIGC"] = compliance::aigc_json(
        compliance::make_aigc_metadata(*labels, compliance::new_produce_id()))["AIGC"];
  const bool show_label = labels && answered && labels->explicit_enabled && !a.json;
  const std::string label =
      show_label ? trim_label(compliance::add_explicit_label(*labels, "", label_lang)) : "";
  if (show_label && labels->position == compliance::LabelPosition::kStart)
    std::printf("%s\n", label.c_str());
  if (a.json) {
    std::printf("%s\n", dump(*r).c_str());
  } else {
    print_human(f, *r);
  }
  if (show_label && labels->position == compliance::LabelPosition::kEnd)
    std::printf("%s\n", label.c_str());
  return 0;
}

}  // namespace

Command add_write_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "write", "writing tools: proofread, rewrite, summarize, key points, list, table");
  cmd->require_subcommand(1);
  struct Sub {
    Feature feature;
    const char* help;
  };
  const Sub subs[] = {
      {Feature::kProofread,
       "fix spelling, grammar and punctuation; lists each edit (byte offsets)"},
      {Feature::kRewrite,
       "rewrite with --tone friendly|professional|concise or --instruction TEXT"},
      {Feature::kSummarize, "a short summary"},
      {Feature::kKeyPoints, "the key points"},
      {Feature::kList, "the text as a list"},
      {Feature::kTable, "the text as a table (Markdown, or header and rows with --json)"},
  };
  auto chosen = std::make_shared<
      std::vector<std::pair<CLI::App*, std::pair<Feature, std::shared_ptr<FeatureArgs>>>>>();
  for (const Sub& s : subs) {
    auto a = std::make_shared<FeatureArgs>();
    CLI::App* sub = cmd->add_subcommand(features::feature_name(s.feature), s.help);
    add_feature_flags(sub, a.get());
    if (s.feature == Feature::kRewrite) {
      sub->add_option("--tone", a->tone, "friendly, professional or concise")
          ->check(CLI::IsMember({"friendly", "professional", "concise"}));
      sub->add_option("--instruction", a->instruction,
                      "free-form instruction, e.g. \"make it warmer\"");
    }
    chosen->push_back({sub, {s.feature, a}});
  }
  return {cmd, [chosen] {
            for (const auto& [sub, what] : *chosen) {
              if (sub->parsed()) return run_feature_command(what.first, *what.second);
            }
            return kExitUsage;
          }};
}

std::vector<Command> add_feature_commands(CLI::App& app) {
  struct Top {
    Feature feature;
    const char* help;
  };
  const Top tops[] = {
      {Feature::kNotifySummary,
       "one line (at most --max-chars) for a stack of notifications: JSON [{app, sender, title, "
       "body, time}]"},
      {Feature::kThreadSummary,
       "summary, open questions and action items of a thread: JSON [{from, text, time}] or text"},
      {Feature::kReply, "up to 3 smart replies, and the questions asked with answer options"},
      {Feature::kPriority, "is the message urgent? with a reason and any deadline"},
      {Feature::kTags, "topics, entities, actions and sentiment"},
  };
  std::vector<Command> out;
  for (const Top& t : tops) {
    auto a = std::make_shared<FeatureArgs>();
    CLI::App* cmd = app.add_subcommand(features::feature_name(t.feature), t.help);
    add_feature_flags(cmd, a.get());
    if (t.feature == Feature::kNotifySummary)
      cmd->add_option("--max-chars", a->max_chars,
                      "longest line, in characters (CJK count one each)")
          ->check(CLI::Range(8, 1000));
    const Feature f = t.feature;
    out.push_back({cmd, [f, a] { return run_feature_command(f, *a); }});
  }
  return out;
}

}  // namespace zhi::cli
