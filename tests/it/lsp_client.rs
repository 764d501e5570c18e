//! A tiny LSP client that drives the real `worklog-ls` binary over stdio.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Result<Value, String>>,
    next_id: i64,
    /// Notifications seen while waiting for something else.
    pub backlog: Vec<Value>,
    /// What `workspace/configuration` answers.
    pub settings: Value,
}

impl Client {
    pub fn spawn() -> Client {
        Client::spawn_with(&[])
    }

    /// The binary under test: `WORKLOG_LS_BIN` (e.g. an older build, to see
    /// a regression test fail) or this package's.
    pub fn binary() -> String {
        std::env::var("WORKLOG_LS_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_worklog-ls").to_string())
    }

    /// With extra environment variables (e.g. the test hooks).
    pub fn spawn_with(env: &[(&str, &str)]) -> Client {
        let mut cmd = Command::new(Client::binary());
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn worklog-ls");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                // Every byte on stdout must be protocol: headers, then a body.
                let mut len = None;
                loop {
                    let mut line = String::new();
                    match r.read_line(&mut line) {
                        Ok(0) => return,
                        Ok(_) => {}
                        Err(e) => {
                            let _ = tx.send(Err(e.to_string()));
                            return;
                        }
                    }
                    let l = line.trim_end();
                    if l.is_empty() {
                        break;
                    }
                    match l.split_once(": ") {
                        Some(("Content-Length", n)) => len = n.parse::<usize>().ok(),
                        Some(("Content-Type", _)) => {}
                        _ => {
                            let _ = tx.send(Err(format!("not protocol on stdout: {l:?}")));
                            return;
                        }
                    }
                }
                let Some(n) = len else {
                    let _ = tx.send(Err("missing Content-Length".into()));
                    return;
                };
                let mut body = vec![0; n];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                match serde_json::from_slice(&body) {
                    Ok(v) => {
                        if tx.send(Ok(v)).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(Err(format!("bad JSON body: {e}")));
                        return;
                    }
                }
            }
        });
        Client { child, stdin, rx, next_id: 1, backlog: Vec::new(), settings: Value::Null }
    }

    /// Writes raw bytes to the server's stdin.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    /// The next id `request` would use (for requests sent raw).
    pub fn take_id(&mut self) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Waits for the response with this id: `Ok(result)` or `Err(error)`.
    pub fn response(&mut self, id: &Value, wait: Duration) -> Option<Result<Value, Value>> {
        let deadline = Instant::now() + wait;
        if let Some(i) = self.backlog.iter().position(|m| m.get("id") == Some(id) && m.get("method").is_none()) {
            let m = self.backlog.remove(i);
            return Some(m.get("error").cloned().map_or_else(|| Ok(m["result"].clone()), Err));
        }
        loop {
            let m = self.recv(deadline)?;
            if m.get("id") == Some(id) && m.get("method").is_none() {
                return Some(m.get("error").cloned().map_or_else(|| Ok(m["result"].clone()), Err));
            }
            self.backlog.push(m);
        }
    }

    /// A request whose error is returned, not a panic.
    pub fn try_request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        let id = self.take_id();
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.response(&json!(id), TIMEOUT).unwrap_or_else(|| panic!("no answer to {method}"))
    }

    /// Waits for the process to end; its exit code.
    pub fn wait_exit(&mut self, wait: Duration) -> Option<i32> {
        let deadline = Instant::now() + wait;
        loop {
            if let Ok(Some(s)) = self.child.try_wait() {
                return Some(s.code().unwrap_or(-1));
            }
            if Instant::now() > deadline {
                return None;
            }
            if let Some(m) = self.recv(Instant::now() + Duration::from_millis(20)) {
                self.backlog.push(m);
            }
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The first message (seen before or arriving within `wait`) matching `pred`.
    pub fn message_where(&mut self, pred: impl Fn(&Value) -> bool, wait: Duration) -> Option<Value> {
        let deadline = Instant::now() + wait;
        if let Some(i) = self.backlog.iter().position(&pred) {
            return Some(self.backlog.remove(i));
        }
        loop {
            let m = self.recv(deadline)?;
            if pred(&m) {
                return Some(m);
            }
            self.backlog.push(m);
        }
    }

    /// A `window/logMessage` whose text contains `needle`.
    pub fn log_message(&mut self, needle: &str, wait: Duration) -> Option<String> {
        let deadline = Instant::now() + wait;
        let is_match =
            |m: &Value| m["method"] == "window/logMessage" && m["params"]["message"].as_str().is_some_and(|t| t.contains(needle));
        if let Some(i) = self.backlog.iter().position(is_match) {
            return self.backlog.remove(i)["params"]["message"].as_str().map(str::to_owned);
        }
        loop {
            let m = self.recv(deadline)?;
            if is_match(&m) {
                return m["params"]["message"].as_str().map(str::to_owned);
            }
            self.backlog.push(m);
        }
    }

    pub fn send(&mut self, v: &Value) {
        let body = serde_json::to_string(v).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body).unwrap();
        self.stdin.flush().unwrap();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Read one message, answering server→client requests on the way.
    fn recv(&mut self, deadline: Instant) -> Option<Value> {
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let msg = match self.rx.recv_timeout(left) {
                Ok(Ok(m)) => m,
                Ok(Err(e)) => panic!("{e}"),
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => return None,
            };
            if msg.get("method").is_some() && msg.get("id").is_some() {
                let result = match msg["method"].as_str() {
                    Some("workspace/configuration") => json!([self.settings.clone()]),
                    _ => Value::Null,
                };
                let id = msg["id"].clone();
                self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}));
                continue;
            }
            return Some(msg);
        }
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let m = self.recv(deadline).unwrap_or_else(|| panic!("no answer to {method}"));
            if m.get("id") == Some(&json!(id)) {
                if let Some(e) = m.get("error") {
                    panic!("{method} failed: {e}");
                }
                return m["result"].clone();
            }
            self.backlog.push(m);
        }
    }

    pub fn initialize(&mut self, root: &std::path::Path, utf8: bool) -> Value {
        self.initialize_with(root, utf8, true)
    }

    /// `watch`: whether the client offers to watch files for the server.
    pub fn initialize_with(&mut self, root: &std::path::Path, utf8: bool, watch: bool) -> Value {
        let uri = file_uri(root);
        let mut general = json!({});
        if utf8 {
            general = json!({"positionEncodings": ["utf-8", "utf-16"]});
        }
        let r = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri,
                "workspaceFolders": [{"uri": uri, "name": "ws"}],
                "capabilities": {
                    "general": general,
                    "textDocument": {"definition": {"linkSupport": true}},
                    "workspace": {"configuration": true, "didChangeWatchedFiles": {"dynamicRegistration": watch}},
                    "window": {"workDoneProgress": true}
                }
            }),
        );
        self.notify("initialized", json!({}));
        r
    }

    /// Wait for a `publishDiagnostics` for `uri` matching `pred`.
    pub fn diagnostics_where(&mut self, uri: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.try_diagnostics_where(uri, pred, TIMEOUT).unwrap_or_else(|| panic!("no matching diagnostics for {uri}"))
    }

    /// The same, giving up after `wait`.
    pub fn try_diagnostics_where(&mut self, uri: &str, pred: impl Fn(&Value) -> bool, wait: Duration) -> Option<Value> {
        let deadline = Instant::now() + wait;
        let is_match = |m: &Value| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri && pred(&m["params"]);
        if let Some(i) = self.backlog.iter().rposition(is_match) {
            let m = self.backlog.remove(i);
            return Some(m["params"].clone());
        }
        loop {
            let m = self.recv(deadline)?;
            if is_match(&m) {
                return Some(m["params"].clone());
            }
            self.backlog.push(m);
        }
    }

    /// Diagnostics for exactly this document version.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Value {
        self.diagnostics_where(uri, |p| p["version"] == version)
    }

    pub fn open(&mut self, uri: &str, text: &str, version: i64) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": version, "text": text}}),
        );
    }

    pub fn shutdown(mut self) -> i32 {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(Some(s)) = self.child.try_wait() {
                return s.code().unwrap_or(-1);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("server did not exit");
            }
            // Keep answering the server's own requests meanwhile.
            if let Some(m) = self.recv(Instant::now() + Duration::from_millis(20)) {
                self.backlog.push(m);
            }
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

pub fn file_uri(p: &std::path::Path) -> String {
    let s = p.to_str().unwrap();
    format!("file://{}", s.replace(' ', "%20"))
}

/// `(line, character, code)` triples of a publishDiagnostics params.
pub fn codes(p: &Value) -> Vec<(u64, u64, String)> {
    let mut v: Vec<_> = p["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["range"]["start"]["character"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}
