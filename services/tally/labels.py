"""Vietnamese names of the tally API's query and path parameters, for its validation problems."""

from __future__ import annotations

TALLY_LABELS: dict[str, str] = {
    "campaign_id": "Mã phong trào",
    "unit": "Mã đơn vị",
    "unit_id": "Mã đơn vị",
    "parent": "Đơn vị cấp trên",
    "metric": "Chỉ số xếp hạng",
    "level": "Cấp đơn vị",
    "limit": "Số dòng",
    "after": "Vị trí trong nhật ký sự kiện",
}
