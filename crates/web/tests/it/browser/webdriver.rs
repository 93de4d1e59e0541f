//! A minimal W3C WebDriver client over plain HTTP/1.1 to a local chromedriver: enough to drive a
//! journey and take screenshots, without a browser-automation dependency tree.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The chromedriver and Chromium of Debian's packages (`chromium`, `chromium-driver`).
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";

fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect chromedriver: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(60))).ok();
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
        payload.len()
    );
    s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
    // chromedriver keeps the connection open: read the head, then exactly Content-Length bytes
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("connection closed before the response head".into());
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or("no Content-Length")?;
    while raw.len() < head_end + len {
        let n = s.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let body = String::from_utf8_lossy(&raw[head_end..]).into_owned();
    let v: Value = serde_json::from_str(&body).map_err(|e| format!("{e}: {body}"))?;
    if let Some(err) = v["value"].get("error") {
        return Err(format!("{method} {path}: {err} {}", v["value"]["message"]));
    }
    Ok(v["value"].clone())
}

/// A running chromedriver with one browser session; both end on drop.
pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    /// Start chromedriver and a headless Chromium with the flags this machine needs (no network
    /// beyond localhost, no sandbox as root, a fresh profile).
    pub fn start(width: u32, height: u32) -> Result<Browser, String> {
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("start {CHROMEDRIVER}: {e}"))?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while http(port, "GET", "/status", None).map(|v| v["ready"] != json!(true)).unwrap_or(true) {
            if Instant::now() > deadline {
                return Err("chromedriver did not become ready".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().map_err(|e| e.to_string())?;
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", format!("--user-data-dir={}", profile.path().display()),
                    format!("--window-size={width},{height}"), "--lang=zh-CN"
                ]
            }
        }}});
        let mut b = Browser { driver, port, session: String::new(), _profile: profile };
        let v = http(port, "POST", "/session", Some(&caps))?;
        b.session = v["sessionId"].as_str().ok_or("no session id")?.to_string();
        Ok(b)
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        http(self.port, method, &format!("/session/{}{path}", self.session), body.as_ref())
    }

    pub fn goto(&self, url: &str) -> Result<(), String> {
        self.cmd("POST", "/url", Some(json!({ "url": url }))).map(|_| ())
    }

    pub fn url(&self) -> Result<String, String> {
        Ok(self.cmd("GET", "/url", None)?.as_str().unwrap_or_default().to_string())
    }

    pub fn source(&self) -> Result<String, String> {
        Ok(self.cmd("GET", "/source", None)?.as_str().unwrap_or_default().to_string())
    }

    /// The first element matching a CSS selector.
    pub fn find(&self, css: &str) -> Result<String, String> {
        let v = self.cmd("POST", "/element", Some(json!({"using": "css selector", "value": css})))?;
        v[ELEMENT].as_str().map(str::to_string).ok_or_else(|| format!("no element {css}"))
    }

    /// The first link whose text contains `text`.
    pub fn link(&self, text: &str) -> Result<String, String> {
        let v = self.cmd("POST", "/element", Some(json!({"using": "partial link text", "value": text})))?;
        v[ELEMENT].as_str().map(str::to_string).ok_or_else(|| format!("no link {text}"))
    }

    pub fn click(&self, el: &str) -> Result<(), String> {
        self.cmd("POST", &format!("/element/{el}/click"), Some(json!({}))).map(|_| ())
    }

    pub fn clear(&self, el: &str) -> Result<(), String> {
        self.cmd("POST", &format!("/element/{el}/clear"), Some(json!({}))).map(|_| ())
    }

    pub fn type_into(&self, el: &str, text: &str) -> Result<(), String> {
        self.cmd("POST", &format!("/element/{el}/value"), Some(json!({ "text": text }))).map(|_| ())
    }

    /// Fill the field matching `css` with `text` (cleared first).
    pub fn fill(&self, css: &str, text: &str) -> Result<(), String> {
        let el = self.find(css)?;
        self.clear(&el)?;
        self.type_into(&el, text)
    }

    /// Save a PNG of the viewport.
    pub fn screenshot(&self, to: &Path) -> Result<(), String> {
        use base64::Engine;
        let v = self.cmd("GET", "/screenshot", None)?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .map_err(|e| e.to_string())?;
        std::fs::write(to, png).map_err(|e| e.to_string())
    }

    /// Save the page as the browser prints it (print styles, A4 paper) to a PDF; the number of
    /// pages.
    pub fn print_pdf(&self, to: &Path) -> Result<usize, String> {
        use base64::Engine;
        let v = self.cmd(
            "POST",
            "/print",
            Some(json!({"page": {"width": 21.0, "height": 29.7}, "margin": {"top": 0, "bottom": 0, "left": 0, "right": 0}})),
        )?;
        let pdf = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .map_err(|e| e.to_string())?;
        std::fs::write(to, &pdf).map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&pdf);
        Ok(text.matches("/Type /Page").count() - text.matches("/Type /Pages").count())
    }

    /// Run a script in the page (for what typing cannot do portably, such as a date input's
    /// value, whose typed form depends on the browser's locale).
    pub fn execute(&self, script: &str) -> Result<Value, String> {
        self.cmd("POST", "/execute/sync", Some(json!({ "script": script, "args": [] })))
    }

    /// Set a cookie for the current page's site (a session made in the store, for an account
    /// whose sign-in asks for a second factor).
    pub fn add_cookie(&self, name: &str, value: &str) -> Result<(), String> {
        self.cmd("POST", "/cookie", Some(json!({ "cookie": { "name": name, "value": value, "path": "/" } })))
            .map(|_| ())
    }

    /// A Chrome DevTools command through chromedriver (`goog/cdp/execute`): print media
    /// emulation, printing to PDF as the page's `@page` rules ask.
    pub fn cdp(&self, cmd: &str, params: Value) -> Result<Value, String> {
        self.cmd("POST", "/goog/cdp/execute", Some(json!({ "cmd": cmd, "params": params })))
    }

    pub fn resize(&self, width: u32, height: u32) -> Result<(), String> {
        self.cmd("POST", "/window/rect", Some(json!({"width": width, "height": height}))).map(|_| ())
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.cmd("DELETE", "", None);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}
