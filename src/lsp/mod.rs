//! The LSP edge: the only module that knows tower-lsp and protocol types.
//! It converts positions (see [`encoding`]) and results ([`to_proto`]) and
//! hosts the documents ([`server`]); everything else speaks byte offsets and
//! plain data.
//!
//! The transport ([`serve_stdio`]) puts three tasks around tower-lsp-server:
//!
//! ```text
//! stdin ─▶ reader (framing::Decoder) ─▶ queue ─▶ forwarder ─▶ duplex ─▶ tower-lsp ─▶ duplex ─▶ writer ─▶ stdout
//!              └──── error replies for refused frames ───────────────────────────────────────────▶┘
//! ```
//!
//! - the reader checks every frame ([`framing`]): a bad one is answered
//!   (`-32700`/`-32600`) and the next is served (tower-lsp's own reader
//!   stops at the first error); it also sees the lifecycle: `shutdown`,
//!   `exit`, and `initialize.processId`;
//! - the writer copies tower-lsp's frames to stdout and slips the error
//!   replies in between frames;
//! - the reader never waits on tower-lsp (the forwarder does), so it sees
//!   `exit` even when a client that stopped reading stdout has stalled
//!   tower-lsp; after `exit` a watchdog thread ends the process within
//!   [`EXIT_GRACE`] whatever the runtime is doing (exit code 0 after
//!   `shutdown`, 1 without); when the editor's process (`processId`) is
//!   gone, it ends too (code 1);
//! - [`contain::Contained`] turns a panic in a handler into an error response.

pub mod contain;
pub mod encoding;
mod files;
pub mod framing;
mod handlers;
pub mod hooks;
mod host;
mod logs;
mod publisher;
pub mod server;
pub mod to_proto;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, watch};
use tower_lsp_server::{LspService, Server as Transport};

/// How long the process may take to end after `exit` (flushing what it can).
pub const EXIT_GRACE: Duration = Duration::from_millis(500);
/// How often the editor's process is checked.
const PARENT_POLL: Duration = Duration::from_secs(1);

/// Why the transport ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Running,
    /// `exit` after `shutdown` (true) or without.
    Exit {
        after_shutdown: bool,
    },
    /// stdin closed.
    Eof,
    /// The editor's process is gone.
    Orphaned,
}

/// Serve LSP over stdin/stdout until the client exits; returns the exit
/// code (0 after `shutdown` + `exit` or at end of input, 1 for `exit`
/// without `shutdown` or when the editor's process died).
pub async fn serve_stdio() -> i32 {
    let (service, socket) = LspService::build(server::Server::new).custom_method("worklog/testPanic", server::Server::test_panic).finish();
    let service = contain::Contained::new(service);
    let (input, output) = stdio();
    // 1 MiB: the buffer's peak stays allocated (a 6 MB `didOpen` crosses
    // in a few hops).
    let (to_lsp, lsp_in) = tokio::io::duplex(1 << 20);
    let (lsp_out, from_lsp) = tokio::io::duplex(1 << 20);
    let (replies_tx, replies_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let (end_tx, mut end_rx) = watch::channel(End::Running);
    let end_tx = Arc::new(end_tx);
    tokio::spawn(read_input(input, to_lsp, replies_tx, end_tx.clone()));
    let writer = tokio::spawn(write_output(from_lsp, replies_rx, output));
    let serve = Transport::new(lsp_in, lsp_out, socket).serve(service);
    tokio::pin!(serve);
    let served = tokio::select! {
        _ = &mut serve => true,
        _ = end_rx.wait_for(|e| *e != End::Running) => false,
    };
    let end = *end_rx.borrow();
    if !matches!(end, End::Exit { .. }) {
        watchdog(end); // (the reader started the one for `exit`)
    }
    match end {
        End::Orphaned => {
            tracing::warn!("the editor's process is gone: exiting");
            return 1;
        }
        End::Exit { .. } | End::Eof | End::Running => {
            // Let tower-lsp answer what it has (shutdown, pending requests)
            // and the writer flush it, but never longer than EXIT_GRACE: a
            // client that stopped reading must not keep the process alive.
            let flush = async {
                if !served {
                    serve.await;
                }
                let _ = writer.await;
            };
            if tokio::time::timeout(EXIT_GRACE, flush).await.is_err() {
                tracing::warn!("output not flushed within {EXIT_GRACE:?} after exit (stdout blocked?)");
            }
        }
    }
    let end = *end_rx.borrow();
    tracing::info!("transport ended: {end:?}");
    exit_code(end)
}

/// The exit code for how the transport ended.
fn exit_code(end: End) -> i32 {
    match end {
        End::Exit { after_shutdown: false } | End::Orphaned => 1,
        _ => 0,
    }
}

/// Ends the process from a thread of its own once the grace is over, should
/// the orderly end take longer: the runtime's timers may be late when its
/// workers are busy (a long parse), and a write to a blocked stdout never
/// returns.
fn watchdog(end: End) {
    let grace = match end {
        End::Running => return,
        End::Exit { .. } => EXIT_GRACE,
        End::Orphaned => Duration::ZERO,
        End::Eof => EXIT_GRACE * 4,
    };
    let _ = std::thread::Builder::new().name("worklog-ls-exit".into()).spawn(move || {
        std::thread::sleep(grace);
        tracing::warn!("ending after {grace:?} ({end:?}): the orderly end did not finish");
        std::process::exit(exit_code(end));
    });
}

type Input = Box<dyn AsyncRead + Unpin + Send>;
type Output = Box<dyn AsyncWrite + Unpin + Send>;

fn stdio() -> (Input, Output) {
    // When stdin/stdout are pipes (as editors start servers), read and write
    // them through the event loop: tokio's stdin/stdout hand every read and
    // write to the blocking thread pool, ~0.5 ms per keystroke here.
    #[cfg(unix)]
    if let Some((input, output)) = pipes() {
        return (Box::new(input), Box::new(output));
    }
    (Box::new(tokio::io::stdin()), Box::new(tokio::io::stdout()))
}

/// Reads frames from the client, answers the bad ones, passes the rest to
/// tower-lsp, and watches the lifecycle.
/// Frames waiting for tower-lsp beyond this many bytes are dropped (and
/// logged): only a client that stopped reading stdout while writing ever
/// more gets there.
const MAX_QUEUED: usize = 256 << 20;

async fn read_input(
    mut input: Input,
    to_lsp: tokio::io::DuplexStream,
    replies: mpsc::UnboundedSender<Vec<u8>>,
    end: Arc<watch::Sender<End>>,
) {
    let mut decoder = framing::Decoder::new();
    let shutdown = AtomicBool::new(false);
    // Frames go to tower-lsp through a forwarding task, so that this loop
    // keeps reading stdin (and sees `exit`) even when tower-lsp is stalled
    // by a client that stopped reading stdout.
    let queued = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (frames_tx, frames_rx) = mpsc::unbounded_channel::<(String, Vec<u8>)>();
    tokio::spawn(forward(frames_rx, to_lsp, queued.clone()));
    let mut dropped = false;
    loop {
        match input.read_buf(decoder.buffer()).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        loop {
            // The decoder is fuzzed; should it still panic, the buffered
            // bytes are dropped and answered, and reading goes on.
            let frame = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decoder.next_frame())) {
                Ok(Some(frame)) => frame,
                Ok(None) => break,
                Err(_) => {
                    decoder = framing::Decoder::new();
                    framing::Frame::Reject(framing::error_reply(
                        &serde_json::Value::Null,
                        -32700,
                        "Parse error: internal error in the frame decoder",
                    ))
                }
            };
            match frame {
                framing::Frame::Reject(reply) => {
                    tracing::warn!("refused a frame from the client: {}", String::from_utf8_lossy(&reply));
                    let _ = replies.send(reply);
                }
                framing::Frame::Message(m) => {
                    let method = m.method.as_deref();
                    if method == Some("shutdown") && m.has_id {
                        shutdown.store(true, Ordering::SeqCst);
                    }
                    if let (Some("initialize"), Some(pid)) = (method, m.process_id) {
                        watch_parent(pid, end.clone());
                    }
                    let exit = method == Some("exit") && !m.has_id;
                    let header = format!("Content-Length: {}\r\n\r\n", m.body.len());
                    let size = m.body.len();
                    if queued.load(Ordering::SeqCst) + size > MAX_QUEUED {
                        if !dropped {
                            tracing::error!("tower-lsp is not reading (stdout blocked?): dropping messages");
                            dropped = true;
                        }
                    } else {
                        queued.fetch_add(size, Ordering::SeqCst);
                        if frames_tx.send((header, m.body)).is_err() {
                            return;
                        }
                    }
                    if exit {
                        let e = End::Exit { after_shutdown: shutdown.load(Ordering::SeqCst) };
                        watchdog(e);
                        end.send_replace(e);
                        return;
                    }
                }
            }
        }
    }
    end.send_if_modified(|e| {
        if *e == End::Running {
            *e = End::Eof;
            true
        } else {
            false
        }
    });
    // Dropping the sender ends tower-lsp's input once the queue is written.
}

/// Writes queued frames to tower-lsp's input.
async fn forward(
    mut frames: mpsc::UnboundedReceiver<(String, Vec<u8>)>,
    mut to_lsp: tokio::io::DuplexStream,
    queued: Arc<std::sync::atomic::AtomicUsize>,
) {
    while let Some((header, body)) = frames.recv().await {
        if to_lsp.write_all(header.as_bytes()).await.is_err() || to_lsp.write_all(&body).await.is_err() {
            return;
        }
        queued.fetch_sub(body.len(), Ordering::SeqCst);
    }
}

/// Copies tower-lsp's frames to stdout, with the reader's error replies in
/// between frames.
async fn write_output(mut from_lsp: tokio::io::DuplexStream, mut replies: mpsc::UnboundedReceiver<Vec<u8>>, mut out: Output) {
    let mut buf: Vec<u8> = Vec::with_capacity(64 << 10);
    let mut lsp_open = true;
    let mut replies_open = true;
    while lsp_open || replies_open {
        tokio::select! {
            r = from_lsp.read_buf(&mut buf), if lsp_open => {
                match r {
                    Ok(0) | Err(_) => lsp_open = false,
                    Ok(_) => {}
                }
                // Write the complete frames; keep a partial one.
                let complete = complete_frames(&buf);
                if complete > 0 {
                    if out.write_all(&buf[..complete]).await.is_err() || out.flush().await.is_err() {
                        return;
                    }
                    buf.drain(..complete);
                    // Don't keep the largest answer's capacity for good.
                    if buf.is_empty() && buf.capacity() > 1 << 20 {
                        buf = Vec::with_capacity(64 << 10);
                    }
                }
            }
            reply = replies.recv(), if replies_open => {
                match reply {
                    Some(reply) => {
                        if out.write_all(&reply).await.is_err() || out.flush().await.is_err() {
                            return;
                        }
                    }
                    None => replies_open = false,
                }
            }
        }
    }
}

/// The length of the complete `Content-Length: n\r\n\r\n` frames at the
/// start of `buf` (tower-lsp writes exactly that header).
fn complete_frames(buf: &[u8]) -> usize {
    let mut at = 0;
    loop {
        let rest = &buf[at..];
        let Some(end) = memchr::memmem::find(rest, b"\r\n\r\n") else { return at };
        let len = std::str::from_utf8(&rest[..end])
            .ok()
            .and_then(|h| h.lines().find_map(|l| l.strip_prefix("Content-Length:")))
            .and_then(|n| n.trim().parse::<usize>().ok());
        let Some(len) = len else {
            // Not tower-lsp's format (never happens): pass it all through.
            return buf.len();
        };
        if rest.len() < end + 4 + len {
            return at;
        }
        at += end + 4 + len;
    }
}

/// Ends the process (through `end`) when the editor's process `pid` is
/// gone: checked every [`PARENT_POLL`] with `kill(pid, 0)`. A pid that is
/// not there at the first check (an editor in another pid namespace, e.g. a
/// sandboxed one) is not watched.
fn watch_parent(pid: i64, end: Arc<watch::Sender<End>>) {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else { return };
        if pid <= 0 {
            return;
        }
        // SAFETY: signal 0 sends nothing; it only checks the pid.
        let alive = move || unsafe { libc::kill(pid, 0) } == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH);
        if !alive() {
            tracing::warn!("initialize.processId {pid} is not a visible process: not watched");
            return;
        }
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(PARENT_POLL);
            loop {
                tick.tick().await;
                if !alive() {
                    end.send_replace(End::Orphaned);
                    return;
                }
            }
        });
    }
    #[cfg(not(unix))]
    {
        let _ = (pid, end);
    }
}

#[cfg(unix)]
fn pipes() -> Option<(tokio::net::unix::pipe::Receiver, tokio::net::unix::pipe::Sender)> {
    use std::os::fd::AsFd;
    use tokio::net::unix::pipe;
    let input = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
    let output = std::io::stdout().as_fd().try_clone_to_owned().ok()?;
    #[cfg(target_os = "linux")]
    for fd in [&input, &output] {
        grow_pipe(fd);
    }
    Some((pipe::Receiver::from_owned_fd(input).ok()?, pipe::Sender::from_owned_fd(output).ok()?))
}

/// Asks for a 1 MiB pipe buffer (Linux's default unprivileged maximum;
/// failures are ignored): a 6 MB `didOpen` then crosses the pipe in a few
/// wake-ups instead of ~100 of 64 KiB.
#[cfg(target_os = "linux")]
fn grow_pipe(fd: &std::os::fd::OwnedFd) {
    use std::os::fd::AsRawFd;
    // SAFETY: `fcntl(F_SETPIPE_SZ)` on a descriptor we own reads no memory of
    // ours; on a non-pipe or over the limit it fails with an error code.
    unsafe {
        libc::fcntl(fd.as_raw_fd(), libc::F_SETPIPE_SZ, 1 << 20);
    }
}
