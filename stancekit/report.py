"""A self-contained HTML report of who stands where.

One file, viewable without a network connection: the actor table, the charts
of :mod:`stancekit.plots` embedded as PNG images (``data:`` URLs), and each
actor's evidence sentences with the actor's mention highlighted. All text is
HTML-escaped; a Content-Security-Policy forbids the page to load anything
from outside the file.

The input is either scores (the actor tables of
:meth:`stancekit.StanceModel.score_articles`, or a file written by
``stancekit score --format csv|jsonl``) or articles, which are then scored.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import os
import re

import numpy as np
import pandas as pd

from ._io import write_atomic
from ._text import fold
from .labels import (
    ACTOR,
    ACTOR_TYPE,
    AFFILIATION,
    AGAINST,
    CONFIDENCE,
    DATE,
    DOC_ID,
    EVIDENCE,
    FAVOR,
    MENTION,
    NEUTRAL,
    SENTENCE,
    STANCE,
    TEXT,
)

__all__ = ["read_scores", "render_report", "write_report", "actor_summary"]

EVIDENCE_SEPARATOR = " || "
DEFAULT_TITLE = "Who stands where: troops for Ukraine"

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"

_CSS = """
:root { --favor: #2166ac; --against: #c2410c; --neutral: #8c8c8c; --ink: #1f2328;
        --muted: #57606a; --line: #d0d7de; --bg: #ffffff; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue",
       Arial, sans-serif; color: var(--ink); background: var(--bg); }
header, main, footer { max-width: 1100px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; border-bottom: 1px solid var(--line); }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 12px; border-bottom: 1px solid var(--line);
     padding-bottom: 4px; }
h3 { font-size: 16px; margin: 20px 0 6px; }
.meta, footer { color: var(--muted); font-size: 13px; }
nav a { margin-right: 14px; font-size: 14px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; }
th { background: var(--soft); position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px;
         font-weight: 600; color: #fff; background: var(--neutral); white-space: nowrap; }
.badge.favor { background: var(--favor); }
.badge.against { background: var(--against); }
.badge.mixed { background: linear-gradient(90deg, var(--favor) 50%, var(--against) 50%); }
figure { margin: 16px 0 28px; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
.actor-card { border: 1px solid var(--line); border-radius: 8px; padding: 4px 16px 10px;
              margin: 12px 0; }
.actor-card h3 .aff { color: var(--muted); font-weight: normal; font-size: 13px; }
.row-head { margin: 8px 0 2px; font-size: 13px; color: var(--muted); }
ol.evidence { margin: 2px 0 8px; padding-left: 22px; }
ol.evidence li { margin: 2px 0; }
mark { background: #ffe58f; padding: 0 2px; border-radius: 2px; }
.empty { color: var(--muted); font-style: italic; }
"""

# Marks the page once every chart image has decoded (read by the browser test).
_SCRIPT = """
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var ok = images.every(function (img) { return img.complete && img.naturalWidth > 0; });
  document.body.setAttribute("data-images", String(images.length));
  document.body.setAttribute("data-charts-ready", ok ? "yes" : "no");
});
"""


def _unescape_cell(value):
    """Undo the spreadsheet-formula guard of ``stancekit score --format csv``."""
    if isinstance(value, str) and value[:2] in ("'=", "'+", "'-", "'@", "'\t", "'\r"):
        return value[1:]
    return value


def _split_evidence(value) -> list[str]:
    if isinstance(value, (list, tuple, np.ndarray)):
        return [str(v) for v in value]
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return []
    return [_unescape_cell(s) for s in str(value).split(EVIDENCE_SEPARATOR) if s]


def _is_scores(frame: pd.DataFrame) -> bool:
    return ACTOR in frame.columns and STANCE in frame.columns


def read_scores(path) -> pd.DataFrame:
    """Read a scores file written by ``stancekit score --format csv|jsonl``.

    Evidence joined with ``" || "`` is split back into lists and the
    spreadsheet-formula guard (a leading ``'``) is removed.

    Parameters
    ----------
    path : str or os.PathLike
        CSV, JSON Lines or Parquet with at least ``actor`` and ``stance``.

    Returns
    -------
    pandas.DataFrame
        The actor table, with ``confidence`` and ``p_*`` as floats and
        ``evidence`` as lists of sentences.

    Raises
    ------
    CorpusError
        When the file cannot be read or is not a scores table.
    """
    from .corpus import read_table
    from .exceptions import CorpusError

    frame = read_table(path, what="scores")
    if not _is_scores(frame):
        raise CorpusError(
            "not a scores table: expected columns 'actor' and 'stance'; "
            f"got {list(frame.columns)}.",
            path=path,
        )
    return _normalise_scores(frame, path)


def _normalise_scores(frame: pd.DataFrame, path=None) -> pd.DataFrame:
    from .exceptions import CorpusError

    frame = frame.copy()
    for col in frame.columns:
        if frame[col].dtype == object:
            frame[col] = frame[col].map(_unescape_cell)
    bad = ~frame[STANCE].isin([FAVOR, AGAINST, NEUTRAL])
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        raise CorpusError(
            f"expected one of 'favor', 'against', 'neutral'; got {frame[STANCE].iloc[row - 1]!r}.",
            path=path,
            row=row,
            column=STANCE,
        )
    for col in (CONFIDENCE, "p_favor", "p_against", "p_neutral"):
        if col in frame.columns:
            frame[col] = pd.to_numeric(frame[col], errors="coerce")
    if DOC_ID not in frame.columns:
        frame[DOC_ID] = "article"
    frame[DOC_ID] = frame[DOC_ID].astype(str)
    for col in (ACTOR_TYPE, AFFILIATION):
        if col not in frame.columns:
            frame[col] = ""
        frame[col] = frame[col].fillna("").astype(str)
    frame[EVIDENCE] = (
        [_split_evidence(v) for v in frame[EVIDENCE]]
        if EVIDENCE in frame.columns
        else [[] for _ in range(len(frame))]
    )
    return frame


def actor_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """One row per actor over all articles: counts of each stance.

    Parameters
    ----------
    scores : pandas.DataFrame
        Actor tables (one row per article and actor).

    Returns
    -------
    pandas.DataFrame
        Columns ``actor, actor_type, affiliation, articles, favor, against,
        neutral, stance, confidence``: ``stance`` is the side with more
        articles (``mixed`` on a tie between favor and against, ``neutral``
        when neither occurs), ``confidence`` the mean confidence. Sorted by
        ``articles``, then actor.

    Examples
    --------
    >>> scores = pd.DataFrame({"doc_id": ["a", "b"], "actor": ["France", "France"],
    ...     "actor_type": "country", "affiliation": "FR",
    ...     "stance": ["favor", "neutral"], "confidence": [0.9, 0.7]})
    >>> actor_summary(scores)[["actor", "articles", "favor", "stance"]]
        actor  articles  favor stance
    0  France         2      1  favor
    """
    keys = [ACTOR, ACTOR_TYPE, AFFILIATION]
    frame = scores.copy()
    for col in keys:
        if col not in frame.columns:
            frame[col] = ""
    frame[keys] = frame[keys].fillna("")
    if CONFIDENCE not in frame.columns:
        frame[CONFIDENCE] = np.nan
    grouped = frame.groupby(keys, sort=False)
    out = grouped.size().rename("articles").to_frame()
    for label in (FAVOR, AGAINST, NEUTRAL):
        out[label] = grouped[STANCE].agg(lambda s, label=label: int((s == label).sum()))
    out[STANCE] = np.where(
        out[FAVOR] > out[AGAINST],
        FAVOR,
        np.where(out[AGAINST] > out[FAVOR], AGAINST, np.where(out[FAVOR] > 0, "mixed", NEUTRAL)),
    )
    out[CONFIDENCE] = grouped[CONFIDENCE].mean()
    out = out.reset_index()
    out = out.sort_values(["articles", ACTOR], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)


# -- highlighting -------------------------------------------------------------------


def _spans_of(sentence, actor, affiliation, surfaces, gazetteer, date, exact=None):
    spans = []
    if exact:
        # The surface form the finder saw in this very sentence (even "He").
        hit = re.search(r"(?<!\w)" + re.escape(exact) + r"(?!\w)", sentence)
        if hit:
            spans.append(hit.span())
    if gazetteer is not None:
        try:
            found = gazetteer.find(sentence, date)
        except Exception:  # noqa: BLE001 - highlighting must never break a report
            found = []
        spans += [(m.start, m.end) for m in found if m.actor == actor]
        if not spans and affiliation:
            spans = [
                (m.start, m.end)
                for m in found
                if m.affiliation == affiliation and fold(m.actor) == fold(actor)
            ]
    if not spans:
        folded = fold(sentence)
        needles = [s for s in surfaces if isinstance(s, str) and len(s) > 2]
        needles += [actor, str(actor).split()[-1] if str(actor).split() else ""]
        for needle in needles:
            if not needle or len(needle) < 3:
                continue
            at = folded.find(fold(needle))
            if at >= 0:
                spans.append((at, at + len(needle)))
                break
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def _highlight(sentence: str, spans) -> str:
    """The escaped sentence with each span wrapped in ``<mark>``."""
    out, pos = [], 0
    for s, e in spans:
        out.append(html.escape(sentence[pos:s]))
        out.append(f"<mark>{html.escape(sentence[s:e])}</mark>")
        pos = e
    out.append(html.escape(sentence[pos:]))
    return "".join(out)


# -- charts ---------------------------------------------------------------------------


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(width, height):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _period(dates: pd.Series) -> str | None:
    """A period that gives a readable time axis for the span of ``dates``."""
    dates = dates.dropna()
    if dates.nunique() < 2:
        return None
    days = (dates.max() - dates.min()).days
    return "Q" if days > 540 else "M" if days > 90 else "W"


def _charts(scores, mentions, dates) -> list[tuple[str, str, str, str]]:
    """``(id, title, caption, base64 png)`` of every chart the data allows."""
    from .plots import ActorStanceDisplay, AgreementNetworkDisplay, StanceOverTimeDisplay

    charts = []
    single = scores[DOC_ID].nunique() == 1
    if single and mentions is not None and len(mentions):
        disp = ActorStanceDisplay.from_predictions(mentions, top=25, plot=False)
        caption = "Sentences predicted favor, against and neutral for each actor of the article."
    else:
        disp = ActorStanceDisplay.from_scores(scores, top=25, plot=False)
        caption = (
            "Articles in which each actor is for, against or neutral (the 25 actors in the "
            "most articles), most favourable at the top."
        )
    if len(disp.counts):
        fig = _figure(8.5, max(2.2, 0.36 * len(disp.counts) + 1.3))
        disp.plot(ax=fig.subplots())
        charts.append(("chart-actors", "Stance by actor", caption, _png(fig)))
    if dates is not None:
        when = pd.to_datetime(scores[DOC_ID].map(dates), errors="coerce", format="mixed")
        freq = _period(when)
        if freq is not None:
            over = StanceOverTimeDisplay.from_scores(
                scores.assign(**{DATE: when}), freq=freq, top=6, plot=False
            )
            groups = over.data["group"].nunique()
            ncols = min(3, groups)
            nrows = int(np.ceil(groups / ncols))
            fig = _figure(4.2 * ncols, 2.6 * nrows + 0.6)
            axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
            over.plot(ax=axes)
            for extra in axes.ravel()[groups:]:
                extra.set_visible(False)
            name = {"W": "week", "M": "month", "Q": "quarter"}[freq]
            charts.append(
                (
                    "chart-time",
                    "Stance over time",
                    f"Share of favor (up) and against (down) per {name} for the six "
                    "affiliations in the most articles.",
                    _png(fig),
                )
            )
    net = AgreementNetworkDisplay.from_scores(scores, plot=False)
    if len(net.edges):
        # Hide one-off links when there are enough repeated ones to show the camps.
        strong = int((net.edges["agreement"] >= 2).sum()) >= 3
        min_weight, min_conflict = (2, 3) if strong else (1, 1)
        fig = _figure(7.5, 7.0)
        net.plot(ax=fig.subplots(), min_weight=min_weight, min_conflict=min_conflict)
        charts.append(
            (
                "chart-network",
                "Agreement network",
                "Affiliations linked by the number of articles in which they take the same "
                f"stance (solid, at least {min_weight}) or opposite ones (dashed, at least "
                f"{min_conflict}); colour: their most frequent stance; labels: articles for "
                "(+) and against (\u2212). The GraphML export holds every link.",
                _png(fig),
            )
        )
    return charts


# -- the page ---------------------------------------------------------------------------


def _badge(stance: str, extra: str = "") -> str:
    cls = stance if stance in (FAVOR, AGAINST, "mixed") else NEUTRAL
    text = html.escape(f"{stance}{extra}")
    return f'<span class="badge {cls}">{text}</span>'


def _anchor(actor: str, i: int) -> str:
    slug = "".join(ch if ch.isalnum() else "-" for ch in fold(actor)).strip("-")
    return f"actor-{i}-{slug[:40]}"


def render_report(
    scores: pd.DataFrame,
    *,
    mentions: pd.DataFrame | None = None,
    dates=None,
    title: str | None = None,
    subtitle: str | None = None,
    gazetteer=None,
    max_rows_per_actor: int = 8,
) -> str:
    """Return the HTML of the report as a string.

    Parameters
    ----------
    scores : pandas.DataFrame
        Actor tables (``doc_id, actor, actor_type, affiliation, stance,
        confidence, evidence``; ``evidence`` lists of sentences).
    mentions : pandas.DataFrame, default=None
        Scored mentions of the same articles; their surface forms improve the
        highlighting, and a one-article report charts sentences rather than
        articles.
    dates : mapping, default=None
        ``doc_id`` -> date; adds the stance-over-time chart and dates the
        evidence. A ``date`` column of ``scores`` is used when not given.
    title, subtitle : str, default=None
    gazetteer : Gazetteer, default=None
        Finds the actor's mentions in evidence sentences (the bundled one when
        None).
    max_rows_per_actor : int, default=8
        Articles shown per actor in the evidence section (stance-bearing
        ones, most confident first).

    Returns
    -------
    str
    """
    from .actors import _parse_date, load_gazetteer

    scores = _normalise_scores(scores)
    if dates is None and DATE in scores.columns:
        dates = dict(zip(scores[DOC_ID], scores[DATE], strict=True))
    if dates is not None:
        dates = {str(k): v for k, v in dict(dates).items() if isinstance(v, str) or pd.notna(v)}
    gazetteer = gazetteer or load_gazetteer()
    surfaces: dict = {}
    exact: dict = {}
    if mentions is not None and len(mentions) and MENTION in mentions.columns:
        for doc, actor, mention, sentence in zip(
            mentions[DOC_ID].astype(str),
            mentions[ACTOR],
            mentions[MENTION],
            mentions[SENTENCE],
            strict=True,
        ):
            surfaces.setdefault((doc, actor), set()).add(mention)
            exact[(doc, sentence, actor)] = mention
    summary = actor_summary(scores)
    charts = _charts(scores, mentions, dates) if len(scores) else []
    n_docs = scores[DOC_ID].nunique()
    title = title or DEFAULT_TITLE
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{html.escape(title)}</h1>",
        f'<p class="meta">{html.escape(subtitle)}</p>' if subtitle else "",
        f'<p class="meta">{n_docs} article(s), {len(summary)} actor(s), {len(scores)} '
        f"(article, actor) rows. Generated {_dt.date.today().isoformat()} by stancekit.</p>",
        '<nav><a href="#charts">Charts</a><a href="#actors">Actors</a>'
        '<a href="#evidence">Evidence</a></nav>',
        "</header>",
        "<main>",
    ]
    parts.append('<section id="charts"><h2>Charts</h2>')
    if not charts:
        parts.append('<p class="empty">Not enough data for charts.</p>')
    for chart_id, chart_title, caption, data in charts:
        parts.append(
            f'<figure id="{chart_id}"><img src="data:image/png;base64,{data}" '
            f'alt="{html.escape(chart_title)}"><figcaption><b>{html.escape(chart_title)}.</b> '
            f"{html.escape(caption)}</figcaption></figure>"
        )
    parts.append("</section>")
    parts += ['<section id="actors">', "<h2>Actors</h2>"]
    if summary.empty:
        parts.append('<p class="empty">No actors were found.</p>')
    else:
        parts.append('<table id="actor-table">')
        parts.append(
            "<thead><tr><th>Actor</th><th>Type</th><th>Affiliation</th>"
            '<th class="num">Articles</th><th class="num">Favor</th>'
            '<th class="num">Against</th><th class="num">Neutral</th><th>Stance</th>'
            '<th class="num">Mean confidence</th></tr></thead><tbody>'
        )
        for i, r in enumerate(summary.itertuples(index=False)):
            conf = "" if pd.isna(r.confidence) else f"{r.confidence:.2f}"
            parts.append(
                f'<tr><td><a href="#{_anchor(r.actor, i)}">{html.escape(str(r.actor))}</a></td>'
                f"<td>{html.escape(str(r.actor_type))}</td>"
                f"<td>{html.escape(str(r.affiliation))}</td>"
                f'<td class="num">{r.articles}</td><td class="num">{r.favor}</td>'
                f'<td class="num">{r.against}</td><td class="num">{r.neutral}</td>'
                f'<td>{_badge(r.stance)}</td><td class="num">{conf}</td></tr>'
            )
        parts.append("</tbody></table>")
    parts.append("</section>")
    parts.append('<section id="evidence"><h2>Evidence</h2>')
    parts.append(
        '<p class="meta">For each actor, the articles where it takes a stance (most confident '
        "first), each with its evidence sentences, strongest support for the stance first; "
        "the actor's mention is highlighted.</p>"
    )
    rank = {FAVOR: 0, AGAINST: 0, NEUTRAL: 1}
    by_actor = dict(
        list(scores.groupby([ACTOR, ACTOR_TYPE, AFFILIATION], sort=False, dropna=False))
    )
    for i, r in enumerate(summary.itertuples(index=False)):
        rows = by_actor.get((r.actor, r.actor_type, r.affiliation))
        if rows is None:
            continue
        rows = rows.assign(sort_rank=rows[STANCE].map(rank).fillna(1))
        conf = rows[CONFIDENCE] if CONFIDENCE in rows.columns else pd.Series(0.0, rows.index)
        rows = rows.assign(sort_conf=conf.fillna(0.0)).sort_values(
            ["sort_rank", "sort_conf"], ascending=[True, False], kind="stable"
        )
        parts.append(f'<div class="actor-card" id="{_anchor(r.actor, i)}">')
        parts.append(
            f"<h3>{html.escape(str(r.actor))} {_badge(r.stance)} "
            f'<span class="aff">{html.escape(str(r.affiliation))} · {r.articles} article(s)'
            "</span></h3>"
        )
        shown = rows.head(max_rows_per_actor)
        for row in shown.itertuples(index=False):
            doc = str(getattr(row, DOC_ID))
            day = dates.get(doc) if dates else None
            when = f" · {html.escape(str(day)[:10])}" if day is not None else ""
            conf_txt = "" if pd.isna(row.sort_conf) else f" {row.sort_conf:.2f}"
            parts.append(
                f'<div class="row-head">{_badge(row.stance, conf_txt)} '
                f"article {html.escape(doc)}{when}</div>"
            )
            evidence = list(row.evidence)
            if not evidence:
                parts.append('<p class="empty">no evidence sentence</p>')
                continue
            parts.append('<ol class="evidence">')
            day_parsed = _parse_date(day) if day is not None else None
            for sentence in evidence:
                spans = _spans_of(
                    sentence,
                    r.actor,
                    r.affiliation,
                    surfaces.get((doc, r.actor), ()),
                    gazetteer,
                    day_parsed,
                    exact.get((doc, sentence, r.actor)),
                )
                parts.append(f"<li>{_highlight(sentence, spans)}</li>")
            parts.append("</ol>")
        if len(rows) > len(shown):
            parts.append(f'<p class="meta">… and {len(rows) - len(shown)} more article(s).</p>')
        parts.append("</div>")
    parts.append("</section>")
    parts.append("</main>")
    parts.append(
        "<footer><p>Stances are model predictions: read the evidence before relying on a "
        "label. This file is self-contained: it loads nothing from the network.</p></footer>"
    )
    parts.append(f"<script>{_SCRIPT}</script>")
    parts.append("</body>")
    parts.append("</html>")
    return "\n".join(p for p in parts if p)


def _score(model, articles: pd.DataFrame, text_col, id_col, date_col):
    """Actor tables and mentions of ``articles``; doc ids as strings."""
    from .aggregate import aggregate_stances

    if text_col not in articles.columns:
        raise ValueError(f"articles: no column {text_col!r} (columns: {list(articles.columns)}).")
    articles = articles.copy()
    if id_col not in articles.columns:
        articles[id_col] = [f"article-{i + 1}" for i in range(len(articles))]
    articles[id_col] = articles[id_col].astype(str)
    mentions = model.score_articles(
        articles,
        text_col=text_col,
        id_col=id_col,
        date_col=date_col,
        progress=False,
        mentions=True,
    )
    scores = aggregate_stances(mentions)
    dates = None
    if date_col in articles.columns:
        dates = {
            d: v
            for d, v in zip(articles[id_col], articles[date_col], strict=True)
            if pd.notna(v) and str(v) != ""
        }
    return scores, mentions, dates or None


def write_report(
    source,
    path,
    *,
    model=None,
    text_col: str = TEXT,
    id_col: str = DOC_ID,
    date_col: str = DATE,
    title: str | None = None,
    gazetteer=None,
) -> str:
    """Write the HTML report of scores or articles to ``path``, atomically.

    Parameters
    ----------
    source : pandas.DataFrame, str or os.PathLike
        Scores (a frame or file with ``actor`` and ``stance`` columns, as
        written by ``stancekit score``) or articles (a frame or CSV / JSON
        Lines / Parquet file with a ``text_col`` column), which are scored
        with ``model``.
    path : str or os.PathLike
        The ``.html`` file to write (written under a temporary name, then
        renamed).
    model : StanceModel, default=None
        Scores articles; the bundled default model when None.
    text_col, id_col, date_col : str
        Columns of an article table.
    title : str, default=None
    gazetteer : Gazetteer, default=None
        Finds actor mentions in the evidence of a scores input (the model's,
        or the bundled one, when None).

    Returns
    -------
    str
        The path written.

    Examples
    --------
    >>> import stancekit, tempfile, os
    >>> text = "Paris backs a European force in Ukraine, but the Kremlin rejects it."
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = write_report(pd.DataFrame({"text": [text]}), os.path.join(tmp, "r.html"))
    ...     page = open(out, encoding="utf-8").read()
    >>> "<mark>the Kremlin</mark>" in page and "<table" in page
    True
    """
    from .corpus import read_table

    if isinstance(source, (str, os.PathLike)):
        frame = read_table(source, what="scores or articles")
        where = os.path.basename(os.fspath(source))
    elif isinstance(source, pd.DataFrame):
        frame, where = source, None
    else:
        raise TypeError(
            f"source: expected a DataFrame or a file path; got {type(source).__name__}."
        )
    mentions = None
    if _is_scores(frame) and text_col not in frame.columns:
        scores = _normalise_scores(frame, where)
        dates = None
        if gazetteer is None and model is not None:
            gazetteer = model.gazetteer
        subtitle = f"Scores from {where}." if where else "Scores."
    else:
        if model is None:
            from .persist import load_model

            model = load_model()
        scores, mentions, dates = _score(model, frame, text_col, id_col, date_col)
        gazetteer = gazetteer or model.gazetteer
        clf = model.metadata.get("classifier", type(model.pipeline[-1]).__name__)
        subtitle = f"Articles{' from ' + where if where else ''}, scored with the {clf} model."
    page = render_report(
        scores,
        mentions=mentions,
        dates=dates,
        title=title,
        subtitle=subtitle,
        gazetteer=gazetteer,
    )
    return write_atomic(path, lambda fh: fh.write(page))
