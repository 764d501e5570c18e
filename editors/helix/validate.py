#!/usr/bin/env python3
"""Static check of the Helix configuration for worklog-ls.

No registry ships Helix, so CI cannot run it. Instead this checks that
editors/helix/languages.toml (and every ```toml block of editors/helix/README.md
that configures languages) parses as TOML and uses only the keys Helix
documents for `[language-server.*]` and `[[language]]` (book/src/languages.md),
with the value types Helix expects, and that the `config` table holds only
settings worklog-ls knows.

    python3 editors/helix/validate.py [FILE.toml ...]
    python3 editors/helix/validate.py --self-test   # the checker rejects bad snippets
"""
from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent

# helix book/src/languages.md, "Language Server configuration" table.
SERVER_KEYS = {"command", "args", "config", "timeout", "environment", "required-root-patterns"}

# helix book/src/languages.md, "Language configuration" table (plus the
# backwards-compatible `comment-token` it mentions).
LANGUAGE_KEYS = {
    "name", "language-id", "scope", "injection-regex", "file-types", "shebangs", "roots",
    "auto-format", "diagnostic-severity", "comment-tokens", "comment-token",
    "block-comment-tokens", "indent", "language-servers", "grammar", "formatter",
    "soft-wrap", "text-width", "rulers", "path-completion", "word-completion",
    "workspace-lsp-roots", "persistent-diagnostic-sources",
}

# "Configuring Language Servers for a language": the feature names.
FEATURES = {
    "format", "goto-definition", "goto-declaration", "goto-type-definition", "goto-reference",
    "goto-implementation", "signature-help", "hover", "document-highlight", "completion",
    "code-action", "workspace-command", "document-symbols", "workspace-symbols", "diagnostics",
    "rename-symbol", "inlay-hints",
}

TOP_LEVEL = {"language-server", "language", "grammar", "use-grammars"}
DIAGNOSTIC_SEVERITIES = {"error", "warning", "info", "hint"}
# Servers Helix itself defines for Markdown; a snippet may list them without defining them.
HELIX_BUILTIN_SERVERS = {"marksman", "markdown-oxide"}

# worklog-ls settings (docs: the "worklog" section).
WORKLOG_SETTINGS = {"requiredSections", "severities", "globs", "references", "maxFileSize", "history"}
WORKLOG_SEVERITIES = {"error", "warning", "information", "hint", "off"}
WORKLOG_CODES = {
    "missing-frontmatter", "missing-version", "missing-status",
    "invalid-version", "invalid-status", "version-mismatch", "missing-title",
    "malformed-entry", "duplicate-version", "version-order", "date-order",
    "missing-section", "duplicate-section", "unknown-section", "bad-progress",
    "bad-priority", "missing-priority", "file-not-found", "range-out-of-bounds",
    "bad-range", "outside-workspace", "mojibake", "file-too-large",
    "completed-with-open-high", "blocked-without-blocker", "history-disagrees",
    "range-moved", "range-changed", "range-removed",
}
WORKLOG_FIELDS = {
    "Prev", "Now", "Progress", "Files", "Work", "Decisions", "Works", "Fails", "Blockers",
    "Next", "Open", "Review Checklist",
}


def is_str_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def check_worklog_settings(where: str, settings, errors: list[str]) -> None:
    if not isinstance(settings, dict):
        errors.append(f"{where}: must be a table")
        return
    for key, value in settings.items():
        w = f"{where}.{key}"
        if key not in WORKLOG_SETTINGS:
            errors.append(f"{w}: worklog-ls has no such setting (known: {', '.join(sorted(WORKLOG_SETTINGS))})")
        elif key == "requiredSections":
            if not is_str_list(value) or not set(value) <= WORKLOG_FIELDS:
                errors.append(f"{w}: must be a list of field names from {sorted(WORKLOG_FIELDS)}")
        elif key == "severities":
            if not isinstance(value, dict):
                errors.append(f"{w}: must be a table code -> severity")
                continue
            for code, sev in value.items():
                if code not in WORKLOG_CODES:
                    errors.append(f"{w}: unknown diagnostic code {code!r}")
                if sev not in WORKLOG_SEVERITIES:
                    errors.append(f"{w}.{code}: {sev!r} is not one of {sorted(WORKLOG_SEVERITIES)}")
        elif key == "globs":
            if not is_str_list(value):
                errors.append(f"{w}: must be a list of strings")
        elif key == "references":
            if value not in ("latest", "all"):
                errors.append(f'{w}: must be "latest" or "all"')
        elif key == "maxFileSize":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                errors.append(f"{w}: must be a non-negative integer (bytes)")


def check_server(name: str, server, errors: list[str]) -> None:
    where = f"[language-server.{name}]"
    if not isinstance(server, dict):
        errors.append(f"{where}: must be a table")
        return
    for key in server:
        if key not in SERVER_KEYS:
            errors.append(f"{where}: unknown key {key!r} (Helix documents {', '.join(sorted(SERVER_KEYS))})")
    if not isinstance(server.get("command"), str) or not server.get("command"):
        errors.append(f"{where}: `command` (a string) is required")
    if "args" in server and not is_str_list(server["args"]):
        errors.append(f"{where}: `args` must be a list of strings")
    if "config" in server and not isinstance(server["config"], dict):
        errors.append(f"{where}: `config` must be a table")
    if "timeout" in server and (not isinstance(server["timeout"], int) or server["timeout"] <= 0):
        errors.append(f"{where}: `timeout` must be a positive integer (seconds)")
    if "environment" in server and not (
        isinstance(server["environment"], dict) and all(isinstance(v, str) for v in server["environment"].values())
    ):
        errors.append(f"{where}: `environment` must be a table of strings")
    if "required-root-patterns" in server and not is_str_list(server["required-root-patterns"]):
        errors.append(f"{where}: `required-root-patterns` must be a list of strings")
    if name == "worklog-ls":
        if server.get("command") != "worklog-ls" and not str(server.get("command", "")).endswith("/worklog-ls"):
            errors.append(f"{where}: `command` should run worklog-ls")
        config = server.get("config")
        if isinstance(config, dict):
            # Helix sends `config` as initializationOptions and answers
            # workspace/configuration for section "worklog" with config.worklog.
            for key, value in config.items():
                if key == "worklog":
                    check_worklog_settings(f"{where}.config.worklog", value, errors)
                else:
                    errors.append(
                        f"{where}.config: put settings under `config.worklog` "
                        f"(Helix answers the server's \"worklog\" section from there), not {key!r}"
                    )


def check_language(index: int, lang, servers: dict, errors: list[str]) -> None:
    if not isinstance(lang, dict):
        errors.append(f"[[language]] #{index + 1}: must be a table")
        return
    where = f"[[language]] {lang.get('name', '#' + str(index + 1))!s}"
    for key in lang:
        if key not in LANGUAGE_KEYS:
            hint = " (Helix replaced `language-server` by `language-servers` + [language-server.*])" if key == "language-server" else ""
            errors.append(f"{where}: unknown key {key!r}{hint}")
    if not isinstance(lang.get("name"), str):
        errors.append(f"{where}: `name` (a string) is required")
    for key in ("roots", "shebangs", "workspace-lsp-roots", "persistent-diagnostic-sources"):
        if key in lang and not is_str_list(lang[key]):
            errors.append(f"{where}: `{key}` must be a list of strings")
    if "diagnostic-severity" in lang and str(lang["diagnostic-severity"]).lower() not in DIAGNOSTIC_SEVERITIES:
        errors.append(f"{where}: `diagnostic-severity` must be one of {sorted(DIAGNOSTIC_SEVERITIES)}")
    if "auto-format" in lang and not isinstance(lang["auto-format"], bool):
        errors.append(f"{where}: `auto-format` must be a boolean")
    if "language-servers" in lang:
        entries = lang["language-servers"]
        if not isinstance(entries, list):
            errors.append(f"{where}: `language-servers` must be a list")
            return
        for entry in entries:
            if isinstance(entry, str):
                name = entry
            elif isinstance(entry, dict):
                name = entry.get("name")
                extra = set(entry) - {"name", "only-features", "except-features"}
                if extra:
                    errors.append(f"{where}: language-servers entry has unknown keys {sorted(extra)}")
                if "only-features" in entry and "except-features" in entry:
                    errors.append(f"{where}: {name}: use `only-features` or `except-features`, not both")
                for key in ("only-features", "except-features"):
                    if key in entry:
                        bad = [f for f in entry[key] if f not in FEATURES] if is_str_list(entry[key]) else entry[key]
                        if bad:
                            errors.append(f"{where}: {name}: unknown features {bad}")
            else:
                errors.append(f"{where}: language-servers entries are names or tables, not {entry!r}")
                continue
            if not isinstance(name, str):
                errors.append(f"{where}: language-servers entry without a name")
            elif name not in servers and name not in HELIX_BUILTIN_SERVERS:
                errors.append(f"{where}: language server {name!r} is not defined in [language-server.{name}]")


def check_document(doc: dict, *, require_worklog: bool) -> list[str]:
    errors: list[str] = []
    for key in doc:
        if key not in TOP_LEVEL:
            errors.append(f"unknown top-level key {key!r} (languages.toml has {', '.join(sorted(TOP_LEVEL))})")
    servers = doc.get("language-server", {})
    if not isinstance(servers, dict):
        errors.append("[language-server] must be a table of tables")
        servers = {}
    for name, server in servers.items():
        check_server(name, server, errors)
    languages = doc.get("language", [])
    if not isinstance(languages, list):
        errors.append("`language` must be an array of tables: write [[language]]")
        languages = []
    for i, lang in enumerate(languages):
        check_language(i, lang, servers, errors)
    if require_worklog:
        if "worklog-ls" not in servers:
            errors.append("[language-server.worklog-ls] is missing")
        markdown = [l for l in languages if isinstance(l, dict) and l.get("name") == "markdown"]
        if len(markdown) != 1:
            errors.append('expected exactly one [[language]] with name = "markdown"')
        else:
            names = [e if isinstance(e, str) else e.get("name") for e in markdown[0].get("language-servers", [])]
            if "worklog-ls" not in names:
                errors.append('[[language]] markdown: "worklog-ls" is not in language-servers')
    return errors


def check_text(label: str, text: str, *, require_worklog: bool) -> list[str]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        return [f"{label}: not valid TOML: {err}"]
    return [f"{label}: {e}" for e in check_document(doc, require_worklog=require_worklog)]


def toml_blocks(markdown: str):
    for m in re.finditer(r"^```toml\n(.*?)^```", markdown, flags=re.S | re.M):
        yield markdown.count("\n", 0, m.start()) + 1, m.group(1)


def self_test() -> int:
    good = (HERE / "languages.toml").read_text(encoding="utf-8")
    bad_cases = {
        "old language-server key": good + '\n[[language]]\nname = "x"\nlanguage-server = { command = "x" }\n',
        "unknown server key": good.replace('args = ["--stdio"]', 'args = ["--stdio"]\ncmd = "worklog-ls"'),
        "undefined server": good.replace('"marksman", "worklog-ls"', '"marksman", "worklog-ls", "nope"'),
        "flat config": good.replace("[language-server.worklog-ls.config.worklog]", "[language-server.worklog-ls.config]"),
        "bad severity": good.replace("severities = {}", 'severities = { "bad-priority" = "fatal" }'),
        "bad toml": good + "\n[[language]\n",
        "worklog-ls not used": good.replace('"marksman", "worklog-ls"', '"marksman"'),
    }
    failures = 0
    if check_text("languages.toml", good, require_worklog=True):
        print("FAIL self-test: the shipped snippet does not validate")
        failures += 1
    for name, text in bad_cases.items():
        errs = check_text(name, text, require_worklog=True)
        print(("ok   " if errs else "FAIL ") + f"self-test rejects: {name}" + (f" ({errs[0]})" if errs else ""))
        failures += 0 if errs else 1
    return failures


def main(argv: list[str]) -> int:
    if argv == ["--self-test"]:
        failures = self_test()
        print(f"helix validator self-test: {'all rejected' if not failures else f'{failures} not rejected'}")
        return 1 if failures else 0
    files = [Path(a) for a in argv] or [HERE / "languages.toml", HERE / "README.md"]
    errors: list[str] = []
    checked = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".md":
            for line, block in toml_blocks(text):
                if "language-server" in block or "[[language]]" in block:
                    errors += check_text(f"{path.name}:{line}", block, require_worklog=False)
                    checked += 1
        else:
            errors += check_text(path.name, text, require_worklog=True)
            checked += 1
    for e in errors:
        print("error: " + e)
    print(f"helix: {checked} TOML snippet(s) checked, {len(errors)} error(s)")
    return 1 if errors or not checked else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
