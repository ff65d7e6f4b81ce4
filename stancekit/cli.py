"""Command line: ``stancekit score | train | evaluate | validate | actors | explain | report``."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys

import pandas as pd

from . import __version__
from ._io import write_atomic
from .exceptions import StancekitError

__all__ = ["main"]

logger = logging.getLogger("stancekit")


def _read_articles(paths, text_col, id_col):
    """Yield frames of articles from text, CSV, JSON Lines or Parquet inputs."""
    from .corpus import read_table

    for path in paths:
        if path == "-":
            data = sys.stdin.buffer.read()
            yield pd.DataFrame({id_col: ["stdin"], text_col: [_decode(data, "stdin")]})
            continue
        if os.path.isdir(path):
            files = sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith(".txt"))
            if not files:
                raise StancekitError(f"{path}: no .txt files in this folder.")
            yield from _read_articles(files, text_col, id_col)
            continue
        suffix = os.path.splitext(path)[1].lower()
        if suffix in (".csv", ".tsv", ".jsonl", ".json", ".ndjson", ".parquet", ".pq"):
            frame = read_table(path, what="articles")
            if text_col not in frame.columns:
                raise StancekitError(
                    f"{path}: no column {text_col!r} (columns: {list(frame.columns)}); "
                    "name the text column with --text-col."
                )
            if id_col not in frame.columns:
                stem = os.path.splitext(os.path.basename(path))[0]
                frame[id_col] = [f"{stem}:{i + 1}" for i in range(len(frame))]
            yield frame
        else:
            if not os.path.exists(path):
                raise StancekitError(f"{path}: no such file.")
            with open(path, "rb") as fh:
                data = fh.read()
            stem = os.path.splitext(os.path.basename(path))[0]
            yield pd.DataFrame({id_col: [stem], text_col: [_decode(data, path)]})


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StancekitError(
            f"{where}: not valid UTF-8 at byte {exc.start}; convert it first "
            "(e.g. iconv -f latin1 -t utf-8)."
        ) from None


def _escape_cell(value):
    """Neutralise spreadsheet formulas in exported text cells."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _write(frame: pd.DataFrame, fmt: str, out) -> None:
    frame = frame.copy()
    if "evidence" in frame.columns:
        frame["evidence"] = [
            " || ".join(e) if isinstance(e, list) else e for e in frame["evidence"]
        ]
    if fmt == "csv":
        for col in frame.columns:
            if pd.api.types.is_object_dtype(frame[col]) or pd.api.types.is_string_dtype(
                frame[col]
            ):
                frame[col] = frame[col].map(_escape_cell)
        frame.to_csv(out, index=False)
    elif fmt == "jsonl":
        frame.to_json(out, orient="records", lines=True, force_ascii=False)
    else:
        if frame.empty:
            out.write("no actors found\n")
            return
        shown = frame.copy()
        for col in ("confidence", "p_favor", "p_against", "p_neutral"):
            if col in shown.columns:
                shown[col] = shown[col].map(lambda v: f"{v:.2f}")
        for col in ("evidence", "sentence"):
            if col in shown.columns:
                shown[col] = shown[col].map(
                    lambda s: (
                        (s.split(" || ")[0][:77] + "...")
                        if isinstance(s, str) and len(s.split(" || ")[0]) > 80
                        else (s.split(" || ")[0] if isinstance(s, str) else s)
                    )
                )
        keep = [
            c
            for c in (
                "doc_id",
                "actor",
                "affiliation",
                "stance",
                "confidence",
                "n_mentions",
                "mixed",
                "sentence_id",
                "mention",
                "evidence",
                "sentence",
            )
            if c in shown.columns
        ]
        with pd.option_context("display.max_colwidth", 80, "display.width", 250):
            out.write(shown[keep].to_string(index=False) + "\n")


def _cmd_score(args) -> int:
    from .persist import load_model

    if args.output:
        return _score_to_file(args)
    for given, flag in (
        (args.resume, "--resume"),
        (args.force, "--force"),
        (args.errors, "--errors"),
        (args.scheduler, "--scheduler"),
    ):
        if given:
            raise StancekitError(f"{flag} needs --output FILE.")
    model = load_model(args.model, actors=args.actors)
    frames = []
    for articles in _read_articles(args.files, args.text_col, args.id_col):
        frames.append(
            model.score_articles(
                articles,
                text_col=args.text_col,
                id_col=args.id_col,
                date_col=args.date_col,
                n_jobs=args.n_jobs,
                progress=None if not args.quiet else False,
                mentions=args.mentions,
            )
        )
    result = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    _write(result, args.format, sys.stdout)
    return 0


def _score_to_file(args) -> int:
    """Stream the inputs into --output chunk by chunk (see stancekit.stream)."""
    import signal

    from .persist import load_model
    from .stream import score_corpus

    model = load_model(args.model, actors=args.actors)

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        summary = score_corpus(
            args.files,
            args.output,
            model,
            text_col=args.text_col,
            id_col=args.id_col,
            date_col=args.date_col,
            mentions=args.mentions,
            output_format=args.format if args.format in ("csv", "jsonl") else None,
            errors_path=args.errors,
            chunk_size=args.chunk_size,
            batch_size=args.batch_size,
            n_jobs=args.n_jobs,
            scheduler=args.scheduler,
            resume=args.resume,
            force=args.force,
            progress=False if args.quiet else None,
        )
    except KeyboardInterrupt:
        print(
            f"stancekit: interrupted; {args.output} holds every completed chunk; "
            "run the same command with --resume to continue.",
            file=sys.stderr,
        )
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    if not args.quiet:
        errors = (
            f"; {summary['errors']:,} could not be scored (see {summary['errors_path']})"
            if summary["errors"]
            else ""
        )
        print(
            f"stancekit: {summary['articles']:,} articles -> {summary['rows']:,} rows in "
            f"{args.output}{errors}",
            file=sys.stderr,
        )
    return 0


def _cmd_train(args) -> int:
    from .evaluate import train
    from .persist import default_model_path

    if args.default:
        corpus, out, force = None, args.output or default_model_path(), True
    else:
        if not args.corpus or not args.output:
            raise StancekitError("train needs CORPUS and -o DIR (or --default).")
        corpus, out, force = args.corpus, args.output, args.force
    if os.path.exists(out) and not force:
        raise StancekitError(f"{out} exists; add --force to replace it.")
    dev = args.dev if args.dev and os.path.exists(args.dev) else None
    model = train(
        corpus,
        classifier=args.classifier,
        cv=args.cv,
        random_state=args.random_state,
        dev=dev,
        verbose=True,
        gazetteer=None,
    )
    model.save(out, overwrite=force)
    cv = model.metadata["cv"]
    print(
        f"saved {out}: {model.metadata['classifier']}, grouped {cv['folds']}-fold CV "
        f"macro-F1 {cv['macro_f1']:.3f}, F_avg {cv['f_avg']:.3f}"
    )
    if "dev" in model.metadata:
        d = model.metadata["dev"]
        print(f"dev macro-F1 {d['macro_f1']:.3f}, F_avg {d['f_avg']:.3f}")
    return 0


def _cmd_evaluate(args) -> int:
    from .persist import load_model

    model = load_model(args.model, actors=args.actors)
    report = model.evaluate(args.corpus)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(
        f"rows {report['n']}: macro-F1 {report['macro_f1']:.3f}  F_avg "
        f"{report['f_avg']:.3f}  accuracy {report['accuracy']:.3f}  Brier "
        f"{report.get('brier', float('nan')):.3f}"
    )
    for label, s in report["per_label"].items():
        print(
            f"  {label:<8} P {s['precision']:.3f}  R {s['recall']:.3f}  "
            f"F1 {s['f1']:.3f}  n {s['support']}"
        )
    if "article" in report:
        a = report["article"]
        print(f"articles x actors {a['n']}: macro-F1 {a['macro_f1']:.3f}  F_avg {a['f_avg']:.3f}")
    return 0


def _cmd_validate(args) -> int:
    from .actors import load_gazetteer
    from .corpus import validate_file

    gaz = load_gazetteer(args.actors)
    report = validate_file(
        args.corpus, chunksize=args.chunksize, gazetteer=gaz, check_actors=not args.no_actor_check
    )
    labels = ", ".join(f"{k} {v}" for k, v in report["labels"].items())
    articles = f", {report['articles']} articles" if report["articles"] else ""
    print(f"{args.corpus}: valid, {report['rows']} rows{articles} ({labels})")
    return 0


def _cmd_actors(args) -> int:
    from .actors import find_actors, load_gazetteer

    gaz = load_gazetteer(args.actors)
    frames = []
    for articles in _read_articles(args.files, args.text_col, args.id_col):
        for doc, text in zip(articles[args.id_col], articles[args.text_col], strict=True):
            table = find_actors(text, gazetteer=gaz)
            table.insert(0, "doc_id", doc)
            frames.append(table)
    result = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if args.format == "table":
        with pd.option_context("display.width", 200):
            print(result.to_string(index=False) if not result.empty else "no actors found")
    else:
        _write(result, args.format, sys.stdout)
    return 0


def _cmd_explain(args) -> int:
    from .persist import load_model

    model = load_model(args.model, actors=args.actors)
    explanations, missing = [], []
    for articles in _read_articles(args.files, args.text_col, args.id_col):
        dates = articles[args.date_col] if args.date_col in articles.columns else None
        for i, (doc, text) in enumerate(
            zip(articles[args.id_col], articles[args.text_col], strict=True)
        ):
            day = args.date or (dates.iloc[i] if dates is not None else None)
            try:
                explanations.append(model.explain(text, args.actor, doc_id=str(doc), date=day))
            except ValueError as exc:
                if "is not mentioned" not in str(exc):
                    raise
                missing.append(f"{doc}: {exc}")
    if not explanations:
        raise StancekitError(missing[0] if len(missing) == 1 else f"{missing[0]} (and others)")
    if args.format == "table":
        text = "\n\n".join(e.to_text(top=args.top) for e in explanations) + "\n"
        if args.output:
            write_atomic(args.output, lambda fh: fh.write(text))
        else:
            sys.stdout.write(text)
        return 0
    frame = pd.concat([e.to_frame() for e in explanations], ignore_index=True)
    if args.output:
        write_atomic(args.output, lambda fh: _write(frame, args.format, fh))
    else:
        _write(frame, args.format, sys.stdout)
    return 0


def _cmd_report(args) -> int:
    from .corpus import read_table
    from .report import write_report

    source = None
    if len(args.files) == 1 and os.path.splitext(args.files[0])[1].lower() in (
        ".csv",
        ".tsv",
        ".jsonl",
        ".json",
        ".ndjson",
        ".parquet",
        ".pq",
    ):
        table = read_table(args.files[0], what="scores or articles")
        if {"actor", "stance"} <= set(table.columns) and args.text_col not in table.columns:
            source = args.files[0]  # a scores file: no model needed
    if source is not None:
        from .actors import load_gazetteer

        model = None
        gazetteer = load_gazetteer(args.actors) if args.actors else None
    else:
        from .persist import load_model

        model = load_model(args.model, actors=args.actors)
        gazetteer = None
        frames = list(_read_articles(args.files, args.text_col, args.id_col))
        source = pd.concat(frames, ignore_index=True)
    path = write_report(
        source,
        args.output,
        model=model,
        gazetteer=gazetteer,
        text_col=args.text_col,
        id_col=args.id_col,
        date_col=args.date_col,
        title=args.title,
    )
    if not args.quiet:
        print(f"wrote {path}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``stancekit`` command."""
    parser = argparse.ArgumentParser(
        prog="stancekit",
        description="Actor stance on troop deployment to Ukraine in English news.",
    )
    parser.add_argument("--version", action="version", version=f"stancekit {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    sub = parser.add_subparsers(dest="cmd", metavar="COMMAND")

    def add_inputs(p):
        p.add_argument(
            "files",
            nargs="+",
            metavar="FILE",
            help="text file(s), a folder of .txt, CSV/JSONL/Parquet of "
            "articles, or - for standard input",
        )
        p.add_argument("--text-col", default="text", help="text column (default: text)")
        p.add_argument("--id-col", default="doc_id", help="id column (default: doc_id)")
        p.add_argument("--date-col", default="date", help="date column (default: date)")
        p.add_argument("--format", choices=("table", "csv", "jsonl"), default="table")
        p.add_argument("--actors", default=None, help="extra actor file (CSV/JSONL)")

    p = sub.add_parser("score", help="score articles: one row per actor")
    add_inputs(p)
    p.add_argument("--mentions", action="store_true", help="one row per (sentence, actor)")
    p.add_argument("--model", default=None, help="model folder (default: bundled)")
    p.add_argument(
        "-o",
        "--output",
        default=None,
        help="write to OUT (.csv, .jsonl, or .parquet: a folder of parts) chunk by chunk; "
        "resumable",
    )
    p.add_argument("--n-jobs", type=int, default=1, help="worker processes (-1: every core)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--chunk-size",
        type=int,
        default=1000,
        help="articles per chunk written to OUT (default 1000)",
    )
    p.add_argument(
        "--batch-size", type=int, default=64, help="articles per classifier call (default 64)"
    )
    p.add_argument(
        "--resume", action="store_true", help="continue an interrupted run into the same OUT"
    )
    p.add_argument("--force", action="store_true", help="replace an existing OUT")
    p.add_argument(
        "--errors",
        default=None,
        metavar="PATH",
        help="CSV of articles that could not be scored (default: OUT.errors.csv)",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="score on a Dask cluster, e.g. tcp://HOST:8786 (needs stancekit[dask])",
    )
    p.set_defaults(func=_cmd_score)

    p = sub.add_parser("train", help="train a model on an annotated corpus")
    p.add_argument("corpus", nargs="?", help="annotated CSV / JSONL / Parquet")
    p.add_argument("-o", "--output", help="model folder to write")
    p.add_argument(
        "--default", action="store_true", help="rebuild the default model from the bundled corpus"
    )
    p.add_argument(
        "--classifier", default="auto", choices=("auto", "logreg", "svm", "nb", "ensemble")
    )
    p.add_argument("--cv", type=int, default=5, help="grouped CV folds (default 5)")
    p.add_argument("--random-state", type=int, default=0)
    p.add_argument("--dev", default=None, help="held-out set to evaluate once")
    p.add_argument("--force", action="store_true", help="replace an existing folder")
    p.set_defaults(func=_cmd_train)

    p = sub.add_parser("evaluate", help="evaluate a model on an annotated corpus")
    p.add_argument("corpus", help="annotated CSV / JSONL / Parquet")
    p.add_argument("--model", default=None, help="model folder (default: bundled)")
    p.add_argument("--actors", default=None, help="extra actor file (CSV/JSONL)")
    p.add_argument("--json", action="store_true", help="print the full report as JSON")
    p.set_defaults(func=_cmd_evaluate)

    p = sub.add_parser(
        "validate", help="check an annotated file of any size, streaming it in chunks"
    )
    p.add_argument("corpus", help="annotated CSV / JSONL / Parquet")
    p.add_argument("--chunksize", type=int, default=50_000, help="rows per chunk (50000)")
    p.add_argument("--actors", default=None, help="extra actor file (CSV/JSONL)")
    p.add_argument(
        "--no-actor-check",
        action="store_true",
        help="skip the check that each actor is named in its sentence or known",
    )
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("actors", help="list the actors found in articles")
    add_inputs(p)
    p.set_defaults(func=_cmd_actors)

    p = sub.add_parser("explain", help="why an actor got its stance: feature contributions")
    p.add_argument("files", nargs="+", metavar="FILE", help="article file(s) (as for score)")
    p.add_argument("--actor", required=True, help="actor name, e.g. 'Emmanuel Macron'")
    p.add_argument("--top", type=int, default=5, help="features shown per side (default 5)")
    p.add_argument("--date", default=None, help="article date (YYYY-MM-DD)")
    p.add_argument(
        "--format",
        choices=("table", "csv", "jsonl"),
        default="table",
        help="table: readable text; csv/jsonl: the tidy contributions",
    )
    p.add_argument("-o", "--output", default=None, help="write to a file")
    p.add_argument("--text-col", default="text", help="text column (default: text)")
    p.add_argument("--id-col", default="doc_id", help="id column (default: doc_id)")
    p.add_argument("--date-col", default="date", help="date column (default: date)")
    p.add_argument("--model", default=None, help="model folder (default: bundled)")
    p.add_argument("--actors", default=None, help="extra actor file (CSV/JSONL)")
    p.set_defaults(func=_cmd_explain)

    p = sub.add_parser("report", help="self-contained HTML report of scores or articles")
    p.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="a scores file written by 'stancekit score' (CSV/JSONL), or articles",
    )
    p.add_argument("-o", "--output", required=True, help="the .html file to write")
    p.add_argument("--title", default=None, help="report title")
    p.add_argument("--text-col", default="text", help="text column (default: text)")
    p.add_argument("--id-col", default="doc_id", help="id column (default: doc_id)")
    p.add_argument("--date-col", default="date", help="date column (default: date)")
    p.add_argument("--model", default=None, help="model folder (default: bundled)")
    p.add_argument("--actors", default=None, help="extra actor file (CSV/JSONL)")
    p.add_argument("-q", "--quiet", action="store_true", help="do not print the path written")
    p.set_defaults(func=_cmd_report)
    return parser


def main(argv=None) -> int:
    """Entry point of the ``stancekit`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if args.cmd is None:
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except (StancekitError, FileExistsError, FileNotFoundError, ValueError) as exc:
        print(f"stancekit: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stancekit: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
