//! The LSP edge: the only module that knows tower-lsp and protocol types.
//! It converts positions (see [`encoding`]) and results ([`to_proto`]) and
//! hosts the documents ([`server`]); everything else speaks byte offsets and
//! plain data.

pub mod encoding;
pub mod server;
pub mod to_proto;

use tower_lsp_server::{LspService, Server as Transport};

/// Serve LSP over stdin/stdout until the client exits.
pub async fn serve_stdio() {
    let (service, socket) = LspService::new(server::Server::new);
    // When stdin/stdout are pipes (as editors start servers), read and write
    // them through the event loop: tokio's stdin/stdout hand every read and
    // write to the blocking thread pool, ~0.5 ms per keystroke here.
    #[cfg(unix)]
    if let Some((input, output)) = pipes() {
        Transport::new(input, output, socket).serve(service).await;
        return;
    }
    Transport::new(tokio::io::stdin(), tokio::io::stdout(), socket).serve(service).await;
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
