"""Assemble annotated article batches into the bundled corpus files.

Usage: python tools/assemble_corpus.py BATCH_DIR

Reads every ``*.jsonl`` file of BATCH_DIR (one annotated article per line,
the layout of ``stancekit/data/troops_articles.jsonl``), checks each article
and writes ``troops_articles.jsonl`` and ``troops.csv`` into stancekit/data/.
"""

from __future__ import annotations

import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from stancekit.datasets import rows_from_articles  # noqa: E402

DATA = os.path.join(os.path.dirname(HERE), "stancekit", "data")
LABELS = {"favor", "against", "neutral"}
TYPES = {"person", "country", "organization", "group"}


def check(article: dict, where: str) -> list[str]:
    problems = []
    for key in ("doc_id", "date", "outlet_style", "headline", "sentences"):
        if key not in article:
            problems.append(f"{where}: missing {key}")
    for i, sent in enumerate(article.get("sentences", [])):
        seen = set()
        for a in sent.get("actors", []):
            if a["mention"] not in sent["text"]:
                problems.append(f"{where} s{i}: mention {a['mention']!r} not in text")
            if a["stance"] not in LABELS:
                problems.append(f"{where} s{i}: stance {a['stance']!r}")
            if a["actor_type"] not in TYPES:
                problems.append(f"{where} s{i}: actor_type {a['actor_type']!r}")
            if a["actor"] in seen:
                problems.append(f"{where} s{i}: actor {a['actor']!r} twice")
            seen.add(a["actor"])
    return problems


def main(batch_dir: str) -> int:
    articles, problems, ids = [], [], set()
    for path in sorted(glob.glob(os.path.join(batch_dir, "*.jsonl"))):
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                art = json.loads(line)
                where = f"{os.path.basename(path)}:{n}"
                problems += check(art, where)
                if art["doc_id"] in ids:
                    problems.append(f"{where}: duplicate doc_id {art['doc_id']}")
                ids.add(art["doc_id"])
                articles.append(art)
    first_seen: dict[str, str] = {}
    for art in articles:
        for sent in art["sentences"]:
            other = first_seen.setdefault(sent["text"], art["doc_id"])
            if other != art["doc_id"]:
                problems.append(
                    f"{art['doc_id']}: sentence also in {other}: {sent['text'][:60]!r}"
                )
    for p in problems:
        print(p, file=sys.stderr)
    articles.sort(key=lambda a: a["doc_id"])
    tmp = os.path.join(DATA, "troops_articles.jsonl.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for art in articles:
            fh.write(json.dumps(art, ensure_ascii=False) + "\n")
    os.replace(tmp, os.path.join(DATA, "troops_articles.jsonl"))
    rows = rows_from_articles(articles)
    rows.to_csv(os.path.join(DATA, "troops.csv.tmp"), index=False)
    os.replace(os.path.join(DATA, "troops.csv.tmp"), os.path.join(DATA, "troops.csv"))
    print(f"{len(articles)} articles, {len(rows)} rows, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
