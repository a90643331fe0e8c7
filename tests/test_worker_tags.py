"""Tag sync: residents' street and group choices become WeChat user tags, retried until they stick."""

from __future__ import annotations

import time

from bot.db import alerts as alerts_store
from bot.wechat import fake_api

NOW = "2026-11-28 00:00:00"


def queue(db, openids, tag, action="tag"):
    for openid in openids:
        alerts_store.enqueue_tag_change(db, openid, tag, action, NOW)


def sync_all(worker, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while alerts_store.tag_sync_counts(worker.db).get("pending") and time.monotonic() < deadline:
        worker.sync_tags()
        time.sleep(0.002)


def test_a_tag_is_created_once_and_residents_are_tagged_in_batches_of_50(worker, alerts_db, fake_wechat):
    residents = [f"o_{i:03d}" for i in range(120)]
    queue(alerts_db, residents, "老年人")
    sync_all(worker)
    tag = alerts_store.tag_id(alerts_db, "老年人")
    assert fake_wechat.tags == {tag: "老年人"} and fake_wechat.members[tag] == set(residents)
    sizes = [len(c.body["openid_list"]) for c in fake_wechat.calls_to("tags/members/batchtagging")]
    assert sizes == [50, 50, 20]
    assert len(fake_wechat.calls_to("tags/create")) == 1
    assert alerts_store.tag_sync_counts(alerts_db) == {"done": 120}


def test_an_existing_tag_is_found_instead_of_failing(worker, alerts_db, fake_wechat, wechat_api):
    existing = wechat_api.create_tag("学生")  # created before, e.g. by a worker killed before saving it
    queue(alerts_db, ["o_a"], "学生")
    sync_all(worker)
    assert alerts_store.tag_id(alerts_db, "学生") == existing
    assert [c.errcode for c in fake_wechat.calls_to("tags/create")] == [0, 45157]
    assert fake_wechat.members[existing] == {"o_a"}


def test_transient_failures_are_retried_and_permanent_ones_recorded(worker, alerts_db, fake_wechat):
    fake_wechat.fail("tags/members/batchtagging", -1, fake_api.HTTP_500)
    queue(alerts_db, ["o_a", "o_b"], "财务人员")
    sync_all(worker)
    tag = alerts_store.tag_id(alerts_db, "财务人员")
    assert fake_wechat.members[tag] == {"o_a", "o_b"}
    assert len(fake_wechat.calls_to("tags/members/batchtagging")) == 3
    queue(alerts_db, ["o_c"], "很长很长很长很长很长很长的标签名")
    sync_all(worker)
    [failed] = list(alerts_db.query("SELECT * FROM tag_sync WHERE status = 'failed'"))
    assert failed["openid"] == "o_c" and "45158" in failed["last_error"]


def test_opting_out_untags_and_an_unknown_tag_needs_no_call(worker, alerts_db, fake_wechat):
    queue(alerts_db, ["o_a", "o_b"], "学生")
    sync_all(worker)
    queue(alerts_db, ["o_a"], "学生", "untag")
    queue(alerts_db, ["o_a"], "从未创建", "untag")
    sync_all(worker)
    assert fake_wechat.members[alerts_store.tag_id(alerts_db, "学生")] == {"o_b"}
    assert len(fake_wechat.calls_to("tags/members/batchuntagging")) == 1
    assert alerts_store.tag_sync_counts(alerts_db) == {"done": 4}
