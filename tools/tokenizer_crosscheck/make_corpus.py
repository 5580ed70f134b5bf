#!/usr/bin/env python3
"""Writes tests/tokenizer/data/corpus.jsonl: tokenizer cross-check texts.

Hand-written lines that aim at the pre-tokenizer's corners, plus seeded
random mixes of them. Deterministic: rerunning gives the same file. JSON
lines keep tabs, CR, trailing spaces and U+3000 exact.
Usage: python3 make_corpus.py OUT.jsonl
"""
import json
import random
import sys

HAND = [
    # English prose and contractions in every case
    "The quick brown fox jumps over the lazy dog.",
    "I'm sure you'll see it's what we've done, they'd've",
    "DON'T SHOUT, IT'S FINE. WE'LL SEE. THEY'RE HERE. I'VE GOT IT. SHE'D KNOW. I'M OK.",
    "it'S, we'Ll, they'Re, you'Ve, I'M, he'D, can'T",
    "'s 't 're 've 'm 'll 'd at the start",
    "'sup 'tis 'round 'em 'll 'dunno",
    "rock 'n' roll, ma'am, o'clock, y'all, 'twas",
    "She said 'hello' and he said \"goodbye\".",
    "Don’t use curly apostrophes’s like that’ll",
    "ALL CAPS SENTENCE WITH NUMBERS 123 AND SYMBOLS #@!",
    "camelCaseIdentifier snake_case_name kebab-case-name SCREAMING_CASE",
    # Chinese
    "你好，世界！",
    "通义千问是阿里云研发的大语言模型。",
    "苹果公司与阿里巴巴合作，在中国的iPhone上推出Apple Intelligence。",
    "今天天气很好，我们去公园散步吧。",
    "会议改到明天下午3点，请带上季度报表。",
    "中华人民共和国成立于1949年10月1日。",
    "“引号”‘单引号’《书名号》【方括号】（圆括号）",
    "标点：，。！？；：、……——",
    "全角字符：ＡＢＣ１２３，标点。",
    "繁體中文：蘋果智慧在中國大陸推出",
    "混合mixed语言text测试123",
    "我的邮箱是test@example.com，电话是13800138000。",
    "价格：¥1,299.00（含税）",
    "第一章　开始",
    "中文\u3000全角空格\u3000\u3000两个",
    "\u3000\u3000段落首行缩进两个全角空格。",
    # Japanese, Korean, other scripts
    "日本語のテキストも含まれます。",
    "カタカナとひらがなとガギグゲゴ、パピプペポ、ー長音",
    "한국어 문장입니다. 안녕하세요!",
    "Здравствуй, мир! Как дела?",
    "Ελληνικά γράμματα: αβγδε ΑΒΓΔΕ",
    "العربية: مرحبا بالعالم",
    "עברית: שלום עולם",
    "हिन्दी: नमस्ते दुनिया",
    "ไทย: สวัสดีชาวโลก",
    "Tiếng Việt: Xin chào thế giới",
    # accents, composed and decomposed
    "Ünïcödé àccénts café naïve résumé",
    "cafe\u0301 nai\u0308ve re\u0301sume\u0301",
    "A\u030a ångström, Å vs A\u030a vs \u212b",
    "e\u0301\u0301 double accent, o\u0308\u0304 stacked",
    "\u1100\u1161\u11a8 conjoining jamo vs 각",
    "か\u3099 vs が, ハ\u309a vs パ",
    "ﬁ ligature, ℌ, ①②③, ½ ¼, ² ³",
    "Ⅻ roman numerals Ⅷ and ⅷ",
    "\u0301 leading combining mark",
    # numbers
    "1234567890 3.14159 1e-9 ¥1,299.00",
    "2024-01-15T08:30:00Z",
    "+1 (555) 123-4567",
    "0x1F600 0b1010 0o777 1_000_000",
    "v1.2.3-beta.4+build.5",
    "١٢٣ Arabic-Indic digits, ०१२ Devanagari digits",
    "pi≈3.14, e≈2.718, φ≈1.618",
    # code
    "def f(x):\n    return x**2  # square\n",
    "if (a && b) { return c; }\t// tab",
    "for (int i = 0; i < n; ++i) {\n\tsum += a[i];\n}\n",
    "#include <stdio.h>\nint main(void) { printf(\"hi\\n\"); }\n",
    "const x = () => { console.log(`template ${literal}`); };",
    "SELECT * FROM users WHERE id = 42 AND name LIKE '%bob%';",
    "<div class=\"row\"><span>text</span></div>",
    "{\"key\": \"value\", \"list\": [1, 2, 3], \"nested\": {\"a\": null}}",
    "$ ls -la /usr/local/bin | grep -v '^d' > out.txt 2>&1",
    "fn main() -> Result<(), Box<dyn Error>> { Ok(()) }",
    "    indented four\n        indented eight\n",
    "x=1;y=2;z=x+y;;",
    "a->b, a::b, a<<=2, a>>>=3, a!==b, a?.b ?? c",
    "https://www.example.com/path?query=1&b=2#frag",
    "user@host:~/src$ make -j1 && ./run --flag=value",
    "    \"\"\"Docstring.\"\"\"\n",
    "// TODO(someone): fix this\n/* block */",
    # emoji
    "emoji 😀👍🏽🇨🇳 and ZWJ 👨‍👩‍👧",
    "🎉🎉🎉 party!!! 🥳",
    "❤️ red heart with VS16, ☺︎ text style",
    "flags 🇺🇸🇯🇵🇩🇪 and keycap 1️⃣ #️⃣",
    "😀a emoji before letter, a😀 after",
    # whitespace corners
    "Hello  world",
    "   leading spaces",
    "trailing spaces   ",
    "trailing tab\t",
    "\ttab first",
    "a\tb\tc\t\td",
    "line1\r\nline2\r\n",
    "cr only\rline\r",
    "\n\n\nthree newlines first",
    "spaces before newline   \nnext",
    "newline then spaces\n   next",
    "\t\t\n  \n",
    "  \n  \n  ",
    " \r\n \r\n ",
    "a \u00a0b nbsp",
    "a\u00a0\u00a0b two nbsp",
    "a\u2003b em space \u2009 thin space",
    "a\u200bb zero width space",
    "word\u2028line separator\u2029paragraph separator",
    "\u000bvertical tab\u000cform feed",
    "mixed \t \t whitespace \t\t  end",
    " ",
    "\n",
    "\t",
    "  ",
    "x ",
    " x",
    # punctuation corners
    "ok!!!???...",
    "a ..b ,,c",
    "(parenthesized) [bracketed] {braced}",
    "end.\n\nNext paragraph.",
    "quote:\n> nested\n>> deeper",
    "--- horizontal rule ---",
    "***bold*** __under__ ~~strike~~",
    "…ellipsis… and —em dash— and –en dash–",
    "¿Qué? ¡Sí!",
    "100% sure, 50/50, 3:2, #1, @user, $5, ^_^, ~~~",
    "a\\b\\c backslashes \\n not newline",
    # special-token text (parsed only with parse_special)
    "<|im_start|>user\n你好<|im_end|>\n<|im_start|>assistant\n",
    "<|endoftext|>",
    "before<|endoftext|>after",
    "tool call <tool_call>{\"name\": \"f\"}</tool_call>",
    "<|im_start|><|im_end|><|im_start|>",
    "<|im_start|", "|im_start|>", "<|im_start |>",
    "<think>reasoning</think> answer",
    "<|fim_prefix|>def <|fim_suffix|>\n<|fim_middle|>",
    "<|IM_START|> is not special",
    # long repetition
    "x" * 50,
    "中" * 40,
    "ab" * 30,
    "!" * 25,
    " " * 17 + "x",
    "1" * 20,
    "The quick brown fox jumps over the lazy dog. " * 3,
    "数字一二三四五六七八九十百千万亿",
    "Apple Intelligence 将于何时在中国上线？阿里巴巴董事长蔡崇信表示双方已达成合作。",
    "Summarize: 会议改到明天下午3点，请带上季度报表。",
]

WORDS_EN = ("the of and to in is you that it he was for on are as with his they I at be this have from "
            "or one had by word but not what all were we when your can said there use an each which she "
            "do how their if will up other about out many then them these so some her would make like him "
            "into time has look two more write go see number no way could people my than first water been "
            "call who oil its now find long down day did get come made may part Transformer attention "
            "tokenizer inference quantization model GPU CPU latency throughput").split()
WORDS_ZH = ("我们 你们 他们 今天 明天 模型 推理 量化 中文 英文 计算机 人工智能 大语言模型 阿里巴巴 "
            "北京 上海 深圳 杭州 数据 训练 评测 速度 内存 线程 的 了 在 是 和 有 不 这 个 也 就 都 "
            "而 及 与 着 或 一个 没有 我们的 自己 之 为 上 下 中 大 小").split()
PUNCT_EN = [".", ",", "!", "?", ";", ":", " -", " (x)", "'s", "'LL", "...", ""]
PUNCT_ZH = ["，", "。", "！", "？", "；", "：", "、", "（注）", "“引用”", "……", ""]
SPACES = [" ", "  ", "\t", "\n", "\r\n", "\u3000", " \n", "\n\n", "   ", ""]
EXTRAS = ["😀", "🇨🇳", "e\u0301", "123", "3.14", "2024年", "¥99", "<b>", "x=1;", "中文English混合", "ＡＢＣ", "①", "\u00a0"]


def random_line(rng):
    parts = []
    for _ in range(rng.randint(3, 18)):
        r = rng.random()
        if r < 0.4:
            parts.append(rng.choice(WORDS_EN) + rng.choice([" ", " ", " ", ""]))
        elif r < 0.75:
            parts.append(rng.choice(WORDS_ZH))
        elif r < 0.85:
            parts.append(rng.choice(PUNCT_EN + PUNCT_ZH))
        elif r < 0.93:
            parts.append(rng.choice(SPACES))
        else:
            parts.append(rng.choice(EXTRAS))
    line = "".join(parts)
    if rng.random() < 0.15:
        line = line.upper()
    if rng.random() < 0.1:
        line += rng.choice([" ", "  ", "\t", "\u3000"])
    return line


def main():
    out = sys.argv[1]
    rng = random.Random(20260124)
    lines = list(HAND)
    while len(lines) < 600:
        lines.append(random_line(rng))
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        for text in lines:
            f.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
    print(f"wrote {out}: {len(lines)} lines", file=sys.stderr)


if __name__ == "__main__":
    main()
