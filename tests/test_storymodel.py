"""The story model file and the window's term statistics (IDF)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from monitor.errors import ConfigError
from monitor.stories.decide import FEATURES
from monitor.stories.model import default_model, fit_logistic, fit_signed, load_model, write_model
from monitor.stories.terms import TermStats, stem, terms_of


def test_the_packaged_model_weighs_every_feature_and_reads_as_toml() -> None:
    model = default_model()
    assert set(model.weights) == set(FEATURES)
    assert 0 < model.threshold < 1
    # what the evidence means, in the signs a reader would expect
    assert model.weights["actor"] > 0 and model.weights["text"] > 0
    assert model.weights["unplaced"] < 0 and model.weights["apart"] < 0


def test_a_written_model_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "model.toml"
    write_model(path, -1.5, [("text", 4.0, "words"), ("actor", 2.0, "speaker")], 0.6, ["hi"])
    model = load_model(path)
    assert (model.bias, dict(model.weights), model.threshold) == (
        -1.5, {"text": 4.0, "actor": 2.0}, 0.6,
    )  # fmt: skip
    assert model.explain({"text": 0.5, "actor": 1.0}) == [("text", 2.0), ("actor", 2.0)]
    assert abs(model.probability({"text": 0.375}) - 0.5) < 1e-9


def test_a_broken_model_file_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "model.toml"
    path.write_text('bias = "high"\n[weights]\ntext = 1\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"model\.toml"):
        load_model(path)


def test_fit_logistic_finds_the_informative_feature() -> None:
    rng = np.random.default_rng(3)
    x = rng.random((400, 2))
    y = (x[:, 0] > 0.5).astype(float)  # only the first column decides
    _, w = fit_logistic(x, y, l2=0.1)
    assert w[0] > 5 and abs(w[1]) < 1


def test_fit_signed_drops_a_weight_of_the_wrong_sign() -> None:
    rng = np.random.default_rng(5)
    x = rng.random((400, 3))
    y = (x[:, 0] > 0.5).astype(float)
    x[:, 2] = y * 0.3 + rng.random(400) * 0.1  # "time apart" that the sample ties to one story
    _, free = fit_logistic(x, y, l2=0.1)
    assert free[2] > 0  # unconstrained, the sample's accident gets a weight
    _, w = fit_signed(x, y, [False, False, True], l2=0.1)
    assert w[2] == 0.0 and w[0] > 5  # expected against, fitted for: dropped, the rest refitted


def test_idf_discounts_the_words_every_report_shares() -> None:
    stats = TermStats()
    docs = [
        terms_of("التحالف الدولي العراق انسحاب قاعدة عين الاسد"),
        terms_of("التحالف الدولي العراق انسحاب قاعدة حرير اربيل"),
        terms_of("التحالف الدولي العراق انسحاب البنتاغون تقليص"),
    ]
    for d in docs:
        stats.add(d)
    shared = terms_of("التحالف")
    rare = terms_of("البنتاغون")
    ids = np.concatenate([shared.ids, rare.ids])
    idf_shared, idf_rare = stats.idf(ids).tolist()
    assert idf_rare > idf_shared
    # two reports that share only the topic's words are less alike than their raw overlap
    plain = TermStats()
    assert stats.cosine(docs[0], docs[1]) < plain.cosine(docs[0], docs[1])
    stats.add(docs[0], -1)
    assert stats.documents == 2


def test_stems_drop_clitics_and_a_suffix() -> None:
    assert stem("والانسحاب") == "انسحاب"
    assert stem("بقواتها") == "قوات"
    a, b = terms_of("وبالانسحاب انسحاب"), terms_of("انسحاب انسحاب")
    assert a.ids.tolist() == b.ids.tolist() and a.counts.tolist() == [2]
