//! Token counts of a log and of its hand-off copy: OpenAI's `o200k_base`
//! BPE (tiktoken-rs, whose vocabulary is compiled into the binary: nothing
//! is downloaded). Claude's tokenizer is not public, so for Claude this is
//! an estimate; what matters for a hand-off is the saving, a ratio.
//! Built without the `tokens` feature, a token is estimated as four bytes.

/// The tokenizer's name, for reports.
#[cfg(feature = "tokens")]
pub const TOKENIZER: &str = "o200k_base";
#[cfg(not(feature = "tokens"))]
pub const TOKENIZER: &str = "4 bytes per token";

#[cfg(feature = "tokens")]
fn bpe() -> Option<&'static tiktoken_rs::CoreBPE> {
    static BPE: std::sync::OnceLock<Option<tiktoken_rs::CoreBPE>> = std::sync::OnceLock::new();
    BPE.get_or_init(|| tiktoken_rs::o200k_base().ok()).as_ref()
}

/// Tokens of `text` under `o200k_base` (special tokens read as text); a
/// rough four bytes per token should the vocabulary fail to load.
#[cfg(feature = "tokens")]
pub fn count_tokens(text: &str) -> usize {
    match bpe() {
        Some(b) => b.encode_ordinary(text).len(),
        None => text.len().div_ceil(4),
    }
}

/// Four bytes per token (built without the `tokens` feature).
#[cfg(not(feature = "tokens"))]
pub fn count_tokens(text: &str) -> usize {
    text.len().div_ceil(4)
}

/// Size of a text: bytes and tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub bytes: usize,
    pub tokens: usize,
}

impl Size {
    pub fn of(text: &str) -> Size {
        Size { bytes: text.len(), tokens: count_tokens(text) }
    }
}

/// The saving of `copy` over `full`, in whole percent of the tokens.
pub fn saving_percent(full: Size, copy: Size) -> u32 {
    if full.tokens == 0 || copy.tokens >= full.tokens {
        return 0;
    }
    (((full.tokens - copy.tokens) as f64 / full.tokens as f64) * 100.0).round() as u32
}
