//! The one integration test binary.

mod support;
mod spec_cases;
mod incremental;
