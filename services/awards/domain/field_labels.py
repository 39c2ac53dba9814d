"""The Vietnamese names of the campaign fields (lĩnh vực) that documents print instead of their codes."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# campaign.configured carries field codes only (``fields: tuple[str, ...]``), and awards stores none of them, so
# the documents' labels live here, one place, kept equal to submission's CAMPAIGN_FIELDS by a test.
FIELD_LABELS: Mapping[str, str] = MappingProxyType({
    "atvsld": "An toàn, vệ sinh lao động",
    "moi_truong": "Môi trường",
    "cai_cach_hanh_chinh": "Cải cách hành chính",
    "quan_ly": "Quản lý",
    "y_te": "Y tế",
    "giao_duc": "Giáo dục",
    "san_xuat_kinh_doanh": "Sản xuất, kinh doanh",
    "cong_tac_cong_doan": "Công tác công đoàn",
    "san_pham_moi": "Sản phẩm mới",
    "phuc_vu_cong_dong": "Phục vụ cộng đồng",
})


def field_label(code: str) -> str:
    """The field's Vietnamese name; a value that is not a known code (already a label) is shown as it is."""
    return FIELD_LABELS.get(code, code)
