//! A small W3C WebDriver client for the browser tests: Debian's `chromedriver` drives a headless
//! Chromium with the network off (every host resolves nowhere, the proxy is a closed port), and
//! the tests click, read text, run scripts and take screenshots through it. Plain HTTP/1.1 over
//! a loopback socket with `serde_json`: no client crate, no async runtime.
#![allow(dead_code)] // each test file uses its own subset

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A browser session: the driver process and its session id. Both end when it is dropped.
pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
}

impl Browser {
    /// Starts `chromedriver` and a headless `chromium` (both paths found when the tests were
    /// built) in a window of `width x height`.
    pub fn start(chromium: &Path, chromedriver: &Path, width: u32, height: u32) -> Browser {
        // A driver that loses its session's start (its connection reset while it launches
        // Chromium, seen twice on a loaded 2-core CI machine) is ended with its browser, and
        // another started: a failed start is not what these tests test.
        let mut failures = Vec::new();
        for _ in 0..3 {
            let mut b = Self::launch(chromedriver);
            match b.new_session(chromium, width, height) {
                Ok(session) => {
                    b.session = session;
                    return b;
                }
                Err(e) => failures.push(e),
            }
        }
        panic!("no browser session in three tries: {failures:?}");
    }

    /// A `chromedriver` listening on a loopback port of its own.
    fn launch(chromedriver: &Path) -> Browser {
        // A port another program takes between our choosing it and the driver's binding it
        // ends that driver at once: then another port.
        let (driver, port) = (0..5)
            .find_map(|_| {
                let port = free_port();
                // Its own process group, so that the browser it starts ends with it (`Drop`).
                let mut driver = Command::new(chromedriver)
                    .process_group(0)
                    .arg(format!("--port={port}"))
                    .env_remove("LD_LIBRARY_PATH")
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("chromedriver starts");
                let deadline = Instant::now() + Duration::from_secs(20);
                loop {
                    if let Ok(Some(_)) = driver.try_wait() {
                        return None;
                    }
                    // Something listens there; it is ours only if our driver is still running
                    // and answers as a WebDriver (another test's Chromium may have taken the
                    // port for its DevTools socket, and our driver then exited).
                    if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                        if matches!(driver.try_wait(), Ok(None)) && is_webdriver(port) {
                            return Some((driver, port));
                        }
                        let _ = driver.kill();
                        let _ = driver.wait();
                        return None;
                    }
                    if Instant::now() > deadline {
                        let _ = driver.kill();
                        let _ = driver.wait();
                        return None;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            })
            .expect("chromedriver listens on a loopback port");
        Browser {
            driver,
            port,
            session: String::new(),
        }
    }

    /// A session of headless Chromium in a window of `width x height`: its id.
    fn new_session(&mut self, chromium: &Path, width: u32, height: u32) -> Result<String, String> {
        let mut options = json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--no-first-run", "--host-resolver-rules=MAP * ~NOTFOUND",
                "--proxy-server=http://127.0.0.1:9",
                format!("--window-size={},{height}", width.max(500)),
            ],
        });
        // A window narrower than Chromium's smallest (500) is a phone's screen, emulated.
        if width < 500 {
            options["mobileEmulation"] = json!({ "deviceMetrics": {
                "width": width, "height": height, "pixelRatio": 1.0, "touch": true,
            }});
        }
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:loggingPrefs": { "browser": "ALL" },
            "goog:chromeOptions": options,
        }}});
        let v = exchange(self.port, "POST", "/session", Some(&caps))?;
        v["sessionId"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("no session: {v}"))
    }

    fn request(&mut self, method: &str, path: &str, body: Option<&Value>) -> Value {
        exchange(self.port, method, path, body).unwrap_or_else(|e| panic!("{e}"))
    }

    fn url(&self, tail: &str) -> String {
        format!("/session/{}{tail}", self.session)
    }

    /// Opens `url`.
    pub fn open(&mut self, url: &str) {
        let path = self.url("/url");
        self.request("POST", &path, Some(&json!({ "url": url })));
    }

    /// Runs `script` (a function body; `arguments` are `args`) and returns its value.
    pub fn run(&mut self, script: &str, args: Value) -> Value {
        let path = self.url("/execute/sync");
        self.request(
            "POST",
            &path,
            Some(&json!({ "script": script, "args": args })),
        )
    }

    /// Waits until `script` returns `true`, polling, for at most `secs` seconds.
    pub fn wait_for(&mut self, script: &str, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if self.run(script, json!([])) == json!(true) {
                return;
            }
            assert!(Instant::now() < deadline, "waited {secs} s for: {script}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The element with `data-testid` `id`.
    fn element(&mut self, id: &str) -> String {
        let path = self.url("/element");
        let v = self.request(
            "POST",
            &path,
            Some(&json!({ "using": "css selector", "value": format!("[data-testid=\"{id}\"]") })),
        );
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {id}: {v}"))
            .to_string()
    }

    /// Clicks the element with `data-testid` `id`, as a user would.
    pub fn click(&mut self, id: &str) {
        let e = self.element(id);
        let path = self.url(&format!("/element/{e}/click"));
        self.request("POST", &path, Some(&json!({})));
    }

    /// The text of the element with `data-testid` `id`.
    pub fn text(&mut self, id: &str) -> String {
        let e = self.element(id);
        let path = self.url(&format!("/element/{e}/text"));
        self.request("GET", &path, None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// A PNG screenshot of the whole window.
    pub fn screenshot(&mut self) -> Vec<u8> {
        use base64::Engine as _;
        let path = self.url("/screenshot");
        let v = self.request("GET", &path, None);
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().expect("screenshot data"))
            .expect("base64 screenshot")
    }

    /// The browser's console messages since the last call (level, text).
    pub fn console(&mut self) -> Vec<(String, String)> {
        let path = self.url("/se/log");
        let v = self.request("POST", &path, Some(&json!({ "type": "browser" })));
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|m| {
                        (
                            m["level"].as_str().unwrap_or_default().to_string(),
                            m["message"].as_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let path = format!("/session/{}", self.session);
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                self.request("DELETE", &path, None)
            }));
        }
        // The driver and every browser process it started, even when the session could not
        // be ended above (a test that failed midway).
        if let Ok(pid) = i32::try_from(self.driver.id()) {
            // SAFETY: signalling a process group by id has no memory-safety preconditions.
            unsafe { libc::kill(-pid, libc::SIGKILL) };
        }
        let _ = self.driver.wait();
    }
}

/// One request to the driver on `port` and its answer's `value`, or what went wrong.
fn exchange(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let io = |e: std::io::Error| format!("{method} {path}: driver connection: {e}");
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(io)?;
    s.set_read_timeout(Some(Duration::from_secs(120)))
        .map_err(io)?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .map_err(io)?;
    // The head, then as many body bytes as it announces (the driver keeps connections open).
    let mut response = Vec::new();
    let mut buf = [0u8; 65536];
    let body_at = loop {
        let n = s.read(&mut buf).map_err(io)?;
        if n == 0 {
            return Err(format!("{method} {path}: the driver closed the connection"));
        }
        response.extend_from_slice(&buf[..n]);
        if let Some(i) = response.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&response[..body_at]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| format!("{method} {path}: no content length: {head}"))?;
    while response.len() < body_at + length {
        let n = s.read(&mut buf).map_err(io)?;
        if n == 0 {
            return Err(format!("{method} {path}: the response ended early"));
        }
        response.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&response[body_at..body_at + length]);
    let v: Value =
        serde_json::from_str(&text).map_err(|e| format!("{method} {path}: {e}: {text}"))?;
    if v["value"]["error"].is_string() {
        return Err(format!("{method} {path}: {}", v["value"]));
    }
    Ok(v["value"].clone())
}

/// Whether what listens on `port` answers `GET /status` as a WebDriver does (its answer names
/// `ready`; the driver may keep the connection open, so read only until then).
fn is_webdriver(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    if write!(s, "GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").is_err() {
        return false;
    }
    let (mut seen, mut buf) = (Vec::new(), [0u8; 4096]);
    while let Ok(n @ 1..) = s.read(&mut buf) {
        seen.extend_from_slice(&buf[..n]);
        if seen.windows(7).any(|w| w == b"\"ready\"") {
            return true;
        }
    }
    false
}

/// A loopback port nothing listens on, and that no other browser of this process was given: two
/// tests starting drivers at once could otherwise be handed the same port, the second driver
/// would fail to bind it, and its test would talk to the first test's driver until that one ends
/// (a connection reset in the middle of the second test).
fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let port = std::net::TcpListener::bind(("127.0.0.1", 0))
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}
