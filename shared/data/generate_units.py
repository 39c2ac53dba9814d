"""Generate ``shared/data/units.json``: the union tree of the 2021 campaign plus the 34 provinces of 2025.

Run ``python -m shared.data.generate_units [OUTPUT]`` (default output: ``units.json`` next to this file).
The output is deterministic (``random.Random(2021)``, no set or hash ordering), so the committed file can
be checked byte for byte against a fresh run.

Levels 1 and 2 are real (DOMAIN.md). Levels 3 and 4 are synthetic but realistic: district federations
from each province's real 2021 districts, local sectoral unions, and grassroots unions named the way
Vietnamese unions are named. The file is longer than usual because it carries its own data tables.

Output: one JSON object, ``{"schema": 1, ..., "units": [...]}``, one unit per line, fields that hold their
default value omitted (see ``shared.union_tree.Unit``).
"""

from __future__ import annotations

import json
import random
import re
import sys
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

SEED = 2021
DEFAULT_OUTPUT = Path(__file__).with_name("units.json")
VALID_UNTIL_2021 = "2025-06-30"
VALID_FROM_2025 = "2025-07-01"
TARGET_QUOTA = 75_000

# --------------------------------------------------------------------------------------------------
# Level 2, 2021: the 63 provinces. (code, name, relative size, districts used for level 3)
# Size is a rough relative workforce; it drives quotas and how many units are generated below.
# District prefixes: q = quận, h = huyện, tx = thị xã, tp = thành phố.
# --------------------------------------------------------------------------------------------------
PROVINCES_2021: tuple[tuple[str, str, float, str], ...] = (
    ("01", "Hà Nội", 9.0,
     "q:Ba Đình|q:Hoàn Kiếm|q:Đống Đa|q:Hai Bà Trưng|q:Cầu Giấy|q:Thanh Xuân|q:Hoàng Mai|q:Long Biên|"
     "q:Hà Đông|q:Bắc Từ Liêm|q:Nam Từ Liêm|q:Tây Hồ|tx:Sơn Tây|h:Đông Anh|h:Gia Lâm|h:Sóc Sơn|h:Thanh Trì|"
     "h:Mê Linh|h:Ba Vì|h:Chương Mỹ|h:Thường Tín|h:Hoài Đức|h:Thạch Thất|h:Quốc Oai"),
    ("02", "Hà Giang", 0.6,
     "tp:Hà Giang|h:Bắc Quang|h:Vị Xuyên|h:Hoàng Su Phì|h:Đồng Văn|h:Mèo Vạc|h:Yên Minh|h:Quản Bạ|h:Bắc Mê|"
     "h:Xín Mần|h:Quang Bình"),
    ("04", "Cao Bằng", 0.5,
     "tp:Cao Bằng|h:Bảo Lạc|h:Bảo Lâm|h:Hà Quảng|h:Trùng Khánh|h:Hạ Lang|h:Quảng Hòa|h:Hòa An|h:Nguyên Bình|"
     "h:Thạch An"),
    ("06", "Bắc Kạn", 0.4, "tp:Bắc Kạn|h:Pác Nặm|h:Ba Bể|h:Ngân Sơn|h:Bạch Thông|h:Chợ Đồn|h:Chợ Mới|h:Na Rì"),
    ("08", "Tuyên Quang", 0.7, "tp:Tuyên Quang|h:Lâm Bình|h:Na Hang|h:Chiêm Hóa|h:Hàm Yên|h:Yên Sơn|h:Sơn Dương"),
    ("10", "Lào Cai", 0.8,
     "tp:Lào Cai|h:Bát Xát|h:Mường Khương|h:Si Ma Cai|h:Bắc Hà|h:Bảo Thắng|h:Bảo Yên|tx:Sa Pa|h:Văn Bàn"),
    ("11", "Điện Biên", 0.5,
     "tp:Điện Biên Phủ|tx:Mường Lay|h:Mường Nhé|h:Mường Chà|h:Tủa Chùa|h:Tuần Giáo|h:Điện Biên|"
     "h:Điện Biên Đông|h:Mường Ảng|h:Nậm Pồ"),
    ("12", "Lai Châu", 0.4,
     "tp:Lai Châu|h:Tam Đường|h:Mường Tè|h:Sìn Hồ|h:Phong Thổ|h:Than Uyên|h:Tân Uyên|h:Nậm Nhùn"),
    ("14", "Sơn La", 0.8,
     "tp:Sơn La|h:Quỳnh Nhai|h:Thuận Châu|h:Mường La|h:Bắc Yên|h:Phù Yên|h:Mộc Châu|h:Yên Châu|h:Mai Sơn|"
     "h:Sông Mã|h:Sốp Cộp|h:Vân Hồ"),
    ("15", "Yên Bái", 0.7,
     "tp:Yên Bái|tx:Nghĩa Lộ|h:Lục Yên|h:Văn Yên|h:Mù Cang Chải|h:Trấn Yên|h:Trạm Tấu|h:Văn Chấn|h:Yên Bình"),
    ("17", "Hòa Bình", 0.8,
     "tp:Hòa Bình|h:Đà Bắc|h:Lương Sơn|h:Kim Bôi|h:Cao Phong|h:Tân Lạc|h:Mai Châu|h:Lạc Sơn|h:Yên Thủy|"
     "h:Lạc Thủy"),
    ("19", "Thái Nguyên", 1.8,
     "tp:Thái Nguyên|tp:Sông Công|tx:Phổ Yên|h:Định Hóa|h:Phú Lương|h:Đồng Hỷ|h:Võ Nhai|h:Đại Từ|h:Phú Bình"),
    ("20", "Lạng Sơn", 0.7,
     "tp:Lạng Sơn|h:Tràng Định|h:Bình Gia|h:Văn Lãng|h:Cao Lộc|h:Văn Quan|h:Bắc Sơn|h:Hữu Lũng|h:Chi Lăng|"
     "h:Lộc Bình|h:Đình Lập"),
    ("22", "Quảng Ninh", 2.2,
     "tp:Hạ Long|tp:Móng Cái|tp:Cẩm Phả|tp:Uông Bí|tx:Quảng Yên|tx:Đông Triều|h:Vân Đồn|h:Tiên Yên|h:Đầm Hà|"
     "h:Hải Hà|h:Bình Liêu|h:Ba Chẽ|h:Cô Tô"),
    ("24", "Bắc Giang", 3.0,
     "tp:Bắc Giang|h:Yên Thế|h:Tân Yên|h:Lạng Giang|h:Lục Nam|h:Lục Ngạn|h:Sơn Động|h:Yên Dũng|h:Việt Yên|"
     "h:Hiệp Hòa"),
    ("25", "Phú Thọ", 1.3,
     "tp:Việt Trì|tx:Phú Thọ|h:Đoan Hùng|h:Hạ Hòa|h:Thanh Ba|h:Phù Ninh|h:Yên Lập|h:Cẩm Khê|h:Tam Nông|"
     "h:Lâm Thao|h:Thanh Sơn|h:Thanh Thủy|h:Tân Sơn"),
    ("26", "Vĩnh Phúc", 1.8,
     "tp:Vĩnh Yên|tp:Phúc Yên|h:Lập Thạch|h:Tam Dương|h:Tam Đảo|h:Bình Xuyên|h:Yên Lạc|h:Vĩnh Tường|h:Sông Lô"),
    ("27", "Bắc Ninh", 2.8,
     "tp:Bắc Ninh|tx:Từ Sơn|h:Yên Phong|h:Quế Võ|h:Tiên Du|h:Thuận Thành|h:Gia Bình|h:Lương Tài"),
    ("30", "Hải Dương", 2.0,
     "tp:Hải Dương|tp:Chí Linh|tx:Kinh Môn|h:Nam Sách|h:Kim Thành|h:Thanh Hà|h:Cẩm Giàng|h:Bình Giang|"
     "h:Gia Lộc|h:Tứ Kỳ|h:Ninh Giang|h:Thanh Miện"),
    ("31", "Hải Phòng", 3.0,
     "q:Hồng Bàng|q:Ngô Quyền|q:Lê Chân|q:Hải An|q:Kiến An|q:Đồ Sơn|q:Dương Kinh|h:Thủy Nguyên|h:An Dương|"
     "h:An Lão|h:Kiến Thụy|h:Tiên Lãng|h:Vĩnh Bảo|h:Cát Hải"),
    ("33", "Hưng Yên", 1.6,
     "tp:Hưng Yên|tx:Mỹ Hào|h:Văn Lâm|h:Văn Giang|h:Yên Mỹ|h:Ân Thi|h:Khoái Châu|h:Kim Động|h:Tiên Lữ|h:Phù Cừ"),
    ("34", "Thái Bình", 1.3,
     "tp:Thái Bình|h:Quỳnh Phụ|h:Hưng Hà|h:Đông Hưng|h:Thái Thụy|h:Tiền Hải|h:Kiến Xương|h:Vũ Thư"),
    ("35", "Hà Nam", 1.0, "tp:Phủ Lý|tx:Duy Tiên|h:Kim Bảng|h:Thanh Liêm|h:Bình Lục|h:Lý Nhân"),
    ("36", "Nam Định", 1.3,
     "tp:Nam Định|h:Mỹ Lộc|h:Vụ Bản|h:Ý Yên|h:Nghĩa Hưng|h:Nam Trực|h:Trực Ninh|h:Xuân Trường|h:Giao Thủy|"
     "h:Hải Hậu"),
    ("37", "Ninh Bình", 1.0,
     "tp:Ninh Bình|tp:Tam Điệp|h:Nho Quan|h:Gia Viễn|h:Hoa Lư|h:Yên Khánh|h:Kim Sơn|h:Yên Mô"),
    ("38", "Thanh Hóa", 3.0,
     "tp:Thanh Hóa|tp:Sầm Sơn|tx:Bỉm Sơn|tx:Nghi Sơn|h:Mường Lát|h:Quan Hóa|h:Bá Thước|h:Quan Sơn|"
     "h:Lang Chánh|h:Ngọc Lặc|h:Cẩm Thủy|h:Thạch Thành|h:Hà Trung|h:Vĩnh Lộc|h:Yên Định|h:Thọ Xuân|"
     "h:Thường Xuân|h:Triệu Sơn|h:Thiệu Hóa|h:Hoằng Hóa|h:Hậu Lộc|h:Nga Sơn|h:Như Xuân|h:Như Thanh|"
     "h:Nông Cống|h:Đông Sơn|h:Quảng Xương"),
    ("40", "Nghệ An", 3.0,
     "tp:Vinh|tx:Cửa Lò|tx:Thái Hòa|tx:Hoàng Mai|h:Quế Phong|h:Quỳ Châu|h:Kỳ Sơn|h:Tương Dương|h:Nghĩa Đàn|"
     "h:Quỳ Hợp|h:Quỳnh Lưu|h:Con Cuông|h:Tân Kỳ|h:Anh Sơn|h:Diễn Châu|h:Yên Thành|h:Đô Lương|"
     "h:Thanh Chương|h:Nghi Lộc|h:Nam Đàn|h:Hưng Nguyên"),
    ("42", "Hà Tĩnh", 1.1,
     "tp:Hà Tĩnh|tx:Hồng Lĩnh|tx:Kỳ Anh|h:Hương Sơn|h:Đức Thọ|h:Vũ Quang|h:Nghi Xuân|h:Can Lộc|h:Hương Khê|"
     "h:Thạch Hà|h:Cẩm Xuyên|h:Kỳ Anh|h:Lộc Hà"),
    ("44", "Quảng Bình", 0.9,
     "tp:Đồng Hới|tx:Ba Đồn|h:Minh Hóa|h:Tuyên Hóa|h:Quảng Trạch|h:Bố Trạch|h:Quảng Ninh|h:Lệ Thủy"),
    ("45", "Quảng Trị", 0.7,
     "tp:Đông Hà|tx:Quảng Trị|h:Vĩnh Linh|h:Hướng Hóa|h:Gio Linh|h:Đa Krông|h:Cam Lộ|h:Triệu Phong|h:Hải Lăng"),
    ("46", "Thừa Thiên Huế", 1.0,
     "tp:Huế|tx:Hương Trà|tx:Hương Thủy|h:Phong Điền|h:Quảng Điền|h:Phú Vang|h:Phú Lộc|h:A Lưới|h:Nam Đông"),
    ("48", "Đà Nẵng", 1.8, "q:Hải Châu|q:Thanh Khê|q:Sơn Trà|q:Ngũ Hành Sơn|q:Liên Chiểu|q:Cẩm Lệ|h:Hòa Vang"),
    ("49", "Quảng Nam", 1.5,
     "tp:Tam Kỳ|tp:Hội An|tx:Điện Bàn|h:Thăng Bình|h:Núi Thành|h:Duy Xuyên|h:Đại Lộc|h:Quế Sơn|h:Tiên Phước|"
     "h:Phú Ninh|h:Nam Giang|h:Đông Giang|h:Phước Sơn"),
    ("51", "Quảng Ngãi", 1.0,
     "tp:Quảng Ngãi|tx:Đức Phổ|h:Bình Sơn|h:Sơn Tịnh|h:Tư Nghĩa|h:Nghĩa Hành|h:Mộ Đức|h:Ba Tơ|h:Trà Bồng|"
     "h:Sơn Hà|h:Lý Sơn"),
    ("52", "Bình Định", 1.2,
     "tp:Quy Nhơn|tx:An Nhơn|tx:Hoài Nhơn|h:Tuy Phước|h:Phù Cát|h:Phù Mỹ|h:Tây Sơn|h:Vân Canh|h:Hoài Ân|"
     "h:An Lão|h:Vĩnh Thạnh"),
    ("54", "Phú Yên", 0.7,
     "tp:Tuy Hòa|tx:Sông Cầu|tx:Đông Hòa|h:Tuy An|h:Đồng Xuân|h:Sơn Hòa|h:Sông Hinh|h:Phú Hòa|h:Tây Hòa"),
    ("56", "Khánh Hòa", 1.3,
     "tp:Nha Trang|tp:Cam Ranh|tx:Ninh Hòa|h:Cam Lâm|h:Vạn Ninh|h:Diên Khánh|h:Khánh Vĩnh|h:Khánh Sơn"),
    ("58", "Ninh Thuận", 0.5,
     "tp:Phan Rang – Tháp Chàm|h:Ninh Hải|h:Ninh Phước|h:Ninh Sơn|h:Bác Ái|h:Thuận Bắc|h:Thuận Nam"),
    ("60", "Bình Thuận", 1.0,
     "tp:Phan Thiết|tx:La Gi|h:Tuy Phong|h:Bắc Bình|h:Hàm Thuận Bắc|h:Hàm Thuận Nam|h:Tánh Linh|h:Đức Linh|"
     "h:Hàm Tân|h:Phú Quý"),
    ("62", "Kon Tum", 0.5,
     "tp:Kon Tum|h:Đắk Glei|h:Ngọc Hồi|h:Đắk Tô|h:Kon Plông|h:Kon Rẫy|h:Đắk Hà|h:Sa Thầy|h:Tu Mơ Rông|"
     "h:Ia H'Drai"),
    ("64", "Gia Lai", 1.0,
     "tp:Pleiku|tx:An Khê|tx:Ayun Pa|h:Chư Păh|h:Ia Grai|h:Mang Yang|h:Kbang|h:Đắk Đoa|h:Chư Prông|h:Chư Sê|"
     "h:Đức Cơ|h:Krông Pa"),
    ("66", "Đắk Lắk", 1.2,
     "tp:Buôn Ma Thuột|tx:Buôn Hồ|h:Ea H'leo|h:Ea Súp|h:Krông Năng|h:Krông Búk|h:Cư M'gar|h:Krông Pắc|"
     "h:Ea Kar|h:M'Đrắk|h:Krông Ana|h:Lắk"),
    ("67", "Đắk Nông", 0.5,
     "tp:Gia Nghĩa|h:Đắk Glong|h:Cư Jút|h:Đắk Mil|h:Krông Nô|h:Đắk Song|h:Đắk R'lấp|h:Tuy Đức"),
    ("68", "Lâm Đồng", 1.1,
     "tp:Đà Lạt|tp:Bảo Lộc|h:Đam Rông|h:Lạc Dương|h:Lâm Hà|h:Đơn Dương|h:Đức Trọng|h:Di Linh|h:Bảo Lâm|"
     "h:Đạ Huoai|h:Đạ Tẻh|h:Cát Tiên"),
    ("70", "Bình Phước", 1.1,
     "tp:Đồng Xoài|tx:Bình Long|tx:Phước Long|h:Chơn Thành|h:Bù Gia Mập|h:Lộc Ninh|h:Bù Đốp|h:Hớn Quản|"
     "h:Đồng Phú|h:Bù Đăng|h:Phú Riềng"),
    ("72", "Tây Ninh", 1.4,
     "tp:Tây Ninh|tx:Hòa Thành|tx:Trảng Bàng|h:Tân Biên|h:Tân Châu|h:Dương Minh Châu|h:Châu Thành|h:Gò Dầu|"
     "h:Bến Cầu"),
    ("74", "Bình Dương", 5.0,
     "tp:Thủ Dầu Một|tp:Dĩ An|tp:Thuận An|tx:Bến Cát|tx:Tân Uyên|h:Bàu Bàng|h:Dầu Tiếng|h:Phú Giáo|"
     "h:Bắc Tân Uyên"),
    ("75", "Đồng Nai", 4.5,
     "tp:Biên Hòa|tp:Long Khánh|h:Tân Phú|h:Vĩnh Cửu|h:Định Quán|h:Trảng Bom|h:Thống Nhất|h:Cẩm Mỹ|"
     "h:Long Thành|h:Xuân Lộc|h:Nhơn Trạch"),
    ("77", "Bà Rịa – Vũng Tàu", 1.6,
     "tp:Vũng Tàu|tp:Bà Rịa|tx:Phú Mỹ|h:Châu Đức|h:Xuyên Mộc|h:Long Điền|h:Đất Đỏ|h:Côn Đảo"),
    ("79", "Hồ Chí Minh", 9.0,
     "tp:Thủ Đức|q:1|q:3|q:4|q:5|q:6|q:7|q:8|q:10|q:11|q:12|q:Bình Thạnh|q:Gò Vấp|q:Phú Nhuận|q:Tân Bình|"
     "q:Tân Phú|q:Bình Tân|h:Củ Chi|h:Hóc Môn|h:Bình Chánh|h:Nhà Bè|h:Cần Giờ"),
    ("80", "Long An", 2.0,
     "tp:Tân An|tx:Kiến Tường|h:Bến Lức|h:Đức Hòa|h:Cần Giuộc|h:Cần Đước|h:Thủ Thừa|h:Tân Trụ|h:Châu Thành|"
     "h:Đức Huệ|h:Thạnh Hóa|h:Tân Thạnh|h:Mộc Hóa|h:Vĩnh Hưng|h:Tân Hưng"),
    ("82", "Tiền Giang", 1.3,
     "tp:Mỹ Tho|tx:Gò Công|tx:Cai Lậy|h:Cái Bè|h:Cai Lậy|h:Châu Thành|h:Chợ Gạo|h:Gò Công Tây|h:Gò Công Đông|"
     "h:Tân Phước|h:Tân Phú Đông"),
    ("83", "Bến Tre", 0.9,
     "tp:Bến Tre|h:Châu Thành|h:Chợ Lách|h:Mỏ Cày Nam|h:Mỏ Cày Bắc|h:Giồng Trôm|h:Bình Đại|h:Ba Tri|"
     "h:Thạnh Phú"),
    ("84", "Trà Vinh", 0.8,
     "tp:Trà Vinh|tx:Duyên Hải|h:Càng Long|h:Cầu Kè|h:Tiểu Cần|h:Châu Thành|h:Cầu Ngang|h:Trà Cú"),
    ("86", "Vĩnh Long", 0.8,
     "tp:Vĩnh Long|tx:Bình Minh|h:Long Hồ|h:Mang Thít|h:Vũng Liêm|h:Tam Bình|h:Trà Ôn|h:Bình Tân"),
    ("87", "Đồng Tháp", 1.0,
     "tp:Cao Lãnh|tp:Sa Đéc|tp:Hồng Ngự|h:Tân Hồng|h:Tam Nông|h:Tháp Mười|h:Thanh Bình|h:Lấp Vò|h:Lai Vung|"
     "h:Châu Thành"),
    ("89", "An Giang", 1.2,
     "tp:Long Xuyên|tp:Châu Đốc|tx:Tân Châu|h:An Phú|h:Phú Tân|h:Châu Phú|h:Tịnh Biên|h:Tri Tôn|h:Châu Thành|"
     "h:Chợ Mới|h:Thoại Sơn"),
    ("91", "Kiên Giang", 1.1,
     "tp:Rạch Giá|tp:Hà Tiên|tp:Phú Quốc|h:Kiên Lương|h:Hòn Đất|h:Tân Hiệp|h:Châu Thành|h:Giồng Riềng|"
     "h:Gò Quao|h:An Biên|h:U Minh Thượng|h:Vĩnh Thuận"),
    ("92", "Cần Thơ", 1.3,
     "q:Ninh Kiều|q:Bình Thủy|q:Cái Răng|q:Ô Môn|q:Thốt Nốt|h:Phong Điền|h:Cờ Đỏ|h:Thới Lai|h:Vĩnh Thạnh"),
    ("93", "Hậu Giang", 0.6,
     "tp:Vị Thanh|tp:Ngã Bảy|tx:Long Mỹ|h:Châu Thành A|h:Châu Thành|h:Phụng Hiệp|h:Vị Thủy|h:Long Mỹ"),
    ("94", "Sóc Trăng", 0.8,
     "tp:Sóc Trăng|tx:Vĩnh Châu|tx:Ngã Năm|h:Châu Thành|h:Kế Sách|h:Mỹ Tú|h:Cù Lao Dung|h:Long Phú|"
     "h:Mỹ Xuyên|h:Thạnh Trị|h:Trần Đề"),
    ("95", "Bạc Liêu", 0.6, "tp:Bạc Liêu|tx:Giá Rai|h:Hồng Dân|h:Phước Long|h:Vĩnh Lợi|h:Đông Hải|h:Hòa Bình"),
    ("96", "Cà Mau", 0.8,
     "tp:Cà Mau|h:U Minh|h:Thới Bình|h:Trần Văn Thời|h:Cái Nước|h:Đầm Dơi|h:Năm Căn|h:Phú Tân|h:Ngọc Hiển"),
)
CITY_CODES_2021 = frozenset({"01", "31", "48", "79", "92"})
# The eight provinces the brief names as the largest: they get every district and more grassroots units.
BIG_PROVINCES = frozenset({"01", "79", "24", "40", "38", "75", "74", "31"})
# Initiatives after 20 days of the 2021 campaign (DOMAIN.md), out of about 46,000.
KNOWN_COUNTS_2021 = {"24": 8518, "40": 6838, "38": 3767, "75": 2567}
COUNT_AFTER_20_DAYS = 46_000

# --------------------------------------------------------------------------------------------------
# Level 2, 2025: the 34 provinces of Nghị quyết 202/2025/QH15, with the official 2025 codes
# (Quyết định 19/2025/QĐ-TTg: each new province keeps the code of the province holding its seat).
# (2025 code, name, is a centrally-run city, 2021 codes merged into it)
# --------------------------------------------------------------------------------------------------
PROVINCES_2025: tuple[tuple[str, str, bool, tuple[str, ...]], ...] = (
    ("01", "Hà Nội", True, ("01",)),
    ("04", "Cao Bằng", False, ("04",)),
    ("08", "Tuyên Quang", False, ("08", "02")),
    ("11", "Điện Biên", False, ("11",)),
    ("12", "Lai Châu", False, ("12",)),
    ("14", "Sơn La", False, ("14",)),
    ("15", "Lào Cai", False, ("10", "15")),
    ("19", "Thái Nguyên", False, ("19", "06")),
    ("20", "Lạng Sơn", False, ("20",)),
    ("22", "Quảng Ninh", False, ("22",)),
    ("24", "Bắc Ninh", False, ("27", "24")),
    ("25", "Phú Thọ", False, ("25", "26", "17")),
    ("31", "Hải Phòng", True, ("31", "30")),
    ("33", "Hưng Yên", False, ("33", "34")),
    ("37", "Ninh Bình", False, ("37", "35", "36")),
    ("38", "Thanh Hóa", False, ("38",)),
    ("40", "Nghệ An", False, ("40",)),
    ("42", "Hà Tĩnh", False, ("42",)),
    ("44", "Quảng Trị", False, ("45", "44")),
    ("46", "Huế", True, ("46",)),
    ("48", "Đà Nẵng", True, ("48", "49")),
    ("51", "Quảng Ngãi", False, ("51", "62")),
    ("52", "Gia Lai", False, ("64", "52")),
    ("56", "Khánh Hòa", False, ("56", "58")),
    ("66", "Đắk Lắk", False, ("66", "54")),
    ("68", "Lâm Đồng", False, ("68", "67", "60")),
    ("75", "Đồng Nai", False, ("75", "70")),
    ("79", "Hồ Chí Minh", True, ("79", "77", "74")),
    ("80", "Tây Ninh", False, ("72", "80")),
    ("82", "Đồng Tháp", False, ("87", "82")),
    ("86", "Vĩnh Long", False, ("86", "83", "84")),
    ("91", "An Giang", False, ("89", "91")),
    ("92", "Cần Thơ", True, ("92", "94", "93")),
    ("96", "Cà Mau", False, ("96", "95")),
)

# --------------------------------------------------------------------------------------------------
# Name pools for level-4 (grassroots) units. A pattern's {token}s are filled by ``_Filler``.
# --------------------------------------------------------------------------------------------------
BRANDS = (
    "Phú Thành", "Hoàng Long", "Minh Phát", "Tân Tiến", "Thành Công", "An Phát", "Việt Hưng", "Đại Dương",
    "Sao Mai", "Hưng Thịnh", "Phúc Lộc", "Trường Sơn", "Bình Minh", "Hồng Hà", "Nam Việt", "Đông Á",
    "Tiến Đạt", "Quang Minh", "Thiên Phú", "Kim Long", "Hải Nam", "Thuận Phát", "Đức Thịnh", "Gia Huy",
    "Hoàng Gia", "Minh Anh", "Tân Phong", "Vạn Xuân", "Thái Sơn", "Phương Đông", "Hùng Vương", "Lam Sơn",
    "Sông Hồng", "Nhật Quang", "Thăng Long", "Hà Thành", "Ngọc Diệp", "Tân Long", "Đông Nam", "Tây Bắc",
    "Bảo Ngọc", "An Khang", "Phát Đạt", "Thịnh Vượng", "Hợp Nhất", "Toàn Cầu", "Việt Úc", "Việt Nhật",
    "Việt Hàn", "Hòa Bình Xanh", "Trí Đức", "Hưng Phát", "Kim Ngân", "Mạnh Hùng", "Ánh Dương", "Hải Long",
)
FDI_BRANDS = (
    "Hosung Vina", "Daeyang Vina", "Sungwoo Tech Vina", "Kyungsan Việt Nam", "Hanil Electronics Việt Nam",
    "Seojin Precision Vina", "Minjoo Textile Việt Nam", "Nichiyo Việt Nam", "Yamako Precision Việt Nam",
    "Sanyu Seiki Việt Nam", "Tohoku Denki Việt Nam", "Hualong Footwear Việt Nam", "Jinyuan Garment Việt Nam",
    "Everwin Precision Việt Nam", "Fuhong Technology Việt Nam", "Shunda Textile Việt Nam",
    "Dongjin Electronics Vina", "Woojin Apparel Vina", "Kangnam Vina", "Haesung Vina", "Jeil Mold Vina",
    "Taisei Components Việt Nam", "Kuroda Electric Việt Nam", "Miyama Việt Nam", "Longwin Industrial Việt Nam",
    "Grandtex Việt Nam", "Pacific Crown Việt Nam", "Evergreen Footwear Việt Nam",
    "Brightstar Packaging Việt Nam", "Silverline Apparel Việt Nam", "Nanyang Electronics Việt Nam",
    "Heesung Việt Nam", "Dasan Tech Vina", "Youngchang Vina", "Sejin Cable Vina", "Ohsung Display Vina",
)
INDUSTRIES = (
    "May", "May mặc", "Dệt may", "Giày da", "Điện tử", "Cơ khí", "Thực phẩm", "Chế biến Nông sản",
    "Chế biến Gỗ", "Nhựa", "Bao bì", "Xây dựng", "Vật liệu Xây dựng", "Thương mại và Dịch vụ", "Vận tải",
    "Dược phẩm", "Thủy sản", "Thức ăn Chăn nuôi", "Cơ điện", "Môi trường Đô thị", "Cấp thoát nước",
    "Gạch Tuynel", "Phân bón", "Kỹ thuật Điện", "Đầu tư Xây dựng", "In và Bao bì", "Xuất nhập khẩu",
    "Cơ khí Chính xác", "Nội thất", "Thiết bị Điện", "Sản xuất và Thương mại",
)
CONSTRUCTION = ("Xây dựng", "Đầu tư Xây dựng", "Xây lắp", "Vật liệu Xây dựng", "Tư vấn Thiết kế", "Bê tông")
FORMS = ("TNHH", "TNHH", "TNHH", "Cổ phần", "Cổ phần", "Cổ phần", "TNHH MTV")
PERSONS = (
    "Nguyễn Trãi", "Lê Lợi", "Trần Hưng Đạo", "Lý Thường Kiệt", "Quang Trung", "Nguyễn Du", "Chu Văn An",
    "Lê Quý Đôn", "Nguyễn Bỉnh Khiêm", "Phan Bội Châu", "Nguyễn Huệ", "Võ Thị Sáu", "Kim Đồng",
    "Lê Hồng Phong", "Trần Phú", "Nguyễn Văn Trỗi", "Hai Bà Trưng", "Ngô Quyền", "Đinh Tiên Hoàng",
    "Lý Tự Trọng", "Nguyễn Đình Chiểu", "Tô Hiệu", "Mạc Đĩnh Chi", "Phan Chu Trinh", "Huỳnh Thúc Kháng",
    "Trần Quốc Toản", "Nguyễn Khuyến", "Hoàng Hoa Thám", "Nguyễn Thị Minh Khai", "Bế Văn Đàn", "Lê Văn Tám",
    "Nguyễn Viết Xuân", "Lương Thế Vinh", "Hàm Nghi", "Nguyễn Thái Học", "Phan Đình Phùng", "Lê Thánh Tông",
    "Trần Nhân Tông", "Lý Công Uẩn", "Bà Triệu", "Tôn Đức Thắng", "Nguyễn Văn Cừ", "Hà Huy Tập",
)
FLOWERS = (
    "Hoa Sen", "Hoa Mai", "Hoa Hồng", "Sơn Ca", "Họa Mi", "Ánh Dương", "Hoa Phượng", "Hoa Cúc", "Sao Mai",
    "Tuổi Thơ", "Hoa Lan", "Vành Khuyên", "Hướng Dương", "Bình Minh", "Búp Sen Hồng", "Rạng Đông",
)
COMMUNE_FIRST = (
    "Tân", "Phú", "Hòa", "Đông", "Tây", "Nam", "Bắc", "An", "Bình", "Thanh", "Vĩnh", "Long", "Đức", "Hưng",
    "Xuân", "Quang", "Minh", "Hồng", "Trung", "Kim", "Ngọc", "Hải", "Sơn", "Lạc", "Phước", "Thuận", "Mỹ",
    "Cát", "Đại", "Yên", "Quảng", "Thịnh",
)
COMMUNE_SECOND = (
    "Lập", "Hòa", "Phú", "Hưng", "Thịnh", "Lợi", "Thành", "An", "Bình", "Phong", "Tiến", "Sơn", "Yên",
    "Long", "Xuân", "Lộc", "Hải", "Đông", "Tân", "Khánh", "Mỹ", "Thuận", "Trung", "Quang", "Hiệp", "Lạc",
    "Phước", "Điền", "Hà", "Thủy", "Nghĩa", "Đồng",
)
GUILDS = (
    "Nghề cá", "Xe ôm", "Lao động tự do", "Thợ xây dựng", "Bốc xếp", "Dịch vụ du lịch", "Thợ may",
    "Tiểu thương chợ", "Xe ba gác",
)
COOPERATIVES = ("Nông nghiệp", "Dịch vụ Nông nghiệp", "Thủy sản", "Vận tải", "Môi trường", "Chè", "Rau an toàn")
DEPARTMENTS = (
    "Tổ chức cán bộ", "Kế hoạch – Tài chính", "Hành chính – Quản trị", "Tổng hợp", "Quản lý khoa học",
    "Đào tạo", "Hợp tác quốc tế", "Thanh tra", "Pháp chế", "Công nghệ thông tin", "Thi đua – Khen thưởng",
)
SERVICES = (
    "Thông tin", "Đào tạo và Bồi dưỡng", "Nghiên cứu ứng dụng", "Dịch vụ kỹ thuật", "Huấn luyện",
    "Kiểm định", "Tư vấn và Chuyển giao công nghệ", "Dữ liệu", "Hỗ trợ kỹ thuật", "Truyền thông",
)
SUBJECTS = (
    "Lý luận chính trị", "Luật", "Ngoại ngữ", "Quản lý nhà nước", "Kỹ thuật hình sự", "Nghiệp vụ",
    "Khoa học cơ bản", "Công nghệ thông tin", "Tâm lý học", "Giáo dục thể chất", "Tiếng Anh", "Kinh tế",
)
AGENCY = ("Phòng {dept}", "Phòng {dept}", "Trung tâm {service}")
CORP = (
    "Công ty {form} {ind} {brand}", "Công ty {form} {ind} {brand}", "Công ty {form} {ind} {brand}",
    "Xí nghiệp {ind} số {n}", "Chi nhánh {any}",
)

SECTOR_L3_PROVINCE = (
    ("Công đoàn ngành Xây dựng {P}", ("Công ty {form} {cind} {brand}",), ()),
    ("Công đoàn ngành Giao thông vận tải {P}",
     ("Công ty {form} Vận tải {brand}", "Công ty Cổ phần Xe khách {brand}", "Công ty {form} Vận tải {brand}",
      "Bến xe {rdn}", "Công ty Cổ phần Quản lý và Xây dựng Giao thông {Pn}"), ()),
    ("Công đoàn ngành Nông nghiệp và Phát triển nông thôn {P}",
     ("Hạt Kiểm lâm {rd}", "Công ty TNHH MTV Khai thác Công trình Thủy lợi {rdn}", "Ban Quản lý rừng phòng hộ {rdn}",
      "{w}"),
     ("Trung tâm Khuyến nông {P}", "Chi cục Thủy lợi {P}", "Chi cục Trồng trọt và Bảo vệ thực vật {P}",
      "Chi cục Chăn nuôi và Thú y {P}", "Trung tâm Nước sạch và Vệ sinh môi trường nông thôn {P}")),
    ("Công đoàn ngành Công Thương {P}",
     ("Công ty {form} {ind} {brand}", "Công ty {form} {ind} {brand}", "{w}"),
     ("Cục Quản lý thị trường {P}", "Trung tâm Khuyến công và Tư vấn phát triển công nghiệp {P}",
      "Công ty Cổ phần Chợ {Pn}")),
)
HEALTH_PROVINCE = (
    "Bệnh viện Sản – Nhi {P}", "Bệnh viện Y học cổ truyền {P}", "Bệnh viện Phổi {P}", "Bệnh viện Mắt {P}",
    "Bệnh viện Tâm thần {P}", "Bệnh viện Phục hồi chức năng {P}", "Trung tâm Kiểm soát bệnh tật {P}",
    "Bệnh viện Nội tiết {P}", "Trung tâm Pháp y {P}", "Trường Cao đẳng Y tế {Pn}",
    "Trung tâm Giám định y khoa {P}", "Bệnh viện Da liễu {P}", "Bệnh viện Ung bướu {P}",
    "Trung tâm Cấp cứu 115 {P}",
)
AGENCIES_PROVINCE = (
    "Sở Tài chính {P}", "Sở Kế hoạch và Đầu tư {P}", "Sở Tư pháp {P}", "Sở Nội vụ {P}", "Sở Công Thương {P}",
    "Sở Tài nguyên và Môi trường {P}", "Sở Lao động – Thương binh và Xã hội {P}",
    "Sở Văn hóa, Thể thao và Du lịch {P}", "Sở Khoa học và Công nghệ {P}", "Sở Giao thông vận tải {P}",
    "Sở Xây dựng {P}", "Sở Nông nghiệp và Phát triển nông thôn {P}", "Sở Thông tin và Truyền thông {P}",
    "Thanh tra {P}", "Đài Phát thanh và Truyền hình {Pn}", "Báo {Pn}", "Liên minh Hợp tác xã {P}",
    "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân {P}", "Trường Chính trị {P}",
    "Bảo tàng {P}", "Thư viện {P}",
)

# --------------------------------------------------------------------------------------------------
# Level 2, 2021: the 20 non-provincial units, their level-3 units and how to name their grassroots.
# id -> (name, kind, relative size, industries for {ind}, ((level-3 name, patterns, words), ...))
# --------------------------------------------------------------------------------------------------
L3Spec = tuple[str, tuple[str, ...], tuple[str, ...]]
NonProvincial = tuple[str, str, float, tuple[str, ...], tuple[L3Spec, ...]]

NON_PROVINCIAL: tuple[tuple[str, NonProvincial], ...] = (
    ("S01", ("Công đoàn Công an nhân dân", "sector", 1.2, ("In", "Cơ khí", "May", "Xây dựng", "Điện tử"), (
        ("Công đoàn Cục Hậu cần", AGENCY, ()),
        ("Công đoàn Cục Công nghiệp an ninh", ("Công ty TNHH MTV {ind} {brand}",), ()),
        ("Công đoàn Học viện Cảnh sát nhân dân", ("Khoa {subject}", "Phòng {dept}"), ()),
        ("Công đoàn Học viện An ninh nhân dân", ("Khoa {subject}", "Phòng {dept}"), ()),
        ("Công đoàn Bộ Tư lệnh Cảnh sát cơ động", AGENCY, ()),
    ))),
    ("S02", ("Công đoàn Quốc phòng", "sector", 1.6,
             ("Xây lắp", "Cơ khí", "Vận tải", "Xây dựng", "Dịch vụ Cảng", "Đóng tàu", "Thương mại"), (
        ("Công đoàn Tổng công ty Thái Sơn", CORP, ()),
        ("Công đoàn Tổng công ty Xây dựng Trường Sơn", CORP, ()),
        ("Công đoàn Tổng công ty Đông Bắc", CORP, ()),
        ("Công đoàn Tổng công ty 319", CORP, ()),
        ("Công đoàn Tổng công ty Ba Son", CORP, ()),
        ("Công đoàn Tổng công ty Tân Cảng Sài Gòn", CORP, ()),
        ("Công đoàn Tổng công ty 28", CORP, ()),
    ))),
    ("S03", ("Công đoàn Giáo dục Việt Nam", "sector", 0.8, (), (
        ("Công đoàn Đại học Quốc gia Hà Nội", ("Trường Đại học {w}",),
         ("Khoa học Tự nhiên", "Khoa học Xã hội và Nhân văn", "Ngoại ngữ", "Công nghệ", "Kinh tế", "Giáo dục",
          "Việt Nhật", "Y Dược", "Luật")),
        ("Công đoàn Đại học Quốc gia Thành phố Hồ Chí Minh", ("Trường Đại học {w}",),
         ("Bách khoa", "Khoa học Tự nhiên", "Khoa học Xã hội và Nhân văn", "Quốc tế", "Công nghệ Thông tin",
          "Kinh tế – Luật")),
        ("Công đoàn Đại học Thái Nguyên", ("Trường Đại học {w}",),
         ("Sư phạm", "Y Dược", "Kỹ thuật Công nghiệp", "Nông Lâm", "Kinh tế và Quản trị Kinh doanh", "Khoa học",
          "Công nghệ Thông tin và Truyền thông")),
        ("Công đoàn Đại học Huế", ("Trường Đại học {w}",),
         ("Sư phạm", "Y Dược", "Nông Lâm", "Kinh tế", "Khoa học", "Ngoại ngữ", "Nghệ thuật", "Luật")),
        ("Công đoàn Đại học Đà Nẵng", ("Trường Đại học {w}",),
         ("Bách khoa", "Kinh tế", "Sư phạm", "Ngoại ngữ", "Sư phạm Kỹ thuật",
          "Công nghệ Thông tin và Truyền thông Việt – Hàn")),
        ("Công đoàn Cơ quan Bộ Giáo dục và Đào tạo", ("{w}",),
         ("Vụ Giáo dục Đại học", "Vụ Giáo dục Mầm non", "Vụ Giáo dục Tiểu học", "Vụ Giáo dục Trung học",
          "Văn phòng Bộ", "Cục Quản lý chất lượng", "Cục Nhà giáo và Cán bộ quản lý giáo dục",
          "Cục Công nghệ thông tin", "Cục Hợp tác quốc tế", "Nhà xuất bản Giáo dục Việt Nam")),
    ))),
    ("S04", ("Công đoàn Y tế Việt Nam", "sector", 0.9, ("Dược phẩm", "Thiết bị Y tế", "Vật tư Y tế"), (
        ("Công đoàn các bệnh viện, viện trung ương khu vực Hà Nội", ("{w}",),
         ("Bệnh viện Bạch Mai", "Bệnh viện Hữu nghị Việt Đức", "Bệnh viện K", "Bệnh viện Nhi Trung ương",
          "Bệnh viện Phụ sản Trung ương", "Bệnh viện Mắt Trung ương", "Bệnh viện Lão khoa Trung ương",
          "Bệnh viện Nội tiết Trung ương", "Bệnh viện Phổi Trung ương", "Bệnh viện Da liễu Trung ương",
          "Bệnh viện Y học cổ truyền Trung ương", "Bệnh viện Bệnh Nhiệt đới Trung ương", "Bệnh viện E",
          "Bệnh viện Hữu Nghị")),
        ("Công đoàn các bệnh viện, viện trung ương khu vực miền Trung", ("{w}",),
         ("Bệnh viện Trung ương Huế", "Bệnh viện C Đà Nẵng", "Bệnh viện Đa khoa Trung ương Quảng Nam",
          "Viện Pasteur Nha Trang", "Bệnh viện Phong – Da liễu Trung ương Quy Hòa",
          "Viện Vệ sinh dịch tễ Tây Nguyên")),
        ("Công đoàn các bệnh viện, viện trung ương khu vực phía Nam", ("{w}",),
         ("Bệnh viện Chợ Rẫy", "Bệnh viện Thống Nhất", "Viện Pasteur Thành phố Hồ Chí Minh",
          "Bệnh viện Răng Hàm Mặt Trung ương Thành phố Hồ Chí Minh", "Bệnh viện Đa khoa Trung ương Cần Thơ",
          "Viện Vệ sinh – Y tế công cộng Thành phố Hồ Chí Minh")),
        ("Công đoàn Tổng công ty Dược Việt Nam", ("Công ty Cổ phần Dược phẩm {brand}", "Công ty Cổ phần Dược {any}"),
         ()),
        ("Công đoàn Cơ quan Bộ Y tế", ("{w}",),
         ("Vụ Kế hoạch – Tài chính", "Vụ Tổ chức cán bộ", "Cục Quản lý Khám, chữa bệnh", "Cục Quản lý Dược",
          "Cục Y tế dự phòng", "Cục An toàn thực phẩm", "Văn phòng Bộ", "Thanh tra Bộ")),
    ))),
    ("S05", ("Công đoàn Công Thương Việt Nam", "sector", 0.9, ("Cơ khí", "Hóa chất", "Thương mại", "Điện máy"), (
        ("Công đoàn Tập đoàn Hóa chất Việt Nam", ("Công ty {w}",),
         ("Cổ phần Supe Phốt phát và Hóa chất Lâm Thao", "Cổ phần Phân đạm và Hóa chất Hà Bắc",
          "Cổ phần Pin Ắc quy miền Nam", "Cổ phần Hóa chất Cơ bản miền Nam", "Cổ phần Cao su Sao Vàng",
          "TNHH MTV Apatit Việt Nam", "Cổ phần Phân bón Bình Điền", "Cổ phần Bột giặt và Hóa chất Đức Giang",
          "Cổ phần Phân lân Ninh Bình")),
        ("Công đoàn Tổng công ty Thép Việt Nam", ("Công ty Cổ phần {w}",),
         ("Gang thép Thái Nguyên", "Thép Miền Nam", "Thép Đà Nẵng", "Thép Nhà Bè", "Thép Biên Hòa",
          "Kim khí Hà Nội", "Kim khí Thành phố Hồ Chí Minh")),
        ("Công đoàn Tổng công ty Thuốc lá Việt Nam", ("Công ty TNHH MTV Thuốc lá {w}",),
         ("Thăng Long", "Sài Gòn", "Thanh Hóa", "Bắc Sơn", "Đà Nẵng", "Long An", "Cửu Long")),
        ("Công đoàn Tổng công ty Máy động lực và Máy nông nghiệp Việt Nam", ("Công ty {form} {ind} {brand}",), ()),
        ("Công đoàn Tổng công ty Giấy Việt Nam", ("{w}", "Công ty {form} Giấy {brand}"),
         ("Nhà máy Giấy Bãi Bằng", "Công ty Cổ phần Nguyên liệu giấy Miền Nam", "Trung tâm Nghiên cứu Giấy")),
        ("Công đoàn Cơ quan Bộ Công Thương", ("Vụ {dept}", "Cục {w}"),
         ("Xuất nhập khẩu", "Công nghiệp", "Điện lực", "Hóa chất", "Phòng vệ thương mại", "Thương mại điện tử")),
    ))),
    ("S06", ("Công đoàn Giao thông vận tải Việt Nam", "sector", 0.7, ("Xây dựng Công trình", "Vận tải", "Cơ khí"), (
        ("Công đoàn Tổng cục Đường bộ Việt Nam", ("Khu Quản lý đường bộ {n}", "Công ty Cổ phần Quản lý Đường bộ {any}"),
         ()),
        ("Công đoàn Cục Hàng hải Việt Nam", ("Cảng vụ Hàng hải {w}",),
         ("Hải Phòng", "Quảng Ninh", "Nghệ An", "Đà Nẵng", "Quy Nhơn", "Nha Trang", "Vũng Tàu",
          "Thành phố Hồ Chí Minh", "Cần Thơ")),
        ("Công đoàn Tổng công ty Bảo đảm an toàn hàng hải miền Bắc", ("Công ty Bảo đảm an toàn hàng hải {w}",),
         ("Đông Bắc Bộ", "Tây Bắc Bộ", "Bắc Trung Bộ", "Hải Phòng", "Quảng Ninh")),
        ("Công đoàn Tổng công ty Đường cao tốc Việt Nam", ("{w}",),
         ("Công ty Cổ phần Dịch vụ Kỹ thuật Đường cao tốc", "Ban Quản lý dự án Đường cao tốc",
          "Chi nhánh Đường cao tốc Nội Bài – Lào Cai", "Chi nhánh Đường cao tốc Cầu Giẽ – Ninh Bình",
          "Chi nhánh Đường cao tốc Thành phố Hồ Chí Minh – Long Thành – Dầu Giây")),
        ("Công đoàn Tổng công ty Xây dựng Công trình Giao thông 1", ("Công ty {form} {ind} {n}",), ()),
        ("Công đoàn Cơ quan Bộ Giao thông vận tải", ("Vụ {dept}", "Trung tâm {service}"), ()),
    ))),
    ("S07", ("Công đoàn Xây dựng Việt Nam", "sector", 0.8, CONSTRUCTION, (
        ("Công đoàn Tổng công ty Sông Đà", ("Công ty Cổ phần Sông Đà {n}",), ()),
        ("Công đoàn Tổng công ty Lắp máy Việt Nam", ("Công ty Cổ phần Lilama {n}", "Công ty Cổ phần Lilama {w}"),
         ("Hà Nội", "Đông Nam Á", "EME", "Cơ khí Chế tạo Lắp máy")),
        ("Công đoàn Tổng công ty Xi măng Việt Nam", ("Công ty Cổ phần Xi măng {w}", "Công ty TNHH MTV Xi măng {w}"),
         ("Bỉm Sơn", "Hoàng Thạch", "Bút Sơn", "Hoàng Mai", "Hải Phòng", "Tam Điệp", "Hà Tiên 1", "Hải Vân")),
        ("Công đoàn Tổng công ty Viglacera", ("Công ty Cổ phần Viglacera {w}",),
         ("Hạ Long", "Tiên Sơn", "Từ Sơn", "Thăng Long", "Đông Triều", "Hà Nội", "Bá Hiến", "Xuân Hòa")),
        ("Công đoàn Tổng công ty Xây dựng Hà Nội", ("Công ty {form} {ind} {brand}", "Xí nghiệp {ind} số {n}"), ()),
        ("Công đoàn Tổng công ty Đầu tư Phát triển Nhà và Đô thị", ("Công ty {form} {ind} {brand}",), ()),
    ))),
    ("S08", ("Công đoàn Nông nghiệp và Phát triển nông thôn Việt Nam", "sector", 0.6,
             ("Giống cây trồng", "Vật tư Nông nghiệp", "Lương thực", "Chăn nuôi"), (
        ("Công đoàn Tổng công ty Lương thực miền Bắc", ("Công ty Lương thực {north}", "Công ty {form} {ind} {brand}"),
         ()),
        ("Công đoàn Tổng công ty Lương thực miền Nam", ("Công ty Lương thực {south}", "Công ty {form} {ind} {brand}"),
         ()),
        ("Công đoàn Tổng công ty Lâm nghiệp Việt Nam", ("Công ty Lâm nghiệp {any}", "Công ty TNHH MTV Lâm nghiệp {cm}"),
         ()),
        ("Công đoàn Viện Khoa học Nông nghiệp Việt Nam", ("Viện {w}",),
         ("Cây lương thực và Cây thực phẩm", "Di truyền Nông nghiệp", "Thổ nhưỡng Nông hóa", "Bảo vệ thực vật",
          "Nghiên cứu Rau quả", "Khoa học Nông nghiệp miền Nam", "Lúa đồng bằng sông Cửu Long")),
        ("Công đoàn Cơ quan Bộ Nông nghiệp và Phát triển nông thôn", ("{w}",),
         ("Cục Trồng trọt", "Cục Chăn nuôi", "Cục Thú y", "Cục Thủy lợi", "Cục Kiểm lâm", "Tổng cục Thủy sản",
          "Vụ Kế hoạch", "Văn phòng Bộ")),
    ))),
    ("S09", ("Công đoàn Ngân hàng Việt Nam", "sector", 1.0, (), (
        ("Công đoàn Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam", ("Agribank Chi nhánh {anyl}",), ()),
        ("Công đoàn Ngân hàng TMCP Công thương Việt Nam", ("VietinBank Chi nhánh {any}",), ()),
        ("Công đoàn Ngân hàng TMCP Ngoại thương Việt Nam", ("Vietcombank Chi nhánh {any}",), ()),
        ("Công đoàn Ngân hàng TMCP Đầu tư và Phát triển Việt Nam", ("BIDV Chi nhánh {any}",), ()),
        ("Công đoàn Ngân hàng Chính sách xã hội", ("Chi nhánh Ngân hàng Chính sách xã hội {anyl}",), ()),
        ("Công đoàn Ngân hàng Nhà nước Việt Nam", ("Ngân hàng Nhà nước Chi nhánh {anyl}", "Vụ {dept}"), ()),
    ))),
    ("S10", ("Công đoàn Viên chức Việt Nam", "sector", 0.4, (), (
        ("Công đoàn Văn phòng Quốc hội", ("Vụ {dept}", "Trung tâm {service}"), ()),
        ("Công đoàn Văn phòng Chính phủ", ("Vụ {dept}", "Cục {w}"),
         ("Hành chính – Quản trị", "Kiểm soát thủ tục hành chính")),
        ("Công đoàn Bộ Tư pháp", ("Vụ {dept}", "Cục {w}"),
         ("Thi hành án dân sự", "Bổ trợ tư pháp", "Con nuôi", "Đăng ký quốc gia giao dịch bảo đảm")),
        ("Công đoàn Bộ Nội vụ", ("Vụ {dept}", "Trung tâm {service}"), ()),
        ("Công đoàn Bộ Khoa học và Công nghệ", ("Viện {w}", "Trung tâm {service}"),
         ("Đánh giá khoa học và Định giá công nghệ", "Ứng dụng công nghệ", "Năng lượng nguyên tử Việt Nam",
          "Đo lường Việt Nam")),
        ("Công đoàn Bộ Tài nguyên và Môi trường", ("Cục {w}", "Trung tâm {service}"),
         ("Biến đổi khí hậu", "Đo đạc, Bản đồ và Thông tin địa lý Việt Nam", "Quản lý tài nguyên nước",
          "Kiểm soát ô nhiễm môi trường")),
    ))),
    ("S11", ("Công đoàn Thông tin và Truyền thông Việt Nam", "sector", 0.6,
             ("Viễn thông", "Truyền thông", "Phần mềm"), (
        ("Công đoàn Tập đoàn Bưu chính Viễn thông Việt Nam", ("Viễn thông {any}",), ()),
        ("Công đoàn Tổng công ty Viễn thông MobiFone", ("Công ty Dịch vụ MobiFone Khu vực {n}", "Trung tâm {service}"),
         ()),
        ("Công đoàn Tổng công ty Truyền thông đa phương tiện", ("Trung tâm {service}", "Công ty {form} {ind} {brand}"),
         ()),
        ("Công đoàn Cơ quan Bộ Thông tin và Truyền thông", ("{w}",),
         ("Cục Báo chí", "Cục Xuất bản, In và Phát hành", "Cục An toàn thông tin", "Cục Viễn thông",
          "Cục Tần số vô tuyến điện", "Trung tâm Internet Việt Nam", "Nhà xuất bản Thông tin và Truyền thông")),
    ))),
    ("G01", ("Công đoàn Điện lực Việt Nam", "corporation", 1.3, (), (
        ("Công đoàn Tổng công ty Điện lực miền Bắc", ("Công ty Điện lực {north}",), ()),
        ("Công đoàn Tổng công ty Điện lực miền Trung", ("Công ty Điện lực {central}",), ()),
        ("Công đoàn Tổng công ty Điện lực miền Nam", ("Công ty Điện lực {south}",), ()),
        ("Công đoàn Tổng công ty Điện lực thành phố Hà Nội", ("Công ty Điện lực {hn}",), ()),
        ("Công đoàn Tổng công ty Điện lực Thành phố Hồ Chí Minh", ("Công ty Điện lực {hcm}",), ()),
        ("Công đoàn Tổng công ty Truyền tải điện Quốc gia", ("Công ty Truyền tải điện {w}", "Truyền tải điện {any}"),
         ("1", "2", "3", "4")),
        ("Công đoàn Tổng công ty Phát điện 1", ("Công ty Thủy điện {w}", "Công ty Nhiệt điện {w}"),
         ("Hòa Bình", "Sơn La", "Lai Châu", "Tuyên Quang", "Thác Bà", "Đại Ninh", "Ialy", "Trị An", "Đa Nhim",
          "Buôn Kuốp", "Sê San", "Phả Lại", "Uông Bí", "Ninh Bình", "Vĩnh Tân", "Duyên Hải", "Quảng Ninh")),
    ))),
    ("G02", ("Công đoàn Dầu khí Việt Nam", "corporation", 1.0,
             ("Dịch vụ Dầu khí", "Kỹ thuật Dầu khí", "Xây lắp Dầu khí", "Hóa phẩm Dầu khí", "Thương mại Dầu khí",
              "Vận chuyển Khí", "Phân phối Khí"), (
        ("Công đoàn Tổng công ty Khí Việt Nam", ("Công ty {ind} {w}",),
         ("Vũng Tàu", "Cà Mau", "Đông Nam Bộ", "Miền Bắc")),
        ("Công đoàn Tổng công ty Thăm dò Khai thác Dầu khí", ("Công ty {form} {ind} {brand}", "Chi nhánh {any}"), ()),
        ("Công đoàn Tổng công ty Dịch vụ Kỹ thuật Dầu khí Việt Nam", ("Công ty {form} {ind} {brand}",), ()),
        ("Công đoàn Tổng công ty Dầu Việt Nam", ("Công ty Cổ phần Xăng dầu Dầu khí {any}",), ()),
        ("Công đoàn Tổng công ty Phân bón và Hóa chất Dầu khí", ("Công ty Cổ phần Phân bón và Hóa chất Dầu khí {w}",),
         ("Miền Bắc", "Miền Trung", "Đông Nam Bộ", "Tây Nam Bộ")),
        ("Công đoàn Công ty TNHH MTV Lọc hóa dầu Bình Sơn", ("Phòng {dept}", "Xưởng {w}"),
         ("Công nghệ", "Bảo dưỡng", "Năng lượng", "Xuất sản phẩm", "Kho cảng")),
    ))),
    ("G03", ("Công đoàn Than – Khoáng sản Việt Nam", "corporation", 1.2, (), (
        ("Công đoàn Than Hòn Gai – TKV", ("Công ty Cổ phần Than {w} – Vinacomin",),
         ("Hà Lầm", "Hà Tu", "Núi Béo", "Hòn Gai", "Giáp Khẩu", "Hà Ráng")),
        ("Công đoàn Than Cẩm Phả – TKV", ("Công ty Cổ phần Than {w} – Vinacomin", "Công ty Than {w} – TKV"),
         ("Cao Sơn", "Cọc Sáu", "Đèo Nai", "Mông Dương", "Khe Chàm", "Quang Hanh", "Dương Huy", "Thống Nhất")),
        ("Công đoàn Than Uông Bí – TKV", ("Công ty Than {w} – TKV",),
         ("Uông Bí", "Vàng Danh", "Nam Mẫu", "Mạo Khê", "Hồng Thái")),
        ("Công đoàn Tổng công ty Khoáng sản – TKV", ("Công ty Cổ phần {w} – Vinacomin",),
         ("Đồng Tả Phời", "Kim loại màu Tuyên Quang", "Kẽm chì Làng Hích", "Titan Bình Định", "Tuyển khoáng")),
        ("Công đoàn Tổng công ty Công nghiệp Hóa chất mỏ – Micco", ("Công ty Công nghiệp Hóa chất mỏ {w}",),
         ("Quảng Ninh", "Bắc Bộ", "Tây Bắc", "Việt Bắc", "Trung Trung Bộ", "Nam Bộ")),
    ))),
    ("G04", ("Công đoàn Cao su Việt Nam", "corporation", 0.7, (), (
        ("Công đoàn Tổng công ty Cao su Đồng Nai", ("Nông trường Cao su {cm}", "Nhà máy Chế biến mủ {cm}"), ()),
        ("Công đoàn Công ty TNHH MTV Cao su Dầu Tiếng", ("Nông trường Cao su {cm}", "Nhà máy Chế biến mủ {cm}"), ()),
        ("Công đoàn Công ty Cổ phần Cao su Phước Hòa", ("Nông trường Cao su {cm}",), ()),
        ("Công đoàn Công ty TNHH MTV Cao su Bình Long", ("Nông trường Cao su {cm}",), ()),
        ("Công đoàn Công ty TNHH MTV Cao su Chư Sê", ("Nông trường Cao su {cm}",), ()),
        ("Công đoàn Công ty TNHH MTV Cao su Lộc Ninh", ("Nông trường Cao su {cm}",), ()),
    ))),
    ("G05", ("Công đoàn Dệt May Việt Nam", "corporation", 0.9, ("May", "Dệt", "Sợi", "Dệt may"), (
        ("Công đoàn Tổng công ty May 10", ("Xí nghiệp May {any}", "Xí nghiệp May số {n}"), ()),
        ("Công đoàn Tổng công ty Việt Tiến", ("Xí nghiệp May Việt Tiến {n}", "Công ty Cổ phần May {brand}"), ()),
        ("Công đoàn Tổng công ty May Nhà Bè", ("Xí nghiệp May {cm}", "Công ty Cổ phần May {brand}"), ()),
        ("Công đoàn Tổng công ty Phong Phú", ("Nhà máy {ind} {cm}", "Công ty Cổ phần {ind} {brand}"), ()),
        ("Công đoàn Tổng công ty Cổ phần Dệt May Hòa Thọ", ("Nhà máy {ind} Hòa Thọ {n}", "Công ty Cổ phần May {brand}"),
         ()),
        ("Công đoàn Tổng công ty Đức Giang", ("Xí nghiệp May {any}", "Công ty Cổ phần May {brand}"), ()),
    ))),
    ("G06", ("Công đoàn Bưu điện Việt Nam", "corporation", 0.4, (), (
        ("Công đoàn Bưu điện khu vực miền Bắc", ("Bưu điện {northl}",), ()),
        ("Công đoàn Bưu điện khu vực miền Trung", ("Bưu điện {centrall}",), ()),
        ("Công đoàn Bưu điện khu vực miền Nam", ("Bưu điện {southl}",), ()),
        ("Công đoàn Bưu điện thành phố Hà Nội", ("Bưu điện {hnl}",), ()),
        ("Công đoàn Bưu điện Thành phố Hồ Chí Minh", ("Bưu điện {hcml}",), ()),
    ))),
    ("G07", ("Công đoàn Đường sắt Việt Nam", "corporation", 0.4, (), (
        ("Công đoàn các công ty quản lý đường sắt khu vực phía Bắc", ("Công ty Cổ phần Đường sắt {w}",),
         ("Hà Hải", "Hà Lạng", "Hà Ninh", "Hà Thái", "Vĩnh Phú", "Yên Lào", "Thanh Hóa", "Nghệ Tĩnh")),
        ("Công đoàn các công ty quản lý đường sắt khu vực phía Nam", ("Công ty Cổ phần Đường sắt {w}",),
         ("Quảng Bình", "Bình Trị Thiên", "Quảng Nam – Đà Nẵng", "Nghĩa Bình", "Phú Khánh", "Thuận Hải", "Sài Gòn")),
        ("Công đoàn Công ty Cổ phần Vận tải Đường sắt Hà Nội",
         ("Chi nhánh Khai thác Đường sắt {w}", "Xí nghiệp Đầu máy {w}"),
         ("Hà Nội", "Vinh", "Yên Viên", "Hải Phòng", "Lào Cai")),
        ("Công đoàn Công ty Cổ phần Vận tải Đường sắt Sài Gòn",
         ("Chi nhánh Khai thác Đường sắt {w}", "Xí nghiệp Đầu máy {w}"),
         ("Sài Gòn", "Đà Nẵng", "Nha Trang", "Diêu Trì")),
    ))),
    ("G08", ("Công đoàn Tổng Công ty Hàng không Việt Nam", "corporation", 0.5, (), (
        ("Công đoàn Cơ quan Tổng công ty Hàng không Việt Nam", ("Ban {w}",),
         ("Kế hoạch và Phát triển", "Tài chính – Kế toán", "Tổ chức và Phát triển nguồn nhân lực", "Kỹ thuật",
          "Dịch vụ Thị trường", "An toàn chất lượng", "Truyền thông")),
        ("Công đoàn Công ty TNHH Kỹ thuật Máy bay", ("Xưởng Bảo dưỡng Máy bay {w}",),
         ("Nội Bài", "Tân Sơn Nhất", "Đà Nẵng", "Cam Ranh", "Phú Quốc")),
        ("Công đoàn Đoàn Tiếp viên", ("Liên đội Tiếp viên số {n}",), ()),
        ("Công đoàn Đoàn Bay 919", ("Phi đội {w}",), ("A321", "A350", "B787", "ATR72", "A320neo")),
        ("Công đoàn Công ty Cổ phần Dịch vụ Hàng không Sân bay", ("Xí nghiệp {w}",),
         ("Phục vụ mặt đất Nội Bài", "Phục vụ mặt đất Tân Sơn Nhất", "Suất ăn Nội Bài", "Thương mại Hàng không")),
    ))),
    ("G09", ("Công đoàn Tổng Công ty Hàng hải Việt Nam", "corporation", 0.3, (), (
        ("Công đoàn Cảng Hải Phòng", ("Chi nhánh Cảng {w}", "Xí nghiệp Xếp dỡ {w}"),
         ("Hoàng Diệu", "Chùa Vẽ", "Tân Vũ")),
        ("Công đoàn Cảng Sài Gòn", ("Xí nghiệp Xếp dỡ {w}", "Chi nhánh Cảng {w}"),
         ("Tân Thuận", "Khánh Hội", "Nhà Rồng", "Tân Thuận 2")),
        ("Công đoàn Cảng Đà Nẵng", ("Xí nghiệp Cảng {w}",), ("Tiên Sa", "Sông Hàn", "Liên Chiểu")),
        ("Công đoàn Công ty Cổ phần Vận tải biển Việt Nam", ("Đội tàu số {n}", "Phòng {dept}"), ()),
        ("Công đoàn Cảng Quy Nhơn", ("Xí nghiệp Xếp dỡ {w}", "Phòng {dept}"), ("Quy Nhơn", "Thị Nại", "Nhơn Hội")),
    ))),
)


# --------------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class District:
    """A district of a 2021 province, as a level-3 federation's namesake."""

    kind: str  # q, h, tx, tp
    name: str

    @property
    def label(self) -> str:
        """The district as it appears in a unit name: "huyện Việt Yên", "Quận 1"."""
        if self.kind == "q" and self.name.isdigit():
            return f"Quận {self.name}"
        prefix = {"q": "quận", "h": "huyện", "tx": "thị xã", "tp": "thành phố"}[self.kind]
        return f"{prefix} {self.name}"

    @property
    def short(self) -> str:
        """The district without its kind, as in "Công ty Điện lực Đông Anh"; numbered quận keep "Quận"."""
        return f"Quận {self.name}" if self.name.isdigit() else self.name


@dataclass(frozen=True)
class Province:
    """A 2021 province with what the generator needs to name its units."""

    code: str
    name: str
    size: float
    districts: tuple[District, ...]

    @property
    def label(self) -> str:
        """The province as it appears inside a unit name: "tỉnh Bắc Giang", "thành phố Hà Nội"."""
        if self.code == "79":
            return "Thành phố Hồ Chí Minh"
        return f"{'thành phố' if self.code in CITY_CODES_2021 else 'tỉnh'} {self.name}"

    @property
    def display(self) -> str:
        """The bare name used after a noun ("Báo Bắc Giang"); Ho Chi Minh City keeps "Thành phố"."""
        return "Thành phố Hồ Chí Minh" if self.code == "79" else self.name

    @property
    def region(self) -> str:
        """North, central or south, as the power and postal corporations split the country."""
        number = int(self.code)
        return "north" if number <= 37 else "central" if number <= 68 else "south"


def _provinces() -> tuple[Province, ...]:
    provinces = []
    for code, name, size, raw in PROVINCES_2021:
        districts = tuple(District(*item.split(":", 1)) for item in raw.split("|"))
        provinces.append(Province(code, name, size, districts))
    return tuple(provinces)


TOKEN = re.compile(r"\{(\w+)\}")
T = TypeVar("T")


class _WordsExhaustedError(Exception):
    """A pattern's word list has run out."""


@dataclass
class _Filler:
    """Fills ``{token}``s in a name pattern from the pools, drawing randomly with the generator's rng."""

    rng: random.Random
    provinces: tuple[Province, ...]
    province: Province | None = None
    district: District | None = None
    industries: tuple[str, ...] = INDUSTRIES
    words: list[str] = field(default_factory=list)

    def fill(self, pattern: str) -> str:
        """One name from ``pattern``; raises ``_WordsExhaustedError`` when its word list is used up."""
        return TOKEN.sub(lambda match: self._value(match.group(1)), pattern)

    def _pick(self, pool: Sequence[T]) -> T:
        return pool[self.rng.randrange(len(pool))]

    def _province_of(self, region: str) -> Province:
        pool = [p for p in self.provinces if region == "any" or (p.region == region and p.code not in ("01", "79"))]
        return pool[self.rng.randrange(len(pool))]

    def _commune(self) -> str:
        first = self._pick(COMMUNE_FIRST)
        second = self._pick([s for s in COMMUNE_SECOND if s != first])
        return f"{first} {second}"

    def _commune_kind(self) -> str:
        kind = self.district.kind if self.district else "h"
        return {"q": "phường", "h": "xã"}.get(kind) or self._pick(("xã", "phường"))

    def _value(self, token: str) -> str:
        simple: dict[str, Callable[[], str]] = {
            "brand": lambda: self._pick(BRANDS),
            "fdi": lambda: self._pick(FDI_BRANDS),
            "ind": lambda: self._pick(self.industries or INDUSTRIES),
            "cind": lambda: self._pick(CONSTRUCTION),
            "form": lambda: self._pick(FORMS),
            "person": lambda: self._pick(PERSONS),
            "flower": lambda: self._pick(FLOWERS),
            "guild": lambda: self._pick(GUILDS),
            "coop": lambda: self._pick(COOPERATIVES),
            "dept": lambda: self._pick(DEPARTMENTS),
            "service": lambda: self._pick(SERVICES),
            "subject": lambda: self._pick(SUBJECTS),
            "n": lambda: str(self.rng.randint(1, 30)),
            "cm": self._commune,
            "ck": self._commune_kind,
        }
        if token in simple:
            return simple[token]()
        if token == "w":
            if not self.words:
                raise _WordsExhaustedError
            return self.fill(self.words.pop())
        for region in ("north", "central", "south", "any"):
            if token == region:
                return self._province_of(region).display
            if token == region + "l":
                return self._province_of(region).label
        if token in ("hn", "hnl", "hcm", "hcml"):
            code = "01" if token.startswith("hn") else "79"
            district = self._pick(next(p for p in self.provinces if p.code == code).districts)
            return district.label if token.endswith("l") else district.short
        assert self.province is not None, f"token {{{token}}} needs a province"
        if token == "P":
            return self.province.label
        if token == "Pn":
            return self.province.display
        if token in ("rd", "rdn"):
            district = self._pick(self.province.districts)
            return district.label if token == "rd" else district.short
        assert self.district is not None, f"token {{{token}}} needs a district"
        if token == "D":
            return self.district.label
        if token == "Dn":
            return self.district.name
        raise KeyError(token)


@dataclass
class _Builder:
    """Accumulates unit records in output order."""

    rng: random.Random
    provinces: tuple[Province, ...]
    units: list[dict[str, Any]] = field(default_factory=list)
    level3_count: int = 0
    level4_count: int = 0

    def add(self, **record: Any) -> None:
        record["name"] = unicodedata.normalize("NFC", record["name"])
        self.units.append(record)

    def level3(self, parent_id: str, number: int, name: str, kind: str) -> str:
        unit_id = f"{parent_id}-{number:02d}"
        self.add(id=unit_id, name=name, level=3, parent_id=parent_id, kind=kind)
        self.level3_count += 1
        return unit_id

    def grassroots(
        self, parent_id: str, target: int, filler: _Filler, patterns: Sequence[str], fixed: Sequence[str] = (),
    ) -> None:
        """Add up to ``target`` uniquely named level-4 units under ``parent_id``: ``fixed`` first, then patterns."""
        names: list[str] = []
        seen: set[str] = set()

        def accept(name: str) -> None:
            if name not in seen:
                seen.add(name)
                names.append(name)

        for pattern in fixed:
            accept(filler.fill(pattern))
        live = list(patterns)
        attempts = 0
        while len(names) < target and live and attempts < 50 * target:
            attempts += 1
            pattern = self.rng.choice(live)
            try:
                accept(filler.fill(pattern))
            except _WordsExhaustedError:
                live = [p for p in live if p != pattern]
        for number, name in enumerate(names[:max(target, len(fixed))], start=1):
            guild = name.startswith("Nghiệp đoàn")
            self.add(
                id=f"{parent_id}-{number:03d}",
                name=name if guild else f"Công đoàn cơ sở {name}",
                level=4,
                parent_id=parent_id,
                kind="guild" if guild else "grassroots",
            )
            self.level4_count += 1


DISTRICT_PATTERNS = (
    *("Công ty {form} {ind} {brand}",) * 6,
    "Công ty TNHH {fdi}",
    "Trường Mầm non {flower}", "Trường Mầm non {cm}",
    "Trường Tiểu học {person}", "Trường Tiểu học {cm}", "Trường THCS {person}", "Trường THCS {cm}",
    "{ck} {cm}",
    "Hợp tác xã {coop} {cm}",
    "Nghiệp đoàn {guild} {ck} {cm}",
)
INDUSTRIAL_ZONE_PATTERNS = (*("Công ty TNHH {fdi}",) * 4, *("Công ty {form} {ind} {brand}",) * 3)
EDUCATION_PATTERNS = (*("Trường THPT {person}",) * 4, "Trường THPT {rdn}", "Trường THPT {rdn} số {n}", "{w}")


def _jitter(rng: random.Random, value: float, spread: float = 0.3) -> int:
    return max(1, round(value * rng.uniform(1 - spread, 1 + spread)))


def _build_province(builder: _Builder, province: Province, unit_id: str) -> None:
    rng = builder.rng
    size = province.size
    if province.code in BIG_PROVINCES:
        cap = 16
    elif size >= 1.5:
        cap = 9
    elif size >= 1.0:
        cap = 7
    else:
        cap = 5
    districts = list(province.districts)
    if len(districts) > cap:
        keep = set(rng.sample(range(1, len(districts)), cap - 1))
        districts = [d for i, d in enumerate(districts) if i == 0 or i in keep]
    number = 0
    per_district = 3.5 + 1.6 * size ** 0.8
    for district in districts:
        number += 1
        l3 = builder.level3(unit_id, number, f"Liên đoàn Lao động {district.label}", "district")
        filler = _Filler(rng, builder.provinces, province, district)
        fixed = ["Cơ quan Ủy ban nhân dân {D}", "Trung tâm Y tế {D}"]
        builder.grassroots(l3, _jitter(rng, per_district), filler, DISTRICT_PATTERNS, fixed)
    label = province.label
    if size >= 1.0 or province.code in BIG_PROVINCES:
        number += 1
        if province.code == "79":
            zone = "Công đoàn các Khu chế xuất và công nghiệp Thành phố Hồ Chí Minh"
        elif province.code == "01":
            zone = "Công đoàn các Khu công nghiệp và chế xuất Hà Nội"
        else:
            zone = f"Công đoàn các Khu công nghiệp {label}"
        l3 = builder.level3(unit_id, number, zone, "industrial_zone")
        builder.grassroots(l3, _jitter(rng, 5 + 3.2 * size), _Filler(rng, builder.provinces, province),
                           INDUSTRIAL_ZONE_PATTERNS)
    number += 1
    l3 = builder.level3(unit_id, number, f"Công đoàn ngành Giáo dục {label}", "local_sector")
    words = ["Trường Phổ thông Dân tộc Nội trú {P}", "Trung tâm Giáo dục thường xuyên {P}",
             "Trường Cao đẳng Sư phạm {Pn}"]
    rng.shuffle(words)
    filler = _Filler(rng, builder.provinces, province, words=words)
    builder.grassroots(l3, _jitter(rng, 4 + 1.2 * size), filler, EDUCATION_PATTERNS,
                       ["Cơ quan Sở Giáo dục và Đào tạo {P}", "Trường THPT Chuyên {Pn}"])
    number += 1
    l3 = builder.level3(unit_id, number, f"Công đoàn ngành Y tế {label}", "local_sector")
    words = list(HEALTH_PROVINCE)
    rng.shuffle(words)
    filler = _Filler(rng, builder.provinces, province, words=words)
    builder.grassroots(l3, _jitter(rng, 4 + 1.2 * size), filler, ("{w}", "{w}", "Bệnh viện Đa khoa khu vực {rdn}"),
                       ["Cơ quan Sở Y tế {P}", "Bệnh viện Đa khoa {P}"])
    number += 1
    l3 = builder.level3(unit_id, number, f"Công đoàn Viên chức {label}", "local_sector")
    words = list(AGENCIES_PROVINCE)
    rng.shuffle(words)
    filler = _Filler(rng, builder.provinces, province, words=words)
    builder.grassroots(l3, _jitter(rng, 4 + 1.0 * size), filler, ("{w}",), ["Văn phòng Ủy ban nhân dân {P}"])
    if province.code in BIG_PROVINCES:
        for name, patterns, sector_words in SECTOR_L3_PROVINCE:
            number += 1
            l3 = builder.level3(unit_id, number, name.format(P=label), "local_sector")
            words = list(sector_words)
            rng.shuffle(words)
            filler = _Filler(rng, builder.provinces, province, words=words)
            builder.grassroots(l3, _jitter(rng, 6), filler, patterns)


ENTERPRISE_WORDS = ("công ty", "tập đoàn", "ngân hàng", "cảng", "than", "bưu điện")


def _build_non_provincial(builder: _Builder, unit_id: str, spec: NonProvincial) -> None:
    rng = builder.rng
    _name, _kind, size, industries, level3 = spec
    for number, (name, patterns, l3_words) in enumerate(level3, start=1):
        enterprise = any(word in name.lower() for word in ENTERPRISE_WORDS)
        l3 = builder.level3(unit_id, number, name, "enterprise" if enterprise else "agency")
        words = list(l3_words)
        rng.shuffle(words)
        filler = _Filler(rng, builder.provinces, industries=industries or INDUSTRIES, words=words)
        builder.grassroots(l3, _jitter(rng, 4 + 3 * size), filler, patterns)


def _spread(rng: random.Random, sizes: dict[str, float], total: float, cap: float) -> dict[str, float]:
    """Shares proportional to jittered sizes, summing to ``total``, none above ``cap``."""
    raw = {key: size ** 0.75 * rng.lognormvariate(0.0, 0.45) for key, size in sizes.items()}
    shares: dict[str, float] = {}
    while raw:
        scale = (total - sum(shares.values())) / sum(raw.values())
        over = [key for key, value in raw.items() if value * scale > cap]
        if not over:
            shares.update({key: value * scale for key, value in raw.items()})
            break
        for key in over:
            shares[key] = cap
            del raw[key]
    return shares


def _quotas(rng: random.Random, sizes: dict[str, float]) -> dict[str, int]:
    """Quotas in tens, proportional to jittered sizes, summing exactly to TARGET_QUOTA (largest remainder)."""
    jittered = {key: size * rng.uniform(0.85, 1.15) for key, size in sizes.items()}
    tens = TARGET_QUOTA // 10
    exact = {key: tens * value / sum(jittered.values()) for key, value in jittered.items()}
    floors = {key: int(value) for key, value in exact.items()}
    short = tens - sum(floors.values())
    for key in sorted(exact, key=lambda k: (floors[k] - exact[k], k))[:short]:
        floors[key] += 1
    return {key: value * 10 for key, value in floors.items()}


def build() -> list[dict[str, Any]]:
    """All unit records, in output order."""
    rng = random.Random(SEED)
    provinces = _provinces()
    builder = _Builder(rng, provinces)
    builder.add(id="VGCL", name="Tổng Liên đoàn Lao động Việt Nam", level=1, parent_id=None, kind="national")

    sizes = {f"P{p.code}": p.size for p in provinces}
    sizes.update({unit_id: spec[2] for unit_id, spec in NON_PROVINCIAL})
    known = {f"P{code}": count / COUNT_AFTER_20_DAYS for code, count in KNOWN_COUNTS_2021.items()}
    # Central sectors and corporations sent proportionally fewer initiatives than provinces in 2021.
    others = {key: size * (1.0 if key.startswith("P") else 0.5) for key, size in sizes.items() if key not in known}
    weights = {**known, **_spread(rng, others, 1.0 - sum(known.values()), cap=0.9 * min(known.values()))}
    quotas = _quotas(rng, sizes)

    successor_of = {old: f"P2025-{new}" for new, _n, _c, olds in PROVINCES_2025 for old in olds}
    for province in provinces:
        unit_id = f"P{province.code}"
        kind = "Thành phố" if province.code == "79" else "thành phố" if province.code in CITY_CODES_2021 else "tỉnh"
        builder.add(
            id=unit_id, name=f"Liên đoàn Lao động {kind} {province.name}", level=2, parent_id="VGCL",
            kind="province", code=province.code, province=province.name, valid_until=VALID_UNTIL_2021,
            successor_id=successor_of[province.code], weight=round(weights[unit_id], 6), quota=quotas[unit_id],
        )
    for unit_id, (name, kind, _size, _ind, _l3) in NON_PROVINCIAL:
        builder.add(id=unit_id, name=name, level=2, parent_id="VGCL", kind=kind,
                    weight=round(weights[unit_id], 6), quota=quotas[unit_id])
    for code, name, is_city, olds in PROVINCES_2025:
        kind = "Thành phố" if code == "79" else "thành phố" if is_city else "tỉnh"
        builder.add(
            id=f"P2025-{code}", name=f"Liên đoàn Lao động {kind} {name}", level=2, parent_id="VGCL",
            kind="province", code=code, province=name, valid_from=VALID_FROM_2025,
            predecessor_ids=sorted(f"P{old}" for old in olds),
            weight=round(sum(weights[f"P{old}"] for old in olds), 6),
        )

    for province in provinces:
        _build_province(builder, province, f"P{province.code}")
    for unit_id, spec in NON_PROVINCIAL:
        _build_non_provincial(builder, unit_id, spec)
    return builder.units


def render(units: list[dict[str, Any]]) -> str:
    """The file's text: compact JSON, one unit per line."""
    header = {"schema": 1, "generated_by": "python -m shared.data.generate_units", "seed": SEED}
    lines = [json.dumps(unit, ensure_ascii=False, separators=(",", ":")) for unit in units]
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":"))[:-1]
    return head + ',"units":[\n' + ",\n".join(lines) + "\n]}\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write the tree to ``argv[0]`` (default: shared/data/units.json) and print the counts."""
    args = list(sys.argv[1:] if argv is None else argv)
    output = Path(args[0]) if args else DEFAULT_OUTPUT
    units = build()
    output.write_text(render(units), encoding="utf-8")
    levels = [sum(1 for u in units if u["level"] == level) for level in (1, 2, 3, 4)]
    print(f"wrote {output}: {len(units)} units (levels 1-4: {', '.join(map(str, levels))})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
