//! A minimal LSP client over the server's stdio that timestamps every
//! message the moment its last byte is read (before JSON parsing), and
//! answers server→client requests from its reader thread at once, so the
//! server never waits on the benchmark's main loop.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// One message from the server and when it was fully read.
pub struct Msg {
    pub at: Instant,
    pub v: Value,
}

pub struct Client {
    child: Child,
    stdin: Arc<Mutex<ChildStdin>>,
    rx: Receiver<Msg>,
    backlog: VecDeque<Msg>,
    next_id: i64,
    pub pid: u32,
}

/// A message as it goes on the wire (header and JSON body).
fn encode(v: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(v).expect("serialise");
    let mut buf = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    buf.extend_from_slice(&body);
    buf
}

fn write_bytes(w: &Mutex<ChildStdin>, buf: &[u8]) {
    let mut w = w.lock().unwrap_or_else(|e| e.into_inner());
    // A server that died shows up as a timeout on the next wait.
    let _ = w.write_all(buf);
    let _ = w.flush();
}

fn write_msg(w: &Mutex<ChildStdin>, v: &Value) {
    write_bytes(w, &encode(v));
}

impl Client {
    /// Spawn `bin` (serving LSP on stdio) in `cwd`.
    pub fn spawn(bin: &Path, cwd: &Path) -> Client {
        let mut child = Command::new(bin)
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", bin.display()));
        let pid = child.id();
        let stdin = Arc::new(Mutex::new(child.stdin.take().unwrap()));
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let answer = stdin.clone();
        std::thread::spawn(move || {
            let mut r = BufReader::with_capacity(1 << 20, stdout);
            let mut line = String::new();
            loop {
                let mut len = None;
                loop {
                    line.clear();
                    match r.read_line(&mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let l = line.trim_end();
                    if l.is_empty() {
                        break;
                    }
                    if let Some(n) = l.strip_prefix("Content-Length: ") {
                        len = n.parse::<usize>().ok();
                    }
                }
                let Some(n) = len else { return };
                let mut body = vec![0; n];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                let at = Instant::now();
                let Ok(v) = serde_json::from_slice::<Value>(&body) else { return };
                if let (Some(m), Some(id)) = (v.get("method").and_then(Value::as_str), v.get("id")) {
                    let result = match m {
                        "workspace/configuration" => {
                            let n = v["params"]["items"].as_array().map_or(1, Vec::len);
                            Value::Array(vec![Value::Null; n])
                        }
                        _ => Value::Null,
                    };
                    write_msg(&answer, &json!({"jsonrpc": "2.0", "id": id.clone(), "result": result}));
                    continue;
                }
                if tx.send(Msg { at, v }).is_err() {
                    return;
                }
            }
        });
        Client { child, stdin, rx, backlog: VecDeque::new(), next_id: 1, pid }
    }

    /// Send a notification; returns the instant just before writing it
    /// (after serialising it: the client's own cost is not the server's).
    pub fn notify(&mut self, method: &str, params: Value) -> Instant {
        let buf = encode(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
        let t = Instant::now();
        write_bytes(&self.stdin, &buf);
        t
    }

    /// Send a request and wait for its response: (latency, result).
    pub fn request(&mut self, method: &str, params: Value, timeout: Duration) -> (Duration, Value) {
        let (t, m) = self.request_msg(method, params, timeout);
        (m.at.saturating_duration_since(t), m.v["result"].clone())
    }

    /// Send a request and wait for its response: (instant sent, response).
    pub fn request_msg(&mut self, method: &str, params: Value, timeout: Duration) -> (Instant, Msg) {
        let id = self.next_id;
        self.next_id += 1;
        let buf = encode(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let t = Instant::now();
        write_bytes(&self.stdin, &buf);
        let m = self
            .wait(timeout, |v| v.get("id") == Some(&json!(id)) && v.get("method").is_none())
            .unwrap_or_else(|| panic!("no answer to {method} within {timeout:?}"));
        if let Some(e) = m.v.get("error") {
            panic!("{method} failed: {e}");
        }
        (t, m)
    }

    /// The first message (backlog first, then new ones) matching `pred`;
    /// others are kept in the backlog.
    pub fn wait(&mut self, timeout: Duration, pred: impl Fn(&Value) -> bool) -> Option<Msg> {
        while let Ok(m) = self.rx.try_recv() {
            self.backlog.push_back(m);
        }
        if let Some(i) = self.backlog.iter().position(|m| pred(&m.v)) {
            return self.backlog.remove(i);
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            match self.rx.recv_timeout(left) {
                Ok(m) if pred(&m.v) => return Some(m),
                Ok(m) => self.backlog.push_back(m),
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// Forget everything received so far (after waiting `settle`).
    pub fn clear(&mut self, settle: Duration) {
        std::thread::sleep(settle);
        while self.rx.try_recv().is_ok() {}
        self.backlog.clear();
    }

    /// `VmHWM` and `VmRSS` of the server, in KiB.
    pub fn memory_kib(&self) -> (u64, u64) {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).unwrap_or_default();
        let get = |k: &str| {
            s.lines().find_map(|l| l.strip_prefix(k)).and_then(|r| r.trim().trim_end_matches("kB").trim().parse().ok()).unwrap_or(0)
        };
        (get("VmHWM:"), get("VmRSS:"))
    }

    /// `shutdown`, `exit`, then wait (kill after 5 s).
    pub fn stop(mut self) {
        let id = self.next_id;
        write_msg(&self.stdin, &json!({"jsonrpc": "2.0", "id": id, "method": "shutdown", "params": null}));
        let _ = self.wait(Duration::from_secs(5), |v| v.get("id") == Some(&json!(id)));
        write_msg(&self.stdin, &json!({"jsonrpc": "2.0", "method": "exit", "params": null}));
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `file://` URI of an absolute path (ASCII paths only; the generator's are).
pub fn file_uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

/// The `initialize` params of a VS Code–like client: UTF-16 positions (the
/// LSP default), dynamic file watching, work-done progress, configuration.
pub fn initialize_params(root: &Path) -> Value {
    let uri = file_uri(root);
    json!({
        "processId": std::process::id(),
        "rootUri": uri,
        "workspaceFolders": [{"uri": uri, "name": "bench"}],
        "capabilities": {
            "textDocument": {
                "synchronization": {"dynamicRegistration": false, "didSave": true},
                "definition": {"linkSupport": true},
                "hover": {"contentFormat": ["markdown", "plaintext"]},
                "completion": {"completionItem": {"snippetSupport": false}},
                "publishDiagnostics": {"versionSupport": true}
            },
            "workspace": {"configuration": true, "workspaceFolders": true, "didChangeWatchedFiles": {"dynamicRegistration": true}},
            "window": {"workDoneProgress": true}
        }
    })
}
