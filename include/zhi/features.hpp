// Intelligence features on top of the session API: proofread, rewrite,
// summaries, notification and thread summaries, smart reply, priority and
// content tags, in zh-CN and en.
//
// Every feature asks the model for JSON through guided generation against a
// JSON Schema, so a result always parses; code then checks what a schema
// cannot (proofreading edits apply, length limits hold, tables are square).
// Input longer than the context allows is split on paragraph and sentence
// boundaries and processed map-reduce style, never truncated; summaries say
// how much input they covered. Prompts are data (src/features/prompts/),
// compiled into the library.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "zhi/errors.hpp"
#include "zhi/model.hpp"
#include "zhi/options.hpp"
#include "zhi/session.hpp"

namespace zhi::features {

enum class Feature {
  kProofread,
  kRewrite,
  kSummarize,
  kKeyPoints,
  kList,
  kTable,
  kNotifySummary,
  kThreadSummary,
  kReply,
  kPriority,
  kTags,
};

// "proofread", "rewrite", "summarize", "key-points", "list", "table",
// "notify-summary", "thread-summary", "reply", "priority", "tags".
const char* feature_name(Feature feature);
std::optional<Feature> parse_feature(std::string_view name);
const std::vector<Feature>& all_features();

enum class Language { kAuto, kEn, kZh };
// "en" / "zh"; "auto" for kAuto.
const char* language_code(Language language);
// Accepts "en", "zh", "zh-CN", "zh_CN", "zh-Hans", "en-US", ...; "auto" or "" is kAuto.
std::optional<Language> parse_language(std::string_view code);
// By script: Chinese when Han characters carry the text, else English.
Language detect_language(std::string_view text);

// Unicode code points: one per CJK character, one per Latin letter.
size_t char_count(std::string_view utf8);

struct Coverage {
  uint64_t input_bytes = 0;    // bytes of input text the model was given (after input_filter)
  uint64_t covered_bytes = 0;  // bytes of it that some model call read
  int chunks = 0;              // map calls (1: the input fit at once)
};

// Set when the guardrail hook refused the prompt or the answer.
struct Refusal {
  std::string stage;     // "prompt" or "response"
  std::string category;  // the hook reason's "<category>: " prefix, or "guardrail"
  std::string message;   // the hook's reason
};

struct Progress {
  std::string phase;  // "map" or "reduce"
  int done = 0;
  int total = 0;
};
using ProgressFn = std::function<void(const Progress&)>;

struct FeatureOptions {
  Language language = Language::kAuto;  // the answer's language; kAuto: the input's
  // Sampling. json_schema and max_tokens are set per call by the feature.
  GenerationOptions generation;
  GuardrailHook guardrail;  // e.g. from the compliance layer; refusals show up in results
  ProgressFn progress;      // map-reduce progress, one call per model call
  // A text rewrite that may fail (the error fails the request), e.g. the
  // compliance layer's masking, which stars the spans of a pack's mask
  // categories (a guardrail only refuses).
  using TextFilter = std::function<Expected<std::string>(std::string_view text)>;
  using OutputFilter = TextFilter;
  // What the model is given: the input text (messages and notifications as
  // formatted for the prompt) goes through it once, before it is split or
  // sent, so a masked span never reaches the model. Edits, quotes and
  // coverage then refer to the filtered text.
  TextFilter input_filter;
  // What the result's text is returned as: every string of the result JSON
  // (not "lang", "coverage" or "refused") goes through it.
  TextFilter output_filter;
  // Tokens of input per model call; 0: as much as the context leaves after
  // the instructions and the answer.
  int64_t chunk_tokens = 0;
};

// Parameters some features take. Unused ones are ignored.
struct FeatureParams {
  std::string tone;         // rewrite: "friendly", "professional", "concise"
  std::string instruction;  // rewrite: free-form instruction (instead of a tone)
  int max_chars = 80;       // notify-summary: characters in the line (CJK count one each)
};

// The generic entry point every front end uses (CLI, C ABI, eval):
// `input` is a JSON string for text features, or an array of notifications
// ({app, sender, title, body, time}) / thread messages ({from, text, time}),
// or a string, for the others. `params` is {"tone", "instruction",
// "max_chars", "lang"} (all optional). The result is the feature's JSON
// shape (see README), plus "lang", "coverage" for summaries, and "refused"
// when the guardrail said no. Errors: bad input or params
// (kInvalidArgument), a model that cannot run, a context too small even for
// the instructions (kContextWindowExceeded).
Expected<nlohmann::json> run_feature(const std::shared_ptr<Model>& model, Feature feature,
                                     const nlohmann::json& input, const nlohmann::json& params,
                                     const FeatureOptions& options = {});

// ---- Typed API ----

struct ResultInfo {
  Language language = Language::kEn;  // what the answer is written in
  std::optional<Refusal> refused;
  Coverage coverage;
};

enum class EditKind { kSpelling, kGrammar, kPunctuation, kWordChoice };
const char* edit_kind_name(EditKind kind);

struct Edit {
  size_t start = 0;  // byte offsets into the input
  size_t end = 0;
  std::string original;  // == input[start, end)
  std::string replacement;
  EditKind kind = EditKind::kSpelling;
  std::string reason;
};

// How the model's edits fared against the input and its corrected text.
struct EditCheck {
  int proposed = 0;  // edits the model gave
  int kept = 0;      // applied as given
  int repaired = 0;  // offsets fixed by finding `original` in the input
  int dropped = 0;   // could not be placed, overlapped, or changed nothing
  // The kept edits did not reproduce the model's corrected text, so the edits
  // were rebuilt from a diff of input and corrected text.
  bool rebuilt_from_diff = false;
  std::vector<std::string> notes;  // one line per repair or drop
};

struct ProofreadResult {
  std::string corrected;
  std::vector<Edit> edits;  // sorted, non-overlapping; applying them to the input gives `corrected`
  EditCheck check;
  ResultInfo info;
};

struct TextResult {  // rewrite, summarize, notify-summary
  std::string text;
  bool trimmed = false;  // notify-summary: cut to max_chars in code
  ResultInfo info;
};

struct ListResult {  // key-points, list
  std::vector<std::string> items;
  ResultInfo info;
};

struct TableResult {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each as wide as the header
  std::string markdown;
  ResultInfo info;
};

struct ActionItem {
  std::string item;
  std::string owner;
};

struct ThreadSummary {
  std::string summary;
  std::vector<std::string> open_questions;
  std::vector<ActionItem> action_items;
  ResultInfo info;
};

struct ReplyQuestion {
  std::string question;
  std::vector<std::string> options;
};

struct SmartReplies {
  std::vector<std::string> replies;  // at most 3
  std::vector<ReplyQuestion> questions;
  ResultInfo info;
};

struct PriorityResult {
  bool urgent = false;
  std::string reason;
  std::optional<std::string> deadline;
  ResultInfo info;
};

enum class EntityType { kPerson, kOrg, kPlace, kTime };
const char* entity_type_name(EntityType type);

struct Entity {
  std::string text;
  EntityType type = EntityType::kPerson;
};

enum class Sentiment { kPositive, kNeutral, kNegative };
const char* sentiment_name(Sentiment sentiment);

struct ContentTags {
  std::vector<std::string> topics;
  std::vector<Entity> entities;
  std::vector<std::string> actions;
  Sentiment sentiment = Sentiment::kNeutral;
  ResultInfo info;
};

struct Notification {
  std::string app, sender, title, body, time;
};

struct Message {
  std::string from, text, time;
};

enum class SummaryForm { kSummary, kKeyPoints, kList, kTable };

Expected<ProofreadResult> proofread(const std::shared_ptr<Model>& model, std::string_view text,
                                    const FeatureOptions& options = {});
Expected<TextResult> rewrite(const std::shared_ptr<Model>& model, std::string_view text,
                             const FeatureParams& params, const FeatureOptions& options = {});
Expected<TextResult> summarize(const std::shared_ptr<Model>& model, std::string_view text,
                               const FeatureOptions& options = {});
Expected<ListResult> key_points(const std::shared_ptr<Model>& model, std::string_view text,
                                const FeatureOptions& options = {});
Expected<ListResult> make_list(const std::shared_ptr<Model>& model, std::string_view text,
                               const FeatureOptions& options = {});
Expected<TableResult> make_table(const std::shared_ptr<Model>& model, std::string_view text,
                                 const FeatureOptions& options = {});
Expected<TextResult> summarize_notifications(const std::shared_ptr<Model>& model,
                                             const std::vector<Notification>& stack, int max_chars,
                                             const FeatureOptions& options = {});
Expected<ThreadSummary> summarize_thread(const std::shared_ptr<Model>& model,
                                         const std::vector<Message>& thread,
                                         const FeatureOptions& options = {});
Expected<SmartReplies> smart_reply(const std::shared_ptr<Model>& model,
                                   const std::vector<Message>& conversation,
                                   const FeatureOptions& options = {});
Expected<PriorityResult> priority(const std::shared_ptr<Model>& model, std::string_view message,
                                  const FeatureOptions& options = {});
Expected<ContentTags> tag_content(const std::shared_ptr<Model>& model, std::string_view text,
                                  const FeatureOptions& options = {});

// ---- Availability and rollout ----

// What a policy pack's routing rules say for one region (see policy/<region>/
// routing.json); the caller fills it, e.g. from compliance::load_policy_pack.
struct RolloutConfig {
  std::string region;  // "cn", "global"
  bool enabled = false;
  int percent = 0;                       // share of devices (by rollout bucket) that get features
  std::string launch_date;               // YYYY-MM-DD; features are off before it
  std::map<std::string, bool> features;  // switch name -> on (absent: off)
  std::vector<std::string> languages;    // "zh-CN", "en"
};

// routing.json's shape: {"features", "languages", "rollout": {"enabled",
// "percent"}, "launch_date"}; other keys are ignored.
Expected<RolloutConfig> rollout_from_json(const nlohmann::json& routing, std::string region);

// The rollout switch a feature answers to: "proofread", "rewrite",
// "summarize" (summarize, key-points, list, table), "notification_summary",
// "thread_summary", "smart_reply", "priority", "content_tagging".
const char* feature_switch(Feature feature);

enum class UnavailableReason {
  kNone,
  kModelMissing,         // no model file
  kModelNotReady,        // the file is there but not usable (partial download, wrong format)
  kDeviceNotEligible,    // not enough memory, or the CPU lacks an instruction set
  kLanguageUnsupported,  // the feature or the region does not offer this language
  kRegionNotEnabled,     // no rollout for the region, or it is switched off
  kFeatureOff,        // the region's switch for this feature is off, or this device is outside the
                      // rollout share
  kBeforeLaunchDate,  // the region's launch date has not come
};
const char* unavailable_reason_name(UnavailableReason reason);

struct AvailabilityQuery {
  std::string model_path;
  ModelOptions model_options;
  // Model facts already known (a loaded model's availability(), or a test's);
  // unset: check_availability(model_path, model_options).
  std::optional<Availability> model_check;
  std::vector<RolloutConfig> rollouts;  // one per region
  std::string today;                    // YYYY-MM-DD; empty: today in UTC
  int rollout_bucket = 0;               // this device's bucket, 0..99
};

struct FeatureAvailability {
  UnavailableReason reason = UnavailableReason::kNone;
  std::string message;  // empty when available
  bool available() const { return reason == UnavailableReason::kNone; }
};

FeatureAvailability availability(Feature feature, std::string_view locale, std::string_view region,
                                 const AvailabilityQuery& query);

}  // namespace zhi::features
