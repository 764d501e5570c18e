//! The LSP edge: the only module that knows tower-lsp and protocol types.
//! It converts positions (see [`encoding`]) and results ([`to_proto`]) and
//! hosts the documents ([`server`]); everything else speaks byte offsets and
//! plain data.
//!
//! The transport ([`serve_stdio`]) drives tower-lsp-server's service
//! itself (not through its `Server`, whose reader keeps a second copy of
//! every frame in its own buffer: a 6 MB `didOpen` then exists three times):
//!
//! ```text
//! stdin ─▶ reader (framing::Decoder) ─▶ queue ─▶ dispatcher ─▶ LspService ─▶ frames ─▶ writer ─▶ stdout
//!              └──── error replies for refused frames ──────────────────────────────────────▶┘
//! ```
//!
//! - the reader checks every frame ([`framing`]): a bad one is answered
//!   (`-32700`/`-32600`) and the next is served (tower-lsp's own reader
//!   stops at the first error); it also sees the lifecycle: `shutdown`,
//!   `exit`, and `initialize.processId`;
//! - the dispatcher does what tower-lsp's `Server::serve` does, in the same
//!   order: each request is deserialised straight from its frame and handed
//!   to the service in arrival order (its handler starts in that order; at
//!   most [`MAX_CONCURRENCY`] run at once); client responses go to the
//!   client socket; the server's requests and notifications to the client
//!   come back as frames for the writer;
//! - the writer writes whole frames: the service's, the client socket's and
//!   the reader's error replies;
//! - the reader never waits on the service (the queue is between them), so
//!   it sees `exit` even when a client that stopped reading stdout has
//!   stalled the service; after `exit` a watchdog thread ends the process
//!   within [`EXIT_GRACE`] whatever the runtime is doing (exit code 0 after
//!   `shutdown`, 1 without); when the editor's process (`processId`) is
//!   gone, it ends too (code 1);
//! - [`contain::Contained`] turns a panic in a handler into an error response.

pub mod contain;
pub mod encoding;
mod files;
pub mod framing;
pub mod from_proto;
mod handlers;
pub mod hooks;
mod host;
mod logs;
mod publisher;
pub mod semantic;
pub mod server;
pub mod to_proto;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, watch};
use tower::Service;
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::{Loopback, LspService};

/// How long the process may take to end after `exit` (flushing what it can).
pub const EXIT_GRACE: Duration = Duration::from_millis(500);
/// Handlers running at once (tower-lsp's `Server` default).
const MAX_CONCURRENCY: usize = 4;
/// Frames of the service waiting for the writer (then the service waits:
/// a client that stops reading stalls the service, not the memory).
const OUTPUT_QUEUE: usize = 64;
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
    let (frames_tx, frames_rx) = mpsc::channel::<Vec<u8>>(OUTPUT_QUEUE);
    let (replies_tx, replies_rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let (incoming_tx, incoming_rx) = mpsc::unbounded_channel::<framing::Message>();
    let queued = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (end_tx, mut end_rx) = watch::channel(End::Running);
    let end_tx = Arc::new(end_tx);
    tokio::spawn(read_input(input, incoming_tx, queued.clone(), replies_tx.clone(), end_tx.clone()));
    let writer = tokio::spawn(write_output(frames_rx, replies_rx, output));
    let serve = dispatch(incoming_rx, queued, service, socket, frames_tx, replies_tx);
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
    incoming: mpsc::UnboundedSender<framing::Message>,
    queued: Arc<std::sync::atomic::AtomicUsize>,
    replies: mpsc::UnboundedSender<Vec<u8>>,
    end: Arc<watch::Sender<End>>,
) {
    let mut decoder = framing::Decoder::new();
    let shutdown = AtomicBool::new(false);
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
                    let size = m.body.len();
                    if queued.load(Ordering::SeqCst) + size > MAX_QUEUED {
                        if !dropped {
                            tracing::error!("the service is not reading (stdout blocked?): dropping messages");
                            dropped = true;
                        }
                    } else {
                        queued.fetch_add(size, Ordering::SeqCst);
                        if incoming.send(m).is_err() {
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

/// tower-lsp's `Server::serve` without its reader: requests are
/// deserialised from the checked frames, handed to the service in arrival
/// order (their handlers start in that order; at most [`MAX_CONCURRENCY`]
/// at once, answers in completion order), client responses passed to the
/// client socket, and everything the service sends becomes a frame for
/// the writer. Ends when the input ends (after `exit`, or at EOF) and the
/// handlers started are done.
async fn dispatch<S>(
    mut incoming: mpsc::UnboundedReceiver<framing::Message>,
    queued: Arc<std::sync::atomic::AtomicUsize>,
    mut service: S,
    socket: tower_lsp_server::ClientSocket,
    frames: mpsc::Sender<Vec<u8>>,
    replies: mpsc::UnboundedSender<Vec<u8>>,
) where
    S: Service<Request, Response = Option<Response>>,
    S::Error: std::fmt::Display,
{
    let (client_requests, mut client_responses) = Loopback::split(socket);
    let (client_requests, client_abort) = futures::stream::abortable(client_requests);
    let (mut tasks_tx, tasks_rx) = futures::channel::mpsc::channel(100);
    let answer = |frames: mpsc::Sender<Vec<u8>>| {
        move |json: serde_json::Result<Vec<u8>>| {
            let frames = frames.clone();
            async move {
                match json {
                    Ok(body) => {
                        let _ = frames.send(framing::frame(&body)).await;
                    }
                    Err(e) => tracing::error!("could not serialise a message: {e}"),
                }
            }
        }
    };
    let process = tasks_rx
        .buffer_unordered(MAX_CONCURRENCY)
        .filter_map(|(r, slot): (Option<Response>, RawSlot)| {
            let raw = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
            futures::future::ready(r.map(|r| match raw {
                Some(json) if r.is_ok() => raw_response(r.id(), &json),
                _ => serde_json::to_vec(&r),
            }))
        })
        .for_each(answer(frames.clone()));
    let to_client = client_requests.map(|r: Request| serde_json::to_vec(&r)).for_each(answer(frames));
    let read = async {
        while let Some(m) = incoming.recv().await {
            queued.fetch_sub(m.body.len(), Ordering::SeqCst);
            if m.method.is_some() {
                // The body is dropped once parsed: only the parsed request
                // (its strings) lives on.
                let req: Request = match serde_json::from_slice(&m.body) {
                    Ok(r) => r,
                    Err(e) => {
                        let id = serde_json::from_slice::<serde_json::Value>(&m.body).ok().and_then(|v| v.get("id").cloned());
                        drop(m);
                        tracing::warn!("refused a message tower-lsp cannot read: {e}");
                        let _ = replies.send(framing::error_reply(&id.unwrap_or_default(), -32600, "Invalid request"));
                        continue;
                    }
                };
                drop(m);
                if let Err(e) = futures::future::poll_fn(|cx| service.poll_ready(cx)).await {
                    tracing::error!("the service stopped: {e}");
                    break;
                }
                let will_exit = req.method() == "exit";
                let call = service.call(req);
                // The handler runs with a slot for an answer it writes as
                // JSON itself (`answer_raw`), in this task.
                let slot: RawSlot = Arc::default();
                let fut = RAW_ANSWER.scope(slot.clone(), async move {
                    let r = match call.await {
                        Ok(r) => r,
                        Err(e) => {
                            tracing::error!("{e}");
                            None
                        }
                    };
                    (r, slot)
                });
                if tasks_tx.send(fut).await.is_err() || will_exit {
                    break;
                }
            } else if m.has_id {
                match serde_json::from_slice::<Response>(&m.body) {
                    Ok(r) => {
                        if client_responses.send(r).await.is_err() {
                            break;
                        }
                    }
                    Err(e) => tracing::warn!("dropped a response the service cannot read: {e}"),
                }
            }
        }
        tasks_tx.disconnect();
        client_abort.abort();
    };
    futures::join!(process, to_client, read);
}

type RawSlot = Arc<std::sync::Mutex<Option<Vec<u8>>>>;

tokio::task_local! {
    /// Where a handler may leave its answer as JSON it wrote itself.
    static RAW_ANSWER: RawSlot;
}

/// For a handler whose answer is large (semantic tokens): `json` (a JSON
/// value) becomes the response's `result` as it is, skipping tower-lsp's
/// `serde_json::Value` of it (2.4 ms of the 1,000-entry log's semantic
/// tokens: BENCHMARKS.md "Session 4 final"). The handler then returns
/// `Ok(None)`, which stands in. `Err(json)` when no transport takes it
/// (the service driven another way): answer the usual way.
pub(crate) fn answer_raw(json: Vec<u8>) -> Result<(), Vec<u8>> {
    let mut json = Some(json);
    let _ = RAW_ANSWER.try_with(|slot| *slot.lock().unwrap_or_else(|e| e.into_inner()) = json.take());
    match json {
        None => Ok(()),
        Some(j) => Err(j),
    }
}

/// `{"jsonrpc":"2.0","id":…,"result":…}` with `result` as written.
fn raw_response(id: &tower_lsp_server::jsonrpc::Id, result: &[u8]) -> serde_json::Result<Vec<u8>> {
    let id = serde_json::to_vec(id)?;
    let mut out = Vec::with_capacity(result.len() + id.len() + 40);
    out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
    out.extend_from_slice(&id);
    out.extend_from_slice(b",\"result\":");
    out.extend_from_slice(result);
    out.push(b'}');
    Ok(out)
}

/// Writes whole frames to stdout: the service's and the reader's error
/// replies, each as it comes.
async fn write_output(mut frames: mpsc::Receiver<Vec<u8>>, mut replies: mpsc::UnboundedReceiver<Vec<u8>>, mut out: Output) {
    let mut frames_open = true;
    let mut replies_open = true;
    while frames_open || replies_open {
        let next = tokio::select! {
            f = frames.recv(), if frames_open => {
                if f.is_none() {
                    frames_open = false;
                }
                f
            }
            r = replies.recv(), if replies_open => {
                if r.is_none() {
                    replies_open = false;
                }
                r
            }
        };
        if let Some(bytes) = next {
            if out.write_all(&bytes).await.is_err() || out.flush().await.is_err() {
                return;
            }
        }
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
