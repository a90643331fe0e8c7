"""The bundled knowledge base is valid and complete, and the loader names the file and the field."""

from __future__ import annotations

import shutil
import time
import tomllib
from pathlib import Path

import pytest

from bot.advisor import Advisor
from bot.advisor.knowledge import (CATEGORIES, REQUIRED_TEXTS, KnowledgeBase, KnowledgeError,
                                   entry_from_document, entry_to_document, load_directory,
                                   validate_directory)
from bot.config import PROJECT_ROOT

BUNDLED = PROJECT_ROOT / "knowledge"
ENTRY_FILES = sorted((BUNDLED / "entries").glob("*.toml"))
# The methods the county report names, and a word each that must appear among some entry's signals.
COUNTY_METHODS = {
    "网上刷单": "网上刷单", "网上借贷款": "贷款", "冒充QQ好友": "冒充qq好友", "网上买游戏币": "买游戏币",
    "购物退款": "退款", "购买保健品": "保健品", "电话欠费": "电话欠费", "中奖": "中奖",
    "冒充熟人": "猜猜我是谁", "退税": "退税",
}


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    return load_directory(BUNDLED)


def good_document() -> dict:
    with (BUNDLED / "entries" / "shuadan-renwu.toml").open("rb") as handle:
        return tomllib.load(handle)


def test_bundled_directory_has_no_problems() -> None:
    assert validate_directory(BUNDLED) == []


@pytest.mark.parametrize("path", ENTRY_FILES, ids=lambda path: path.stem)
def test_every_entry_file_is_valid_and_named_by_its_id(path: Path) -> None:
    with path.open("rb") as handle:
        entry = entry_from_document(tomllib.load(handle), str(path))
    assert entry.id == path.stem
    assert entry.category in CATEGORIES
    assert len(entry.avoid) >= 2 and entry.actions and entry.script and entry.why


@pytest.mark.parametrize("path", ENTRY_FILES, ids=lambda path: path.stem)
def test_a_bundled_entry_lists_each_signal_word_once(path: Path) -> None:
    """A word in two signals of one entry would count twice without anyone seeing why."""
    with path.open("rb") as handle:
        entry = entry_from_document(tomllib.load(handle), str(path))
    words = [word for signal in entry.signals for word in signal.words]
    assert [word for word in set(words) if words.count(word) > 1] == []


def test_at_least_thirty_entries_cover_all_eighteen_categories(knowledge: KnowledgeBase) -> None:
    assert len(knowledge.entries) >= 30
    assert {entry.category for entry in knowledge.entries} == set(CATEGORIES)
    assert len(CATEGORIES) == 18


@pytest.mark.parametrize("method, word", COUNTY_METHODS.items())
def test_every_county_report_method_is_covered(knowledge: KnowledgeBase, method: str, word: str) -> None:
    words = {w.casefold() for entry in knowledge.entries for signal in entry.signals for w in signal.words}
    assert word in words, method


def test_shared_texts_hold_what_replies_need(knowledge: KnowledgeBase) -> None:
    for key in REQUIRED_TEXTS:
        assert knowledge.text(key).strip()
    assert "110" in knowledge.text("emergency") and "止付" in knowledge.text("emergency")
    assert "96110" in knowledge.text("hotlines")
    assert "未知链接不点击" in knowledge.text("sanbuyiduo")


def test_disguise_table_maps_the_common_disguises(knowledge: KnowledgeBase) -> None:
    flat = {variant.casefold(): word for word, variants in knowledge.disguises.items() for variant in variants}
    assert flat["v信"] == flat["威信"] == flat["vx"] == "微信"
    assert flat["菠菜"] == "博彩"
    assert flat["扣扣"] == "QQ"


@pytest.mark.parametrize("change, field", [
    (lambda d: d.pop("title"), "title"),
    (lambda d: d.update(category="电信诈骗"), "category"),
    (lambda d: d.update(avoid=["只有一条"]), "avoid"),
    (lambda d: d.update(actions="不是列表"), "actions"),
    (lambda d: d.update(id="Bad Id"), "id"),
    (lambda d: d.update(signals=[]), "signals"),
    (lambda d: d["signals"][0].update(weight="3"), "signals[0].weight"),
    (lambda d: d["signals"][1].update(words=[]), "signals[1].words"),
    (lambda d: d["combos"][0].update(all=["只有一个"]), "combos[0].all"),
    (lambda d: d["combos"][0].update(all=["验证码", "@money"]), "combos[0].all"),
    (lambda d: d.update(colour="red"), "colour"),
])
def test_entry_errors_name_the_source_and_the_field(change, field: str) -> None:
    document = good_document()
    change(document)
    with pytest.raises(KnowledgeError) as error:
        entry_from_document(document, "entries/broken.toml")
    assert "entries/broken.toml" in str(error.value)
    assert f"field {field}" in str(error.value)


def test_loader_names_the_file_with_broken_toml(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path)
    (root / "entries" / "zz-broken.toml").write_text('id = "zz-broken"\ntitle = \n', encoding="utf-8")
    with pytest.raises(KnowledgeError, match="zz-broken.toml"):
        load_directory(root)


def test_validate_directory_lists_every_problem(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path)
    (root / "entries" / "zz-one.toml").write_text('id = "zz-one"\n', encoding="utf-8")
    text = (root / "entries" / "shuadan-renwu.toml").read_text(encoding="utf-8")
    (root / "entries" / "zz-two.toml").write_text(text, encoding="utf-8")  # a duplicate id
    with (root / "texts.toml").open("a", encoding="utf-8") as handle:
        handle.write('empty = ""\n')
    problems = validate_directory(root)
    assert any("zz-one.toml" in p and "field category" in p for p in problems)
    assert any("zz-two.toml" in p and "field id" in p for p in problems)
    assert any("texts.toml" in p and "field empty" in p for p in problems)


def test_missing_required_text_is_named(tmp_path: Path) -> None:
    root = copy_bundled(tmp_path)
    texts = (root / "texts.toml").read_text(encoding="utf-8").replace("hotlines =", "hotlines_old =")
    (root / "texts.toml").write_text(texts, encoding="utf-8")
    assert any("texts.toml" in p and "field hotlines" in p for p in validate_directory(root))


def test_documents_round_trip(knowledge: KnowledgeBase) -> None:
    for entry in knowledge.entries:
        document = entry_to_document(entry)
        again = entry_from_document(document, entry.source)
        assert entry_to_document(again) == document
        assert (again.signals, again.combos) == (entry.signals, entry.combos)


def test_from_documents_builds_the_same_advisor(knowledge: KnowledgeBase) -> None:
    rebuilt = KnowledgeBase.from_documents([entry_to_document(e) for e in knowledge.entries],
                                           knowledge.texts, knowledge.disguises)
    message = "对方说我涉嫌洗钱，要我把钱转到安全账户"
    assert Advisor(rebuilt).analyze(message).to_json() == Advisor(knowledge).analyze(message).to_json()


def test_from_documents_rejects_duplicate_ids(knowledge: KnowledgeBase) -> None:
    document = entry_to_document(knowledge.entries[0])
    with pytest.raises(KnowledgeError, match="field id"):
        KnowledgeBase.from_documents([document, dict(document)], knowledge.texts)


def test_advisor_is_cheap_to_rebuild(knowledge: KnowledgeBase) -> None:
    Advisor(knowledge)
    started = time.perf_counter()
    Advisor(knowledge)
    assert time.perf_counter() - started < 0.5


def copy_bundled(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(BUNDLED, root)
    return root
