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
    let stdin = tokio::io::stdin();
    let stdout = tokio::io::stdout();
    let (service, socket) = LspService::new(server::Server::new);
    Transport::new(stdin, stdout, socket).serve(service).await;
}
