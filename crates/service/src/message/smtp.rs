//! Mail through an SMTP relay (RFC 5321), without a mail library: the few commands a relay on the
//! organization's own network needs (`EHLO`, `MAIL FROM`, `RCPT TO`, `DATA`, `QUIT`). The relay is
//! expected on a trusted network (the server itself or the department's mail gateway), which
//! carries the mail on over TLS; no credentials are sent, so none travel in clear text.
//!
//! Configured by `--smtp-url smtp://HOST:PORT` (or `DANGJIAN_SMTP_URL`), with the sender and the
//! recipients' mail domain: an account `zhangsan` receives at `zhangsan@DOMAIN`. Unset, no mail
//! is sent. Only the title and a link leave the system (see [`super::Channel`]).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use store::message::Outgoing;

use super::Channel;

/// Mail to `username@domain` through the relay at `host:port`.
pub struct SmtpChannel {
    pub addr: String,
    pub from: String,
    pub domain: String,
    /// The site's address, to make the message's link absolute (`https://dj.example.gov.cn`).
    pub site: String,
}

impl SmtpChannel {
    /// From `smtp://host[:port]` (port 25 when omitted); anything else is refused with a reason.
    pub fn from_url(url: &str, from: &str, domain: &str, site: &str) -> Result<SmtpChannel, String> {
        let rest = url.strip_prefix("smtp://").ok_or("邮件服务器地址须以 smtp:// 开头")?;
        let host = rest.trim_end_matches('/');
        if host.is_empty() || host.contains(['/', '@', '?', ' ']) {
            return Err("邮件服务器地址应为 smtp://主机:端口".into());
        }
        let addr = if host.rsplit_once(':').is_some_and(|(_, p)| p.parse::<u16>().is_ok()) {
            host.to_string()
        } else {
            format!("{host}:25")
        };
        for (v, what) in [(from, "发件地址"), (domain, "收件邮箱域名")] {
            if v.is_empty() || v.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>') {
                return Err(format!("{what}无效"));
            }
        }
        Ok(SmtpChannel { addr, from: from.into(), domain: domain.into(), site: site.trim_end_matches('/').into() })
    }

    /// The mail as sent: headers, then the title and the link (base64 UTF-8 subject).
    pub fn mail(&self, to: &Outgoing) -> String {
        let subject = base64(to.title.as_bytes());
        format!(
            "From: <{}>\r\nTo: <{}@{}>\r\nSubject: =?UTF-8?B?{subject}?=\r\nMIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            self.from,
            to.username,
            self.domain,
            wrap(&base64(
                format!(
                    "{}：\r\n\r\n基层党建工作平台有一条新消息：{}\r\n请登录平台查看：{}{}\r\n",
                    to.display_name, to.title, self.site, to.link
                )
                .as_bytes()
            ))
        )
    }
}

impl Channel for SmtpChannel {
    fn name(&self) -> &'static str {
        "smtp"
    }

    fn send(&self, to: &Outgoing) -> Result<(), String> {
        let e = |x: std::io::Error| format!("邮件服务器 {}：{x}", self.addr);
        let stream = TcpStream::connect(&self.addr).map_err(e)?;
        stream.set_read_timeout(Some(Duration::from_secs(30))).map_err(e)?;
        stream.set_write_timeout(Some(Duration::from_secs(30))).map_err(e)?;
        let mut w = stream.try_clone().map_err(e)?;
        let mut r = BufReader::new(stream);
        let expect = |r: &mut BufReader<TcpStream>, code: &str| -> Result<(), String> {
            loop {
                let mut line = String::new();
                r.read_line(&mut line).map_err(e)?;
                if !line.starts_with(code) {
                    return Err(format!("邮件服务器 {} 答复：{}", self.addr, line.trim()));
                }
                // multi-line replies continue with "250-"
                if line.as_bytes().get(3) != Some(&b'-') {
                    return Ok(());
                }
            }
        };
        expect(&mut r, "220")?;
        for (cmd, code) in [
            ("EHLO dangjian".to_string(), "250"),
            (format!("MAIL FROM:<{}>", self.from), "250"),
            (format!("RCPT TO:<{}@{}>", to.username, self.domain), "250"),
            ("DATA".to_string(), "354"),
        ] {
            write!(w, "{cmd}\r\n").map_err(e)?;
            expect(&mut r, code)?;
        }
        write!(w, "{}.\r\n", self.mail(to)).map_err(e)?;
        expect(&mut r, "250")?;
        write!(w, "QUIT\r\n").map_err(e)?;
        Ok(())
    }
}

fn base64(b: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::with_capacity(b.len().div_ceil(3) * 4);
    for c in b.chunks(3) {
        let n = (c[0] as u32) << 16 | (*c.get(1).unwrap_or(&0) as u32) << 8 | *c.get(2).unwrap_or(&0) as u32;
        for i in 0..4 {
            if i <= c.len() {
                s.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

fn wrap(s: &str) -> String {
    s.as_bytes().chunks(76).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relay_address_and_the_mail() {
        assert!(SmtpChannel::from_url("http://x", "a@b", "b", "").is_err());
        assert!(SmtpChannel::from_url("smtp://user@x", "a@b", "b", "").is_err());
        let c = SmtpChannel::from_url("smtp://relay.zzb.local", "dj@zzb.gov.cn", "zzb.gov.cn", "https://dj/").unwrap();
        assert_eq!(c.addr, "relay.zzb.local:25");
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        let m = Outgoing {
            id: 1,
            account_id: 2,
            username: "zhibu".into(),
            display_name: "某党支部".into(),
            title: "会议记录被退回".into(),
            link: "/life/records/7".into(),
            created_at: chrono::Utc::now(),
        };
        let mail = c.mail(&m);
        assert!(mail.contains("To: <zhibu@zzb.gov.cn>"), "{mail}");
        assert!(!mail.contains("会议记录被退回"), "UTF-8 is encoded");
    }
}
