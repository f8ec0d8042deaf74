#!/usr/bin/env python3
"""Writes demo/units.csv: a fictional province before and after the 1/7/2025
reorganisation (districts abolished, communes merged). Run once; the CSV is the
data file qcdc reads."""
import csv, random

random.seed(2025)
P = "LV"
rows = [["code", "name", "kind", "parent", "valid_from", "valid_to", "predecessors", "succession"]]
# the central steering committee above the province: its rounds to the province
# let the demo's office adopt its consolidated totals as its own report upward
rows.append(["TW", "Ban Chỉ đạo Trung ương", "central", "", "01/01/2004", "", "", ""])
rows.append([P, "Tỉnh Lâm Viên", "province", "TW", "01/01/2004", "", "", ""])
END, START = "30/06/2025", "01/07/2025"

districts = {
    "DR": ("Huyện Đam Rông", ["Xã Đạ Tông", "Xã Đạ Long", "Xã Đạ M'Rông", "Xã Rô Men", "Xã Liêng Srônh", "Xã Phi Liêng", "Xã Đạ R'Sal", "Xã Đạ K'Nàng"]),
    "LD": ("Huyện Lạc Dương", ["Thị trấn Lạc Dương", "Xã Lát", "Xã Đạ Sar", "Xã Đạ Nhim", "Xã Đạ Chais", "Xã Đưng K'Nớ"]),
    "DL": ("Thành phố Đà Lạt", ["Phường 1", "Phường 2", "Phường 3", "Phường 4", "Phường 5", "Phường 7", "Phường 8", "Phường 9", "Phường 10", "Phường 11", "Phường 12", "Xã Xuân Thọ", "Xã Xuân Trường", "Xã Tà Nung", "Xã Trạm Hành"]),
    "DT": ("Huyện Đức Trọng", ["Thị trấn Liên Nghĩa", "Xã Hiệp An", "Xã Hiệp Thạnh", "Xã Liên Hiệp", "Xã Phú Hội", "Xã Tân Hội", "Xã Tân Thành", "Xã N'Thol Hạ", "Xã Bình Thạnh", "Xã Ninh Gia", "Xã Tà Năng", "Xã Đà Loan", "Xã Tà Hine", "Xã Ninh Loan"]),
    "DH": ("Huyện Đơn Dương", ["Thị trấn Thạnh Mỹ", "Thị trấn D'Ran", "Xã Lạc Xuân", "Xã Lạc Lâm", "Xã Ka Đô", "Xã Quảng Lập", "Xã Pró", "Xã Ka Đơn", "Xã Tu Tra"]),
}
new_names = {
    "DR": ["Xã Đam Rông 1", "Xã Đam Rông 2", "Xã Đam Rông 3", "Xã Đam Rông 4"],
    "LD": ["Xã Lạc Dương", "Xã Đưng K'Nớ", "Xã Đạ Sar"],
    "DL": ["Phường Xuân Hương - Đà Lạt", "Phường Cam Ly - Đà Lạt", "Phường Lâm Viên - Đà Lạt", "Phường Xuân Trường - Đà Lạt", "Phường Lang Biang - Đà Lạt", "Phường Đà Lạt", "Xã Tà Nung"],
    "DT": ["Xã Đức Trọng", "Xã Hiệp Thạnh", "Xã Tân Hội", "Xã Tà Năng", "Xã Ninh Gia", "Xã Tà Hine", "Xã Bình Thạnh"],
    "DH": ["Xã Đơn Dương", "Xã D'Ran", "Xã Ka Đô", "Xã Quảng Lập", "Xã Lạc Dương Bắc"],
}
def kind_of(name):
    return "ward" if name.startswith("Phường") else "township" if name.startswith("Thị trấn") else "commune"

for dc, (dname, communes) in districts.items():
    rows.append([f"{P}-{dc}", dname, "district", P, "01/01/2004", END, "", ""])
    olds = []
    for i, c in enumerate(communes, 1):
        code = f"{P}-{dc}-{i:02d}"
        olds.append(code)
        rows.append([code, c, kind_of(c), f"{P}-{dc}", "01/01/2004", END, "", ""])
    news = new_names[dc]
    # share the old communes out among the new ones, in order
    groups = [olds[i::len(news)] for i in range(len(news))]
    for i, (n, g) in enumerate(zip(news, groups), 1):
        succ = "renamed" if len(g) == 1 else "merged"
        k = "ward" if n.startswith("Phường") else "commune"
        rows.append([f"{P}-X{dc}{i:02d}", n, k, P, START, "", ";".join(g), succ])

agencies = ["Văn phòng Ủy ban nhân dân tỉnh", "Sở Nội vụ", "Sở Tài chính", "Sở Tư pháp", "Sở Công Thương", "Sở Nông nghiệp và Môi trường",
            "Sở Xây dựng", "Sở Giáo dục và Đào tạo", "Sở Y tế", "Sở Văn hóa, Thể thao và Du lịch", "Sở Khoa học và Công nghệ", "Thanh tra tỉnh", "Sở Dân tộc và Tôn giáo"]
for i, a in enumerate(agencies, 1):
    rows.append([f"{P}-S{i:02d}", a, "agency", P, "01/01/2004", "", "", ""])
for i, a in enumerate(["Bệnh viện Đa khoa tỉnh", "Trường Cao đẳng Lâm Viên", "Đài Phát thanh và Truyền hình tỉnh"], 1):
    rows.append([f"{P}-SN{i:02d}", a, "public_service", P, "01/01/2004", "", "", ""])
enterprises = ["Công ty TNHH MTV Lâm nghiệp Lâm Viên", "Công ty Cổ phần Cấp thoát nước Lâm Viên", "Công ty Cổ phần Du lịch Langbiang", "Công ty TNHH Rau sạch Đà Lạt",
               "Công ty Cổ phần Chè Cầu Đất", "Công ty TNHH Hoa Đà Lạt", "Công ty Cổ phần Xây dựng Lâm Viên", "Công ty Xổ số kiến thiết Lâm Viên",
               "Công ty Điện lực Lâm Viên", "Công ty Cổ phần Dược Lâm Viên", "Công ty TNHH Cà phê Đức Trọng", "Công ty Cổ phần Môi trường đô thị Đà Lạt"]
for i, e in enumerate(enterprises, 1):
    rows.append([f"{P}-DN{i:02d}", e, "enterprise", P, "01/01/2008", "", "", ""])
rows.append([f"{P}-MT", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "mass_org", P, "01/01/2004", "", "", ""])

with open("units.csv", "w", newline="", encoding="utf-8") as f:
    csv.writer(f).writerows(rows)
print(len(rows) - 1, "units")
