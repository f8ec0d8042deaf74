//! A file of users to create at once (CSV): username, full name, e-mail, role,
//! unit code, temporary password. Every line is checked and every problem is
//! listed with its line number; a file with any problem is refused whole. The
//! use-case layer then checks what only the database knows (the unit exists and
//! is in the admin's scope, the username is free) and imports all or nothing.

use std::collections::HashMap;

use serde::Serialize;

use crate::access::Role;
use crate::error::Problem;
use crate::{CoreError, CoreResult, ErrorCode, text};

/// The columns of the file, in this order in the template shown to admins.
pub const CSV_HEADER: [&str; 6] = ["username", "full_name", "email", "role", "unit", "password"];

/// The smallest temporary password accepted.
pub const MIN_PASSWORD: usize = 8;

/// One user of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRecord {
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub unit_code: String,
    /// The temporary password (changed by the user at the first sign-in).
    #[serde(skip)]
    pub password: String,
}

/// Checks a username: unaccented letters, digits, `.`, `_`, `-`, at most 64.
pub fn check_username(username: &str) -> Result<(), String> {
    if username.is_empty()
        || username.len() > 64
        || !username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-')
    {
        return Err(
            "Tên đăng nhập chỉ gồm chữ không dấu, số, «.», «_», «-» (tối đa 64 ký tự)".into(),
        );
    }
    Ok(())
}

/// Checks an e-mail address (empty = none); returns it trimmed.
pub fn check_email(email: &str) -> Result<Option<String>, String> {
    let e = email.trim();
    if e.is_empty() {
        return Ok(None);
    }
    let ok = e.len() <= 254
        && !e.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, ',' | ';' | '<' | '>' | '"')
        })
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..")
        });
    if ok {
        Ok(Some(e.to_string()))
    } else {
        Err(format!("Địa chỉ thư điện tử «{e}» không hợp lệ"))
    }
}

/// A role written as its code (`reporter`) or its Vietnamese name (`Cán bộ báo
/// cáo`, with or without diacritics).
pub fn parse_role(s: &str) -> Option<Role> {
    let s = s.trim();
    Role::parse(&s.to_lowercase()).or_else(|| {
        let f = text::fold(s);
        Role::ALL
            .into_iter()
            .find(|r| text::fold(r.label_vi()) == f)
    })
}

fn refused(problems: Vec<Problem>) -> CoreError {
    CoreError::with_problems(
        ErrorCode::InvalidInput,
        format!(
            "Tệp người dùng có {} lỗi; không nhập người nào. Sửa các dòng dưới đây rồi nhập lại cả tệp.",
            problems.len()
        ),
        problems,
    )
}

/// Reads the file: every line checked, every problem listed; refused whole when
/// any line is bad. Never panics, whatever the input.
pub fn parse_csv(text: &str) -> CoreResult<Vec<(usize, UserRecord)>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_lowercase()).collect(),
        Err(e) => {
            return Err(refused(vec![Problem {
                line: 1,
                code: "csv",
                message: format!("Không đọc được dòng tiêu đề: {e}"),
            }]));
        }
    };
    let pos: Vec<Option<usize>> = CSV_HEADER
        .iter()
        .map(|h| headers.iter().position(|x| x == h))
        .collect();
    let mut problems = Vec::new();
    for (i, h) in CSV_HEADER.iter().enumerate() {
        // the e-mail column may be left out
        if pos[i].is_none() && *h != "email" {
            problems.push(Problem {
                line: 1,
                code: "header",
                message: format!(
                    "Thiếu cột «{h}» (dòng đầu phải là: {})",
                    CSV_HEADER.join(",")
                ),
            });
        }
    }
    if !problems.is_empty() {
        return Err(refused(problems));
    }
    let mut out = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for rec in rdr.records() {
        let r = match rec {
            Err(e) => {
                problems.push(Problem {
                    line: e.position().map_or(0, |p| p.line() as usize),
                    code: "csv",
                    message: format!("Dòng CSV không hợp lệ: {e}"),
                });
                continue;
            }
            Ok(r) => r,
        };
        let line = r.position().map_or(0, |p| p.line() as usize);
        if r.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |i: usize| pos[i].and_then(|p| r.get(p)).unwrap_or("").trim();
        let mut bad = |message: String| {
            problems.push(Problem {
                line,
                code: "user",
                message,
            })
        };
        let mut ok = true;
        let username = get(0).to_lowercase();
        if let Err(m) = check_username(&username) {
            bad(m);
            ok = false;
        } else if let Some(first) = seen.get(&username) {
            bad(format!(
                "Tên đăng nhập «{username}» đã có ở dòng {first} của tệp"
            ));
            ok = false;
        }
        let full_name = text::nfc(get(1));
        if full_name.is_empty() {
            bad("Thiếu họ tên".into());
            ok = false;
        }
        let email = match check_email(get(2)) {
            Ok(e) => e,
            Err(m) => {
                bad(m);
                ok = false;
                None
            }
        };
        let role = parse_role(get(3));
        if role.is_none() {
            bad(format!(
                "Vai trò «{}» không hợp lệ (reporter, office, viewer, admin hoặc Cán bộ báo cáo, Thường trực, Lãnh đạo, Quản trị)",
                get(3)
            ));
            ok = false;
        }
        let unit_code = get(4).to_string();
        if unit_code.is_empty() {
            bad("Thiếu mã đơn vị".into());
            ok = false;
        }
        let password = get(5).to_string();
        if password.chars().count() < MIN_PASSWORD {
            bad(format!("Mật khẩu tạm phải có ít nhất {MIN_PASSWORD} ký tự"));
            ok = false;
        }
        if !username.is_empty() {
            seen.entry(username.clone()).or_insert(line);
        }
        if let (true, Some(role)) = (ok, role) {
            out.push((
                line,
                UserRecord {
                    username,
                    full_name,
                    email,
                    role,
                    unit_code,
                    password,
                },
            ));
        }
    }
    if !problems.is_empty() {
        return Err(refused(problems));
    }
    if out.is_empty() {
        return Err(refused(vec![Problem {
            line: 0,
            code: "empty",
            message: "Tệp không có người dùng nào".into(),
        }]));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_good_file_and_a_bad_one() {
        let good = "\u{feff}username,full_name,email,role,unit,password\n\
                    CanBo.Xa1,Nguyễn Văn A,a@example.vn,reporter,N1,tam-thoi-123\n\
                    lanhdao2,Trần Thị B,,Lãnh đạo,T,tam-thoi-456\n";
        let recs = parse_csv(good).unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].1.username, "canbo.xa1");
        assert_eq!(recs[0].1.email.as_deref(), Some("a@example.vn"));
        assert_eq!(recs[1].1.role, Role::Viewer);
        assert_eq!(recs[1].0, 3, "line numbers of the file");
        assert_eq!(parse_role("can bo bao cao"), Some(Role::Reporter));

        let bad = "username,full_name,email,role,unit,password\n\
                   ok.user,Người Tốt,,office,T,mat-khau-tot\n\
                   có dấu,Tên,,reporter,N1,mat-khau-tot\n\
                   ok.user,Trùng,,reporter,N1,mat-khau-tot\n\
                   x,,khong-phai-thu,vua,,ngan\n";
        let e = parse_csv(bad).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        let lines: Vec<usize> = e.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [3, 4, 5, 5, 5, 5, 5], "{:#?}", e.problems);
        assert!(
            e.problems[1].message.contains("dòng 2"),
            "{:?}",
            e.problems[1]
        );
        assert!(e.message.contains("không nhập người nào"));

        let e = parse_csv("ten,ho_ten\na,b\n").unwrap_err();
        assert!(e.problems.iter().any(|p| p.message.contains("«username»")));
        assert!(parse_csv("username,full_name,role,unit,password\n").is_err());
        // the e-mail column may be left out
        assert_eq!(
            parse_csv("username,full_name,role,unit,password\na,A,viewer,T,12345678\n").unwrap()[0]
                .1
                .email,
            None
        );
    }

    proptest! {
        #[test]
        fn never_panics_on_any_text(s in "\\PC{0,400}") {
            let _ = parse_csv(&s);
        }

        #[test]
        fn never_panics_on_csv_like_lines(
            lines in proptest::collection::vec("[a-zA-Z0-9ăâđêôơưạảấầẩẫậ@.,;\"\\r\\n _-]{0,60}", 0..20),
            header in prop_oneof![
                Just("username,full_name,email,role,unit,password".to_string()),
                Just("username,full_name,role,unit,password".to_string()),
                "[a-z,_\"]{0,50}",
            ],
        ) {
            let text = format!("{header}\n{}", lines.join("\n"));
            match parse_csv(&text) {
                Ok(recs) => {
                    for (_, r) in recs {
                        prop_assert!(check_username(&r.username).is_ok());
                        prop_assert!(r.password.chars().count() >= MIN_PASSWORD);
                        prop_assert!(!r.full_name.is_empty());
                    }
                }
                Err(e) => prop_assert!(!e.problems.is_empty()),
            }
        }
    }
}
