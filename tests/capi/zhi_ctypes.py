"""Minimal ctypes binding of libzhi (include/zhi/zhi.h) for the tests."""
import ctypes as C
import json

OK = 0
INVALID_ARGUMENT = 1
CONTEXT_WINDOW_EXCEEDED = 2
GUARDRAIL_VIOLATION = 3
DECODING_FAILURE = 4
CANCELLED = 5
CONCURRENT_REQUESTS = 6
INVALID_SCHEMA = 7
UNAVAILABLE = 8


class ModelOptions(C.Structure):
    _fields_ = [("struct_size", C.c_uint32), ("context_size", C.c_int64), ("threads", C.c_int32),
                ("batch_size", C.c_int64), ("kv_cache_type", C.c_int32), ("prefix_cache_entries", C.c_int32),
                ("prefix_cache_bytes", C.c_uint64), ("prompt_cache_dir", C.c_char_p), ("fast_prompts", C.c_int32)]


TOOL_FN = C.CFUNCTYPE(None, C.c_void_p, C.c_char_p, C.c_void_p)
GUARDRAIL_FN = C.CFUNCTYPE(C.c_void_p, C.c_void_p, C.c_int, C.c_char_p, C.c_size_t)
DELTA_FN = C.CFUNCTYPE(C.c_int32, C.c_void_p, C.POINTER(C.c_char), C.c_size_t)
RECORD_FILTER_FN = C.CFUNCTYPE(C.c_void_p, C.c_void_p, C.POINTER(C.c_char), C.c_size_t)


class Tool(C.Structure):
    _fields_ = [("name", C.c_char_p), ("description", C.c_char_p), ("parameters_json", C.c_char_p),
                ("fn", TOOL_FN), ("user_data", C.c_void_p)]


class SessionOptions(C.Structure):
    _fields_ = [("struct_size", C.c_uint32), ("instructions", C.c_char_p), ("tools", C.POINTER(Tool)),
                ("n_tools", C.c_size_t), ("guardrail", GUARDRAIL_FN), ("guardrail_user_data", C.c_void_p),
                ("draft_model", C.c_void_p), ("draft_tokens", C.c_int32),
                ("record_filter", RECORD_FILTER_FN), ("record_filter_user_data", C.c_void_p)]


class GenerationOptions(C.Structure):
    _fields_ = [("struct_size", C.c_uint32), ("greedy", C.c_int32), ("temperature", C.c_float), ("top_k", C.c_int32),
                ("top_p", C.c_float), ("min_p", C.c_float), ("seed", C.c_uint64), ("max_tokens", C.c_int64),
                ("stop", C.POINTER(C.c_char_p)), ("n_stop", C.c_size_t), ("json_schema", C.c_char_p),
                ("tool_choice", C.c_int32), ("max_tool_rounds", C.c_int32)]


class ResponseStats(C.Structure):
    _fields_ = [("prompt_tokens", C.c_int64), ("cached_tokens", C.c_int64), ("evaluated_tokens", C.c_int64),
                ("generated_tokens", C.c_int64), ("prefix_cache_hit", C.c_int32), ("tool_calls", C.c_int32),
                ("rounds", C.c_int32), ("finish_reason", C.c_int32), ("time_to_first_token_s", C.c_double),
                ("prompt_seconds", C.c_double), ("generate_seconds", C.c_double), ("draft_proposed", C.c_int64),
                ("draft_accepted", C.c_int64)]


PROGRESS_FN = C.CFUNCTYPE(None, C.c_void_p, C.c_char_p, C.c_int32, C.c_int32)


class FeatureOptions(C.Structure):
    _fields_ = [("struct_size", C.c_uint32), ("guardrail", GUARDRAIL_FN), ("guardrail_user_data", C.c_void_p),
                ("progress", PROGRESS_FN), ("progress_user_data", C.c_void_p),
                ("output_filter", RECORD_FILTER_FN), ("output_filter_user_data", C.c_void_p),
                ("input_filter", RECORD_FILTER_FN), ("input_filter_user_data", C.c_void_p)]


class PrefixCacheStats(C.Structure):
    _fields_ = [("lookups", C.c_int64), ("hits", C.c_int64), ("reused_tokens", C.c_int64),
                ("evictions", C.c_int64), ("entries", C.c_int64), ("bytes", C.c_uint64)]


def load(path):
    lib = C.CDLL(path)
    P = C.c_void_p
    sigs = {
        "zhi_status_name": (C.c_char_p, [C.c_int]),
        "zhi_last_error": (C.c_char_p, []),
        "zhi_last_error_context_counts": (None, [C.POINTER(C.c_int64), C.POINTER(C.c_int64)]),
        "zhi_version": (C.c_char_p, []),
        "zhi_string_free": (None, [P]),
        "zhi_model_options_init": (None, [C.POINTER(ModelOptions)]),
        "zhi_check_availability": (C.c_int, [C.c_char_p, C.POINTER(ModelOptions), C.POINTER(C.c_int), C.POINTER(P)]),
        "zhi_model_load": (C.c_int, [C.c_char_p, C.POINTER(ModelOptions), C.POINTER(P)]),
        "zhi_model_free": (None, [P]),
        "zhi_model_prefix_cache_stats": (C.c_int, [P, C.POINTER(PrefixCacheStats)]),
        "zhi_tool_result_set": (None, [P, C.c_char_p]),
        "zhi_tool_result_set_error": (None, [P, C.c_char_p]),
        "zhi_session_options_init": (None, [C.POINTER(SessionOptions)]),
        "zhi_session_create": (C.c_int, [P, C.POINTER(SessionOptions), C.POINTER(P)]),
        "zhi_session_restore": (C.c_int, [P, C.c_char_p, C.POINTER(SessionOptions), C.POINTER(P)]),
        "zhi_session_free": (None, [P]),
        "zhi_generation_options_init": (None, [C.POINTER(GenerationOptions)]),
        "zhi_session_respond": (C.c_int, [P, C.c_char_p, C.POINTER(GenerationOptions), C.POINTER(P),
                                          C.POINTER(ResponseStats)]),
        "zhi_session_stream": (C.c_int, [P, C.c_char_p, C.POINTER(GenerationOptions), DELTA_FN, P, C.POINTER(P),
                                         C.POINTER(ResponseStats)]),
        "zhi_session_prewarm": (C.c_int, [P, C.c_char_p]),
        "zhi_session_cancel": (C.c_int, [P]),
        "zhi_session_transcript": (C.c_int, [P, C.POINTER(P)]),
        "zhi_partial_json": (C.c_int, [C.c_char_p, C.POINTER(P)]),
        "zhi_feature_options_init": (None, [C.POINTER(FeatureOptions)]),
        "zhi_feature_run": (C.c_int, [P, C.c_char_p, C.c_char_p, C.c_char_p, C.POINTER(FeatureOptions),
                                      C.POINTER(P)]),
        "zhi_feature_availability": (C.c_int, [C.c_char_p, C.c_char_p, C.POINTER(P)]),
    }
    for name, (res, args) in sigs.items():
        f = getattr(lib, name)
        f.restype = res
        f.argtypes = args
    return lib


def take_string(lib, p):
    """Copies a library-owned char* out and frees it."""
    if not p.value:
        return None
    s = C.string_at(p.value).decode("utf-8")
    lib.zhi_string_free(p)
    return s


class Zhi:
    """Thin wrapper: raises on errors, returns Python values."""

    class Error(Exception):
        def __init__(self, status, message):
            super().__init__(f"{status}: {message}")
            self.status = status
            self.message = message

    def __init__(self, lib_path):
        self.lib = load(lib_path)

    def check(self, status):
        if status != OK:
            raise Zhi.Error(status, self.lib.zhi_last_error().decode())

    def model(self, path, context_size=2048):
        o = ModelOptions()
        self.lib.zhi_model_options_init(C.byref(o))
        o.context_size = context_size
        o.threads = 1
        m = C.c_void_p()
        self.check(self.lib.zhi_model_load(path.encode(), C.byref(o), C.byref(m)))
        return m

    def session(self, model, instructions=None, tools=(), guardrail=None):
        o = SessionOptions()
        self.lib.zhi_session_options_init(C.byref(o))
        if instructions is not None:
            o.instructions = instructions.encode()
        keep = []
        if tools:
            arr = (Tool * len(tools))()
            for i, (name, desc, schema, fn) in enumerate(tools):
                cb = TOOL_FN(fn)
                keep.append(cb)
                arr[i] = Tool(name.encode(), desc.encode(), schema.encode() if schema else None, cb, None)
            o.tools = arr
            o.n_tools = len(tools)
            keep.append(arr)
        if guardrail is not None:
            cb = GUARDRAIL_FN(guardrail)
            keep.append(cb)
            o.guardrail = cb
        s = C.c_void_p()
        self.check(self.lib.zhi_session_create(model, C.byref(o), C.byref(s)))
        return s, keep

    def options(self, **kw):
        g = GenerationOptions()
        self.lib.zhi_generation_options_init(C.byref(g))
        for k, v in kw.items():
            if k == "json_schema":
                v = v.encode()
            setattr(g, k, v)
        return g

    def respond(self, session, prompt, options):
        out = C.c_void_p()
        stats = ResponseStats()
        self.check(self.lib.zhi_session_respond(session, prompt.encode(), C.byref(options), C.byref(out),
                                                C.byref(stats)))
        return take_string(self.lib, out), stats

    def feature(self, model, name, input_value, params=None, guardrail=None, progress=None):
        """Runs a feature; returns the result as a Python value."""
        o = FeatureOptions()
        self.lib.zhi_feature_options_init(C.byref(o))
        keep = []
        if guardrail is not None:
            cb = GUARDRAIL_FN(guardrail)
            keep.append(cb)
            o.guardrail = cb
        if progress is not None:
            cb = PROGRESS_FN(progress)
            keep.append(cb)
            o.progress = cb
        out = C.c_void_p()
        self.check(self.lib.zhi_feature_run(model, name.encode(), json.dumps(input_value).encode(),
                                            json.dumps(params or {}).encode(), C.byref(o), C.byref(out)))
        return json.loads(take_string(self.lib, out))

    def feature_availability(self, name, query):
        out = C.c_void_p()
        self.check(self.lib.zhi_feature_availability(name.encode(), json.dumps(query).encode(), C.byref(out)))
        return json.loads(take_string(self.lib, out))
