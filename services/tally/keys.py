"""Every Redis key name tally uses, built in one place and prefixed with the settings' namespace.

Layout (``R`` = ``<namespace>:t:``)::

    R gen                      live generation number (string)
    R building                 generation a rebuild is filling (absent when none)
    R w:<worker>               worker heartbeat (consumer attached?), with a TTL
    R <g>:s:<16-byte id>       seen marker of an applied event in generation g (SET NX EX)
    R <g>:campaigns            set of campaign ids with any event
    R <g>:c:<campaign>:...     the campaign's counters (see ``CampaignKeys``)

Counters per campaign (``C`` = ``R <g>:c:<campaign>:``): ``u:<unit>`` hash per unit, ``*`` = nation;
``f:<field>`` hash per field; ``d:<YYYY-MM-DD>`` hash of ``<unit>:s`` (initiatives submitted that day)
and ``<unit>:v`` (votes cast that day); ``r:<i|v|a>:<parent>`` sorted sets of child units by initiatives,
votes, awards; ``ri:<unit>`` sorted set of initiatives by votes; ``cfg``/``q`` the campaign's
configuration and quotas; ``i:<initiative>`` the initiative aggregate; ``ver`` change counter;
``days`` index of days with data. Ranking scores are stored negated so that ``ZRANGE`` returns the
highest count first and equal counts by member id ascending (the stated tie rule).
"""

from __future__ import annotations

from dataclasses import dataclass

NATION = "*"
METRIC_CODES = {"initiatives": "i", "votes": "v", "awards": "a"}


@dataclass(frozen=True)
class TallyKeys:
    """Key names of one namespace; generation-specific names take the generation as an argument."""

    namespace: str

    @property
    def root(self) -> str:
        return f"{self.namespace}:t:"

    @property
    def generation(self) -> str:
        return self.root + "gen"

    @property
    def building(self) -> str:
        return self.root + "building"

    def heartbeat(self, worker: str) -> str:
        return f"{self.root}w:{worker}"

    @property
    def heartbeat_pattern(self) -> str:
        return f"{self.root}w:*"

    def gen_prefix(self, gen: str | int) -> str:
        return f"{self.root}{gen}:"

    def seen_pattern(self, gen: str | int) -> str:
        return f"{self.gen_prefix(gen)}s:*"

    def campaigns(self, gen: str | int) -> str:
        return f"{self.gen_prefix(gen)}campaigns"

    def campaign(self, gen: str | int, campaign_id: str) -> CampaignKeys:
        return CampaignKeys(f"{self.gen_prefix(gen)}c:{campaign_id}:")


@dataclass(frozen=True)
class CampaignKeys:
    """Key names of one campaign inside one generation."""

    prefix: str

    def unit(self, unit_id: str) -> str:
        return f"{self.prefix}u:{unit_id}"

    def field(self, field: str) -> str:
        return f"{self.prefix}f:{field}"

    def day(self, day: str) -> str:
        return f"{self.prefix}d:{day}"

    def unit_ranking(self, metric: str, parent_id: str) -> str:
        return f"{self.prefix}r:{METRIC_CODES[metric]}:{parent_id}"

    def initiative_ranking(self, unit_id: str) -> str:
        return f"{self.prefix}ri:{unit_id}"

    def initiative(self, initiative_id: str) -> str:
        return f"{self.prefix}i:{initiative_id}"

    @property
    def config(self) -> str:
        return self.prefix + "cfg"

    @property
    def quotas(self) -> str:
        return self.prefix + "q"

    @property
    def version(self) -> str:
        return self.prefix + "ver"

    @property
    def days(self) -> str:
        return self.prefix + "days"

    @property
    def fields(self) -> str:
        return self.prefix + "fields"
