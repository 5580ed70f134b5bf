// C ABI: the intelligence features, JSON in and JSON out.
#include <nlohmann/json.hpp>
#include <type_traits>

#include "capi/capi_common.h"
#include "capi/capi_handles.h"
#include "zhi/features.hpp"

namespace zhi::capi {
namespace {

using Json = nlohmann::json;

Expected<Json> parse(const char* text, const char* what) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded())
    return Error(ErrorCode::kInvalidArgument, std::string(what) + ": not valid JSON");
  return j;
}

Expected<features::Feature> feature_of(const char* name) {
  if (name == nullptr) return null_argument("feature");
  auto f = features::parse_feature(name);
  if (!f)
    return Error(ErrorCode::kInvalidArgument,
                 std::string("feature: unknown feature '") + name + "'");
  return *f;
}

// Moves the sampling keys out of `params` into `o`.
Error take_sampling(Json& params, features::FeatureOptions* o) {
  GenerationOptions& g = o->generation;
  g.greedy = true;
  const auto number = [&](const char* key, auto* out) -> Error {
    if (!params.contains(key)) return {};
    if (!params[key].is_number())
      return {ErrorCode::kInvalidArgument, std::string("params.") + key + ": expected a number"};
    *out = params[key].get<std::remove_pointer_t<decltype(out)>>();
    params.erase(key);
    return {};
  };
  if (params.contains("greedy")) {
    if (!params["greedy"].is_boolean())
      return {ErrorCode::kInvalidArgument, "params.greedy: expected true or false"};
    g.greedy = params["greedy"].get<bool>();
    params.erase("greedy");
  }
  for (Error e : {number("temperature", &g.temperature), number("top_k", &g.top_k),
                  number("top_p", &g.top_p), number("min_p", &g.min_p), number("seed", &g.seed),
                  number("chunk_tokens", &o->chunk_tokens)}) {
    if (!e.ok()) return e;
  }
  if (!g.greedy && !(g.temperature > 0))
    return {ErrorCode::kInvalidArgument, "params.temperature: must be > 0"};
  return {};
}

}  // namespace
}  // namespace zhi::capi

extern "C" {

void zhi_feature_options_init(zhi_feature_options* options) {
  if (options == nullptr) return;
  *options = zhi_feature_options{};
  options->struct_size = sizeof(zhi_feature_options);
}

zhi_status zhi_feature_run(zhi_model* model, const char* feature, const char* input_json,
                           const char* params_json, const zhi_feature_options* options,
                           char** out_json) {
  using namespace zhi;
  using namespace zhi::capi;
  return guarded([&]() -> Error {
    if (out_json == nullptr) return null_argument("out_json");
    *out_json = nullptr;
    if (model == nullptr) return null_argument("model");
    if (input_json == nullptr) return null_argument("input_json");
    auto f = feature_of(feature);
    if (!f.ok()) return f.error();
    auto input = parse(input_json, "input_json");
    if (!input.ok()) return input.error();
    Json params = Json::object();
    if (params_json != nullptr) {
      auto p = parse(params_json, "params_json");
      if (!p.ok()) return p.error();
      if (!p->is_object())
        return {ErrorCode::kInvalidArgument, "params_json: expected a JSON object"};
      params = std::move(p).value();
    }
    zhi_feature_options c;
    zhi_feature_options_init(&c);
    if (Error e = read_options(options, &c); !e.ok()) return e;
    features::FeatureOptions o;
    if (Error e = take_sampling(params, &o); !e.ok()) return e;
    if (c.guardrail != nullptr) {
      const zhi_guardrail_fn fn = c.guardrail;
      void* user = c.guardrail_user_data;
      o.guardrail = [fn, user](GuardrailStage stage, std::string_view text) {
        const std::string copy(text);
        const char* reason = fn(
            user, stage == GuardrailStage::kPrompt ? ZHI_GUARDRAIL_PROMPT : ZHI_GUARDRAIL_RESPONSE,
            copy.c_str(), copy.size());
        if (reason == nullptr) return GuardrailVerdict{};
        return GuardrailVerdict{false, reason};
      };
    }
    if (c.progress != nullptr) {
      const zhi_feature_progress_fn fn = c.progress;
      void* user = c.progress_user_data;
      o.progress = [fn, user](const features::Progress& p) {
        fn(user, p.phase.c_str(), p.done, p.total);
      };
    }
    if (c.input_filter != nullptr)
      o.input_filter = text_filter(c.input_filter, c.input_filter_user_data,
                                   "the input filter refused the input");
    if (c.output_filter != nullptr)
      o.output_filter = text_filter(c.output_filter, c.output_filter_user_data,
                                    "the output filter refused the result");
    auto r = features::run_feature(model->model, *f, *input, params, o);
    if (!r.ok()) return r.error();
    *out_json = copy_out(r->dump(-1, ' ', false, Json::error_handler_t::replace));
    return {};
  });
}

zhi_status zhi_feature_availability(const char* feature, const char* query_json, char** out_json) {
  using namespace zhi;
  using namespace zhi::capi;
  return guarded([&]() -> Error {
    if (out_json == nullptr) return null_argument("out_json");
    *out_json = nullptr;
    if (query_json == nullptr) return null_argument("query_json");
    auto f = feature_of(feature);
    if (!f.ok()) return f.error();
    auto q = parse(query_json, "query_json");
    if (!q.ok()) return q.error();
    if (!q->is_object()) return {ErrorCode::kInvalidArgument, "query_json: expected a JSON object"};
    const auto str = [&](const char* key, std::string* out) -> Error {
      if (!q->contains(key)) return {};
      if (!(*q)[key].is_string())
        return {ErrorCode::kInvalidArgument,
                std::string("query_json.") + key + ": expected a string"};
      *out = (*q)[key].get<std::string>();
      return {};
    };
    std::string locale, region;
    features::AvailabilityQuery query;
    for (Error e : {str("locale", &locale), str("region", &region),
                    str("model_path", &query.model_path), str("today", &query.today)}) {
      if (!e.ok()) return e;
    }
    if (q->contains("rollout_bucket")) {
      if (!(*q)["rollout_bucket"].is_number_integer())
        return {ErrorCode::kInvalidArgument, "query_json.rollout_bucket: expected an integer"};
      query.rollout_bucket = (*q)["rollout_bucket"].get<int>();
    }
    if (q->contains("rollouts")) {
      const Json& rs = (*q)["rollouts"];
      if (!rs.is_array())
        return {ErrorCode::kInvalidArgument, "query_json.rollouts: expected an array"};
      for (size_t i = 0; i < rs.size(); ++i) {
        if (!rs[i].is_object() || !rs[i].contains("region") || !rs[i]["region"].is_string())
          return {ErrorCode::kInvalidArgument,
                  "query_json.rollouts[" + std::to_string(i) + "].region: expected a string"};
        auto r = features::rollout_from_json(rs[i], rs[i]["region"].get<std::string>());
        if (!r.ok())
          return {ErrorCode::kInvalidArgument,
                  "query_json.rollouts[" + std::to_string(i) + "]: " + r.error().message()};
        query.rollouts.push_back(std::move(r).value());
      }
    }
    const features::FeatureAvailability a = features::availability(*f, locale, region, query);
    const Json out = {{"available", a.available()},
                      {"reason", features::unavailable_reason_name(a.reason)},
                      {"message", a.message}};
    *out_json = copy_out(out.dump());
    return {};
  });
}

}  // extern "C"
