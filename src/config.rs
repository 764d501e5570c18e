//! Settings: defaults, `worklog.toml` at the workspace root, and the client's
//! `workspace/configuration` section `worklog` (applied in that order).
//!
//! Keys are accepted in camelCase (`requiredSections`), kebab-case
//! (`required-sections`) or snake_case. Unknown keys and values of the wrong
//! type are reported as warnings and otherwise ignored: a bad setting never
//! stops the server.

use std::collections::HashMap;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde_json::Value;

use crate::diagnostic::{Code, Severity};
use crate::model::FieldKind;

/// Which entries are checked against the disk (`file-not-found`,
/// `range-out-of-bounds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefScope {
    Latest,
    All,
}

/// Whether references are followed through git history (spec §4b).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryMode {
    Auto,
    /// No git is read at all.
    Off,
}

pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// Every setting the server reads (client settings under `worklog`, keys of
/// `worklog.toml`). The tidy test keeps the editors' schemas and the README
/// equal to it.
pub const SETTINGS: &[&str] = &["requiredSections", "severities", "globs", "references", "history", "maxFileSize"];

#[derive(Debug, Clone)]
pub struct Config {
    pub required_sections: Vec<FieldKind>,
    /// Per-code severity override; `None` turns the code off.
    pub severities: HashMap<Code, Option<Severity>>,
    /// File-name globs that make a Markdown file a Work Log (spec §1: opt-in,
    /// no defaults — many repositories hold a `worklog.md` in another format).
    pub globs: Vec<String>,
    pub references: RefScope,
    pub max_file_size: u64,
    pub history: HistoryMode,
    glob_set: GlobSet,
}

impl Default for Config {
    fn default() -> Self {
        let mut c = Config {
            required_sections: vec![FieldKind::Prev, FieldKind::Now, FieldKind::Progress, FieldKind::Next],
            severities: HashMap::new(),
            globs: Vec::new(),
            references: RefScope::Latest,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            history: HistoryMode::Auto,
            glob_set: GlobSet::empty(),
        };
        c.rebuild_globs(&mut Vec::new());
        c
    }
}

impl Config {
    /// The severity a code is reported with, `None` if turned off.
    pub fn severity(&self, code: Code) -> Option<Severity> {
        match self.severities.get(&code) {
            Some(s) => *s,
            None => Some(code.default_severity()),
        }
    }

    /// Does this file name match a Work Log glob (case-insensitive)?
    pub fn name_matches(&self, file_name: &str) -> bool {
        self.glob_set.is_match(file_name.to_lowercase())
    }

    fn rebuild_globs(&mut self, warnings: &mut Vec<String>) {
        let mut b = GlobSetBuilder::new();
        for g in self.globs.iter().map(String::as_str) {
            match GlobBuilder::new(&g.to_lowercase()).literal_separator(false).build() {
                Ok(glob) => {
                    b.add(glob);
                }
                Err(e) => warnings.push(format!("worklog: ignoring glob `{g}`: {e}")),
            }
        }
        self.glob_set = b.build().unwrap_or_else(|_| GlobSet::empty());
    }

    /// Apply settings from a JSON object (client settings or converted TOML).
    /// Returns warnings for unknown keys and bad values.
    pub fn apply_json(&mut self, v: &Value) -> Vec<String> {
        let mut warnings = Vec::new();
        let Some(obj) = v.as_object() else {
            if !v.is_null() {
                warnings.push("worklog: settings must be an object; ignored".to_string());
            }
            return warnings;
        };
        for (key, val) in obj {
            let norm: String = key.chars().filter(|c| *c != '-' && *c != '_').collect::<String>().to_lowercase();
            match norm.as_str() {
                "requiredsections" => match val.as_array() {
                    Some(arr) => {
                        let mut out = Vec::new();
                        for s in arr {
                            match s.as_str().and_then(FieldKind::from_label) {
                                Some(k) => out.push(k),
                                None => warnings.push(format!(
                                    "worklog: `{key}`: {s} is not a known section (known: {})",
                                    FieldKind::ALL.map(|k| k.label()).join(", ")
                                )),
                            }
                        }
                        self.required_sections = out;
                    }
                    None => warnings.push(format!("worklog: `{key}` must be a list of section names")),
                },
                "severities" => match val.as_object() {
                    Some(map) => {
                        for (code, sev) in map {
                            let Some(c) = Code::parse(code) else {
                                warnings.push(format!("worklog: `{key}`: unknown diagnostic code `{code}`"));
                                continue;
                            };
                            match sev.as_str().map(str::to_lowercase).as_deref() {
                                Some("off" | "none" | "ignore") => {
                                    self.severities.insert(c, None);
                                }
                                Some(s) => match Severity::parse(s) {
                                    Some(s) => {
                                        self.severities.insert(c, Some(s));
                                    }
                                    None => warnings.push(format!(
                                        "worklog: `{key}.{code}`: `{s}` is not one of error, warning, information, hint, off"
                                    )),
                                },
                                None => warnings.push(format!("worklog: `{key}.{code}` must be a string")),
                            }
                        }
                    }
                    None => warnings.push(format!("worklog: `{key}` must be an object of code = severity")),
                },
                "globs" => match val.as_array() {
                    Some(arr) => {
                        self.globs = arr.iter().filter_map(|g| g.as_str().map(str::to_string)).collect();
                        self.rebuild_globs(&mut warnings);
                    }
                    None => warnings.push(format!("worklog: `{key}` must be a list of globs")),
                },
                "references" => match val.as_str() {
                    Some("latest") => self.references = RefScope::Latest,
                    Some("all") => self.references = RefScope::All,
                    _ => warnings.push(format!("worklog: `{key}` must be \"latest\" or \"all\"")),
                },
                "history" => match val.as_str() {
                    Some("auto") => self.history = HistoryMode::Auto,
                    Some("off") => self.history = HistoryMode::Off,
                    _ => warnings.push(format!("worklog: `{key}` must be \"auto\" or \"off\"")),
                },
                "maxfilesize" => match val.as_u64() {
                    Some(n) => self.max_file_size = n,
                    None => warnings.push(format!("worklog: `{key}` must be a number of bytes")),
                },
                // Editor-side settings that clients may forward with the rest.
                "server" | "trace" => {}
                _ => warnings.push(format!("worklog: unknown setting `{key}` ignored")),
            }
        }
        warnings
    }

    /// Apply a `worklog.toml`. Returns warnings (a parse error is one).
    pub fn apply_toml(&mut self, text: &str) -> Vec<String> {
        match toml::from_str::<toml::Value>(text) {
            Ok(v) => match serde_json::to_value(v) {
                Ok(j) => self.apply_json(&j),
                Err(e) => vec![format!("worklog.toml: {e}")],
            },
            Err(e) => vec![format!("worklog.toml: {}", e.message())],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_bad_settings_warn() {
        let mut c = Config::default();
        let w = c.apply_json(&serde_json::json!({
            "requiredSections": ["Prev", "Nope"],
            "severities": {"missing-title": "off", "bad-priority": "loud", "zzz": "error"},
            "colour": true,
        }));
        assert_eq!(w.len(), 4, "{w:?}");
        assert_eq!(c.required_sections, vec![FieldKind::Prev]);
        assert_eq!(c.severity(Code::MissingTitle), None);
    }

    #[test]
    fn globs() {
        // No defaults: a `worklog.md` in another format is not a Work Log.
        let c = Config::default();
        assert!(!c.name_matches("Auth-WorkLog-v1.md"));
        assert!(!c.name_matches("worklog.md"));
        let mut c = Config::default();
        let w = c.apply_toml("globs = [\"*.log.md\", \"*-WorkLog-v*.md\"]\nreferences = \"all\"\nhistory = \"off\"\n");
        assert!(w.is_empty());
        assert!(c.name_matches("x.log.md"));
        assert!(c.name_matches("auth-worklog-v3.md"));
        assert!(!c.name_matches("worklog.md"));
        assert_eq!(c.references, RefScope::All);
        assert_eq!(c.history, HistoryMode::Off);
        assert_eq!(Config::default().history, HistoryMode::Auto);
    }
}

#[cfg(test)]
mod settings_tests {
    use super::*;

    #[test]
    fn every_listed_setting_is_read() {
        for key in SETTINGS {
            let mut c = Config::default();
            let warnings = c.apply_json(&serde_json::json!({ *key: null }));
            assert!(warnings.iter().all(|w| !w.contains("unknown setting")), "{key}: {warnings:?}");
        }
        let warnings = Config::default().apply_json(&serde_json::json!({ "nope": 1 }));
        assert!(warnings.iter().any(|w| w.contains("unknown setting")));
    }
}
