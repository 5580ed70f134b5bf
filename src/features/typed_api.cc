// The typed functions: run_feature with the matching input, its JSON result
// read into structs.
#include "zhi/features.hpp"

namespace zhi::features {
namespace {

using Json = nlohmann::json;

std::string s(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::vector<std::string> strings(const Json& j, const char* key) {
  std::vector<std::string> out;
  if (!j.contains(key) || !j[key].is_array()) return out;
  for (const Json& x : j[key]) {
    if (x.is_string()) out.push_back(x.get<std::string>());
  }
  return out;
}

ResultInfo info_of(const Json& j) {
  ResultInfo info;
  info.language = s(j, "lang") == "zh" ? Language::kZh : Language::kEn;
  if (j.contains("refused")) {
    const Json& r = j["refused"];
    info.refused = Refusal{s(r, "stage"), s(r, "category"), s(r, "message")};
  }
  if (j.contains("coverage")) {
    const Json& c = j["coverage"];
    info.coverage.input_bytes = c.value("input_bytes", uint64_t{0});
    info.coverage.covered_bytes = c.value("covered_bytes", uint64_t{0});
    info.coverage.chunks = c.value("chunks", 0);
  }
  return info;
}

Json message_json(const Message& m) {
  return {{"from", m.from}, {"text", m.text}, {"time", m.time}};
}

Json thread_json(const std::vector<Message>& thread) {
  Json a = Json::array();
  for (const Message& m : thread) a.push_back(message_json(m));
  return a;
}

template <typename T>
Expected<T> convert(Expected<Json> r, T (*read)(const Json&)) {
  if (!r.ok()) return r.error();
  return read(*r);
}

TextResult read_text(const Json& j, const char* key) {
  TextResult t;
  t.text = s(j, key);
  t.trimmed = j.value("trimmed", false);
  t.info = info_of(j);
  return t;
}

}  // namespace

Expected<ProofreadResult> proofread(const std::shared_ptr<Model>& model, std::string_view text,
                                    const FeatureOptions& options) {
  return convert<ProofreadResult>(
      run_feature(model, Feature::kProofread, std::string(text), nullptr, options),
      [](const Json& j) {
        ProofreadResult p;
        p.corrected = s(j, "corrected");
        for (const Json& e : j.value("edits", Json::array())) {
          Edit ed;
          ed.start = e.value("start", size_t{0});
          ed.end = e.value("end", size_t{0});
          ed.original = s(e, "original");
          ed.replacement = s(e, "replacement");
          const std::string kind = s(e, "kind");
          ed.kind = kind == "grammar"       ? EditKind::kGrammar
                    : kind == "punctuation" ? EditKind::kPunctuation
                    : kind == "word_choice" ? EditKind::kWordChoice
                                            : EditKind::kSpelling;
          ed.reason = s(e, "reason");
          p.edits.push_back(std::move(ed));
        }
        if (j.contains("check")) {
          const Json& c = j["check"];
          p.check.proposed = c.value("proposed", 0);
          p.check.kept = c.value("kept", 0);
          p.check.repaired = c.value("repaired", 0);
          p.check.dropped = c.value("dropped", 0);
          p.check.rebuilt_from_diff = c.value("rebuilt_from_diff", false);
          p.check.notes = strings(c, "notes");
        }
        p.info = info_of(j);
        return p;
      });
}

Expected<TextResult> rewrite(const std::shared_ptr<Model>& model, std::string_view text,
                             const FeatureParams& params, const FeatureOptions& options) {
  Json p = Json::object();
  if (!params.tone.empty()) p["tone"] = params.tone;
  if (!params.instruction.empty()) p["instruction"] = params.instruction;
  return convert<TextResult>(run_feature(model, Feature::kRewrite, std::string(text), p, options),
                             [](const Json& j) { return read_text(j, "text"); });
}

Expected<TextResult> summarize(const std::shared_ptr<Model>& model, std::string_view text,
                               const FeatureOptions& options) {
  return convert<TextResult>(
      run_feature(model, Feature::kSummarize, std::string(text), nullptr, options),
      [](const Json& j) { return read_text(j, "summary"); });
}

Expected<ListResult> key_points(const std::shared_ptr<Model>& model, std::string_view text,
                                const FeatureOptions& options) {
  return convert<ListResult>(
      run_feature(model, Feature::kKeyPoints, std::string(text), nullptr, options),
      [](const Json& j) {
        return ListResult{strings(j, "points"), info_of(j)};
      });
}

Expected<ListResult> make_list(const std::shared_ptr<Model>& model, std::string_view text,
                               const FeatureOptions& options) {
  return convert<ListResult>(
      run_feature(model, Feature::kList, std::string(text), nullptr, options), [](const Json& j) {
        return ListResult{strings(j, "items"), info_of(j)};
      });
}

Expected<TableResult> make_table(const std::shared_ptr<Model>& model, std::string_view text,
                                 const FeatureOptions& options) {
  return convert<TableResult>(
      run_feature(model, Feature::kTable, std::string(text), nullptr, options), [](const Json& j) {
        TableResult t;
        t.header = strings(j, "header");
        for (const Json& row : j.value("rows", Json::array())) {
          std::vector<std::string> cells;
          for (const Json& c : row) cells.push_back(c.is_string() ? c.get<std::string>() : "");
          t.rows.push_back(std::move(cells));
        }
        t.markdown = s(j, "markdown");
        t.info = info_of(j);
        return t;
      });
}

Expected<TextResult> summarize_notifications(const std::shared_ptr<Model>& model,
                                             const std::vector<Notification>& stack, int max_chars,
                                             const FeatureOptions& options) {
  Json a = Json::array();
  for (const Notification& n : stack)
    a.push_back({{"app", n.app},
                 {"sender", n.sender},
                 {"title", n.title},
                 {"body", n.body},
                 {"time", n.time}});
  if (a.empty()) return Error(ErrorCode::kInvalidArgument, "notifications: the stack is empty");
  return convert<TextResult>(
      run_feature(model, Feature::kNotifySummary, a, {{"max_chars", max_chars}}, options),
      [](const Json& j) { return read_text(j, "summary"); });
}

Expected<ThreadSummary> summarize_thread(const std::shared_ptr<Model>& model,
                                         const std::vector<Message>& thread,
                                         const FeatureOptions& options) {
  if (thread.empty()) return Error(ErrorCode::kInvalidArgument, "thread: no messages");
  return convert<ThreadSummary>(
      run_feature(model, Feature::kThreadSummary, thread_json(thread), nullptr, options),
      [](const Json& j) {
        ThreadSummary t;
        t.summary = s(j, "summary");
        t.open_questions = strings(j, "open_questions");
        for (const Json& a : j.value("action_items", Json::array()))
          t.action_items.push_back({s(a, "item"), s(a, "owner")});
        t.info = info_of(j);
        return t;
      });
}

Expected<SmartReplies> smart_reply(const std::shared_ptr<Model>& model,
                                   const std::vector<Message>& conversation,
                                   const FeatureOptions& options) {
  if (conversation.empty()) return Error(ErrorCode::kInvalidArgument, "conversation: no messages");
  return convert<SmartReplies>(
      run_feature(model, Feature::kReply, thread_json(conversation), nullptr, options),
      [](const Json& j) {
        SmartReplies r;
        r.replies = strings(j, "replies");
        for (const Json& q : j.value("questions", Json::array()))
          r.questions.push_back({s(q, "question"), strings(q, "options")});
        r.info = info_of(j);
        return r;
      });
}

Expected<PriorityResult> priority(const std::shared_ptr<Model>& model, std::string_view message,
                                  const FeatureOptions& options) {
  return convert<PriorityResult>(
      run_feature(model, Feature::kPriority, std::string(message), nullptr, options),
      [](const Json& j) {
        PriorityResult p;
        p.urgent = j.value("urgent", false);
        p.reason = s(j, "reason");
        if (j.contains("deadline") && j["deadline"].is_string())
          p.deadline = j["deadline"].get<std::string>();
        p.info = info_of(j);
        return p;
      });
}

Expected<ContentTags> tag_content(const std::shared_ptr<Model>& model, std::string_view text,
                                  const FeatureOptions& options) {
  return convert<ContentTags>(
      run_feature(model, Feature::kTags, std::string(text), nullptr, options), [](const Json& j) {
        ContentTags t;
        t.topics = strings(j, "topics");
        t.actions = strings(j, "actions");
        for (const Json& e : j.value("entities", Json::array())) {
          const std::string type = s(e, "type");
          const EntityType et = type == "org"     ? EntityType::kOrg
                                : type == "place" ? EntityType::kPlace
                                : type == "time"  ? EntityType::kTime
                                                  : EntityType::kPerson;
          t.entities.push_back({s(e, "text"), et});
        }
        const std::string sent = s(j, "sentiment");
        t.sentiment = sent == "positive"   ? Sentiment::kPositive
                      : sent == "negative" ? Sentiment::kNegative
                                           : Sentiment::kNeutral;
        t.info = info_of(j);
        return t;
      });
}

}  // namespace zhi::features
