#!/usr/bin/env python3
"""Guided generation against an independent validator.

Draws N random schemas from the supported JSON Schema subset, asks libzhi
(through ctypes) for a structured answer to each from a random-weight model
sampling at temperature 1, and checks every answer with Python's jsonschema
(Draft 2020-12, formats checked). Exits 77 (skip) when jsonschema is missing.

usage: random_schemas.py LIBZHI.so MODEL.gguf [N] [SEED]
"""
import ctypes as C
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import zhi_ctypes as Z  # noqa: E402

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed: skipping")
    sys.exit(77)

PATTERNS = [
    "^[a-z]{1,6}$", "^\\d{3}-\\d{4}$", "^(foo|bar|baz)(-[0-9])?$", "^[A-Z][a-z]{0,8}$", "^[^0-9\"]{2,5}$",
    "^(ab|c)+$", "^\\w{2,4}\\s\\w{1,3}$", "^[0-9a-f]{8}$", "^.{1,5}$", "^中文[一-龥]?$".replace("[一-龥]?", "(字|词)?"),
    "^x(y|z){2}\\.$", "^[+-]?\\d{1,3}(\\.\\d{1,2})?$",
]
WORDS = ["alpha", "beta", "名字", "年龄", "tag", "value", "x_1", "城市", "note", "id"]


def gen_string(r):
    kind = r.random()
    if kind < 0.25:
        return {"type": "string", "pattern": r.choice(PATTERNS)}
    if kind < 0.4:
        return {"type": "string", "format": r.choice(["date", "time", "date-time", "uuid"])}
    lo = r.randint(0, 4)
    hi = r.randint(lo, lo + 8)
    s = {"type": "string", "maxLength": hi}
    if lo or r.random() < 0.5:
        s["minLength"] = lo
    return s


def gen_number(r, integer):
    s = {"type": "integer" if integer else "number"}
    bound = (lambda: r.randint(-50, 50)) if integer or r.random() < 0.5 else (lambda: round(r.uniform(-50, 50), 2))
    lo = bound()
    hi = lo + (r.randint(0, 100) if integer else r.randint(1, 100))
    mode = r.random()
    if mode < 0.2:
        return s
    if mode < 0.4:
        s["minimum"] = lo
    elif mode < 0.6:
        s["maximum"] = hi
    else:
        s["exclusiveMinimum" if r.random() < 0.3 else "minimum"] = lo - (1 if integer else 0)
        s["exclusiveMaximum" if r.random() < 0.3 else "maximum"] = hi + (1 if integer else 0)
    return s


def gen_literal(r):
    return r.choice(["red", "green", "蓝色", 1, 2.5, -3, True, False, None, "a \"quoted\" word", {"k": [1, "v"]}])


def gen(r, depth, defs):
    leaf = ["string", "string", "integer", "number", "boolean", "null", "enum", "const"]
    inner = ["array", "object", "object", "anyOf", "ref"] if depth < 3 else []
    kind = r.choice(leaf + inner * 2)
    if kind == "string":
        return gen_string(r)
    if kind in ("integer", "number"):
        return gen_number(r, kind == "integer")
    if kind in ("boolean", "null"):
        return {"type": kind}
    if kind == "enum":
        vals = []
        for _ in range(r.randint(1, 4)):
            v = gen_literal(r)
            if v not in vals:
                vals.append(v)
        return {"enum": vals}
    if kind == "const":
        return {"const": gen_literal(r)}
    if kind == "array":
        lo = r.randint(0, 2)
        return {"type": "array", "items": gen(r, depth + 1, defs), "minItems": lo, "maxItems": lo + r.randint(0, 3)}
    if kind == "anyOf":
        return {"anyOf": [gen(r, depth + 1, defs) for _ in range(r.randint(2, 3))]}
    if kind == "ref":
        name = "d%d" % len(defs)
        defs[name] = None  # reserved first, so nested definitions get other names (no cycles)
        defs[name] = gen(r, depth + 1, defs)
        return {"$ref": "#/$defs/" + name}
    names = r.sample(WORDS, r.randint(1, 4))
    props = {n: gen(r, depth + 1, defs) for n in names}
    s = {"type": "object", "properties": props, "required": [n for n in names if r.random() < 0.6]}
    if r.random() < 0.5:
        s["additionalProperties"] = False
    return s


def random_schema(r):
    defs = {}
    root = gen(r, 0, defs)
    if r.random() < 0.3 and root.get("type") != "object":
        root = {"type": "object", "properties": {"answer": root}, "required": ["answer"]}
    if defs:
        root = dict(root)
        root["$defs"] = defs
    return root


def main():
    lib_path, model_path = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 20240601
    z = Z.Zhi(lib_path)
    model = z.model(model_path, context_size=4096)
    r = random.Random(seed)
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    failures = 0
    tokens = 0
    t0 = time.time()
    for i in range(n):
        schema = random_schema(r)
        text = json.dumps(schema, ensure_ascii=False)
        session, _keep = z.session(model)
        opts = z.options(temperature=1.0, top_k=0, top_p=1.0, min_p=0.0, seed=seed + i, max_tokens=3000,
                         json_schema=text)
        out = C.c_void_p()
        stats = Z.ResponseStats()
        st = z.lib.zhi_session_respond(session, b"Answer in JSON.", C.byref(opts), C.byref(out), C.byref(stats))
        err = z.lib.zhi_last_error().decode()
        answer = Z.take_string(z.lib, out)
        z.lib.zhi_session_free(session)
        tokens += stats.generated_tokens
        if st != Z.OK:
            failures += 1
            print(f"[{i}] status {st}: {err}\n  schema: {text}")
            continue
        try:
            value = json.loads(answer)
            jsonschema.validate(value, schema, cls=jsonschema.Draft202012Validator, format_checker=checker)
        except Exception as e:  # noqa: BLE001 - report any parse or validation failure
            failures += 1
            print(f"[{i}] invalid: {e}\n  schema: {text}\n  answer: {answer!r}")
    z.lib.zhi_model_free(model)
    dt = time.time() - t0
    print(f"random schemas: {n - failures}/{n} answers validate ({tokens} tokens, {dt:.1f} s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
