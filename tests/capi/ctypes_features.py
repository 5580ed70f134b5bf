#!/usr/bin/env python3
"""The intelligence features through libzhi's C ABI from Python (ctypes):
every feature in both languages answers its documented JSON shape, proofread
edits apply, notification summaries fit, long input is fully covered, a
guardrail's refusal comes back in the result, availability gives reasons.

usage: ctypes_features.py LIBZHI.so MODEL.gguf
"""
import ctypes as C
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
import zhi_ctypes as Z  # noqa: E402

EN = "The review is on Friday at 3 pm in room 4B. Anna presents; send slides to Ben by Thursday."
ZH = "评审会定在周五下午三点，在4B会议室。安娜做汇报，请在周四前把幻灯片发给王斌。"

SHAPES = {
    "proofread": {"corrected": str, "edits": list},
    "rewrite": {"text": str},
    "summarize": {"summary": str, "coverage": dict},
    "key-points": {"points": list, "coverage": dict},
    "list": {"items": list, "coverage": dict},
    "table": {"header": list, "rows": list, "markdown": str, "coverage": dict},
    "notify-summary": {"summary": str},
    "thread-summary": {"summary": str, "open_questions": list, "action_items": list},
    "reply": {"replies": list, "questions": list},
    "priority": {"urgent": bool, "reason": str},
    "tags": {"topics": list, "entities": list, "actions": list, "sentiment": str},
}


def feature_input(name, text):
    if name == "notify-summary":
        return [{"app": "Mail", "sender": "Ben", "title": "Review", "body": text, "time": "09:00"}]
    if name in ("thread-summary", "reply"):
        return [{"from": "Ben", "text": text}, {"from": "Anna", "text": "OK?"}]
    return text


def main():
    z = Z.Zhi(sys.argv[1])
    model = z.model(sys.argv[2], context_size=8192)
    sampled = {"greedy": False, "temperature": 1.0, "top_k": 0, "top_p": 1.0, "min_p": 0.0}
    for name, shape in SHAPES.items():
        for lang, text in (("en", EN), ("zh", ZH)):
            params = dict(sampled, seed=len(name))
            if name == "rewrite":
                params["tone"] = "concise"
            if name == "notify-summary":
                params["max_chars"] = 16
            r = z.feature(model, name, feature_input(name, text), params)
            assert r["lang"] == lang, (name, r)
            for key, typ in shape.items():
                assert isinstance(r[key], typ), (name, key, r)
            if name == "proofread":
                out, at = "", 0
                for e in r["edits"]:
                    b = text.encode()
                    assert b[e["start"]:e["end"]].decode() == e["original"], e
                    out += b[at:e["start"]].decode() + e["replacement"]
                    at = e["end"]
                out += text.encode()[at:].decode()
                assert out == r["corrected"], (out, r["corrected"])
            if name == "notify-summary":
                assert len(r["summary"]) <= 16, r["summary"]  # Python len counts code points
            if name == "priority":
                assert r["deadline"] is None or isinstance(r["deadline"], str)
            if name == "reply":
                assert len(r["replies"]) <= 3

    long_text = "".join(f"Part {i} of the report covers region {i}.\n\n" for i in range(10))
    seen = []
    r = z.feature(model, "summarize", long_text, {"chunk_tokens": 30},
                  progress=lambda _u, phase, done, total: seen.append((phase.decode(), done, total)))
    cov = r["coverage"]
    assert cov["chunks"] > 1 and cov["covered_bytes"] == cov["input_bytes"] == len(long_text.encode()), cov
    assert seen[0] == ("map", 1, cov["chunks"]) and seen[-1][0] == "reduce", seen

    reason = C.create_string_buffer(b"A1.8: refused by test")

    def guard(_user, stage, text, length):
        body = C.string_at(text, length).decode()
        return C.addressof(reason) if "blocked" in body else None

    r = z.feature(model, "tags", "this text is blocked", {}, guardrail=guard)
    assert r["refused"]["category"] == "A1.8" and r["refused"]["stage"] == "prompt", r

    try:
        z.feature(model, "rewrite", "hello", {"tone": "angry"})
        raise AssertionError("an unknown tone must fail")
    except Z.Zhi.Error as e:
        assert e.status == Z.INVALID_ARGUMENT and "angry" in e.message, e

    rollout = {"region": "cn", "features": {"summarize": True}, "languages": ["zh-CN", "en"],
               "rollout": {"enabled": True, "percent": 100}, "launch_date": "2026-01-01"}
    q = {"locale": "zh-CN", "region": "cn", "model_path": sys.argv[2], "rollouts": [rollout], "today": "2026-06-01"}
    assert z.feature_availability("summarize", q) == {"available": True, "reason": "available", "message": ""}
    assert z.feature_availability("tags", q)["reason"] == "feature_off"
    assert z.feature_availability("summarize", dict(q, today="2025-12-31"))["reason"] == "before_launch_date"
    assert z.feature_availability("summarize", dict(q, region="us"))["reason"] == "region_not_enabled"
    assert z.feature_availability("summarize", dict(q, locale="ja"))["reason"] == "language_unsupported"
    assert z.feature_availability("summarize", dict(q, model_path="/nope.gguf"))["reason"] == "model_missing"
    z.lib.zhi_model_free(model)
    print("ctypes features: ok")


if __name__ == "__main__":
    main()
