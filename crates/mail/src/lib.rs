//! E-mail for qcdc: one SMTP sender ([`Mailer`]) built from a connection URL
//! (`smtp://host:port`, `smtp://user:pass@host:587?tls=required`,
//! `smtps://user:pass@host:465`) and a sender address. Messages are plain UTF-8
//! text with a Vietnamese subject (encoded by lettre). The use-case layer decides
//! what to send and records every outcome; this crate only talks SMTP.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// How to reach the SMTP server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailConfig {
    /// `smtp://host:port` (plain), `smtp://…?tls=required` (STARTTLS) or `smtps://…`.
    pub smtp_url: String,
    /// The sender, e.g. `Ban Dân vận tỉnh <bcd@example.vn>`.
    pub from: String,
    /// The address of qcdc as users reach it (links in messages), e.g.
    /// `https://qcdc.example.vn`.
    pub public_url: String,
}

/// An SMTP sender (cheap to clone; connections are opened per message).
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    config: MailConfig,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.server())
            .field("from", &self.config.from)
            .finish()
    }
}

impl Mailer {
    /// A sender for `config`; a bad URL or sender address is refused with a
    /// Vietnamese message.
    pub fn new(config: MailConfig) -> Result<Mailer, String> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| format!("Địa chỉ người gửi «{}» không hợp lệ: {e}", config.from))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.smtp_url)
            .map_err(|e| {
                format!(
                    "Địa chỉ máy chủ thư «{}» không hợp lệ: {e}",
                    redact(&config.smtp_url)
                )
            })?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        Ok(Mailer {
            transport,
            from,
            config,
        })
    }

    /// The server as shown to admins (the password hidden).
    pub fn server(&self) -> String {
        redact(&self.config.smtp_url)
    }

    /// The sender address.
    pub fn from(&self) -> &str {
        &self.config.from
    }

    /// The address of qcdc used in links.
    pub fn public_url(&self) -> &str {
        self.config.public_url.trim_end_matches('/')
    }

    /// Sends one plain-text message; the error is a Vietnamese sentence with the
    /// server's own words.
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| format!("địa chỉ người nhận «{to}» không hợp lệ: {e}"))?;
        let msg = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| format!("không tạo được thư: {e}"))?;
        self.transport.send(msg).await.map(|_| ()).map_err(|e| {
            tracing::warn!(error = %e, server = %self.server(), "mail not sent");
            format!("máy chủ thư không nhận: {e}")
        })
    }
}

/// Hides the password of a connection URL.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(a), Some(b)) if a < b => format!("{}://…{}", &url[..a], &url[b..]),
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_settings_are_refused_in_vietnamese() {
        let e = Mailer::new(MailConfig {
            smtp_url: "smtp://127.0.0.1:2525".into(),
            from: "không phải địa chỉ".into(),
            public_url: "http://x".into(),
        })
        .unwrap_err();
        assert!(e.contains("người gửi"), "{e}");
        let e = Mailer::new(MailConfig {
            smtp_url: "ftp://x".into(),
            from: "a@b.vn".into(),
            public_url: "http://x".into(),
        })
        .unwrap_err();
        assert!(e.contains("máy chủ thư"), "{e}");
        assert_eq!(
            redact("smtps://u:secret@mail.example.vn:465"),
            "smtps://…@mail.example.vn:465"
        );
    }
}
