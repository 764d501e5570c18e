//! One file per feature; each handler is a free function called by the
//! `LanguageServer` impl in `super::server`. Where each runs is written in
//! ARCHITECTURE.md ("Execution model").

pub(super) mod actions;
pub(super) mod commands;
pub(super) mod completion;
pub(super) mod events;
pub(super) mod lens;
pub(super) mod lifecycle;
pub(super) mod navigation;
pub(super) mod references;
pub(super) mod rename;
pub(super) mod semantic;
pub(super) mod structure;
pub(super) mod symbols;
pub(super) mod sync;
