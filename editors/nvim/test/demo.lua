-- Minimal user config for trying worklog-ls (used by screen.sh):
--   WORKLOG_LS=/path/to/worklog-ls nvim --clean -u editors/nvim/test/demo.lua FILE.md
local nvim_dir = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h:h')
vim.opt.runtimepath:prepend(nvim_dir) -- provides lsp/worklog_ls.lua
vim.opt.swapfile = false
vim.opt.signcolumn = 'yes'
vim.opt.completeopt = { 'menuone', 'noselect' }
if os.getenv('WORKLOG_LS') then
  vim.lsp.config('worklog_ls', { cmd = { os.getenv('WORKLOG_LS'), '--stdio' } })
end
vim.lsp.enable('worklog_ls')
-- Neovim 0.11 shows diagnostics as signs only; also show the message inline,
-- and keep them up to date while typing.
vim.diagnostic.config({ virtual_text = true, update_in_insert = true })
