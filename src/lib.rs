//! worklog-ls: a language server for Work Log Markdown files.
//!
//! See ARCHITECTURE.md for the codemap and the invariants.

pub mod analysis;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod document;
pub mod handoff;
pub mod ide;
pub mod lsp;
pub mod model;
pub mod syntax;
pub mod workspace;
