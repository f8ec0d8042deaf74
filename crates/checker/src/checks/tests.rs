//! Tests of the arithmetic checks: each slip class found, what adds up quiet, and
//! every finding's arithmetic recomputed from its structured data.

use super::*;
use crate::arith::{Op, fixed, vn};
use crate::read::read_text;

fn run(text: &str) -> Vec<Finding> {
    let doc = Document::new(read_text(text.as_bytes()).unwrap());
    let mut out = vec![];
    check(&doc, &mut out);
    out.sort_by_key(|f| (f.line, f.kind));
    out
}

fn kinds(f: &[Finding]) -> Vec<Kind> {
    f.iter().map(|x| x.kind).collect()
}

/// The arithmetic of a finding is right and its message states it.
pub fn assert_explains_itself(f: &Finding) {
    let Some(a) = &f.arith else { return };
    assert_eq!(a.recompute(), Some(a.expected), "{f:?}");
    assert_ne!(
        a.expected, a.stated,
        "a finding must state a difference: {f:?}"
    );
    match a.op {
        Op::Percent => {
            assert!(
                f.message.contains(&fixed(a.expected, a.decimals)),
                "{}",
                f.message
            );
            assert!(
                f.message.contains(&fixed(a.stated, a.decimals)),
                "{}",
                f.message
            );
        }
        _ => {
            assert!(f.message.contains(&vn(a.expected)), "{}", f.message);
            assert!(f.message.contains(&vn(a.stated)), "{}", f.message);
        }
    }
    for o in &a.operands {
        assert!(
            f.message.contains(&vn(*o)),
            "operand {} missing: {}",
            vn(*o),
            f.message
        );
    }
}

fn explained(text: &str) -> Vec<Finding> {
    let f = run(text);
    f.iter().for_each(assert_explains_itself);
    f
}

#[test]
fn percentages_rounding_and_truncation() {
    let f = explained("Đã giải quyết 138/157 vụ việc (87,8%).\n");
    assert_eq!(kinds(&f), [Kind::PercentMismatch]);
    assert!(
        f[0].message.contains("87,9") && f[0].message.contains("cắt bớt"),
        "{}",
        f[0].message
    );
    assert!(run("Doanh nghiệp ký thỏa ước 834/885 bằng 94,2%; 9/9 phường, tỷ lệ 100%; 10/12 xã, đạt 83,33%; 113 đơn/149 đơn, đạt 75,84 %.\n").is_empty());
    let f = explained("Có 10/12 xã đạt chuẩn, tỷ lệ 80%.\n");
    assert_eq!(kinds(&f), [Kind::PercentMismatch]);
    // decimals kept in the message: 94,0 %
    let f = explained("Đã giải quyết 47/50 đơn, đạt 94,0 %.\n");
    assert!(f.is_empty(), "{f:?}");
    let f = explained("Đã giải quyết 46/50 đơn, đạt 94,0 %.\n");
    assert!(
        f[0].message.contains("92,0%") && f[0].message.contains("94,0%"),
        "{}",
        f[0].message
    );
    // a percentage in the wrong format is also checked for its value
    let f = explained("Gia đình văn hóa 2799/2.942 đạt tỷ lệ 95.13%.\n");
    assert_eq!(kinds(&f), [Kind::PercentMismatch, Kind::NumberFormat]);
    // a percentage then its fraction
    let f = explained("Giải quyết 135 đơn khiếu nại, đạt 84% (135/164).\n");
    assert_eq!(kinds(&f), [Kind::PercentMismatch]);
    // across a clause: received, resolved, share
    let f = explained(
        "Năm 2024, tiếp nhận 52 đơn của công dân, qua phân loại đã giải quyết 47 đơn, đạt 92,3%.\n",
    );
    assert_eq!(kinds(&f), [Kind::PercentMismatch], "{f:?}");
    assert!(run("Năm 2024, tiếp nhận 52 đơn của công dân, qua phân loại đã giải quyết 48 đơn, đạt 92,3%.\n").is_empty());
}

#[test]
fn footnote_breakdown_against_body_whole() {
    let text = "Tiếp nhận là 7.554 hồ sơ, đã giải quyết 7.088 hồ sơ⁶.\n\n⁶ Trong đó: Giải quyết đúng hạn 7029 hồ sơ (tỷ lệ 99,17%), quá hạn 59 hồ sơ (tỷ lệ 0,83%), hồ sơ chưa giải quyết 216 hồ sơ (250 hồ sơ không đủ điều kiện).\n";
    assert_eq!(run(text), vec![]);
    let bad = text.replace("99,17", "99,71");
    assert_eq!(kinds(&explained(&bad)), [Kind::PercentMismatch]);
    let text = "Tiếp nhận 89 đơn⁷.\n\n⁷ Trong đó có 14 đơn khiếu nại, 75 đơn kiến nghị; hiện nay đã giải quyết 74 đơn, còn lại 15 đang tiếp tục giải quyết.\n";
    assert_eq!(run(text), vec![]);
    let f = explained(&text.replace("còn lại 15", "còn lại 25"));
    assert_eq!(kinds(&f), [Kind::SumMismatch]);
    assert!(f[0].message.contains("89 − 74 = 15"), "{}", f[0].message);
}

#[test]
fn remainders_anchor_on_the_right_pair() {
    // E = A − B, with B broken down in parentheses: quiet
    let ok = "Tiếp nhận 120 đơn, đã giải quyết 100 đơn (đúng hạn 90 đơn, quá hạn 10 đơn); còn lại 20 đơn đang giải quyết.\n";
    assert!(run(ok).is_empty(), "{:?}", run(ok));
    let f = explained(&ok.replace("còn lại 20", "còn lại 30"));
    assert_eq!(kinds(&f), [Kind::SumMismatch]);
    assert!(f[0].message.contains("120 − 100 = 20"), "{}", f[0].message);
    // a count of tasks
    assert!(
        run("Năm nay làm 12 công trình, đã hoàn thành 9 công trình, còn lại 3 công trình.\n")
            .is_empty()
    );
    let f =
        explained("Năm nay làm 12 công trình, đã hoàn thành 9 công trình, còn lại 4 công trình.\n");
    assert_eq!(kinds(&f), [Kind::SumMismatch]);
    // "Trong tổng số X, có A, B, còn lại C" is a partition, not A − B
    assert!(run("Trong tổng số 40 hộ, có 25 hộ nghèo, 10 hộ cận nghèo, còn lại 5 hộ khó khăn đột xuất.\n").is_empty());
    let f = explained(
        "Trong tổng số 40 hộ, có 25 hộ nghèo, 10 hộ cận nghèo, còn lại 6 hộ khó khăn đột xuất.\n",
    );
    assert_eq!(kinds(&f), [Kind::SumMismatch]);
}

#[test]
fn wholes_and_parts() {
    assert!(run("1. Tổng số văn bản đã ban hành trong năm 2020: 41 trong đó: cấp ủy: 20; chính quyền: 05; Ban chỉ đạo: 16\n").is_empty());
    let f = explained(
        "1. Tổng số văn bản đã ban hành trong năm 2020: 41 trong đó: cấp ủy: 20; chính quyền: 06; Ban chỉ đạo: 16\n",
    );
    assert_eq!(kinds(&f), [Kind::SumMismatch]);
    assert!(f[0].message.contains("42"), "{}", f[0].message);
    assert!(run("Đăng ký 116 điển hình (gồm 83 tập thể và 33 cá nhân), trong đó: 27/33 đảng bộ phường đăng ký 68 điển hình tập thể và 27 điển hình cá nhân; MTTQ đăng ký 21 điển hình tập thể.\n").is_empty());
    assert_eq!(
        kinds(&explained(
            "Có 116 điển hình (gồm 80 điển hình tập thể và 33 điển hình cá nhân).\n"
        )),
        [Kind::SumMismatch]
    );
    assert_eq!(
        kinds(&explained("Tổng số 257 DVC; trong đó mức độ 4: 300 DVC.\n")),
        [Kind::FractionOverWhole]
    );
    // labels before the numbers, a partition one off
    let f = explained(
        "Tiếp nhận 89 đơn, trong đó: khiếu nại 14 đơn, tố cáo 3 đơn, kiến nghị, phản ánh 71 đơn.\n",
    );
    assert_eq!(kinds(&f), [Kind::SumMismatch], "{f:?}");
    assert!(run("Tiếp nhận 89 đơn, trong đó: khiếu nại 14 đơn, tố cáo 3 đơn, kiến nghị, phản ánh 72 đơn.\n").is_empty());
    // a partial "trong đó" may be short of its whole
    assert!(run("Tiếp nhận 89 đơn, trong đó có 12 đơn đông người, 5 đơn vượt cấp.\n").is_empty());
    // a total after its parts
    let f =
        explained("Bí thư Đảng ủy tiếp 12 cuộc, Chủ tịch UBND tiếp 19 cuộc, tổng cộng 30 cuộc.\n");
    assert_eq!(kinds(&f), [Kind::SumMismatch]);
    assert!(
        run("Bí thư Đảng ủy tiếp 12 cuộc, Chủ tịch UBND tiếp 19 cuộc, tổng cộng 31 cuộc.\n")
            .is_empty()
    );
    // parts of a small whole larger than it
    assert_eq!(
        kinds(&explained(
            "Tổ chức 6 cuộc đối thoại, trong đó Bí thư chủ trì 8 cuộc.\n"
        )),
        [Kind::FractionOverWhole]
    );
    assert_eq!(
        kinds(&explained("Có 12/10 xã hoàn thành.\n")),
        [Kind::FractionOverWhole]
    );
}

#[test]
fn lists_under_a_total_read_malformed_numbers() {
    let list = "Tổng số kinh phí hỗ trợ: 22.075 triệu đồng; trong đó:\n\n- Người có công: 12.450 triệu đồng/2.970 người.\n\n- Người nghèo: 329.50 triệu đồng/440 người; cận nghèo: 1.124.5 triệu đồng/1.500 người.\n\n- Người lao động: 8.170 triệu đồng/5.924 người\n";
    let f = explained(list);
    assert_eq!(
        kinds(&f),
        [Kind::SumMismatch, Kind::NumberFormat, Kind::NumberFormat],
        "{f:?}"
    );
    assert!(
        f[0].message.contains("329,5") && f[0].message.contains("đọc là"),
        "{}",
        f[0].message
    );
    let ok = list.replace("8.170", "8.171");
    let sum = 12_450.0 + 329.5 + 1_124.5 + 8_171.0;
    assert_eq!(sum, 22_075.0);
    assert_eq!(kinds(&run(&ok)), [Kind::NumberFormat, Kind::NumberFormat]);
}

#[test]
fn counts_against_lists() {
    assert_eq!(
        kinds(&explained(
            "Kiểm tra tại 09 đơn vị: Trường A, Trường B, Công ty C.\n"
        )),
        [Kind::CountMismatch]
    );
    assert!(run("Kiểm tra tại 03 đơn vị: Trường A, Trường B và Công ty C.\n").is_empty());
    assert!(run("Tổ chức 4 hội nghị tại xã Đạ Long, Đạ M'Rông, Rô Men và Phi Liêng.\n").is_empty());
    assert!(run("Khen thưởng 02 doanh nghiệp: Công ty TNHH Xây dựng và Thương mại Hoàng Long, Công ty cổ phần Sông Đà.\n").is_empty());
    assert_eq!(
        kinds(&explained(
            "Kiện toàn 05 đồng chí: ông Nguyễn Văn An, bà Trần Thị Bình, ông Lê Văn Cường, bà Phạm Thị Dung.\n"
        )),
        [Kind::CountMismatch]
    );
}

#[test]
fn body_against_its_footnote() {
    let text = "Mặt trận đăng ký các nội dung giám sát tại địa phương⁽²⁾. Trong 06 tháng đầu năm 2022, đã tiến hành giám sát được 02 cuộc, phản biện xã hội được 01 cuộc theo kế hoạch đề ra.\n\n⁽²⁾ Về giám sát (13 cuộc): Ủy ban MTTQ Việt Nam huyện 04 cuộc; Hội Nông dân huyện 09 cuộc.\n\n* Về phản biện xã hội (02 cuộc): Ủy ban MTTQ phản biện dự thảo Nghị quyết.\n";
    let f = explained(text);
    assert_eq!(
        kinds(&f),
        [Kind::Contradiction, Kind::Contradiction],
        "{f:?}"
    );
    assert!(
        run(&text
            .replace("02 cuộc, phản", "13 cuộc, phản")
            .replace("01 cuộc theo", "02 cuộc theo"))
        .is_empty()
    );
}

#[test]
fn appendix_against_body() {
    let text = "Năm 2020, Khối MTTQ đã hoàn thành thực hiện 04 hoạt động giám sát, cụ thể: giám sát hộ nghèo.\n\nPHỤ LỤC SỐ LIỆU\n\n8. Giám sát, phản biện của MTTQ, các tổ chức chính trị - xã hội\n\n- Số cuộc giám sát 06 cuộc/06 nội dung.\n";
    let f = explained(text);
    assert_eq!(kinds(&f), [Kind::Contradiction], "{f:?}");
    assert_eq!(f[0].line, 7);
    assert!(run(&text.replace("06 cuộc/06", "04 cuộc/04")).is_empty());
}

#[test]
fn malformed_numbers_and_what_is_not_a_figure() {
    let f = run(
        "- Người nghèo: 329.50 triệu đồng/440 người; cận nghèo: 1.124.5 triệu đồng/1.500 người; 300,267 nhân khẩu; 2,5 người.\n",
    );
    assert_eq!(kinds(&f), [Kind::NumberFormat; 4], "{f:?}");
    assert_eq!(
        f.iter().filter(|x| x.severity == Severity::Warning).count(),
        1
    );
    for quiet in [
        "UBND phường Lê Lợi, điện thoại: 0233.3852.123; fax 0233.3852.456.",
        "Quy mô bình quân 4,6 người/hộ; mỗi cán bộ tiếp 2,5 lượt/tháng.",
        "Qua hơn 16 năm thực hiện, 100% khu dân cư có hương ước.",
        "Xe biển kiểm soát 74A-123.45 chở 05 tấn gạo; số tài khoản 3711.0.1055.012.",
        "Theo mục 2.3.1 của đề cương và khoản 2 Điều 11; hồi 14:30 ngày 05/02/2026.",
    ] {
        assert!(
            run(&format!("{quiet}\n")).is_empty(),
            "{quiet}: {:?}",
            run(&format!("{quiet}\n"))
        );
    }
}

#[test]
fn same_indicator_in_summary_and_detail() {
    let text = "I. KHÁI QUÁT\n\nNăm 2024, toàn phường đã tiếp nhận 48 đơn thư khiếu nại.\n\nIII. KẾT QUẢ THỰC HIỆN\n\nCông tác giải quyết được chú trọng. Năm 2024, phường đã tiếp nhận 52 đơn thư khiếu nại, đều được phân loại.\n";
    let f = explained(text);
    assert_eq!(kinds(&f), [Kind::Contradiction], "{f:?}");
    assert!(run(&text.replace("52 đơn", "48 đơn")).is_empty());
}

#[test]
fn period_slips() {
    let head = "Hà Nội, ngày 10 tháng 12 năm 2024\n\nBÁO CÁO\n\nKết quả thực hiện quy chế dân chủ năm 2024\n\nIII. KẾT QUẢ THỰC HIỆN\n\n";
    let f = run(&format!(
        "{head}Năm 2023, phường tiếp nhận 26 đơn, đã giải quyết 26 đơn.\n"
    ));
    assert_eq!(kinds(&f), [Kind::PeriodMismatch], "{f:?}");
    assert!(
        run(&format!(
            "{head}Năm 2024, phường tiếp nhận 26 đơn, tăng 4 đơn so với năm 2023.\n"
        ))
        .is_empty()
    );
    let h1 = head
        .replace("năm 2024\n\nIII", "6 tháng đầu năm 2024\n\nIII")
        .replace("tháng 12", "tháng 6");
    let f = run(&format!("{h1}Tính đến 31/12/2024, đã tiếp nhận 14 đơn.\n"));
    assert_eq!(kinds(&f), [Kind::PeriodMismatch], "{f:?}");
    assert!(run(&format!("{h1}Tính đến 14/6/2024, đã tiếp nhận 14 đơn.\n")).is_empty());
}

#[test]
fn lower_char_is_the_first_lowercase_char() {
    for u in 0..0x1_0000u32 {
        if let Some(c) = char::from_u32(u) {
            let want = if c.is_ascii() {
                c.to_ascii_lowercase()
            } else if c.is_lowercase() {
                c
            } else {
                c.to_lowercase().next().unwrap_or(c)
            };
            assert_eq!(lower_char(c), want, "U+{u:04X}");
        }
    }
}

/// "Trong đó" opening a sentence or a line breaks down a figure of the sentence
/// before; the parts are a slip when their sum exceeds every figure of that
/// sentence in their unit (which figure they break down is not said).
#[test]
fn breakdown_opening_its_sentence_refers_to_the_sentence_before() {
    let slips = [
        "Tiếp nhận 21 đơn, đã giải quyết 17 đơn, còn lại 4 đơn chuyển kỳ sau.\nTrong đó có 3 đơn khiếu nại, 2 đơn tố cáo và 17 đơn kiến nghị, phản ánh.",
        "Tiếp nhận 21 đơn, đã giải quyết 17 đơn, còn lại 4 đơn. Trong đó có 3 đơn khiếu nại, 2 đơn tố cáo và 17 đơn kiến nghị.",
        "Tiếp nhận 21 đơn.\n- Trong đó: 3 đơn khiếu nại, 2 đơn tố cáo, 17 đơn kiến nghị.",
        "Xã có 11 thôn với 1.985 hộ. Trong đó 1.200 hộ người Kinh, 900 hộ đồng bào dân tộc thiểu số.",
        "Tổ chức 12 cuộc đối thoại với 450 lượt người tham dự. Cụ thể, 3 cuộc đột xuất, 10 cuộc định kỳ.",
    ];
    for text in slips {
        let f = run(text);
        let sums: Vec<&Finding> = f.iter().filter(|x| x.kind == Kind::SumMismatch).collect();
        assert_eq!(sums.len(), 1, "{text}: {f:?}");
        assert_explains_itself(sums[0]);
        let a = sums[0].arith.as_ref().unwrap();
        assert!(a.expected > a.stated, "{text}: {a:?}");
    }
    let quiet = [
        // the parts of the resolved ones, or of the received ones: both add up
        "Tiếp nhận 21 đơn, đã giải quyết 17 đơn. Trong đó 10 đơn đúng hạn, 7 đơn quá hạn.",
        "Tiếp nhận 21 đơn, đã giải quyết 17 đơn.\nTrong đó có 3 đơn khiếu nại, 2 đơn tố cáo và 16 đơn kiến nghị.",
        // short of one figure, under another: which whole is meant is not said
        "Tiếp nhận 21 đơn, đã giải quyết 17 đơn. Trong đó 10 đơn đúng hạn, 8 đơn quá hạn.",
        // one part only, another unit, a heading between
        "Tiếp nhận 21 đơn. Trong đó 15 đơn thuộc thẩm quyền.",
        "Tiếp nhận 21 đơn. Trong đó 30 lượt người được tiếp, 12 lượt đối thoại.",
        "1. Tiếp nhận 5 đơn\n2. Kết quả\nTrong đó có 3 đơn khiếu nại, 4 đơn kiến nghị.",
        // a breakdown word inside its sentence keeps its own whole
        "Tiếp nhận 21 đơn. Số đơn thuộc thẩm quyền 19 đơn, trong đó 12 đơn kiến nghị, 7 đơn khiếu nại.",
    ];
    for text in quiet {
        let f = run(text);
        assert!(
            f.iter().all(|x| x.kind != Kind::SumMismatch),
            "{text}: {f:?}"
        );
    }
}
