"""Realistic, deterministic Vietnamese campaign data: people, initiative forms, skew over the union tree."""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from services.submission.domain.import_rows import COLUMNS, IMPORT_AUTHORS
from shared.union_tree import UnionTree

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
          "Ngô", "Dương", "Lý", "Đinh", "Trương", "Lương", "Mai", "Tạ", "Kiều", "Quách", "Lâm")
MIDDLE_M = ("Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Thành", "Xuân", "Ngọc", "Đình", "Mạnh", "Trọng")
MIDDLE_F = ("Thị", "Thu", "Ngọc", "Thanh", "Thúy", "Kim", "Hồng", "Diệu", "Bích", "Phương", "Mỹ", "Hải")
GIVEN_M = ("An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Khánh", "Long", "Nam", "Phong", "Quân",
           "Sơn", "Thắng", "Trung", "Tuấn", "Việt", "Vinh", "Lộc", "Nghĩa", "Toàn", "Thịnh", "Khoa")
GIVEN_F = ("Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Ngân",
           "Nhung", "Oanh", "Phượng", "Quỳnh", "Thảo", "Trang", "Uyên", "Vân", "Yến", "Thư", "Huyền")
JOBS = (("Công nhân vận hành", "Trung cấp", "worker"), ("Tổ trưởng sản xuất", "Cao đẳng", "worker"),
        ("Kỹ sư cơ khí", "Đại học", "graduate"), ("Giáo viên", "Đại học", "graduate"),
        ("Điều dưỡng", "Cao đẳng", "worker"), ("Bác sĩ", "Đại học", "graduate"),
        ("Trưởng phòng kỹ thuật", "Thạc sĩ", "manager"), ("Quản đốc phân xưởng", "Đại học", "manager"),
        ("Công nhân may", "Sơ cấp", "worker"), ("Chuyên viên", "Đại học", "graduate"),
        ("Thợ điện", "Trung cấp", "worker"), ("Kế toán viên", "Đại học", "graduate"))
ACTIONS = ("Cải tiến", "Giải pháp", "Ứng dụng", "Sáng kiến", "Hợp lý hóa", "Tự động hóa", "Số hóa", "Đổi mới")
OBJECTS = {
    "atvsld": ("quy trình kiểm tra an toàn điện tại phân xưởng", "thiết bị che chắn máy cắt tôn",
               "hệ thống cảnh báo khí độc trong hầm lò", "quy trình huấn luyện an toàn cho công nhân mới"),
    "moi_truong": ("hệ thống xử lý nước thải nhuộm", "quy trình phân loại rác thải tại nguồn",
                   "lò đốt trấu tiết kiệm nhiên liệu", "hệ thống thu hồi nhiệt khí thải"),
    "cai_cach_hanh_chinh": ("quy trình tiếp nhận hồ sơ một cửa", "phần mềm quản lý văn bản đi đến",
                            "biểu mẫu điện tử thanh toán chế độ", "quy trình cấp thẻ đoàn viên trực tuyến"),
    "quan_ly": ("phần mềm quản lý kho vật tư", "bảng theo dõi năng suất theo ca", "quy trình kiểm kê tài sản",
                "mô hình quản lý chất lượng 5S tại tổ sản xuất"),
    "y_te": ("quy trình tiếp đón người bệnh tại khoa cấp cứu", "dụng cụ cố định xương cẳng tay",
             "phần mềm nhắc lịch tiêm chủng", "quy trình khử khuẩn dụng cụ nội soi"),
    "giao_duc": ("phương pháp dạy học tích cực môn Toán lớp 6", "học liệu số môn Lịch sử",
                 "mô hình câu lạc bộ STEM cho học sinh", "phần mềm chấm bài trắc nghiệm"),
    "san_xuat_kinh_doanh": ("đồ gá hàn khung xe máy", "dây chuyền đóng gói tự động", "khuôn ép nhựa nhiều lòng",
                            "quy trình bảo dưỡng máy dệt kim", "cơ cấu cấp phôi tự động cho máy tiện"),
    "cong_tac_cong_doan": ("mô hình Tổ công đoàn tự quản", "ứng dụng thu đoàn phí trực tuyến",
                           "quy trình thăm hỏi đoàn viên ốm đau", "sổ tay đối thoại tại nơi làm việc"),
    "san_pham_moi": ("máy bóc vỏ lạc mini", "bếp đun cải tiến tiết kiệm củi",
                     "thiết bị sấy nông sản năng lượng mặt trời", "robot vệ sinh bồn chứa"),
    "phuc_vu_cong_dong": ("mô hình bữa cơm công đoàn", "tủ sách pháp luật cho công nhân khu trọ",
                          "mô hình Mái ấm công đoàn", "tổ tư vấn pháp luật lưu động"),
}
PLACES = ("tại Công ty", "tại phân xưởng số 2", "tại nhà máy", "trong dây chuyền may", "tại đơn vị", "tại bệnh viện",
          "tại trường học", "tại xí nghiệp")


@dataclass(frozen=True)
class Person:
    name: str
    date_of_birth: date
    job_title: str
    qualification: str
    category: str


def person(rng: random.Random) -> Person:
    female = rng.random() < 0.45
    name = " ".join((
        rng.choice(FAMILY), rng.choice(MIDDLE_F if female else MIDDLE_M), rng.choice(GIVEN_F if female else GIVEN_M),
    ))
    job, qualification, category = rng.choice(JOBS)
    born = date(1965, 1, 1) + timedelta(days=rng.randrange(0, 365 * 37))
    return Person(name, born, job, qualification, category)


def shares(n: int, rng: random.Random) -> list[str]:
    """n contribution shares (two decimals) that add up to exactly 100."""
    if n == 1:
        return ["100"]
    cuts = sorted(rng.sample(range(1, 100), n - 1))
    parts = [b - a for a, b in itertools.pairwise([0, *cuts, 100])]
    return [str(p) for p in parts]


class UnitPicker:
    """Picks grassroots units with the skew of the 2021 campaign (level-2 weights from the tree)."""

    def __init__(self, tree: UnionTree) -> None:
        by_l2: dict[str, list[str]] = {}
        for unit_id in tree.grassroots_ids():
            by_l2.setdefault(tree.path(unit_id)[1], []).append(unit_id)
        self.level2 = [u.id for u in tree.level2_units() if u.id in by_l2 and u.weight > 0]
        self.grassroots = by_l2
        weights = [tree.get(u).weight for u in self.level2]
        self.cumulative = list(itertools.accumulate(weights))

    def pick(self, rng: random.Random) -> str:
        i = bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[-1])
        return rng.choice(self.grassroots[self.level2[min(i, len(self.level2) - 1)]])


def vnd(amount: int) -> str:
    """Vietnamese thousands separators: 41.300.000."""
    return f"{amount:,}".replace(",", ".")


def initiative_form(rng: random.Random, *, unit_id: str, unit_name: str, fields: list[str], seq: int) -> dict[str, Any]:
    """A filled request form (Nghị định 13/2012/NĐ-CP) as the submission API takes it."""
    field = rng.choice([f for f in fields if f in OBJECTS] or fields)
    obj = rng.choice(OBJECTS.get(field, OBJECTS["san_xuat_kinh_doanh"]))
    n_authors = rng.choices((1, 2, 3, 4), weights=(55, 25, 14, 6))[0]
    people = [person(rng) for _ in range(n_authors)]
    benefit = int(rng.lognormvariate(17.2, 1.3)) // 100_000 * 100_000  # median ≈ 30 million VND
    confidential = rng.random() < 0.05
    workplace = unit_name.replace("Công đoàn cơ sở ", "").replace("Nghiệp đoàn ", "")
    title = f"{rng.choice(ACTIONS)} {obj} {rng.choice(PLACES)} (số {seq})"
    return {
        "unit_id": unit_id,
        "field": field,
        "title": title[:300],
        "description": (
            f"Giải pháp {obj} được nghiên cứu và áp dụng thử từ quý I. Nội dung: khảo sát hiện trạng, thiết kế "
            f"cải tiến, chạy thử và đánh giá. Nhóm tác giả gồm {n_authors} người."
        ),
        "date_first_applied": (date(2020, 6, 1) + timedelta(days=rng.randrange(0, 270))).isoformat(),
        "benefit_vnd": benefit,
        "effectiveness_summary": f"Làm lợi khoảng {vnd(benefit)} đồng mỗi năm; giảm thời gian thao tác, "
                                 "nâng cao an toàn cho người lao động.",
        "application_conditions": "Áp dụng được tại các đơn vị có dây chuyền, quy trình tương tự.",
        "first_application_participants": ", ".join(p.name for p in people),
        "investor": "",
        "confidential": confidential,
        "confidential_details": "Thông số kỹ thuật và bản vẽ chi tiết được bảo mật." if confidential else "",
        "authors": [
            {
                "name": p.name, "date_of_birth": p.date_of_birth.isoformat(), "workplace": workplace,
                "job_title": p.job_title, "qualification": p.qualification, "category": p.category,
                "share_percent": share,
            }
            for p, share in zip(people, shares(n_authors, rng), strict=True)
        ],
    }


def import_cells(form: dict[str, Any], field_label: str) -> list[Any]:
    """A form as one row of the officers' import template (``COLUMNS`` order), written as an officer would:
    the field by its label, dates as dd/mm/yyyy, Có/Không. The template holds ``IMPORT_AUTHORS`` authors; the
    shares of any beyond them go to the first author, so the shares still add up to 100."""
    values: dict[str, Any] = {c.key: form[c.key] for c in COLUMNS if c.key in form}
    values["field"] = field_label
    values["confidential"] = "Có" if form["confidential"] else "Không"
    values["date_first_applied"] = date.fromisoformat(form["date_first_applied"]).strftime("%d/%m/%Y")
    authors = form["authors"][:IMPORT_AUTHORS]
    dropped = sum(Decimal(a["share_percent"]) for a in form["authors"][IMPORT_AUTHORS:])
    for n, author in enumerate(authors, start=1):
        for part, value in author.items():
            values[f"author{n}_{part}"] = value
        values[f"author{n}_date_of_birth"] = date.fromisoformat(author["date_of_birth"]).strftime("%d/%m/%Y")
    values["author1_share_percent"] = str(Decimal(authors[0]["share_percent"]) + dropped)
    return [values.get(c.key) for c in COLUMNS]
