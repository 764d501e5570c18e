-- worklog-ls: diagnostics, path completion and go-to-definition for Work Log
-- Markdown files. Neovim 0.11+ (vim.lsp.config / vim.lsp.enable).
--
-- Install: put this file at ~/.config/nvim/lsp/worklog_ls.lua (or anywhere on
-- 'runtimepath' under lsp/), then in init.lua:
--
--   vim.lsp.enable('worklog_ls')
--
-- Override any field without copying the file:
--
--   vim.lsp.config('worklog_ls', {
--     cmd = { vim.fn.expand('~/src/worklog-ls/target/release/worklog-ls') },
--     settings = { worklog = { severities = { ['missing-priority'] = 'off' } } },
--   })
--
-- The server attaches to every Markdown buffer and decides itself which ones
-- are Work Logs; ordinary Markdown gets no Work Log diagnostics.

---@type vim.lsp.Config
return {
  cmd = { 'worklog-ls', '--stdio' },
  filetypes = { 'markdown' },
  -- The nearest folder holding either marker is the workspace root.
  root_markers = { 'worklog.toml', '.git' },
  -- Sent through workspace/configuration (section "worklog") and
  -- workspace/didChangeConfiguration. All keys are optional; these are the
  -- defaults.
  settings = {
    worklog = {
      -- Fields every (non-elided) entry must have.
      requiredSections = { 'Prev', 'Now', 'Progress', 'Next' },
      -- code -> "error" | "warning" | "information" | "hint" | "off"
      severities = vim.empty_dict(),
      -- Extra file-name globs that make a Markdown file a Work Log.
      globs = {},
      -- Check file references against the disk in the "latest" entry or "all".
      references = 'latest',
      -- Logs larger than this (bytes) are not analysed.
      maxFileSize = 16 * 1024 * 1024,
    },
  },
}
