// run_feature: input to text, instructions from the prompt files, chunks
// sized to the context, one guided-generation call per chunk, a reduce step
// when there was more than one, and the checks a schema cannot make.
#include <algorithm>
#include <set>

#include "features/chunker.h"
#include "features/edit_verifier.h"
#include "features/prompt_store.h"
#include "features/schemas.h"
#include "features/text_utils.h"
#include "session/model_impl.h"
#include "zhi/features.hpp"

namespace zhi::features {
namespace {

using Json = nlohmann::json;
using OJson = nlohmann::ordered_json;

// ChatML wrapping of the system and user turns and the assistant header.
constexpr int64_t kTemplateTokens = 24;
// Input smaller than this per call means the context is too small to be useful.
constexpr int64_t kMinChunkTokens = 16;
constexpr int kMaxReduceRounds = 8;

Error invalid(std::string message) { return {ErrorCode::kInvalidArgument, std::move(message)}; }

bool is_concat_feature(Feature f) { return f == Feature::kProofread || f == Feature::kRewrite; }

struct Params {
  std::string tone;
  std::string instruction;
  int max_chars = 80;
  Language language = Language::kAuto;
};

Expected<Params> parse_params(Feature feature, const Json& p) {
  Params out;
  if (!p.is_null() && !p.is_object()) return invalid("params: expected a JSON object");
  const Json obj = p.is_null() ? Json::object() : p;
  for (const auto& [key, value] : obj.items()) {
    if (key == "tone" || key == "instruction" || key == "lang") {
      if (!value.is_string() && !value.is_null())
        return invalid("params." + key + ": expected a string");
    } else if (key == "max_chars") {
      if (!value.is_number_integer()) return invalid("params.max_chars: expected an integer");
    }
  }
  if (p.contains("tone") && p["tone"].is_string()) out.tone = p["tone"].get<std::string>();
  if (p.contains("instruction") && p["instruction"].is_string())
    out.instruction = p["instruction"].get<std::string>();
  if (p.contains("max_chars")) {
    const int64_t n = p["max_chars"].get<int64_t>();
    if (n < 8 || n > 1000)
      return invalid("params.max_chars: must be 8..1000, got " + std::to_string(n));
    out.max_chars = static_cast<int>(n);
  }
  if (p.contains("lang") && p["lang"].is_string()) {
    auto l = parse_language(p["lang"].get<std::string>());
    if (!l)
      return invalid("params.lang: '" + p["lang"].get<std::string>() +
                     "' is not supported (en, zh)");
    out.language = *l;
  }
  if (feature == Feature::kRewrite) {
    if (!out.tone.empty() && out.tone != "friendly" && out.tone != "professional" &&
        out.tone != "concise")
      return invalid("params.tone: '" + out.tone +
                     "' is not one of friendly, professional, concise");
    if (out.tone.empty() && trim(out.instruction).empty())
      return invalid("rewrite needs a tone (friendly, professional, concise) or an instruction");
  }
  return out;
}

std::string field(const Json& o, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (o.contains(n) && o[n].is_string()) return o[n].get<std::string>();
  }
  return {};
}

Expected<std::string> check_fields(const Json& o, const std::string& where) {
  if (!o.is_object()) return invalid(where + ": expected an object");
  for (const auto& [k, v] : o.items()) {
    if (!v.is_string() && !v.is_null()) return invalid(where + "." + k + ": expected a string");
  }
  return std::string();
}

// One notification per line: "time app · sender: title — body".
Expected<std::string> format_notifications(const Json& input) {
  std::string out;
  for (size_t i = 0; i < input.size(); ++i) {
    const Json& n = input[i];
    auto ok = check_fields(n, "input[" + std::to_string(i) + "]");
    if (!ok.ok()) return ok.error();
    std::string line;
    const auto add = [&](const std::string& s, const char* sep) {
      if (s.empty()) return;
      if (!line.empty()) line += sep;
      line += s;
    };
    add(field(n, {"time"}), " ");
    add(field(n, {"app"}), " ");
    add(field(n, {"sender", "from"}), " · ");
    std::string text = field(n, {"title"});
    const std::string body = field(n, {"body", "text"});
    if (!body.empty()) text += text.empty() ? body : " — " + body;
    if (!text.empty()) line += line.empty() ? text : ": " + text;
    for (char& c : line) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    if (trim(line).empty())
      return invalid("input[" + std::to_string(i) + "]: the notification is empty");
    out += line + "\n";
  }
  return out;
}

// One message per paragraph: "sender (time):\ntext".
Expected<std::string> format_thread(const Json& input) {
  std::string out;
  for (size_t i = 0; i < input.size(); ++i) {
    const Json& m = input[i];
    auto ok = check_fields(m, "input[" + std::to_string(i) + "]");
    if (!ok.ok()) return ok.error();
    const std::string text = field(m, {"text", "body", "content"});
    if (trim(text).empty())
      return invalid("input[" + std::to_string(i) + "]: the message has no text");
    std::string head = field(m, {"from", "sender", "author"});
    const std::string time = field(m, {"time"});
    if (!time.empty()) head += head.empty() ? time : " (" + time + ")";
    if (!out.empty()) out += "\n\n";
    if (!head.empty()) out += head + ":\n";
    out += trim(text);
  }
  return out;
}

Expected<std::string> input_text(Feature feature, const Json& input) {
  std::string text;
  if (input.is_string()) {
    text = input.get<std::string>();
  } else if (input.is_object() && input.contains("text") && input["text"].is_string() &&
             input.size() == 1) {
    text = input["text"].get<std::string>();
  } else if (input.is_array() && !input.empty()) {
    if (feature == Feature::kNotifySummary) {
      auto t = format_notifications(input);
      if (!t.ok()) return t.error();
      text = std::move(t).value();
    } else if (feature == Feature::kThreadSummary || feature == Feature::kReply ||
               feature == Feature::kPriority || feature == Feature::kTags) {
      auto t = format_thread(input);
      if (!t.ok()) return t.error();
      text = std::move(t).value();
    } else {
      return invalid(std::string("input: ") + feature_name(feature) +
                     " takes text (a JSON string)");
    }
  } else if (input.is_object() &&
             (feature == Feature::kPriority || feature == Feature::kTags ||
              feature == Feature::kReply || feature == Feature::kThreadSummary)) {
    auto t = format_thread(Json::array({input}));
    if (!t.ok()) return t.error();
    text = std::move(t).value();
  } else {
    return invalid("input: expected a JSON string (text) or a non-empty array of " +
                   std::string(feature == Feature::kNotifySummary ? "notifications" : "messages"));
  }
  if (trim(text).empty()) return invalid("input: the text is empty");
  return text;
}

std::string refusal_category(const std::string& reason) {
  const size_t colon = reason.find(": ");
  if (colon != std::string::npos && colon > 0 && reason.find(' ') > colon)
    return reason.substr(0, colon);
  return "guardrail";
}

class Runner {
 public:
  Runner(std::shared_ptr<Model> model, const FeatureOptions& options)
      : model_(std::move(model)),
        options_(options),
        tokenizer_(*model_->impl().loaded().tokenizer) {}

  int64_t count(std::string_view s) const {
    return static_cast<int64_t>(tokenizer_.encode(s, /*parse_special=*/false).size());
  }

  const std::optional<Refusal>& refusal() const { return refusal_; }

  Expected<Json> ask(const std::string& system, const std::string& user, const OJson& schema) {
    SessionOptions so;
    so.instructions = system;
    if (options_.guardrail) {
      so.guardrail = [this](GuardrailStage stage, std::string_view text) {
        GuardrailVerdict v = options_.guardrail(stage, text);
        if (!v.allowed && !refusal_) {
          refusal_ = Refusal{stage == GuardrailStage::kPrompt ? "prompt" : "response",
                             refusal_category(v.reason), v.reason};
        }
        return v;
      };
    }
    auto session = Session::create(model_, so);
    if (!session.ok()) return session.error();
    GenerationOptions g = options_.generation;
    g.json_schema = schema.dump();
    g.max_tokens = -1;  // the schema bounds the answer; the context bounds the rest
    g.tool_choice = ToolChoice::kNone;
    g.stop.clear();
    auto r = (*session)->respond(user, g);
    if (!r.ok()) return r.error();
    Json j = Json::parse(r->content, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object())
      return Error(ErrorCode::kDecodingFailure,
                   "the answer is not a JSON object: " + r->content.substr(0, 200));
    return j;
  }

 private:
  std::shared_ptr<Model> model_;
  const FeatureOptions& options_;
  const Tokenizer& tokenizer_;
  std::optional<Refusal> refusal_;
};

std::string str_of(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::vector<std::string> clean_list(const Json& arr) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  if (!arr.is_array()) return out;
  for (const Json& x : arr) {
    if (!x.is_string()) continue;
    std::string s = trim(x.get<std::string>());
    if (s.empty() || !seen.insert(s).second) continue;
    out.push_back(std::move(s));
  }
  return out;
}

std::string one_line(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return trim(s);
}

std::string markdown_cell(const std::string& s) {
  std::string out;
  for (char c : one_line(s)) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

// The code-side guarantees: trimmed strings, no empty or repeated items,
// square tables, the notification line within max_chars, null deadlines.
Json finish(Feature feature, Json r, const Params& params) {
  switch (feature) {
    case Feature::kProofread:
    case Feature::kRewrite:
      break;
    case Feature::kSummarize:
      r["summary"] = trim(str_of(r, "summary"));
      break;
    case Feature::kKeyPoints:
      r["points"] = clean_list(r["points"]);
      break;
    case Feature::kList:
      r["items"] = clean_list(r["items"]);
      break;
    case Feature::kTable: {
      std::vector<std::string> header;
      for (const Json& h : r["header"])
        header.push_back(one_line(h.is_string() ? h.get<std::string>() : ""));
      std::vector<std::vector<std::string>> rows;
      size_t width = header.size();
      for (const Json& row : r["rows"]) {
        std::vector<std::string> cells;
        for (const Json& c : row)
          cells.push_back(one_line(c.is_string() ? c.get<std::string>() : ""));
        width = std::max(width, cells.size());
        rows.push_back(std::move(cells));
      }
      // Pad, never cut: a row wider than the header widens the table.
      header.resize(width);
      for (auto& row : rows) row.resize(width);
      std::string md = "|";
      for (const auto& h : header) md += " " + markdown_cell(h) + " |";
      md += "\n|";
      for (size_t i = 0; i < width; ++i) md += " --- |";
      md += "\n";
      for (const auto& row : rows) {
        md += "|";
        for (const auto& c : row) md += " " + markdown_cell(c) + " |";
        md += "\n";
      }
      r["header"] = header;
      r["rows"] = rows;
      r["markdown"] = md;
      break;
    }
    case Feature::kNotifySummary: {
      std::string s = one_line(str_of(r, "summary"));
      const size_t max = static_cast<size_t>(params.max_chars);
      bool trimmed = false;
      if (char_count(s) > max) {
        s = std::string(take_chars(s, max - 1)) + "…";
        trimmed = true;
      }
      r["summary"] = s;
      r["max_chars"] = params.max_chars;
      r["trimmed"] = trimmed;
      break;
    }
    case Feature::kThreadSummary: {
      r["summary"] = trim(str_of(r, "summary"));
      r["open_questions"] = clean_list(r["open_questions"]);
      Json items = Json::array();
      for (const Json& a : r["action_items"]) {
        const std::string item = trim(str_of(a, "item"));
        if (!item.empty()) items.push_back({{"item", item}, {"owner", trim(str_of(a, "owner"))}});
      }
      r["action_items"] = items;
      break;
    }
    case Feature::kReply: {
      std::vector<std::string> replies = clean_list(r["replies"]);
      if (replies.size() > 3) replies.resize(3);
      r["replies"] = replies;
      Json qs = Json::array();
      for (const Json& q : r["questions"]) {
        const std::string text = trim(str_of(q, "question"));
        std::vector<std::string> options = clean_list(q["options"]);
        if (!text.empty() && !options.empty())
          qs.push_back({{"question", text}, {"options", options}});
      }
      r["questions"] = qs;
      break;
    }
    case Feature::kPriority: {
      r["reason"] = trim(str_of(r, "reason"));
      const std::string d = trim(str_of(r, "deadline"));
      r["deadline"] = d.empty() ? Json(nullptr) : Json(d);
      break;
    }
    case Feature::kTags: {
      r["topics"] = clean_list(r["topics"]);
      r["actions"] = clean_list(r["actions"]);
      Json ents = Json::array();
      std::set<std::pair<std::string, std::string>> seen;
      for (const Json& e : r["entities"]) {
        const std::string text = trim(str_of(e, "text"));
        const std::string type = str_of(e, "type");
        if (!text.empty() && seen.insert({text, type}).second)
          ents.push_back({{"text", text}, {"type", type}});
      }
      r["entities"] = ents;
      break;
    }
  }
  return r;
}

// The feature's shape with nothing in it, for a refused request.
Json empty_result(Feature feature, const Params& params) {
  switch (feature) {
    case Feature::kProofread:
      return {{"corrected", ""}, {"edits", Json::array()}};
    case Feature::kRewrite:
      return {{"text", ""}};
    case Feature::kSummarize:
      return {{"summary", ""}};
    case Feature::kKeyPoints:
      return {{"points", Json::array()}};
    case Feature::kList:
      return {{"items", Json::array()}};
    case Feature::kTable:
      return {{"header", Json::array()}, {"rows", Json::array()}, {"markdown", ""}};
    case Feature::kNotifySummary:
      return {{"summary", ""}, {"max_chars", params.max_chars}, {"trimmed", false}};
    case Feature::kThreadSummary:
      return {{"summary", ""}, {"open_questions", Json::array()}, {"action_items", Json::array()}};
    case Feature::kReply:
      return {{"replies", Json::array()}, {"questions", Json::array()}};
    case Feature::kPriority:
      return {{"urgent", false}, {"reason", ""}, {"deadline", nullptr}};
    case Feature::kTags:
      return {{"topics", Json::array()},
              {"entities", Json::array()},
              {"actions", Json::array()},
              {"sentiment", "neutral"}};
  }
  return Json::object();
}

Expected<std::string> system_prompt(Feature feature, Language lang, const Params& params) {
  const char* code = language_code(lang);
  auto text = prompt_text(code, feature_name(feature));
  if (!text.ok()) return text.error();
  std::map<std::string, std::string> values;
  if (feature == Feature::kRewrite) {
    std::string style;
    if (!params.tone.empty()) {
      auto tone = prompt_text(code, "tone_" + params.tone);
      if (!tone.ok()) return tone.error();
      style = *tone;
    }
    if (!trim(params.instruction).empty()) {
      auto ins = prompt_text(code, "instruction");
      if (!ins.ok()) return ins.error();
      auto filled = fill_prompt(*ins, {{"instruction", one_line(params.instruction)}});
      if (!filled.ok()) return filled.error();
      style += (style.empty() ? "" : "\n") + *filled;
    }
    values["style"] = style;
  }
  if (feature == Feature::kNotifySummary) values["max_chars"] = std::to_string(params.max_chars);
  return fill_prompt(*text, values);
}

struct Core {  // a chunk without its leading and trailing whitespace
  size_t begin, end;
};

Core core_of(std::string_view text, const Chunk& c) {
  const std::string_view s = text.substr(c.begin, c.end - c.begin);
  const std::string t = trim(s);
  if (t.empty()) return {c.end, c.end};
  const size_t b = c.begin + s.find(t);
  return {b, b + t.size()};
}

}  // namespace

namespace {

// The result's text through options.output_filter: every string value, in
// document order, except the run's own annotations (language, refusal).
Error filter_strings(Json& j, const FeatureOptions::OutputFilter& filter) {
  if (j.is_string()) {
    Expected<std::string> out = filter(j.get_ref<const std::string&>());
    if (!out.ok()) return out.error();
    j = std::move(out).value();
    return {};
  }
  if (j.is_array()) {
    for (Json& x : j) {
      if (Error e = filter_strings(x, filter); !e.ok()) return e;
    }
  } else if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == "lang" || it.key() == "refused" || it.key() == "coverage") continue;
      if (Error e = filter_strings(it.value(), filter); !e.ok()) return e;
    }
  }
  return {};
}

Expected<Json> run_unfiltered(const std::shared_ptr<Model>& model, Feature feature,
                              const Json& input, const Json& params_json,
                              const FeatureOptions& options) {
  auto params = parse_params(feature, params_json);
  if (!params.ok()) return params.error();
  auto text_or = input_text(feature, input);
  if (!text_or.ok()) return text_or.error();
  if (options.input_filter) {
    text_or = options.input_filter(*text_or);
    if (!text_or.ok()) return text_or.error();
    if (trim(*text_or).empty()) return invalid("input: the text is empty after the input filter");
  }
  const std::string text = std::move(text_or).value();

  Language lang = options.language != Language::kAuto ? options.language : params->language;
  if (lang == Language::kAuto) lang = detect_language(text);
  auto system = system_prompt(feature, lang, *params);
  if (!system.ok()) return system.error();
  auto reduce_note = prompt_text(language_code(lang), "reduce");
  if (!reduce_note.ok()) return reduce_note.error();
  const std::string reduce_system = *system + "\n" + *reduce_note;

  Runner runner(model, options);
  const int64_t ctx = model->context_size();
  const int64_t reserve = answer_reserve_tokens(feature);
  // Proofread and rewrite answer with the text again: input and answer share what is left.
  const int64_t left = ctx - runner.count(*system) - kTemplateTokens - reserve;
  const int64_t auto_budget = is_concat_feature(feature) ? left * 2 / 5 : left;
  const int64_t reduce_budget = ctx - runner.count(reduce_system) - kTemplateTokens - reserve;
  if (auto_budget < kMinChunkTokens ||
      (!is_concat_feature(feature) && reduce_budget < kMinChunkTokens))
    return Error::context_window_exceeded(
        runner.count(reduce_system) + kTemplateTokens + reserve + kMinChunkTokens, ctx,
        std::string("the context window is too small for ") + feature_name(feature) +
            "'s instructions and answer");
  const int64_t budget =
      options.chunk_tokens > 0 ? std::min(options.chunk_tokens, auto_budget) : auto_budget;
  auto chunks_or =
      split_into_chunks(text, budget, [&](std::string_view s) { return runner.count(s); });
  if (!chunks_or.ok()) return chunks_or.error();
  const std::vector<Chunk>& chunks = *chunks_or;
  const int n = static_cast<int>(chunks.size());

  Coverage cov;
  cov.input_bytes = text.size();
  const auto progress = [&](const char* phase, int done, int total) {
    if (options.progress) options.progress(Progress{phase, done, total});
  };
  const auto refused = [&]() -> Json {
    Json r = empty_result(feature, *params);
    const Refusal& f = *runner.refusal();
    r["refused"] = {{"stage", f.stage}, {"category", f.category}, {"message", f.message}};
    return r;
  };
  const auto annotate = [&](Json r) {
    r["lang"] = language_code(lang);
    r["coverage"] = {{"input_bytes", cov.input_bytes},
                     {"covered_bytes", cov.covered_bytes},
                     {"chunks", cov.chunks}};
    return r;
  };
  const auto failed = [&](const Error& e) -> Expected<Json> {
    if (e.code() == ErrorCode::kGuardrailViolation && runner.refusal()) return annotate(refused());
    return e;
  };

  if (is_concat_feature(feature)) {
    // Map only: each chunk is proofread or rewritten on its own; the
    // whitespace between chunks is kept as it was.
    std::string out;
    Json edits = Json::array();
    EditCheck total;
    size_t at = 0;
    for (int i = 0; i < n; ++i) {
      const Core core = core_of(text, chunks[i]);
      out.append(text, at, core.begin - at);
      at = core.end;
      if (core.begin < core.end) {
        const std::string_view piece =
            std::string_view(text).substr(core.begin, core.end - core.begin);
        SchemaParams sp;
        sp.input_chars = char_count(piece);
        sp.input_bytes = piece.size();
        auto r = runner.ask(*system, std::string(piece), feature_schema(feature, sp));
        if (!r.ok()) return failed(r.error());
        if (feature == Feature::kRewrite) {
          out += trim(str_of(*r, "text"));
        } else {
          std::vector<Edit> proposed;
          for (const Json& e : (*r)["edits"]) {
            Edit ed;
            ed.start = e["start"].get<size_t>();
            ed.end = e["end"].get<size_t>();
            ed.original = str_of(e, "original");
            ed.replacement = str_of(e, "replacement");
            const std::string kind = str_of(e, "kind");
            ed.kind = kind == "grammar"       ? EditKind::kGrammar
                      : kind == "punctuation" ? EditKind::kPunctuation
                      : kind == "word_choice" ? EditKind::kWordChoice
                                              : EditKind::kSpelling;
            ed.reason = str_of(e, "reason");
            proposed.push_back(std::move(ed));
          }
          const std::string corrected = trim(str_of(*r, "corrected"));
          VerifiedEdits v = verify_edits(piece, corrected, std::move(proposed));
          for (const Edit& e : v.edits) {
            edits.push_back({{"start", e.start + core.begin},
                             {"end", e.end + core.begin},
                             {"original", e.original},
                             {"replacement", e.replacement},
                             {"kind", edit_kind_name(e.kind)},
                             {"reason", e.reason}});
          }
          total.proposed += v.check.proposed;
          total.kept += v.check.kept;
          total.repaired += v.check.repaired;
          total.dropped += v.check.dropped;
          total.rebuilt_from_diff = total.rebuilt_from_diff || v.check.rebuilt_from_diff;
          for (std::string& note : v.check.notes) {
            total.notes.push_back(n > 1 ? "chunk " + std::to_string(i + 1) + ": " + note : note);
          }
          out += corrected;
        }
      }
      cov.covered_bytes += chunks[i].end - chunks[i].begin;
      ++cov.chunks;
      progress("map", i + 1, n);
    }
    out.append(text, at, std::string::npos);
    Json r;
    if (feature == Feature::kRewrite) {
      r["text"] = out;
    } else {
      r["corrected"] = out;
      r["edits"] = edits;
      r["check"] = {{"proposed", total.proposed},
                    {"kept", total.kept},
                    {"repaired", total.repaired},
                    {"dropped", total.dropped},
                    {"rebuilt_from_diff", total.rebuilt_from_diff},
                    {"notes", total.notes}};
    }
    return annotate(r);
  }

  SchemaParams sp;
  sp.max_chars = params->max_chars;
  const OJson schema = feature_schema(feature, sp);
  std::vector<Json> partials;
  for (int i = 0; i < n; ++i) {
    auto r =
        runner.ask(*system, text.substr(chunks[i].begin, chunks[i].end - chunks[i].begin), schema);
    if (!r.ok()) return failed(r.error());
    partials.push_back(std::move(r).value());
    cov.covered_bytes += chunks[i].end - chunks[i].begin;
    ++cov.chunks;
    progress("map", i + 1, n);
  }
  // Reduce: partial answers, one JSON line each, combined until one is left.
  for (int round = 0; partials.size() > 1; ++round) {
    if (round == kMaxReduceRounds)
      return Error(ErrorCode::kInternal,
                   "map-reduce did not converge after " + std::to_string(round) + " rounds");
    std::string joined;
    for (const Json& p : partials) {
      joined += p.dump(-1, ' ', false, Json::error_handler_t::replace);
      joined += "\n\n";
    }
    auto groups = split_into_chunks(joined, reduce_budget,
                                    [&](std::string_view s) { return runner.count(s); });
    if (!groups.ok()) return groups.error();
    std::vector<Json> next;
    const int total = static_cast<int>(groups->size());
    for (int g = 0; g < total; ++g) {
      const Chunk& c = (*groups)[g];
      auto r = runner.ask(reduce_system, joined.substr(c.begin, c.end - c.begin), schema);
      if (!r.ok()) return failed(r.error());
      next.push_back(std::move(r).value());
      progress("reduce", g + 1, total);
    }
    if (next.size() >= partials.size() && round > 0)
      return Error(ErrorCode::kInternal,
                   "map-reduce is not shrinking: partial answers exceed the reduce budget");
    partials = std::move(next);
  }
  return annotate(finish(feature, std::move(partials.front()), *params));
}

}  // namespace

Expected<Json> run_feature(const std::shared_ptr<Model>& model, Feature feature, const Json& input,
                           const Json& params_json, const FeatureOptions& options) {
  if (!model) return invalid("model: must not be null");
  Expected<Json> r = run_unfiltered(model, feature, input, params_json, options);
  if (!r.ok() || !options.output_filter) return r;
  if (Error e = filter_strings(*r, options.output_filter); !e.ok()) return e;
  return r;
}

}  // namespace zhi::features
