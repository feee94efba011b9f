#!/usr/bin/env python3
"""Rewrites a handbook made by gen_corpus.py into Chinese, for measuring search in a CJK handbook
against the English one it came from (scripts/bench-search.mjs on each): every English word of the
page bodies and titles becomes the same 2 or 3 Han characters wherever it is (a hash picks them
from 3,000), with no space between two of them, as Chinese is written; link targets and inline
code stay as they are, and `language = "zh"` is added to opsbook.toml. The topics stay, so the
same query, rewritten, finds what the English one finds.

    python3 ../shared/bench/gen_corpus.py --flavor opsbook --pages 10000 --out /tmp/hb --force
    python3 scripts/cjk-handbook.py /tmp/hb disk full
"""
import hashlib
import os
import re
import sys


def han(word):
    digest = hashlib.blake2b(word.lower().encode(), digest_size=8).digest()
    count = 3 if digest[0] % 3 == 0 else 2
    return "".join(
        chr(0x4E00 + int.from_bytes(digest[1 + 2 * i : 3 + 2 * i], "little") % 3000)
        for i in range(count)
    )


def rewrite(text):
    parts = re.split(r"(\]\([^)]*\)|`[^`]*`)", text)
    for i in range(0, len(parts), 2):
        part = re.sub(r"[A-Za-z]+", lambda m: han(m.group(0)), parts[i])
        parts[i] = re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", part)
    return "".join(parts)


def main():
    root, words = sys.argv[1], sys.argv[2:]
    for folder, _, files in os.walk(os.path.join(root, "content")):
        for name in files:
            if not name.endswith(".md"):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            if text.startswith("+++"):
                end = text.index("+++", 3)
                front = re.sub(
                    r'^title = "(.*)"$',
                    lambda m: 'title = "%s"' % rewrite(m.group(1)),
                    text[:end],
                    flags=re.M,
                )
                text = front + rewrite(text[end:])
            else:
                text = rewrite(text)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    config = os.path.join(root, "opsbook.toml")
    with open(config, encoding="utf-8") as f:
        text = f.read()
    with open(config, "w", encoding="utf-8") as f:
        f.write('language = "zh"\n' + text)
    for word in words:
        print(word, han(word))


if __name__ == "__main__":
    main()
