"""Read use cases of the public tally API: totals, units, rankings, top initiatives, daily series.

Each query resolves the live generation (a pointer read shared by concurrent queries, see ``pointers.py``)
or takes the one its caller resolved, then reads what it needs in pipelined round trips. While a rebuild
runs (or when Redis lost its counters) queries raise ``RebuildingError`` instead of serving numbers that may
be wrong. Only public fields leave here: a technology secret by title and votes in the national list only, and
never in a benefit sum (the apply script leaves its benefit out).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import redis.asyncio as aioredis

from services.tally.keys import NATION, CampaignKeys, TallyKeys
from services.tally.pointers import PointerReads
from shared.problems import NotFoundError, Problem, UnprocessableError
from shared.settings import Settings
from shared.union_tree import UnionTree, UnknownUnitError, get_tree

COUNTERS = ("submitted", "votes", "benefit", "recognised", "awards", "withdrawn")


class RebuildingError(Problem):
    status = 503
    type_suffix = "rebuilding"
    title = "Đang tính lại số liệu / Counters are being rebuilt"

    @classmethod
    def retry_soon(cls) -> RebuildingError:
        return cls(
            "Số liệu đang được tính lại từ nhật ký sự kiện, vui lòng thử lại sau ít giây — "
            "counters are being rebuilt from the event feeds; retry in a few seconds",
            retry_after=5,
        )


def _counters(raw: dict[bytes, bytes]) -> dict[str, int]:
    values = {k.decode(): int(v) for k, v in raw.items()}
    out = {name: values.get(name, 0) for name in COUNTERS}
    out["awards_by_level"] = {k[3:]: v for k, v in values.items() if k.startswith("aw:")}  # type: ignore[assignment]
    out["awards_by_kind"] = {k[4:]: v for k, v in values.items() if k.startswith("awk:")}  # type: ignore[assignment]
    out["awards_by_grade"] = {k[4:]: v for k, v in values.items() if k.startswith("awg:")}  # type: ignore[assignment]
    out["recognised_by_level"] = {k[4:]: v for k, v in values.items() if k.startswith("rec:")}  # type: ignore[assignment]
    return out


def _progress(done: int, target: int) -> float | None:
    return round(done / target, 4) if target > 0 else None


class TallyReader:
    """Queries over the live generation of one namespace."""

    def __init__(self, redis: aioredis.Redis, settings: Settings, tree: UnionTree | None = None) -> None:
        self.redis = redis
        self.keys = TallyKeys(settings.namespace)
        self.tree = tree or get_tree()
        self.pointers = PointerReads(redis, self.keys)

    async def generation(self) -> str:
        """The live generation, read after this call began; ``RebuildingError`` while there is none to trust."""
        live, building = await self.pointers.read()
        if live is None or building is not None:
            raise RebuildingError.retry_soon()
        return live.decode()

    async def campaign_keys(self, campaign_id: str, gen: str | None = None) -> CampaignKeys:
        return self.keys.campaign(gen or await self.generation(), campaign_id)

    def unit_name(self, unit_id: str) -> str:
        if unit_id == NATION:
            return "Toàn quốc"
        try:
            return self.tree.get(unit_id).name
        except UnknownUnitError:
            return unit_id

    def known_unit(self, unit_id: str) -> None:
        """``NotFoundError`` unless the unit is the nation or in the union tree."""
        if unit_id != NATION and unit_id not in self.tree:
            raise NotFoundError(f"Không có đơn vị {unit_id!r} — unknown unit; use an id from the union tree")

    async def campaigns(self, *, gen: str | None = None) -> list[dict[str, Any]]:
        gen = gen or await self.generation()
        members: set[Any] = await self.redis.smembers(self.keys.campaigns(gen))
        ids = sorted(m.decode() for m in members)
        pipe = self.redis.pipeline(transaction=False)
        for cid in ids:
            c = self.keys.campaign(gen, cid)
            pipe.hmget(c.config, "name", "target")
            pipe.hget(c.unit(NATION), "submitted")
        raw = await pipe.execute()
        out = []
        for i, cid in enumerate(ids):
            name, target = raw[2 * i]
            out.append({"campaign_id": cid, "name": (name or b"").decode(), "target": int(target or 0),
                        "submitted": int(raw[2 * i + 1] or 0)})
        return out

    async def totals(self, campaign_id: str, *, gen: str | None = None) -> dict[str, Any]:
        c = await self.campaign_keys(campaign_id, gen)
        pipe = self.redis.pipeline(transaction=False)
        pipe.hgetall(c.unit(NATION))
        pipe.hgetall(c.config)
        pipe.get(c.version)
        pipe.smembers(c.fields)
        nation, cfg, version, fields = await pipe.execute()
        cfg = {k.decode(): v.decode() for k, v in cfg.items()}
        counters = _counters(nation)
        target = int(cfg.get("target", 0))
        pipe = self.redis.pipeline(transaction=False)
        names = sorted(f.decode() for f in fields)
        for name in names:
            pipe.hget(c.field(name), "submitted")
        by_field = {n: int(v or 0) for n, v in zip(names, await pipe.execute(), strict=True)}
        return {
            "campaign_id": campaign_id, "name": cfg.get("name", ""), "target": target, "version": int(version or 0),
            **counters, "progress": _progress(counters["submitted"], target),
            "by_field": {k: v for k, v in by_field.items() if v},
        }

    async def unit(self, campaign_id: str, unit_id: str, *, gen: str | None = None) -> dict[str, Any]:
        self.known_unit(unit_id)
        c = await self.campaign_keys(campaign_id, gen)
        children = [u.id for u in self.tree.children(unit_id)] if unit_id != NATION else [self.tree_root()]
        pipe = self.redis.pipeline(transaction=False)
        pipe.hgetall(c.unit(unit_id))
        pipe.hgetall(c.quotas)
        for child in children:
            pipe.hgetall(c.unit(child))
        own, quotas, *rows = await pipe.execute()
        quota_of = {k.decode(): int(v) for k, v in quotas.items()}
        counters = _counters(own)
        level = self.tree.level(unit_id) if unit_id != NATION else 0
        breakdown: list[dict[str, Any]] = []
        for child, raw in zip(children, rows, strict=True):
            row = _counters(raw)
            quota = quota_of.get(child)
            breakdown.append({"unit_id": child, "name": self.unit_name(child), **row, "quota": quota,
                              "progress": _progress(row["submitted"], quota or 0)})
        breakdown.sort(key=lambda r: (-r["submitted"], r["unit_id"]))
        quota = quota_of.get(unit_id)
        return {"campaign_id": campaign_id, "unit_id": unit_id, "name": self.unit_name(unit_id), "level": level,
                **counters, "quota": quota, "progress": _progress(counters["submitted"], quota or 0),
                "children": breakdown}

    def tree_root(self) -> str:
        return next(u.id for u in self.tree.units() if u.level == 1)

    async def rankings(
        self, campaign_id: str, *, parent_id: str, metric: str, limit: int, gen: str | None = None,
    ) -> dict[str, Any]:
        self.known_unit(parent_id)
        c = await self.campaign_keys(campaign_id, gen)
        rows: list[Any] = await self.redis.zrange(c.unit_ranking(metric, parent_id), 0, limit - 1, withscores=True)
        ranking = [{"rank": i + 1, "unit_id": m.decode(), "name": self.unit_name(m.decode()), "value": int(-s)}
                   for i, (m, s) in enumerate(rows)]
        return {"campaign_id": campaign_id, "parent_id": parent_id, "metric": metric, "ranking": ranking}

    async def top_initiatives(
        self, campaign_id: str, *, unit_id: str, limit: int, gen: str | None = None,
    ) -> dict[str, Any]:
        self.known_unit(unit_id)
        c = await self.campaign_keys(campaign_id, gen)
        rows: list[Any] = await self.redis.zrange(c.initiative_ranking(unit_id), 0, limit - 1, withscores=True)
        pipe = self.redis.pipeline(transaction=False)
        for member, _ in rows:
            pipe.hmget(c.initiative(member.decode()), "t", "c", "p", "f")
        details: list[Any] = await pipe.execute() if rows else []
        items: list[dict[str, Any]] = []
        for (member, score), (title, confidential, path, field) in zip(rows, details, strict=True):
            if confidential == b"1" and unit_id != NATION:
                continue  # a unit's ranking would place a secret there (the script keeps them out; counters
                # written before it did are only corrected by a rebuild)
            item: dict[str, Any] = {"rank": len(items) + 1, "initiative_id": member.decode(),
                                    "title": (title or b"").decode(), "votes": int(-score)}
            if confidential == b"1":
                item["confidential"] = True  # technology secret, national list only: title only (plus its count)
            else:
                unit = (path or b"").decode().split(",")[-1]
                item.update(confidential=False, unit_id=unit, unit_name=self.unit_name(unit),
                            field=(field or b"").decode())
            items.append(item)
        return {"campaign_id": campaign_id, "unit_id": unit_id, "initiatives": items}

    async def _days(self, c: CampaignKeys) -> list[str]:
        members: set[Any] = await self.redis.smembers(c.days)
        days = sorted(d.decode() for d in members)
        if not days:
            return []
        first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
        return [(first + timedelta(n)).isoformat() for n in range((last - first).days + 1)][-400:]

    async def daily(self, campaign_id: str, *, unit_id: str, gen: str | None = None) -> dict[str, Any]:
        self.known_unit(unit_id)
        c = await self.campaign_keys(campaign_id, gen)
        days = await self._days(c)
        pipe = self.redis.pipeline(transaction=False)
        for day in days:
            pipe.hmget(c.day(day), f"{unit_id}:s", f"{unit_id}:v")
        rows = await pipe.execute() if days else []
        series = [{"day": d, "submitted": int(s or 0), "votes": int(v or 0)}
                  for d, (s, v) in zip(days, rows, strict=True)]
        while series and not (series[0]["submitted"] or series[0]["votes"]):
            series.pop(0)
        while series and not (series[-1]["submitted"] or series[-1]["votes"]):
            series.pop()
        return {"campaign_id": campaign_id, "unit_id": unit_id, "name": self.unit_name(unit_id), "series": series}

    async def daily_table(
        self, campaign_id: str, *, parent_id: str, metric: str, gen: str | None = None,
    ) -> dict[str, Any]:
        """Units under a parent × days, like the 2021 portal's daily per-unit tables."""
        self.known_unit(parent_id)
        if metric not in ("initiatives", "votes"):
            raise UnprocessableError("metric must be initiatives or votes")
        suffix = ":s" if metric == "initiatives" else ":v"
        c = await self.campaign_keys(campaign_id, gen)
        units = [u.id for u in self.tree.children(parent_id)] if parent_id != NATION else [self.tree_root()]
        days = await self._days(c) if units else []  # a grassroots union has no children (and HMGET needs a field)
        pipe = self.redis.pipeline(transaction=False)
        for day in days:
            pipe.hmget(c.day(day), [u + suffix for u in units])
        columns = await pipe.execute() if days else []
        rows: list[dict[str, Any]] = []
        for i, unit in enumerate(units):
            counts = [int(col[i] or 0) for col in columns]
            rows.append({"unit_id": unit, "name": self.unit_name(unit), "counts": counts, "total": sum(counts)})
        rows.sort(key=lambda r: (-r["total"], r["unit_id"]))
        keep = [j for j in range(len(days)) if any(r["counts"][j] for r in rows)]
        for r in rows:
            r["counts"] = [r["counts"][j] for j in keep]
        return {"campaign_id": campaign_id, "parent_id": parent_id, "metric": metric,
                "days": [days[j] for j in keep], "rows": rows}
