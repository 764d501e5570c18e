//! Opening files without trusting what the path names.
//!
//! A cloned repository can commit a symbolic link to `/dev/zero` or
//! `/dev/stdin`, or a FIFO, under any name (`.gitignore`, `worklog.toml`, a
//! referenced `src/x.rs`), and swap a checked file for one between a check
//! and an open. So every read of the server goes through [`open_regular`]:
//! the type is checked on the path first (a FIFO or a device is never
//! opened), the file is then opened with `O_NONBLOCK | O_NOCTTY` (an open of
//! a FIFO swapped in meanwhile returns at once instead of waiting for a
//! writer) and checked again with `fstat` on the open descriptor, which is
//! what is read. Reads stop one byte past the cap, so a file that grows
//! after the check is refused, not read without bound.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{ErrorKind, Read};
use std::path::Path;

/// Whether a symbolic link as the last component is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    Follow,
    /// A link is refused (`O_NOFOLLOW`), as git refuses a symlinked
    /// `.gitignore`.
    Refuse,
}

/// Opens `path` if it is a regular file of at most `max` bytes, checked on
/// the path before opening and on the open descriptor after.
pub fn open_regular(path: &Path, max: u64, links: Links) -> Option<(File, Metadata)> {
    let before = match links {
        Links::Follow => std::fs::metadata(path),
        Links::Refuse => std::fs::symlink_metadata(path),
    }
    .ok()?;
    if !before.file_type().is_file() || before.len() > max {
        return None;
    }
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC;
        if links == Links::Refuse {
            flags |= libc::O_NOFOLLOW;
        }
        options.custom_flags(flags);
    }
    let file = options.open(path).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.file_type().is_file() || meta.len() > max {
        return None;
    }
    Some((file, meta))
}

/// The bytes of `path` if it is a regular file of at most `max` bytes (see
/// [`open_regular`]); `None` if it grows past `max` while being read.
pub fn read_regular(path: &Path, max: u64, links: Links) -> Option<Vec<u8>> {
    let (file, meta) = open_regular(path, max, links)?;
    let mut out = Vec::with_capacity(meta.len().min(max) as usize);
    let mut reader = file.take(max.saturating_add(1));
    loop {
        match reader.read_to_end(&mut out) {
            Ok(_) => break,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return None,
        }
    }
    (out.len() as u64 <= max).then_some(out)
}
