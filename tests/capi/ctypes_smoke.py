#!/usr/bin/env python3
"""Smoke test of libzhi through ctypes: every C entry point once, errors included.

usage: ctypes_smoke.py LIBZHI.so MODEL.gguf
"""
import ctypes as C
import json
import sys
import threading

sys.path.insert(0, __import__("os").path.dirname(__file__))
import zhi_ctypes as Z  # noqa: E402


def main():
    lib_path, model_path = sys.argv[1], sys.argv[2]
    z = Z.Zhi(lib_path)
    lib = z.lib
    assert lib.zhi_version().decode()
    assert lib.zhi_status_name(Z.CONTEXT_WINDOW_EXCEEDED) == b"context_window_exceeded"

    # Availability.
    avail = C.c_int(-1)
    reason = C.c_void_p()
    z.check(lib.zhi_check_availability(model_path.encode(), None, C.byref(avail), C.byref(reason)))
    assert avail.value == 0, Z.take_string(lib, reason)
    Z.take_string(lib, reason)
    z.check(lib.zhi_check_availability(b"/nonexistent.gguf", None, C.byref(avail), None))
    assert avail.value == 1
    m = C.c_void_p()
    st = lib.zhi_model_load(b"/nonexistent.gguf", None, C.byref(m))
    assert st == Z.UNAVAILABLE and b"model_file_missing" in lib.zhi_last_error()
    st = lib.zhi_model_load(None, None, C.byref(m))
    assert st == Z.INVALID_ARGUMENT and b"path" in lib.zhi_last_error()

    model = z.model(model_path)

    # Respond, then a second request reuses the prefix.
    calls = []

    def weather(_user, args, result):
        calls.append(json.loads(args.decode()))
        lib.zhi_tool_result_set(result, b'{"forecast": "rain"}')

    session, keep = z.session(model, "You are a test.",
                              tools=[("get_weather", "forecast", '{"type": "object", "properties": {"city": '
                                      '{"type": "string", "maxLength": 8}}, "required": ["city"]}', weather)])
    text, stats = z.respond(session, "hello", z.options(greedy=1, max_tokens=8, tool_choice=1))
    assert stats.generated_tokens > 0 and isinstance(text, str)
    _, stats2 = z.respond(session, "again", z.options(greedy=1, max_tokens=8, tool_choice=1))
    assert stats2.prefix_cache_hit == 1 and stats2.cached_tokens > 0, (stats2.cached_tokens,)

    # Tools.
    _, st3 = z.respond(session, "weather?", z.options(seed=3, max_tokens=200, tool_choice=2, max_tool_rounds=1))
    assert st3.tool_calls >= 1 and len(calls) == st3.tool_calls
    assert all(isinstance(c["city"], str) and len(c["city"]) <= 8 for c in calls), calls

    # Streaming, and cancelling from the callback.
    pieces = []

    def on_delta(_user, text_ptr, n):
        pieces.append(C.string_at(text_ptr, n).decode("utf-8"))
        return 0

    out = C.c_void_p()
    cb = Z.DELTA_FN(on_delta)
    opts = z.options(seed=1, max_tokens=16, tool_choice=1)
    z.check(lib.zhi_session_stream(session, b"stream", C.byref(opts), cb, None, C.byref(out), None))
    assert "".join(pieces) == Z.take_string(lib, out)
    stop_cb = Z.DELTA_FN(lambda _u, _t, _n: 1)
    st = lib.zhi_session_stream(session, b"stop", C.byref(opts), stop_cb, None, None, None)
    assert st == Z.CANCELLED, st

    # Cancel from another thread while streaming. The callback holds the
    # request until the cancel is in, so the answer cannot end first.
    started = threading.Event()
    cancel_sent = threading.Event()

    def slow(_u, _t, _n):
        started.set()
        cancel_sent.wait(30)
        return 0

    slow_cb = Z.DELTA_FN(slow)
    long_opts = z.options(seed=2, max_tokens=-1, tool_choice=1, top_k=0, top_p=1.0, min_p=0.0, temperature=1.0)
    result = {}

    def run():
        result["st"] = lib.zhi_session_stream(session, b"long", C.byref(long_opts), slow_cb, None, None, None)

    t = threading.Thread(target=run)
    t.start()
    started.wait(30)
    z.check(lib.zhi_session_cancel(session))
    cancel_sent.set()
    t.join()
    assert result["st"] == Z.CANCELLED, result

    # Structured output and its errors.
    schema = '{"type": "object", "properties": {"n": {"type": "integer", "minimum": 1, "maximum": 9}}, "required": ["n"]}'
    text, _ = z.respond(session, "json", z.options(seed=4, max_tokens=100, json_schema=schema, tool_choice=1))
    assert 1 <= json.loads(text)["n"] <= 9, text
    try:
        z.respond(session, "x", z.options(json_schema='{"type": "string", "format": "email"}'))
        raise AssertionError("expected invalid_schema")
    except Z.Zhi.Error as e:
        assert e.status == Z.INVALID_SCHEMA and "email" in e.message
    try:
        z.respond(session, "x", z.options(temperature=0.0))
        raise AssertionError("expected invalid_argument")
    except Z.Zhi.Error as e:
        assert e.status == Z.INVALID_ARGUMENT

    # Context overflow carries the counts.
    small = z.model(model_path, context_size=64)
    s_small, _ = z.session(small)
    st = lib.zhi_session_respond(s_small, b"word " * 200, None, None, None)
    assert st == Z.CONTEXT_WINDOW_EXCEEDED
    req, ctx = C.c_int64(), C.c_int64()
    lib.zhi_last_error_context_counts(C.byref(req), C.byref(ctx))
    assert ctx.value == 64 and req.value > 64, (req.value, ctx.value)

    # Guardrail: blocks every prompt.
    reason_buf = C.create_string_buffer(b"prompts are closed")

    def guard(_u, stage, _text, _n):
        return C.addressof(reason_buf) if stage == 0 else None

    s_guard, keep_g = z.session(model, guardrail=guard)
    st = lib.zhi_session_respond(s_guard, b"hi", None, None, None)
    assert st == Z.GUARDRAIL_VIOLATION and b"prompts are closed" in lib.zhi_last_error(), st

    # Speculative decoding (the model drafts for itself): same greedy text.
    so = Z.SessionOptions()
    lib.zhi_session_options_init(C.byref(so))
    so.draft_model = model
    so.draft_tokens = 3
    s_spec = C.c_void_p()
    z.check(lib.zhi_session_create(model, C.byref(so), C.byref(s_spec)))
    s_plain, _ = z.session(model)
    greedy = z.options(greedy=1, max_tokens=24, tool_choice=1)
    spec_text, spec_stats = z.respond(s_spec, "draft", greedy)
    plain_text, _ = z.respond(s_plain, "draft", greedy)
    assert spec_text == plain_text, (spec_text, plain_text)
    # (That the draft is always accepted here is tests/session/speculative_test.cc's
    # business: it rests on batched and single-token passes agreeing bit for bit.)
    assert spec_stats.draft_proposed > 0 and spec_stats.draft_accepted > 0

    # Prewarm, transcript, restore.
    z.check(lib.zhi_session_prewarm(session, b"prefix"))
    tj = C.c_void_p()
    z.check(lib.zhi_session_transcript(session, C.byref(tj)))
    transcript = Z.take_string(lib, tj)
    assert json.loads(transcript)["version"] == 1
    restored = C.c_void_p()
    z.check(lib.zhi_session_restore(model, transcript.encode(), None, C.byref(restored)))
    assert lib.zhi_session_restore(model, b"{", None, C.byref(C.c_void_p())) == Z.INVALID_ARGUMENT

    stats_c = Z.PrefixCacheStats()
    z.check(lib.zhi_model_prefix_cache_stats(model, C.byref(stats_c)))
    assert stats_c.hits >= 1 and stats_c.lookups >= stats_c.hits

    pj = C.c_void_p()
    z.check(lib.zhi_partial_json(b'{"a": 1, "b": "x', C.byref(pj)))
    assert Z.take_string(lib, pj) == '{"a":1}'

    # Bad struct_size is caught, not read past.
    bad = Z.GenerationOptions()
    assert lib.zhi_session_respond(session, b"x", C.byref(bad), None, None) == Z.INVALID_ARGUMENT

    for s in (restored, s_guard, s_small, session, s_spec, s_plain):
        lib.zhi_session_free(s)
    for mm in (small, model):
        lib.zhi_model_free(mm)
    del keep, keep_g
    print("ctypes smoke: ok")


if __name__ == "__main__":
    main()
