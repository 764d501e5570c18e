//! The one integration test binary.

mod cli;
mod corpus;
mod diagnostics;
mod e2e;
mod fixes;
mod fixture;
mod handoff;
mod history;
mod ide;
mod incremental;
mod lsp_client;
mod older_file;
mod reliability;
mod semantic;
mod spec_cases;
mod structure;
mod support;
mod tidy;
mod xref;
