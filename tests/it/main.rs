//! The one integration test binary.

mod support;
mod spec_cases;
mod incremental;
mod lsp_client;
mod e2e;
mod diagnostics;
mod ide;
mod cli;
mod structure;
mod corpus;
mod tidy;
mod fixes;
mod reliability;
mod handoff;
