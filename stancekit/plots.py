"""Charts of actor stances, in the style of scikit-learn's ``*Display`` objects.

Each display is built from data with a ``from_scores`` or ``from_predictions``
class method (which also draws it, like scikit-learn's displays) and redrawn
with ``.plot(ax=None)``; after plotting it holds ``ax_`` and ``figure_``.

matplotlib is imported only when a chart is drawn
(``pip install 'stancekit[plot]'``); building a display and computing its
data does not need it.

- :class:`ActorStanceDisplay`: one diverging bar per actor (against to the
  left, favor to the right, neutral centred), sorted, with counts;
- :class:`StanceOverTimeDisplay`: per affiliation, the share of favor and
  against by week, month or quarter;
- :class:`StanceConfusionMatrixDisplay` and :class:`CalibrationCurvesDisplay`:
  an evaluation's normalised confusion matrix and per-class reliability;
- :class:`AgreementNetworkDisplay`: affiliations that take the same stance in
  the same articles, with GraphML and CSV edge-list export.
"""

from __future__ import annotations

import itertools
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd

from ._io import write_atomic
from .labels import (
    ACTOR,
    AFFILIATION,
    AGAINST,
    CONFIDENCE,
    DATE,
    DOC_ID,
    FAVOR,
    LABELS,
    NEUTRAL,
    STANCE,
    proba_column,
)

__all__ = [
    "ActorStanceDisplay",
    "StanceOverTimeDisplay",
    "StanceConfusionMatrixDisplay",
    "CalibrationCurvesDisplay",
    "AgreementNetworkDisplay",
    "STANCE_COLORS",
]

#: Colours of the three labels (a colour-blind-safe diverging pair and grey).
STANCE_COLORS = {FAVOR: "#2166ac", AGAINST: "#c2410c", NEUTRAL: "#bdbdbd"}


def _pyplot():
    """Import pyplot, or say which extra installs it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "stancekit.plots needs matplotlib: pip install 'stancekit[plot]'"
        ) from exc
    return plt


def _new_ax(ax, figsize):
    plt = _pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax, ax.figure


def _require(frame: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{what}: missing column(s) {missing}; got columns {list(frame.columns)}."
        )


def _stance_counts(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    counts = (
        frame.groupby([by, STANCE], sort=False).size().unstack(STANCE, fill_value=0)
        if len(frame)
        else pd.DataFrame()
    )
    counts = counts.reindex(columns=[FAVOR, AGAINST, NEUTRAL], fill_value=0).astype("int64")
    counts.index.name = by
    counts.columns.name = None
    return counts


# -- actor stance chart ----------------------------------------------------


class ActorStanceDisplay:
    """Diverging bar chart: how often each actor is for or against.

    Against extends to the left of zero, favor to the right, neutral is
    centred on zero (the usual layout of diverging stacked bars), each
    segment labelled with its count. Actors are sorted from the most
    favourable (top) to the most opposed (bottom) by ``(favor - against) /
    total``.

    Parameters
    ----------
    counts : pandas.DataFrame
        Index: actor (or affiliation); columns ``favor``, ``against``,
        ``neutral`` (counts).
    unit : str, default="articles"
        What is counted, for the axis label.
    title : str, default=None

    Attributes
    ----------
    counts : pandas.DataFrame
        The sorted counts drawn (top row drawn at the top).
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> table = pd.DataFrame({"actor": ["France", "Russia", "France"],
    ...                       "stance": ["favor", "against", "neutral"]})
    >>> counts = ActorStanceDisplay.from_scores(table, plot=False).counts
    >>> list(counts.columns), counts.loc["France"].tolist(), counts.loc["Russia"].tolist()
    (['favor', 'against', 'neutral'], [1, 0, 1], [0, 1, 0])
    """

    def __init__(self, counts: pd.DataFrame, *, unit: str = "articles", title=None):
        self.counts = counts
        self.unit = unit
        self.title = title

    @staticmethod
    def _sorted(counts: pd.DataFrame, top) -> pd.DataFrame:
        counts = counts.copy()
        total = counts.sum(axis=1)
        counts = counts[total > 0]
        total = counts.sum(axis=1)
        if top is not None and len(counts) > top:
            keep = total.sort_values(ascending=False, kind="stable").index[:top]
            counts = counts.loc[[i for i in counts.index if i in set(keep)]]
            total = counts.sum(axis=1)
        net = (counts[FAVOR] - counts[AGAINST]) / total.clip(lower=1)
        order = (
            pd.DataFrame({"net": net, "total": total})
            .sort_values(["net", "total"], ascending=[False, False], kind="stable")
            .index
        )
        return counts.loc[order]

    @classmethod
    def from_scores(
        cls, scores: pd.DataFrame, *, by: str = ACTOR, top=20, ax=None, title=None, plot=True
    ):
        """Count (article, actor) stances of actor tables.

        Parameters
        ----------
        scores : pandas.DataFrame
            Actor tables (``score_article`` / ``score_articles`` output, or a
            scores file): columns ``by`` and ``stance``.
        by : str, default="actor"
            ``actor`` or ``affiliation``.
        top : int or None, default=20
            Keep the actors with the most rows.
        ax : matplotlib Axes, default=None
        title : str, default=None
        plot : bool, default=True
            Draw at once (set False to only compute ``counts``).
        """
        _require(scores, [by, STANCE], "ActorStanceDisplay.from_scores")
        disp = cls(cls._sorted(_stance_counts(scores, by), top), unit="articles", title=title)
        return disp.plot(ax=ax) if plot else disp

    @classmethod
    def from_predictions(
        cls, mentions: pd.DataFrame, *, by: str = ACTOR, top=20, ax=None, title=None, plot=True
    ):
        """Count sentence-level predictions (``score_mentions`` output).

        One article's mentions give one bar per actor with the number of its
        sentences predicted ``favor``, ``against`` and ``neutral``.
        """
        _require(mentions, [by, STANCE], "ActorStanceDisplay.from_predictions")
        disp = cls(cls._sorted(_stance_counts(mentions, by), top), unit="sentences", title=title)
        return disp.plot(ax=ax) if plot else disp

    def plot(self, ax=None, *, show_counts: bool = True):
        """Draw the chart; return ``self``."""
        counts = self.counts
        height = max(2.0, 0.38 * len(counts) + 1.2)
        ax, fig = _new_ax(ax, (8, height))
        y = np.arange(len(counts))[::-1]
        fav = counts[FAVOR].to_numpy(float)
        ag = counts[AGAINST].to_numpy(float)
        neu = counts[NEUTRAL].to_numpy(float)
        half = neu / 2
        self.bars_ = {
            AGAINST: ax.barh(y, -ag, left=-half, color=STANCE_COLORS[AGAINST], label=AGAINST),
            NEUTRAL: ax.barh(y, neu, left=-half, color=STANCE_COLORS[NEUTRAL], label=NEUTRAL),
            FAVOR: ax.barh(y, fav, left=half, color=STANCE_COLORS[FAVOR], label=FAVOR),
        }
        extent = float(np.max(np.concatenate([half + fav, half + ag, [1.0]])))
        if show_counts:
            for yi, f, a, n, h in zip(y, fav, ag, neu, half, strict=True):
                for value, centre, colour in (
                    (a, -h - a / 2, "white"),
                    (n, 0.0, "black"),
                    (f, h + f / 2, "white"),
                ):
                    if value > 0 and value >= 0.06 * extent:
                        ax.text(
                            centre,
                            yi,
                            f"{value:g}",
                            ha="center",
                            va="center",
                            fontsize=8,
                            color=colour,
                        )
                ax.text(
                    h + f + 0.02 * extent,
                    yi,
                    f"n={f + a + n:g}",
                    va="center",
                    fontsize=8,
                    color="#444444",
                )
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_yticks(y, [str(i) for i in counts.index])
        ax.set_xlim(-extent * 1.1, extent * 1.25)
        ticks = ax.get_xticks()
        ax.set_xticks(ticks, [f"{abs(t):g}" for t in ticks])
        ax.set_xlim(-extent * 1.1, extent * 1.25)
        ax.set_xlabel(f"{self.unit}: against  \u2190  neutral  \u2192  favor")
        ax.legend(loc="lower right", fontsize=8, frameon=False, ncols=3)
        ax.set_title(self.title or f"Stance by actor ({self.unit})")
        ax.spines[["top", "right"]].set_visible(False)
        self.ax_, self.figure_ = ax, fig
        return self


# -- stance over time ----------------------------------------------------------


def _dates_for(scores: pd.DataFrame, dates) -> pd.Series:
    if dates is None:
        if DATE not in scores.columns:
            raise ValueError(
                "StanceOverTimeDisplay: the scores have no 'date' column; pass dates= "
                "(a mapping or frame of doc_id -> date)."
            )
        raw = scores[DATE]
    else:
        if isinstance(dates, pd.DataFrame):
            _require(dates, [DOC_ID, DATE], "StanceOverTimeDisplay dates")
            dates = dict(zip(dates[DOC_ID].astype(str), dates[DATE], strict=True))
        elif isinstance(dates, pd.Series):
            dates = {str(k): v for k, v in dates.items()}
        else:
            dates = {str(k): v for k, v in dict(dates).items()}
        raw = scores[DOC_ID].astype(str).map(dates)
    return pd.to_datetime(raw, errors="coerce", format="mixed")


class StanceOverTimeDisplay:
    """Share of favor and against per affiliation, by period.

    One panel per affiliation (the ``top`` most frequent): for each period a
    bar up for the share of its (article, actor) rows labelled ``favor`` and a
    bar down for ``against``; the rest is neutral.

    Parameters
    ----------
    data : pandas.DataFrame
        Columns ``group, period, n, favor, against, neutral`` (shares).
    freq : str, default="M"
        pandas period alias used (``W``, ``M``, ``Q``, ``Y``).
    title : str, default=None

    Examples
    --------
    >>> scores = pd.DataFrame({"doc_id": ["a", "b", "c"], "affiliation": ["FR"] * 3,
    ...     "stance": ["favor", "against", "favor"],
    ...     "date": ["2025-03-02", "2025-03-20", "2025-04-01"]})
    >>> d = StanceOverTimeDisplay.from_scores(scores, plot=False)
    >>> d.data[["group", "n", "favor", "against"]]
      group  n  favor  against
    0    FR  2    0.5      0.5
    1    FR  1    1.0      0.0
    """

    def __init__(self, data: pd.DataFrame, *, freq: str = "M", title=None):
        self.data = data
        self.freq = freq
        self.title = title

    @classmethod
    def from_scores(
        cls,
        scores: pd.DataFrame,
        *,
        dates=None,
        by: str = AFFILIATION,
        freq: str = "M",
        top: int = 6,
        ax=None,
        title=None,
        plot=True,
    ):
        """Shares of each stance per affiliation and period.

        Parameters
        ----------
        scores : pandas.DataFrame
            Actor tables with ``doc_id``, ``by`` and ``stance`` (and ``date``
            unless ``dates`` is given).
        dates : mapping, pandas.Series or pandas.DataFrame, default=None
            ``doc_id`` -> date, or a frame with ``doc_id`` and ``date``.
        by : str, default="affiliation"
        freq : str, default="M"
            Period: ``W`` (week), ``M`` (month), ``Q`` (quarter), ``Y``.
        top : int, default=6
            Panels for the affiliations with the most rows.
        """
        _require(scores, [by, STANCE], "StanceOverTimeDisplay.from_scores")
        when = _dates_for(scores, dates)
        frame = pd.DataFrame(
            {"group": scores[by].to_numpy(), STANCE: scores[STANCE].to_numpy(), "when": when}
        ).dropna(subset=["when", "group"])
        if frame.empty:
            raise ValueError(f"StanceOverTimeDisplay: no row has both a date and a {by}.")
        keep = frame["group"].value_counts(sort=True).index[:top]
        frame = frame[frame["group"].isin(keep)]
        frame["period"] = frame["when"].dt.to_period(freq).dt.start_time
        counts = (
            frame.groupby(["group", "period", STANCE]).size().unstack(STANCE, fill_value=0)
        ).reindex(columns=[FAVOR, AGAINST, NEUTRAL], fill_value=0)
        n = counts.sum(axis=1)
        data = (counts.div(n, axis=0)).assign(n=n).reset_index()
        order = {g: i for i, g in enumerate(keep)}
        data = data.sort_values(
            ["group", "period"], key=lambda s: s.map(order) if s.name == "group" else s
        )
        data = data[["group", "period", "n", FAVOR, AGAINST, NEUTRAL]].reset_index(drop=True)
        data.columns.name = None
        disp = cls(data, freq=freq, title=title)
        return disp.plot(ax=ax) if plot else disp

    def plot(self, ax=None):
        """Draw one panel per group; ``ax`` may be an array of Axes. Return ``self``."""
        plt = _pyplot()
        groups = list(dict.fromkeys(self.data["group"]))
        if ax is None:
            ncols = min(3, len(groups))
            nrows = int(np.ceil(len(groups) / ncols))
            fig, axes = plt.subplots(
                nrows,
                ncols,
                figsize=(4.2 * ncols, 2.6 * nrows + 0.6),
                sharex=True,
                sharey=True,
                layout="constrained",
                squeeze=False,
            )
            axes = axes.ravel()
        else:
            axes = np.atleast_1d(np.asarray(ax, dtype=object)).ravel()
            if len(axes) < len(groups):
                raise ValueError(
                    f"StanceOverTimeDisplay.plot: {len(groups)} groups need as many axes; "
                    f"got {len(axes)}."
                )
            fig = axes[0].figure
        periods = pd.DatetimeIndex(sorted(self.data["period"].unique()))
        step = (periods[1:] - periods[:-1]).min() if len(periods) > 1 else pd.Timedelta(days=28)
        width = max(step * 0.8, pd.Timedelta(days=3))
        for axis, group in zip(axes, groups, strict=False):
            part = self.data[self.data["group"] == group]
            x = pd.DatetimeIndex(part["period"]) + width / 2
            axis.bar(x, part[FAVOR], width=width, color=STANCE_COLORS[FAVOR], label=FAVOR)
            axis.bar(x, -part[AGAINST], width=width, color=STANCE_COLORS[AGAINST], label=AGAINST)
            # A grey tick marks each period with rows, so "all neutral" differs from "no data".
            axis.plot(
                x,
                np.zeros(len(x)),
                linestyle="",
                marker="|",
                markersize=9,
                color="#6e6e6e",
                label="period with articles",
            )
            axis.axhline(0, color="black", linewidth=0.6)
            axis.set_ylim(-1.05, 1.05)
            axis.set_yticks([-1, -0.5, 0, 0.5, 1], ["100%", "50%", "0", "50%", "100%"])
            axis.set_title(f"{group} (n={int(part['n'].sum())})", fontsize=10)
            axis.spines[["top", "right"]].set_visible(False)
            axis.tick_params(axis="x", labelrotation=30, labelsize=8)
        for axis in axes[len(groups) :]:
            axis.set_visible(False)
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=8, frameon=False)
        fig.suptitle(
            self.title
            or f"Share favor (up) and against (down) per {_PERIOD_NAMES.get(self.freq, self.freq)}"
        )
        self.ax_, self.figure_ = axes[: len(groups)], fig
        return self


_PERIOD_NAMES = {"W": "week", "M": "month", "Q": "quarter", "Y": "year"}


# -- evaluation ----------------------------------------------------------------


class StanceConfusionMatrixDisplay:
    """Row-normalised confusion matrix of an evaluation.

    Wraps :class:`sklearn.metrics.ConfusionMatrixDisplay` with the stance
    labels in a fixed order and the recall of each gold label on the diagonal.

    Parameters
    ----------
    confusion : array-like of shape (n_labels, n_labels)
        Counts, rows = gold, columns = predicted.
    labels : sequence of str, default=("against", "favor", "neutral")
    normalize : bool, default=True
        Divide each row by its total.

    Examples
    --------
    >>> d = StanceConfusionMatrixDisplay.from_predictions(
    ...     ["favor", "against", "favor"], ["favor", "favor", "favor"], plot=False)
    >>> d.matrix.round(2).tolist()
    [[0.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]
    """

    def __init__(self, confusion, *, labels=LABELS, normalize: bool = True, title=None):
        self.confusion = np.asarray(confusion, dtype=float)
        self.labels = list(labels)
        self.normalize = normalize
        self.title = title

    @property
    def matrix(self) -> np.ndarray:
        """The matrix drawn (row-normalised when ``normalize``)."""
        if not self.normalize:
            return self.confusion
        totals = self.confusion.sum(axis=1, keepdims=True)
        return np.divide(
            self.confusion, totals, out=np.zeros_like(self.confusion), where=totals > 0
        )

    @classmethod
    def from_predictions(
        cls, y_true, y_pred, *, labels=LABELS, normalize=True, ax=None, title=None, plot=True
    ):
        """From gold labels and predicted labels (or a frame with ``stance``)."""
        from sklearn.metrics import confusion_matrix

        if isinstance(y_pred, pd.DataFrame):
            y_pred = y_pred[STANCE]
        cm = confusion_matrix(
            np.asarray(y_true, dtype=object), np.asarray(y_pred, dtype=object), labels=labels
        )
        disp = cls(cm, labels=labels, normalize=normalize, title=title)
        return disp.plot(ax=ax) if plot else disp

    @classmethod
    def from_evaluation(cls, report: dict, *, normalize=True, ax=None, title=None, plot=True):
        """From the dict of :meth:`stancekit.StanceModel.evaluate`."""
        if "confusion" not in report:
            raise ValueError("from_evaluation: the report has no 'confusion' entry.")
        labels = report.get("labels", LABELS)
        disp = cls(report["confusion"], labels=labels, normalize=normalize, title=title)
        return disp.plot(ax=ax) if plot else disp

    def plot(self, ax=None, *, cmap="Blues"):
        """Draw the matrix; return ``self``."""
        from sklearn.metrics import ConfusionMatrixDisplay

        ax, fig = _new_ax(ax, (4.6, 4.0))
        inner = ConfusionMatrixDisplay(self.matrix, display_labels=self.labels)
        inner.plot(
            ax=ax, cmap=cmap, values_format=".2f" if self.normalize else "d", colorbar=False
        )
        n = int(self.confusion.sum())
        ax.set_xlabel("predicted")
        ax.set_ylabel("gold")
        ax.set_title(self.title or f"Confusion matrix (row-normalised, n={n})")
        self.inner_ = inner
        self.ax_, self.figure_ = ax, fig
        return self


class CalibrationCurvesDisplay:
    """Per-class reliability curves: predicted probability vs observed share.

    Parameters
    ----------
    curves : dict
        Label -> ``(mean_predicted, fraction_positive)`` arrays.
    brier : dict
        Label -> one-vs-rest Brier score.

    Examples
    --------
    >>> proba = pd.DataFrame({"p_favor": [0.9, 0.2, 0.8, 0.1],
    ...     "p_against": [0.05, 0.7, 0.1, 0.1], "p_neutral": [0.05, 0.1, 0.1, 0.8]})
    >>> d = CalibrationCurvesDisplay.from_predictions(
    ...     ["favor", "against", "favor", "neutral"], proba, n_bins=2, plot=False)
    >>> sorted(d.curves)
    ['against', 'favor', 'neutral']
    """

    def __init__(self, curves: dict, brier: dict, *, title=None):
        self.curves = curves
        self.brier = brier
        self.title = title

    @classmethod
    def from_predictions(
        cls,
        y_true,
        proba,
        *,
        labels=LABELS,
        n_bins: int = 10,
        strategy: str = "quantile",
        ax=None,
        title=None,
        plot=True,
    ):
        """From gold labels and probabilities.

        Parameters
        ----------
        y_true : array-like of str
        proba : pandas.DataFrame
            ``p_favor``, ``p_against``, ``p_neutral`` columns (the output of
            :meth:`stancekit.StanceModel.predict_corpus`).
        n_bins : int, default=10
        strategy : {"quantile", "uniform"}, default="quantile"
        """
        from sklearn.calibration import calibration_curve

        y = np.asarray(y_true, dtype=object)
        curves, brier = {}, {}
        for label in labels:
            col = proba_column(label)
            _require(proba, [col], "CalibrationCurvesDisplay.from_predictions")
            p = proba[col].to_numpy(float)
            hit = (y == label).astype(int)
            if hit.min() == hit.max():
                continue  # one class only: no curve
            frac, mean = calibration_curve(hit, p, n_bins=n_bins, strategy=strategy)
            curves[label] = (mean, frac)
            brier[label] = float(np.mean((p - hit) ** 2))
        disp = cls(curves, brier, title=title)
        return disp.plot(ax=ax) if plot else disp

    def plot(self, ax=None):
        """Draw the curves and the diagonal; return ``self``."""
        ax, fig = _new_ax(ax, (4.6, 4.0))
        ax.plot([0, 1], [0, 1], linestyle=":", color="#888888", label="perfectly calibrated")
        colours = {**STANCE_COLORS, NEUTRAL: "#525252"}
        for label, (mean, frac) in self.curves.items():
            ax.plot(
                mean,
                frac,
                marker="o",
                markersize=4,
                color=colours.get(label),
                label=f"{label} (Brier {self.brier[label]:.3f})",
            )
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("predicted probability")
        ax.set_ylabel("observed share")
        ax.legend(loc="upper left", fontsize=8, frameon=False)
        ax.set_title(self.title or "Calibration per label (one vs rest)")
        self.ax_, self.figure_ = ax, fig
        return self


# -- agreement network --------------------------------------------------------------


def _group_stances(scores: pd.DataFrame, by: str) -> pd.DataFrame:
    """One stance per (article, group): the non-neutral side with more confidence."""
    frame = scores[[DOC_ID, by, STANCE]].copy()
    frame[CONFIDENCE] = scores[CONFIDENCE].to_numpy(float) if CONFIDENCE in scores else 1.0
    frame = frame.dropna(subset=[by])
    frame = frame[frame[by].astype(str) != ""]
    rows = []
    for (doc, group), g in frame.groupby([DOC_ID, by], sort=False):
        weight = {s: g.loc[g[STANCE] == s, CONFIDENCE].sum() for s in (FAVOR, AGAINST)}
        if weight[FAVOR] == weight[AGAINST]:
            stance = NEUTRAL  # nothing, or a perfect split: no side
        else:
            stance = FAVOR if weight[FAVOR] > weight[AGAINST] else AGAINST
        rows.append((doc, group, stance))
    return pd.DataFrame(rows, columns=[DOC_ID, "group", STANCE])


class AgreementNetworkDisplay:
    """Who agrees with whom: affiliations taking the same stance in the same articles.

    Nodes are affiliations (or actors); an edge's ``agreement`` is the number
    of articles in which both take the same non-neutral stance, its
    ``conflict`` the number in which they take opposite ones, as in the
    congruence and conflict networks of discourse network analysis. A group's
    stance in an article is the non-neutral side its actors there hold with
    more summed confidence.

    Parameters
    ----------
    nodes : pandas.DataFrame
        Columns ``node, n_articles, favor, against, stance``.
    edges : pandas.DataFrame
        Columns ``source, target, agreement, conflict``.
    title : str, default=None

    Examples
    --------
    >>> scores = pd.DataFrame({"doc_id": ["a", "a", "a", "b", "b"],
    ...     "affiliation": ["FR", "GB", "RU", "FR", "GB"],
    ...     "stance": ["favor", "favor", "against", "favor", "favor"]})
    >>> net = AgreementNetworkDisplay.from_scores(scores, plot=False)
    >>> net.edges
      source target  agreement  conflict
    0     FR     GB          2         0
    1     FR     RU          0         1
    2     GB     RU          0         1
    """

    def __init__(self, nodes: pd.DataFrame, edges: pd.DataFrame, *, title=None):
        self.nodes = nodes
        self.edges = edges
        self.title = title

    @classmethod
    def from_scores(
        cls,
        scores: pd.DataFrame,
        *,
        by: str = AFFILIATION,
        top=None,
        ax=None,
        title=None,
        plot=True,
    ):
        """Build the network from actor tables (``doc_id``, ``by``, ``stance``).

        Parameters
        ----------
        scores : pandas.DataFrame
        by : str, default="affiliation"
            ``affiliation`` or ``actor``.
        top : int, default=None
            Keep the groups with a stance in the most articles.
        """
        _require(scores, [DOC_ID, by, STANCE], "AgreementNetworkDisplay.from_scores")
        per = _group_stances(scores, by)
        stats = per.groupby("group", sort=False)[STANCE].agg(
            n_articles="size",
            favor=lambda s: int((s == FAVOR).sum()),
            against=lambda s: int((s == AGAINST).sum()),
        )
        stats = stats[(stats[FAVOR] + stats[AGAINST]) > 0]
        if top is not None:
            stats = stats.assign(k=stats[FAVOR] + stats[AGAINST]).nlargest(top, "k", keep="first")
            stats = stats.drop(columns="k")
        stats = stats.sort_index(key=lambda s: s.astype(str))
        stats["stance"] = np.where(
            stats[FAVOR] > stats[AGAINST],
            FAVOR,
            np.where(stats[AGAINST] > stats[FAVOR], AGAINST, NEUTRAL),
        )
        keep = set(stats.index)
        pairs: dict = {}
        for _, g in per[per[STANCE] != NEUTRAL].groupby(DOC_ID, sort=False):
            held = sorted(
                ((str(a), s) for a, s in zip(g["group"], g[STANCE], strict=True) if a in keep),
            )
            for (a, sa), (b, sb) in itertools.combinations(held, 2):
                cell = pairs.setdefault((a, b), [0, 0])
                cell[0 if sa == sb else 1] += 1
        edges = pd.DataFrame(
            [(a, b, ag, co) for (a, b), (ag, co) in sorted(pairs.items())],
            columns=["source", "target", "agreement", "conflict"],
        ).astype({"agreement": "int64", "conflict": "int64"})
        nodes = stats.reset_index().rename(columns={"group": "node"})
        nodes["node"] = nodes["node"].astype(str)
        nodes = nodes[["node", "n_articles", FAVOR, AGAINST, "stance"]]
        disp = cls(nodes, edges, title=title)
        return disp.plot(ax=ax) if plot else disp

    def layout(self) -> dict:
        """Circular layout: node -> (x, y), favourable nodes together, then opposed."""
        rank = {FAVOR: 0, NEUTRAL: 1, AGAINST: 2}
        order = sorted(
            self.nodes.itertuples(index=False),
            key=lambda r: (rank[r.stance], -(r.favor + r.against), r.node),
        )
        n = max(len(order), 1)
        angles = np.pi / 2 - 2 * np.pi * np.arange(len(order)) / n
        return {
            r.node: (float(np.cos(t)), float(np.sin(t)))
            for r, t in zip(order, angles, strict=True)
        }

    def plot(self, ax=None, *, min_weight: int = 1, show_conflict: bool = True, min_conflict=None):
        """Draw the network; return ``self``.

        Parameters
        ----------
        min_weight : int, default=1
            Hide agreement edges with fewer shared articles.
        show_conflict : bool, default=True
            Also draw conflict edges (dashed).
        min_conflict : int, default=None
            Hide conflict edges with fewer articles (``min_weight`` when None).
        """
        min_conflict = min_weight if min_conflict is None else min_conflict
        ax, fig = _new_ax(ax, (7, 7))
        pos = self.layout()
        max_w = max([1, *self.edges["agreement"].tolist(), *self.edges["conflict"].tolist()])
        for e in self.edges.itertuples(index=False):
            (x0, y0), (x1, y1) = pos[e.source], pos[e.target]
            if e.conflict >= min_conflict and show_conflict:
                share = e.conflict / max_w
                ax.plot(
                    [x0, x1],
                    [y0, y1],
                    linestyle=(0, (3, 2)),
                    color=STANCE_COLORS[AGAINST],
                    alpha=0.2 + 0.5 * share,
                    linewidth=0.6 + 3.0 * share,
                    zorder=1,
                )
            if e.agreement >= min_weight:
                share = e.agreement / max_w
                ax.plot(
                    [x0, x1],
                    [y0, y1],
                    color="#3b3b3b",
                    alpha=0.25 + 0.6 * share,
                    linewidth=0.5 + 6.0 * share,
                    zorder=2,
                )
        sizes = self.nodes["favor"] + self.nodes["against"]
        biggest = max(1, int(sizes.max())) if len(sizes) else 1
        for r, size in zip(self.nodes.itertuples(index=False), sizes, strict=True):
            x, y = pos[r.node]
            ax.scatter(
                [x],
                [y],
                s=120 + 900 * size / biggest,
                color=STANCE_COLORS[r.stance],
                edgecolor="black",
                linewidth=0.6,
                zorder=3,
            )
            ax.text(
                1.17 * x,
                1.17 * y,
                f"{r.node}\n{r.favor}+ / {r.against}\u2212",
                ha="center",
                va="center",
                fontsize=8,
                zorder=4,
            )
        from matplotlib.lines import Line2D

        handles = [
            Line2D([], [], marker="o", linestyle="", color=STANCE_COLORS[s], label=f"mostly {s}")
            for s in (FAVOR, AGAINST, NEUTRAL)
        ]
        handles.append(Line2D([], [], color="#4d4d4d", label="same stance (articles)"))
        if show_conflict:
            handles.append(
                Line2D(
                    [], [], color=STANCE_COLORS[AGAINST], linestyle="--", label="opposite stance"
                )
            )
        ax.legend(handles=handles, loc="lower left", fontsize=7, frameon=False)
        ax.set_xlim(-1.45, 1.45)
        ax.set_ylim(-1.45, 1.45)
        ax.set_aspect("equal")
        ax.axis("off")
        ax.set_title(self.title or "Agreement network (articles with the same stance)")
        self.ax_, self.figure_ = ax, fig
        return self

    def to_csv(self, path) -> str:
        """Write the edge list (``source,target,agreement,conflict``) atomically."""
        return write_atomic(path, lambda fh: self.edges.to_csv(fh, index=False))

    def to_graphml(self, path) -> str:
        """Write the network as GraphML (nodes with stance counts, weighted edges).

        Readable by Gephi, visone, igraph and ``networkx.read_graphml``; the
        edge ``weight`` is the agreement count.
        """

        def write(fh):
            fh.write('<?xml version="1.0" encoding="UTF-8"?>\n')
            fh.write('<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n')
            keys = [
                ("n_articles", "node", "int"),
                ("favor", "node", "int"),
                ("against", "node", "int"),
                ("stance", "node", "string"),
                ("weight", "edge", "double"),
                ("agreement", "edge", "int"),
                ("conflict", "edge", "int"),
            ]
            for name, kind, typ in keys:
                fh.write(
                    f"  <key id={quoteattr(name)} for={quoteattr(kind)} "
                    f"attr.name={quoteattr(name)} attr.type={quoteattr(typ)}/>\n"
                )
            fh.write('  <graph id="agreement" edgedefault="undirected">\n')
            for r in self.nodes.itertuples(index=False):
                fh.write(f"    <node id={quoteattr(r.node)}>\n")
                for name in ("n_articles", "favor", "against", "stance"):
                    value = getattr(r, name)
                    fh.write(f"      <data key={quoteattr(name)}>{escape(str(value))}</data>\n")
                fh.write("    </node>\n")
            for i, e in enumerate(self.edges.itertuples(index=False)):
                fh.write(
                    f"    <edge id={quoteattr(f'e{i}')} source={quoteattr(e.source)} "
                    f"target={quoteattr(e.target)}>\n"
                )
                fh.write(f'      <data key="weight">{float(e.agreement)}</data>\n')
                fh.write(f'      <data key="agreement">{int(e.agreement)}</data>\n')
                fh.write(f'      <data key="conflict">{int(e.conflict)}</data>\n')
                fh.write("    </edge>\n")
            fh.write("  </graph>\n</graphml>\n")

        return write_atomic(path, write)
