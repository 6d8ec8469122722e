"""Stories read the configured place hierarchy (the timeline's ``[places]``), as verdicts do.

A province a user adds with a base under it stops being a "site" of its own: a report naming
only the province does not lead with a different site from one naming the base in it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from monitor.analysis.analyzer import Analyzer
from monitor.cli import main
from monitor.config.load import Config, load_config
from monitor.ops.analyze import BatchItem, analyze_record, parse_line
from monitor.pipeline.runtime import Runtime
from monitor.settings import StorySettings
from monitor.store import Store
from monitor.stories.batch import explain_pairs, group_batch
from monitor.stories.index import StoryIndex
from monitor.stories.match import place_tree
from monitor.timeline.load import DEFAULT_PLACES

REPO = Path(__file__).resolve().parents[1]
ADDED = 'mosul = "federal_areas"\nqayyarah = "mosul"\n'  # a province and a base inside it
# Our own reports of one development: the base's handover, and the same day's report that
# names only the province around it (one speaker, one day, one figure).
REPORTS = [
    {
        "id": "base",
        "url": None,
        "outlet": "وكالة أ",
        "published": "2026-03-10",
        "title": "التحالف الدولي يسلم قاعدة القيارة جنوب الموصل إلى الجيش العراقي",
        "text": "أعلنت وزارة الدفاع العراقية، اليوم الثلاثاء، أن قوات التحالف الدولي سلمت قاعدة"
        " القيارة جنوب الموصل إلى الجيش العراقي بعد انسحاب 350 جنديا منها. وقالت الوزارة في"
        " بيان إن التسليم جرى بحضور قادة عسكريين من الجانبين، وإن القوات العراقية تولت حماية"
        " القاعدة ومدرجها.",
    },
    {
        "id": "province",
        "url": None,
        "outlet": "صحيفة ب",
        "published": "2026-03-10",
        "title": "القوات الأمريكية تغادر الموصل وتسلم مواقعها للجيش العراقي",
        "text": "قالت وزارة الدفاع العراقية الثلاثاء إن القوات الأمريكية غادرت الموصل وسلمت"
        " مواقعها للجيش العراقي، بعد أن سحبت نحو 350 من جنودها. وأضاف بيان الوزارة أن وحدات"
        " من الجيش العراقي انتشرت في المواقع التي أخلتها قوات التحالف الدولي.",
    },
]


def _write_config(tmp_path: Path, places: str) -> Path:
    """A config whose keyword file knows the base and whose timeline adds ``places``."""
    kw = (REPO / "config" / "keywords.toml").read_text(encoding="utf-8")
    kw += '\n[[places]]\nid = "qayyarah"\nen = "Qayyarah"\nar = ["القيارة", "قاعدة القيارة"]\n'
    (tmp_path / "kw.toml").write_text(kw, encoding="utf-8")
    tl = (REPO / "config" / "timeline.toml").read_text(encoding="utf-8")
    assert "\n[places]\n" in tl
    tl = tl.replace("\n[places]\n", "\n[places]\n" + places, 1)
    (tmp_path / "tl.toml").write_text(tl, encoding="utf-8")
    path = tmp_path / "monitor.toml"
    path.write_text(
        '[monitor]\nstate_dir = "s"\nkeywords_file = "kw.toml"\ntimeline_file = "tl.toml"\n',
        encoding="utf-8",
    )
    return path


def _items(config: Config) -> list[BatchItem]:
    analyzer = Analyzer(config.rules, config.timeline)
    lines = [json.dumps(r, ensure_ascii=False) for r in REPORTS]
    return [analyze_record(parse_line(line, n), analyzer, None) for n, line in enumerate(lines, 1)]


def test_the_place_tree_is_the_configured_hierarchy() -> None:
    builtin = place_tree()
    assert builtin.parents == DEFAULT_PLACES
    assert builtin.is_site("ain_al_asad") and not builtin.is_site("anbar")
    assert builtin.is_site("mosul") and builtin.country("mosul") is None  # unknown to it
    assert builtin.region("ain_al_asad") == "federal_areas"
    tree = place_tree((*DEFAULT_PLACES.items(), ("mosul", "federal_areas"), ("qayyarah", "mosul")))
    assert not tree.is_site("mosul") and tree.is_site("qayyarah")
    assert tree.country("qayyarah") == "iraq" and tree.region("qayyarah") == "federal_areas"


def test_the_daemon_desk_reads_the_configured_places(tmp_path: Path) -> None:
    config = load_config(_write_config(tmp_path, ADDED), require_sources=False)
    store = Store.open(tmp_path / "state")
    try:
        rt = Runtime(config, store)
        assert not rt.desk.index.places.is_site("mosul")
        assert rt.desk.index.places.country("qayyarah") == "iraq"
        builtin = replace(config, timeline=replace(config.timeline, places=()))
        rt.reconfigure(builtin)  # the hierarchy changed: the desk is rebuilt on it
        assert rt.desk.index.places.is_site("mosul")
    finally:
        store.close()


def test_a_place_added_in_config_makes_base_and_province_one_story(tmp_path: Path) -> None:
    config = load_config(_write_config(tmp_path, ADDED), require_sources=False)
    items = _items(config)
    rows = [(i.id, i.title, i.published, i.analysis) for i in items]
    assert all(i.analysis.relevance.relevant for i in items)

    # The built-in hierarchy does not know Mosul: it is a site, and each report leads with
    # a site the other does not name.
    assert len(set(group_batch(rows, config.stories))) == 2
    why = explain_pairs(rows, [("base", "province")], config.stories)[("base", "province")]
    assert why.match.rule == "site" and not why.match.same

    # Configured, Mosul is the province around the base: the evidence decides, one story.
    places = config.timeline.places
    assert len(set(group_batch(rows, config.stories, places=places))) == 1
    why = explain_pairs(rows, [("base", "province")], config.stories, places=places)
    assert why[("base", "province")].match.same
    assert why[("base", "province")].match.rule == "model"


@pytest.mark.parametrize(("places", "stories"), [(ADDED, 1), ("", 2)])
def test_monitor_analyze_uses_the_configured_places(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], places: str, stories: int
) -> None:
    config = _write_config(tmp_path, places)
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in REPORTS), "utf-8")
    capsys.readouterr()
    assert main(["--config", str(config), "analyze", "--input", str(path)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len({r["story"] for r in out}) == stories


def test_an_index_without_places_reads_the_built_in_hierarchy() -> None:
    assert StoryIndex(StorySettings(), lambda keys: {}).places.parents == DEFAULT_PLACES
