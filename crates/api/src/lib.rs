//! The JSON API of qcdc (axum). Handlers are thin: they parse input, call the
//! use-case layer (which authorizes and owns the transaction) and answer JSON.
//!
//! Every route is declared once, in [`routes`], with its method, path, summary,
//! access and body limit; the router and the OpenAPI document are both made from
//! that list, so a route cannot exist undocumented (and tests walk the same list).

mod auth;
pub mod documents;
mod error;
pub mod guard;
mod handlers;
mod openapi;
pub mod registers;

use axum::Router;
use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, post, put};
use qcdc_app::App;

pub use auth::Peer;
pub use error::{ApiError, status_of};
pub use openapi::document as openapi_document;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
}

/// Who may call a route before the use case decides on the unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No sign-in (health, the OpenAPI document, sign-in, periods).
    Public,
    /// A bearer token; the use case checks the role over the unit.
    SignedIn,
}

/// The body a route reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    None,
    Json,
    /// Raw bytes of a file (CSV, JSON, TOML, .docx, .txt).
    File,
}

/// What a route answers with status 200.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Produces {
    Json,
    /// A DOCX or PDF document (`?format=docx|pdf`), as an attachment.
    Document,
    /// An .xlsx workbook, as an attachment.
    Xlsx,
}

/// One route of the API.
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub summary: &'static str,
    pub tag: &'static str,
    pub access: Access,
    /// The role the use case requires, in words (documented in OpenAPI).
    pub rights: &'static str,
    pub query: &'static [(&'static str, &'static str)],
    pub body: BodyKind,
    /// Largest body accepted, in bytes.
    pub limit: usize,
    pub produces: Produces,
    pub handler: MethodRouter<AppState>,
}

const KB: usize = 1024;
const MB: usize = 1024 * KB;
const PAGE: [(&str, &str); 2] = [
    ("page", "trang (từ 1)"),
    ("per_page", "số dòng mỗi trang (tối đa 500)"),
];

macro_rules! route {
    ($m:ident $path:literal, $h:expr, $summary:literal, $tag:literal, $access:ident, $rights:literal, $query:expr, $body:ident, $limit:expr) => {
        route!($m $path, $h, $summary, $tag, $access, $rights, $query, $body, $limit, Json)
    };
    ($m:ident $path:literal, $h:expr, $summary:literal, $tag:literal, $access:ident, $rights:literal, $query:expr, $body:ident, $limit:expr, $produces:ident) => {
        Route {
            method: Method::$m,
            path: $path,
            summary: $summary,
            tag: $tag,
            access: Access::$access,
            rights: $rights,
            query: $query,
            body: BodyKind::$body,
            limit: $limit,
            produces: Produces::$produces,
            handler: route!(@router $m, $h),
        }
    };
    (@router GET, $h:expr) => { get($h) };
    (@router POST, $h:expr) => { post($h) };
    (@router PUT, $h:expr) => { put($h) };
    (@router DELETE, $h:expr) => { delete($h) };
}

/// Every route of the API.
pub fn routes() -> Vec<Route> {
    use handlers::*;
    const UNITS_Q: &[(&str, &str)] = &[
        ("q", "tìm theo tên hoặc mã, có hoặc không dấu"),
        ("active_on", "chỉ đơn vị còn hiệu lực vào ngày dd/mm/yyyy"),
        ("kind", "loại đơn vị (commune, ward, agency, …)"),
        ("under", "chỉ đơn vị bên dưới đơn vị có mã này"),
        PAGE[0],
        PAGE[1],
    ];
    const STATUS_Q: &[(&str, &str)] = &[
        ("unit", "phạm vi: mã đơn vị (mặc định đơn vị ra yêu cầu)"),
        (
            "status",
            "lọc theo trạng thái (not_started, draft, submitted, returned, accepted)",
        ),
        ("kind", "lọc theo loại đơn vị"),
        ("q", "tìm theo tên đơn vị, có hoặc không dấu"),
        ("missing", "true: chỉ đơn vị chưa nộp"),
        PAGE[0],
        PAGE[1],
    ];
    const DOC_Q: &[(&str, &str)] = &[
        ("format", "docx (mặc định) hoặc pdf"),
        ("draft", "true: bản dự thảo không số từ số liệu hiện tại"),
    ];
    vec![
        route!(GET "/api/v1/health", health, "Tình trạng máy chủ (còn chạy)", "system", Public, "", &[], None, 0),
        route!(GET "/api/v1/ready", ready, "Sẵn sàng phục vụ: cơ sở dữ liệu nhận ghi (503 khi đĩa đầy, chỉ đọc hoặc mất kết nối)", "system", Public, "", &[], None, 0),
        route!(GET "/api/v1/openapi.json", openapi, "Tài liệu OpenAPI này", "system", Public, "", &[], None, 0),
        route!(POST "/api/v1/auth/token", token, "Đăng nhập, nhận mã truy cập", "auth", Public, "", &[], Json, 16 * KB),
        route!(DELETE "/api/v1/auth/token", revoke, "Đăng xuất (hủy mã truy cập đang dùng)", "auth", SignedIn, "", &[], None, 0),
        route!(GET "/api/v1/me", me, "Tài khoản đang đăng nhập và vai trò", "auth", SignedIn, "", &[], None, 0),
        route!(GET "/api/v1/todo", todo, "Việc cần làm: các đợt đang mở gửi tới đơn vị của tài khoản", "rounds", SignedIn, "cán bộ báo cáo, thường trực", &[], None, 0),
        route!(GET "/api/v1/units", list_units, "Danh sách đơn vị trong phạm vi của tài khoản", "units", SignedIn, "mọi vai trò, trong phạm vi", UNITS_Q, None, 0),
        route!(GET "/api/v1/units/export", export_units, "Xuất đơn vị (CSV hoặc JSON)", "units", SignedIn, "mọi vai trò, trong phạm vi", &[("format", "csv hoặc json")], None, 0),
        route!(POST "/api/v1/units/import", import_units, "Nhập đơn vị (CSV hoặc JSON); tệp có lỗi bị từ chối toàn bộ", "units", SignedIn, "quản trị; đơn vị cấp trên cũ và mới phải trong phạm vi", &[], File, 16 * MB),
        route!(GET "/api/v1/units/{code}", get_unit, "Một đơn vị và các đơn vị trực thuộc", "units", SignedIn, "xem đơn vị", &[], None, 0),
        route!(GET "/api/v1/templates", list_templates, "Các mẫu báo cáo", "templates", SignedIn, "", &[], None, 0),
        route!(POST "/api/v1/templates", import_template, "Nhập một phiên bản mẫu (TOML)", "templates", SignedIn, "quản trị đơn vị cấp cao nhất", &[], File, MB),
        route!(GET "/api/v1/templates/{code}", get_template, "Một mẫu báo cáo", "templates", SignedIn, "", &[("version", "phiên bản (mặc định mới nhất)")], None, 0),
        route!(GET "/api/v1/periods/{period}", get_period, "Kỳ báo cáo và thời điểm chốt số liệu (NĐ 09/2019)", "rounds", Public, "", &[], None, 0),
        route!(GET "/api/v1/rounds", list_rounds, "Các đợt báo cáo tài khoản được xem", "rounds", SignedIn, "", &[("open", "true: chỉ đợt đang mở"), PAGE[0], PAGE[1]], None, 0),
        route!(POST "/api/v1/rounds", create_round, "Tạo đợt báo cáo", "rounds", SignedIn, "thường trực của đơn vị ra yêu cầu", &[], Json, 256 * KB),
        route!(GET "/api/v1/rounds/{id}", get_round, "Một đợt báo cáo", "rounds", SignedIn, "xem đơn vị ra yêu cầu hoặc là đơn vị nhận", &[], None, 0),
        route!(POST "/api/v1/rounds/{id}/close", close_round, "Kết thúc đợt", "rounds", SignedIn, "thường trực của đơn vị ra yêu cầu", &[], None, 0),
        route!(POST "/api/v1/rounds/{id}/reopen", reopen_round, "Mở lại đợt", "rounds", SignedIn, "thường trực của đơn vị ra yêu cầu", &[], None, 0),
        route!(POST "/api/v1/rounds/{id}/deadline", extend_deadline, "Gia hạn nộp cho mọi đơn vị {\"deadline\": \"dd/mm/yyyy\", \"reason\": …}; lý do ghi vào lịch sử đợt", "rounds", SignedIn, "thường trực của đơn vị ra yêu cầu", &[], Json, 16 * KB),
        route!(POST "/api/v1/rounds/{id}/submissions/{unit}/deadline", extend_unit_deadline, "Gia hạn riêng cho một đơn vị chưa nộp (sau hạn chung); đơn vị nhận thông báo, lý do ghi vào lịch sử đợt", "rounds", SignedIn, "thường trực của đơn vị ra yêu cầu", &[], Json, 16 * KB),
        route!(GET "/api/v1/rounds/{id}/history", round_history, "Lịch sử đợt: tạo, kết thúc, mở lại, gia hạn, nhắc nộp", "rounds", SignedIn, "xem đơn vị ra yêu cầu", PAGE.as_slice(), None, 0),
        route!(GET "/api/v1/rounds/{id}/reminders/schedule", reminder_schedule, "Lịch nhắc nộp báo cáo của đợt và tình trạng thư điện tử", "reminders", SignedIn, "thường trực của đơn vị ra yêu cầu", &[], None, 0),
        route!(PUT "/api/v1/rounds/{id}/reminders/schedule", set_reminder_schedule, "Sửa lịch nhắc {enabled, days_before, on_the_day, overdue_every, overdue_max}", "reminders", SignedIn, "thường trực của đơn vị ra yêu cầu", &[], Json, 16 * KB),
        route!(POST "/api/v1/rounds/{id}/reminders", send_reminders, "Nhắc ngay {\"target\": \"not_sent\" | \"overdue\" | \"unit\", \"unit\": mã}: thông báo trong ứng dụng và thư điện tử", "reminders", SignedIn, "thường trực của đơn vị ra yêu cầu", &[], Json, 16 * KB),
        route!(GET "/api/v1/notices", list_notices, "Thông báo của tài khoản (mới nhất trước) và số chưa đọc", "reminders", SignedIn, "", &[("limit", "số thông báo (tối đa 500)")], None, 0),
        route!(POST "/api/v1/notices/read", read_notices, "Đánh dấu đã đọc {\"id\": n} hoặc mọi thông báo ({})", "reminders", SignedIn, "", &[], Json, 16 * KB),
        route!(GET "/api/v1/review-queue", review_queue, "Việc của cơ quan: báo cáo chờ xem xét (cũ nhất trước), các đợt đang mở và số đơn vị chưa nộp", "rounds", SignedIn, "thường trực", &[], None, 0),
        route!(GET "/api/v1/rounds/{id}/status", round_status, "Tình hình nộp báo cáo theo phạm vi một đơn vị", "rounds", SignedIn, "xem đơn vị phạm vi", STATUS_Q, None, 0),
        route!(GET "/api/v1/rounds/{id}/submissions/{unit}", get_submission, "Báo cáo của một đơn vị", "submissions", SignedIn, "xem đơn vị", &[], None, 0),
        route!(PUT "/api/v1/rounds/{id}/submissions/{unit}/draft", save_draft, "Lưu bản nháp (số liệu, nội dung)", "submissions", SignedIn, "báo cáo cho đơn vị", &[], Json, 4 * MB),
        route!(POST "/api/v1/rounds/{id}/submissions/{unit}/submit", submit, "Gửi báo cáo", "submissions", SignedIn, "báo cáo cho đơn vị", &[], None, 0),
        route!(POST "/api/v1/rounds/{id}/submissions/{unit}/return", return_submission, "Trả lại báo cáo kèm lý do", "submissions", SignedIn, "thường trực của đơn vị ra yêu cầu", &[], Json, 64 * KB),
        route!(POST "/api/v1/rounds/{id}/submissions/{unit}/accept", accept, "Tiếp nhận báo cáo", "submissions", SignedIn, "thường trực của đơn vị ra yêu cầu", &[], None, 0),
        route!(POST "/api/v1/rounds/{id}/submissions/{unit}/correction", correction, "Mở phiên bản điều chỉnh số liệu đã tiếp nhận", "submissions", SignedIn, "báo cáo cho đơn vị", &[], Json, 64 * KB),
        route!(GET "/api/v1/rounds/{id}/submissions/{unit}/history", history, "Các phiên bản và nhật ký thay đổi", "submissions", SignedIn, "xem đơn vị", PAGE.as_slice(), None, 0),
        route!(POST "/api/v1/rounds/{id}/submissions/{unit}/import", import_report, "Nhập báo cáo cũ (.docx, .txt) vào bản nháp", "submissions", SignedIn, "báo cáo cho đơn vị", &[], File, 32 * MB),
        route!(POST "/api/v1/check", check_report, "Kiểm tra một báo cáo (.docx, .txt)", "checker", SignedIn, "", &[], File, 32 * MB),
        route!(GET "/api/v1/rounds/{id}/consolidation/{unit}", consolidation, "Tổng hợp tại một đơn vị, so với cùng kỳ, chi tiết đơn vị trực thuộc", "consolidation", SignedIn, "xem đơn vị", &[("group", "nhóm chỉ tiêu cho bảng đơn vị trực thuộc"), ("page", "trang của bảng đơn vị trực thuộc"), ("per_page", "số đơn vị mỗi trang (tối đa 500)")], None, 0),
        route!(GET "/api/v1/rounds/{id}/consolidation/{unit}/values/{indicator}", per_unit, "Giá trị một chỉ tiêu của từng đơn vị bên dưới", "consolidation", SignedIn, "xem đơn vị", PAGE.as_slice(), None, 0),
        route!(GET "/api/v1/rounds/{id}/consolidation/{unit}/narrative", narrative, "Nội dung các đơn vị bên dưới theo đề cương (theo trang đơn vị)", "consolidation", SignedIn, "xem đơn vị", &[("section", "một mục của đề cương"), PAGE[0], PAGE[1]], None, 0),
        route!(POST "/api/v1/rounds/{id}/consolidation/{unit}/adopt", adopt, "Dùng số liệu tổng hợp làm bản nháp báo cáo gửi cấp trên", "consolidation", SignedIn, "thường trực và báo cáo cho đơn vị", &[], Json, 16 * KB),
        route!(GET "/api/v1/rounds/{id}/letter", documents::letter, "Công văn của đợt kèm đề cương và biểu mẫu (DOCX/PDF); đã phát hành thì có số", "documents", SignedIn, "xem đợt báo cáo", DOC_Q, None, 0, Document),
        route!(POST "/api/v1/rounds/{id}/letter/issue", documents::issue_letter, "Phát hành công văn: lấy số tiếp theo trong sổ văn bản đi", "documents", SignedIn, "thường trực của đơn vị ra yêu cầu", &[], None, 0),
        route!(GET "/api/v1/rounds/{id}/submissions/{unit}/document", documents::report, "Báo cáo của đơn vị (DOCX/PDF) kèm phụ lục số liệu", "documents", SignedIn, "xem đơn vị", DOC_Q, None, 0, Document),
        route!(POST "/api/v1/rounds/{id}/submissions/{unit}/document/issue", documents::issue_report, "Phát hành báo cáo của đơn vị: lấy số trong sổ văn bản đi của đơn vị", "documents", SignedIn, "báo cáo cho đơn vị", &[], None, 0),
        route!(GET "/api/v1/rounds/{id}/submissions/{unit}/form", documents::form_xlsx, "Biểu mẫu Excel của đơn vị (điền sẵn số liệu bản nháp)", "documents", SignedIn, "xem đơn vị", &[], None, 0, Xlsx),
        route!(POST "/api/v1/rounds/{id}/submissions/{unit}/form", documents::import_form, "Nộp biểu mẫu Excel vào bản nháp (toàn bộ hoặc không gì; liệt kê mọi ô lỗi)", "documents", SignedIn, "báo cáo cho đơn vị", &[], File, 5 * MB),
        route!(GET "/api/v1/rounds/{id}/consolidation/{unit}/document", documents::consolidated, "Báo cáo tổng hợp (DOCX/PDF): nội dung tổng hợp, số liệu so với cùng kỳ, tình hình nộp, bảng theo đơn vị", "documents", SignedIn, "xem đơn vị", DOC_Q, None, 0, Document),
        route!(GET "/api/v1/rounds/{id}/consolidation/{unit}/draft", documents::consolidated_draft, "Dự thảo nội dung báo cáo tổng hợp (ghép từ báo cáo đã tiếp nhận, hoặc bản đã sửa)", "documents", SignedIn, "xem đơn vị", &[], None, 0),
        route!(PUT "/api/v1/rounds/{id}/consolidation/{unit}/draft", documents::save_consolidated_draft, "Lưu nội dung báo cáo tổng hợp đã sửa {\"sections\": {mục: nội dung}}", "documents", SignedIn, "thường trực của đơn vị", &[], Json, 4 * MB),
        route!(POST "/api/v1/rounds/{id}/consolidation/{unit}/issue", documents::issue_consolidated, "Phát hành báo cáo tổng hợp: lấy số trong sổ văn bản đi", "documents", SignedIn, "thường trực của đơn vị", &[], None, 0),
        route!(GET "/api/v1/rounds/{id}/consolidation/{unit}/xlsx", documents::consolidation_xlsx, "Tổng hợp dạng Excel: số liệu, so với cùng kỳ, bảng theo đơn vị, tình hình nộp", "documents", SignedIn, "xem đơn vị", &[], None, 0, Xlsx),
        route!(GET "/api/v1/units/{code}/document-settings", documents::get_settings, "Thiết lập văn bản của đơn vị (thể thức, tên cơ quan, ký hiệu, địa danh, người ký)", "documents", SignedIn, "xem đơn vị", &[], None, 0),
        route!(PUT "/api/v1/units/{code}/document-settings", documents::save_settings, "Sửa thiết lập văn bản của đơn vị", "documents", SignedIn, "quản trị đơn vị", &[], Json, 16 * KB),
        route!(GET "/api/v1/units/{code}/petitions", registers::list_petitions, "Sổ theo dõi đơn: đơn của đơn vị (hoặc cả cây con) kèm hạn xử lý; cấp trên không thấy họ tên người gửi", "registers", SignedIn, "xem đơn vị", &[("subtree", "true: cả các đơn vị bên dưới"), ("kind", "khieu_nai, to_cao, kien_nghi"), ("open", "true: chỉ đơn đang xử lý"), ("status", "on_track, due_soon, overdue"), ("q", "tìm theo một phần họ tên người gửi hoặc tóm tắt, có dấu hay không dấu (họ tên chỉ tìm ở đơn được xem họ tên)")], None, 0),
        route!(POST "/api/v1/units/{code}/petitions", registers::record_petition, "Ghi một đơn vào sổ; trả về các đơn có thể trùng", "registers", SignedIn, "cán bộ báo cáo, thường trực của chính đơn vị", &[], Json, 64 * KB),
        route!(GET "/api/v1/petitions/{petition}", registers::get_petition, "Một đơn, các bước xử lý và hạn; mỗi lần xem danh tính người tố cáo được ghi nhật ký", "registers", SignedIn, "xem đơn vị của đơn", &[], None, 0),
        route!(POST "/api/v1/petitions/{petition}/steps", registers::add_step, "Ghi một bước xử lý (thụ lý, không thụ lý, chuyển đơn, xác minh, đối thoại, gia hạn, kết luận, rút đơn, giải quyết lần hai); chuyển đơn cho đơn vị trong hệ thống: \"to_unit\": mã đơn vị — đơn vào sổ của đơn vị nhận kèm lịch sử", "registers", SignedIn, "cán bộ báo cáo, thường trực của đơn vị", &[], Json, 16 * KB),
        route!(GET "/api/v1/petitions/{petition}/forwarding", registers::forwarding, "Đơn được chuyển từ đâu (kèm các bước đơn vị chuyển đã ghi) và đã chuyển đến đơn vị nào trong hệ thống", "registers", SignedIn, "xem đơn vị của đơn", &[], None, 0),
        route!(GET "/api/v1/petitions/{petition}/duplicates", registers::duplicates, "Các đơn có thể trùng (cùng người gửi, nội dung tương tự, so không dấu)", "registers", SignedIn, "cán bộ báo cáo, thường trực của đơn vị", &[], None, 0),
        route!(GET "/api/v1/petitions/{petition}/case", registers::petition_case, "Vụ việc của một đơn và các đơn cùng vụ việc (null khi đơn chưa thuộc vụ việc nào); cấp trên không thấy tên vụ việc", "registers", SignedIn, "xem đơn vị của đơn", &[], None, 0),
        route!(GET "/api/v1/units/{code}/registers", registers::overview, "Các sổ theo dõi của đơn vị: số bản ghi mỗi sổ (của đơn vị và của cả cây con), số đơn quá hạn, sắp đến hạn", "registers", SignedIn, "xem đơn vị", &[], None, 0),
        route!(POST "/api/v1/cases", registers::link_case, "Gộp các đơn thành một vụ việc {\"petitions\": [id…], \"title\": …}", "registers", SignedIn, "cán bộ báo cáo, thường trực của đơn vị", &[], Json, 16 * KB),
        route!(GET "/api/v1/units/{code}/receptions", registers::list_receptions, "Sổ tiếp công dân của đơn vị (hoặc cả cây con)", "registers", SignedIn, "xem đơn vị", &[("from", "từ ngày dd/mm/yyyy (mặc định đầu năm)"), ("to", "đến ngày (mặc định hôm nay)"), ("subtree", "true: cả các đơn vị bên dưới")], None, 0),
        route!(POST "/api/v1/units/{code}/receptions", registers::record_reception, "Ghi một buổi tiếp công dân", "registers", SignedIn, "cán bộ báo cáo, thường trực của chính đơn vị", &[], Json, 16 * KB),
        route!(GET "/api/v1/units/{code}/receptions/compliance", registers::reception_compliance, "Người đứng đầu tiếp công dân đủ số ngày theo quy định chưa; tuần, tháng còn thiếu", "registers", SignedIn, "xem đơn vị", &[("from", "từ ngày dd/mm/yyyy"), ("to", "đến ngày dd/mm/yyyy")], None, 0),
        route!(GET "/api/v1/units/{code}/registers/{register}", registers::list_simple, "Sổ đối thoại (dialogues), kiểm tra, giám sát (inspections) hoặc mô hình «Dân vận khéo» (models) của đơn vị; mỗi mục kèm detail: người chủ trì, số vấn đề nêu và đã trả lời / cơ quan thực hiện (mã), đoàn, đơn vị được kiểm tra, kết quả, số kiến nghị và đã thực hiện / tập thể hay cá nhân, cấp (mã), năm đăng ký, khen thưởng — null ở mục ghi trước khi sổ có các chi tiết này", "registers", SignedIn, "xem đơn vị", &[("from", "từ ngày dd/mm/yyyy (mặc định đầu năm)"), ("to", "đến ngày (mặc định hôm nay)"), ("subtree", "true: cả các đơn vị bên dưới")], None, 0),
        route!(POST "/api/v1/units/{code}/registers/{register}", registers::record_simple, "Ghi một mục vào sổ đối thoại, kiểm tra giám sát hoặc mô hình «Dân vận khéo». Chung: on (dd/mm/yyyy), title (chủ đề / nội dung / tên mô hình). Đối thoại (dialogues): leader_name, leader_position, number (người tham dự), issues_raised, issues_answered (≤ issues_raised). Kiểm tra, giám sát (inspections): kind (inspection, supervision), body (committee, party, front, peoples_inspection, community_investment), team, inspected, findings, recommendations_made, recommendations_done (≤ recommendations_made). Mô hình (models): field, holder (collective, individual), level (commune, district — chỉ trước 01/07/2025, province, national), registered_year, commended (true/false), commended_by", "registers", SignedIn, "cán bộ báo cáo, thường trực của chính đơn vị", &[], Json, 16 * KB),
        route!(GET "/api/v1/calendar/{year}", registers::get_calendar, "Ngày nghỉ lễ, Tết và ngày làm bù của một năm", "registers", SignedIn, "", &[], None, 0),
        route!(PUT "/api/v1/calendar/{year}", registers::save_calendar, "Thay lịch ngày nghỉ của một năm {\"days\": [{date, day_type, name}]}", "registers", SignedIn, "quản trị đơn vị cấp cao nhất", &[], Json, 64 * KB),
        route!(GET "/api/v1/rounds/{id}/registers", registers::round_figures, "Số liệu đếm từ sổ theo dõi của mọi đơn vị nhận đợt (mỗi chỉ tiêu có nguồn một cột), đếm một lượt cho cả đợt", "registers", SignedIn, "xem cơ quan ra đợt", &[], None, 0),
        route!(GET "/api/v1/rounds/{id}/registers/{unit}", registers::round_prefill, "Số liệu đếm từ sổ theo dõi cho các chỉ tiêu có nguồn, trong khoảng chốt số liệu của đợt", "registers", SignedIn, "xem đợt và xem đơn vị", &[], None, 0),
        route!(GET "/api/v1/rounds/{id}/registers/{unit}/{indicator}", registers::source_records, "Các bản ghi trong sổ theo dõi tạo nên số liệu của một chỉ tiêu có nguồn (không kèm tên người)", "registers", SignedIn, "xem đợt và xem đơn vị", &[], None, 0),
        route!(GET "/api/v1/units/{code}/registers/{register}/excel", registers::export_book, "Xuất sổ theo dõi (petitions, receptions, dialogues, inspections, models) ra Excel theo bố cục nhập; người tố cáo được giữ bí mật", "registers", SignedIn, "xem đơn vị", &[], None, 0, Xlsx),
        route!(POST "/api/v1/units/{code}/registers/{register}/excel", registers::import_book, "Nhập sổ theo dõi (petitions, receptions, dialogues, inspections, models) từ Excel (toàn bộ hoặc không gì; liệt kê mọi dòng lỗi với số dòng)", "registers", SignedIn, "ghi sổ của đơn vị", &[], File, 5 * MB),
        route!(GET "/api/v1/users", list_users, "Người dùng trong phạm vi quản trị", "users", SignedIn, "quản trị", &[("q", "tìm theo tên, có hoặc không dấu"), PAGE[0], PAGE[1]], None, 0),
        route!(POST "/api/v1/users", create_user, "Tạo người dùng với vai trò", "users", SignedIn, "quản trị đơn vị được giao vai trò", &[], Json, 16 * KB),
        route!(POST "/api/v1/users/import", import_users, "Nhập người dùng từ CSV (username,full_name,email,role,unit,password; mật khẩu tạm phải đổi khi đăng nhập); tệp có lỗi bị từ chối toàn bộ", "users", SignedIn, "quản trị mọi đơn vị trong tệp", &[], File, 4 * MB),
        route!(POST "/api/v1/users/{username}/roles", grant_role, "Giao thêm vai trò cho người dùng", "users", SignedIn, "quản trị đơn vị được giao vai trò", &[], Json, 16 * KB),
        route!(POST "/api/v1/users/{username}/disable", disable_user, "Khóa tài khoản (các phiên và mã truy cập kết thúc)", "users", SignedIn, "quản trị mọi đơn vị người dùng có vai trò", &[], None, 0),
        route!(POST "/api/v1/users/{username}/enable", enable_user, "Mở khóa tài khoản", "users", SignedIn, "quản trị mọi đơn vị người dùng có vai trò", &[], None, 0),
        route!(POST "/api/v1/users/{username}/password", reset_password, "Đặt mật khẩu tạm (tự tạo khi không gửi password); người dùng phải đổi khi đăng nhập", "users", SignedIn, "quản trị mọi đơn vị người dùng có vai trò", &[], Json, 16 * KB),
        route!(GET "/api/v1/users/{username}/sign-ins", list_sign_ins, "Các phiên đăng nhập web và mã truy cập API còn hiệu lực của người dùng (loại, lúc tạo, lần dùng gần nhất; không bao giờ có mã bí mật)", "users", SignedIn, "quản trị mọi đơn vị người dùng có vai trò", &[], None, 0),
        route!(POST "/api/v1/users/{username}/sign-ins/revoke", revoke_sign_ins, "Thu hồi một phiên hoặc mã truy cập {\"id\": n}, hoặc tất cả ({})", "users", SignedIn, "quản trị mọi đơn vị người dùng có vai trò", &[], Json, 16 * KB),
        route!(PUT "/api/v1/users/{username}/email", set_email, "Đặt hoặc xóa (chuỗi rỗng) thư điện tử của người dùng", "users", SignedIn, "quản trị mọi đơn vị người dùng có vai trò", &[], Json, 16 * KB),
    ]
}

/// The API routes from [`routes`], without fallbacks (to merge with the pages).
pub fn routes_router(app: App) -> Router {
    let mut r: Router<AppState> = Router::new();
    for route in routes() {
        let limit = route.limit.max(KB);
        r = r.route(
            route.path,
            guard::guarded(route.handler, guard::render_json, limit),
        );
    }
    r.with_state(AppState { app })
}

/// The API alone, with JSON answers for unknown paths and methods.
pub fn router(app: App) -> Router {
    routes_router(app)
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed)
}

pub use handlers::{method_not_allowed as api_method_not_allowed, not_found as api_not_found};
