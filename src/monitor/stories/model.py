"""The fitted model that weighs the evidence two reports share (``defaults/story_model.toml``).

A logistic regression with one weight per piece of evidence (``decide.FEATURES``): the
probability that two reports are one development is 1 / (1 + exp(-(bias + Σ weight × value))).
The weights are fitted by ``scripts/fit_story_model.py`` on labelled pairs (our fixture pairs
and the real set in ../shared/corpus), with its cross-validated figure written beside them;
the file is plain TOML so a reader can see what each piece of evidence is worth. ``explain``
lists each piece's share of a decision, largest first.
"""

from __future__ import annotations

import functools
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from monitor.errors import ConfigError

MODEL_FILE = Path(__file__).parent.parent / "defaults" / "story_model.toml"


@dataclass(frozen=True, slots=True)
class StoryModel:
    """Weights per feature, a bias and the probability from which two reports are one."""

    bias: float
    weights: Mapping[str, float]
    threshold: float = 0.5
    notes: Mapping[str, str] = field(default_factory=dict)

    def score(self, features: Mapping[str, float]) -> float:
        """The log-odds that the two reports are one development."""
        return self.bias + sum(w * features.get(name, 0.0) for name, w in self.weights.items())

    def probability(self, features: Mapping[str, float]) -> float:
        return _sigmoid(self.score(features))

    def explain(self, features: Mapping[str, float]) -> list[tuple[str, float]]:
        """Each feature's contribution (weight × value) to the log-odds, largest first."""
        parts = [(n, w * features.get(n, 0.0)) for n, w in self.weights.items()]
        return sorted((p for p in parts if p[1]), key=lambda p: -abs(p[1]))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, x))))


@functools.cache
def default_model() -> StoryModel:
    """The packaged model (read once)."""
    return load_model(MODEL_FILE)


def load_model(path: Path) -> StoryModel:
    """Read a model file.

    Raises:
        ConfigError: the file is missing or malformed (naming the file and the key).
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError([f"{path}: {exc}"]) from exc
    weights = data.get("weights")
    if not isinstance(weights, dict) or not all(
        isinstance(v, int | float) for v in weights.values()
    ):
        raise ConfigError([f"{path}: [weights] must map feature names to numbers"])
    bias, threshold = data.get("bias"), data.get("threshold", 0.5)
    if not isinstance(bias, int | float) or not isinstance(threshold, int | float):
        raise ConfigError([f"{path}: 'bias' and 'threshold' must be numbers"])
    notes = data.get("notes", {})
    return StoryModel(
        float(bias),
        {str(k): float(v) for k, v in weights.items()},
        float(threshold),
        {str(k): str(v) for k, v in notes.items()} if isinstance(notes, dict) else {},
    )


def fit_logistic(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], l2: float = 1.0
) -> tuple[float, npt.NDArray[np.float64]]:
    """Fit a logistic regression by Newton's method with an L2 penalty (not on the bias).

    Returns:
        (bias, weights), one weight per column of ``x``.
    """
    x1 = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(x1.shape[1])
    penalty = np.full(x1.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(x1 @ w, -60, 60)))
        grad = x1.T @ (p - y) + penalty * w
        hess = (x1 * (p * (1 - p))[:, None]).T @ x1 + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if float(np.abs(step).max()) < 1e-9:
            break
    return float(w[-1]), w[:-1]


def fit_signed(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    against: Sequence[bool],
    l2: float = 1.0,
) -> tuple[float, npt.NDArray[np.float64]]:
    """``fit_logistic`` with each weight of its expected sign: negative where ``against`` is
    True, positive elsewhere.

    A weight fitted with the other sign (time apart counting for one story because a few
    chance pairs say so) is dropped, the largest such first, and the rest refitted: it
    describes the sample, not the news. A dropped feature's weight is 0.

    Returns:
        (bias, weights), one weight per column of ``x``.
    """
    keep = list(range(x.shape[1]))
    while True:
        bias, w = fit_logistic(x[:, keep], y, l2)
        wrong = [
            (abs(float(v)), k)
            for k, v in zip(keep, w, strict=True)
            if abs(float(v)) > 1e-9 and (float(v) < 0) != against[k]
        ]
        if not wrong:
            break
        keep.remove(max(wrong)[1])
    weights = np.zeros(x.shape[1])
    weights[keep] = w
    return bias, weights


def write_model(
    path: Path,
    bias: float,
    weights: Sequence[tuple[str, float, str]],
    threshold: float,
    header: Sequence[str],
) -> None:
    """Write a model file: a comment header, then the bias and one commented weight a line."""
    lines = [f"# {h}" if h else "#" for h in header]
    lines += ["", f"threshold = {threshold}", f"bias = {bias:.3f}", "", "[weights]"]
    width = max(len(n) for n, _, _ in weights)
    lines += [f"{n:<{width}} = {w:+.3f}  # {why}" for n, w, why in weights]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
