-- Headless Neovim test for editors/nvim/lsp/worklog_ls.lua.
--
--   WORKLOG_LS=/abs/path/worklog-ls WORKLOG_NVIM_OUT=/tmp/out.json \
--     nvim --headless --clean -u editors/nvim/test/init.lua
--
-- Opens the example logs, waits for the client to attach, collects
-- diagnostics, completion and definition results (and performs a real jump),
-- writes them as JSON to $WORKLOG_NVIM_OUT and quits. Any error: message on
-- stderr and `cquit 1`. editors/nvim/test/check.py asserts on the JSON.

local script = debug.getinfo(1, 'S').source:sub(2)
local test_dir = vim.fn.fnamemodify(script, ':p:h')
local nvim_dir = vim.fn.fnamemodify(test_dir, ':h')
local repo = vim.fn.fnamemodify(nvim_dir, ':h:h')
local examples = repo .. '/examples'
local server = assert(os.getenv('WORKLOG_LS'), 'set WORKLOG_LS to the server binary')
local out_path = assert(os.getenv('WORKLOG_NVIM_OUT'), 'set WORKLOG_NVIM_OUT to the JSON output path')
local timeout = tonumber(os.getenv('WORKLOG_TEST_TIMEOUT_MS') or '') or 10000

-- Exactly what a user does: lsp/worklog_ls.lua on 'runtimepath', then enable.
vim.opt.runtimepath:prepend(nvim_dir)
vim.opt.swapfile = false
vim.opt.shadafile = 'NONE'

local published = {} -- uri -> number of publishDiagnostics seen
local messages = {} -- window/showMessage and window/logMessage
vim.lsp.config('worklog_ls', {
  cmd = { server, '--stdio' },
  handlers = {
    ['textDocument/publishDiagnostics'] = function(err, result, ctx)
      published[result.uri] = (published[result.uri] or 0) + 1
      return vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx)
    end,
    ['window/showMessage'] = function(_, result)
      table.insert(messages, result)
    end,
    ['window/logMessage'] = function(_, result)
      table.insert(messages, result)
    end,
  },
})
vim.lsp.enable('worklog_ls')

local function wait(what, cond)
  if not vim.wait(timeout, cond, 20) then
    error('timed out waiting for ' .. what, 2)
  end
end

local function client_for(buf)
  local clients = vim.lsp.get_clients({ bufnr = buf, name = 'worklog_ls' })
  return clients[1]
end

local function attached(buf, what)
  wait('worklog_ls to attach to ' .. what, function()
    return client_for(buf) ~= nil and client_for(buf).initialized
  end)
  return client_for(buf)
end

--- Diagnostics of a buffer once `accept` holds (after at least one publish).
local function diagnostics(buf, what, accept)
  local uri = vim.uri_from_bufnr(buf)
  accept = accept or function()
    return true
  end
  wait('diagnostics on ' .. what, function()
    return (published[uri] or 0) > 0 and accept(vim.diagnostic.get(buf))
  end)
  vim.wait(300) -- a republish (workspace index ready) would arrive now
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(list, {
      lnum = d.lnum,
      col = d.col, -- byte columns, whatever the negotiated position encoding
      end_lnum = d.end_lnum,
      end_col = d.end_col,
      severity = d.severity,
      code = d.code,
      source = d.source,
      message = d.message,
    })
  end
  return list
end

--- A buffer named `name` under examples/, holding `lines`, never written.
local function scratch(name, lines)
  vim.cmd.enew()
  local buf = vim.api.nvim_get_current_buf()
  vim.api.nvim_buf_set_name(buf, examples .. '/' .. name)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].filetype = 'markdown' -- FileType: vim.lsp.enable attaches here
  return buf
end

--- 0-based line and byte column of `needle` in a buffer.
local function find(buf, needle)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local s = line:find(needle, 1, true)
    if s then
      return i - 1, s - 1, line
    end
  end
  error('not found in buffer: ' .. needle)
end

--- Position params in the client's encoding for a byte column.
local function position(buf, client, row, byte_col)
  local line = vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1]
  local character = vim.str_utfindex(line, client.offset_encoding, byte_col, false)
  return { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = row, character = character } }
end

local function request(buf, method, params)
  local responses, err = vim.lsp.buf_request_sync(buf, method, params, timeout)
  if not responses then
    error(method .. ': ' .. tostring(err))
  end
  for _, r in pairs(responses) do
    if r.err then
      error(method .. ' failed: ' .. vim.inspect(r.err))
    end
    return r.result
  end
  return nil
end

local function main()
  local results = { nvim = tostring(vim.version()) }

  -- 1. The four example logs: no diagnostics.
  results.examples = {}
  for n = 1, 4 do
    local file = examples .. '/Auth-WorkLog-v' .. n .. '.md'
    vim.cmd.edit(vim.fn.fnameescape(file))
    local buf = vim.api.nvim_get_current_buf()
    local client = attached(buf, file)
    results.client = results.client
      or { name = client.name, root_dir = client.root_dir, offset_encoding = client.offset_encoding }
    results.examples['v' .. n] = diagnostics(buf, file)
  end

  -- 2. A broken log.
  local broken = scratch('Broken-WorkLog-v2.md', {
    '---',
    'version: v2',
    'status: in_progress',
    '---',
    '',
    '# Broken Work Log',
    '',
    '## v1 | 2025-11-13 14:00 | Start',
    '[... previous entry ...]',
    '',
    '## v2 | 2025-11-13 15:30 | Second pass',
    '',
    '**Prev:** v1 started the work',
    '**Now:** checking what the editor shows',
    '**Progress:** 50% | Halfway 🔄',
    '**Files:**',
    '- 🔄 `src/missing.ts` (still in review)',
    '**Next:**',
    '- [high] Fix the priority tag',
    '- [MED] Keep this one',
  })
  attached(broken, 'the broken log')
  results.broken = diagnostics(broken, 'the broken log', function(ds)
    for _, d in ipairs(ds) do
      if d.code == 'bad-priority' then
        return true
      end
    end
  end)

  -- 3. Path completion after `src/rou
  local comp = scratch('Completion-WorkLog-v1.md', {
    '---',
    'version: v1',
    'status: in_progress',
    '---',
    '',
    '# Completion Work Log',
    '',
    '## v1 | 2025-11-14 09:00 | Routes',
    '',
    '**Prev:** Starting new work',
    '**Now:** Completing a path',
    '**Progress:** 10% | Started',
    '**Files:**',
    '- `src/rou',
    '**Next:**',
    '- [HIGH] Finish the routes',
  })
  local client = attached(comp, 'the completion log')
  local row, col, line = find(comp, '`src/rou')
  local params = position(comp, client, row, col + #'`src/rou')
  params.context = { triggerKind = 1 }
  local result = request(comp, 'textDocument/completion', params)
  local items = result and (result.items or result) or {}
  results.completion = { line = line, position = params.position, items = {} }
  for _, item in ipairs(items) do
    table.insert(results.completion.items, {
      label = item.label,
      insertText = item.insertText,
      textEdit = item.textEdit,
    })
  end

  -- 4. Definition of src/auth/service.ts:84-120 in the v2 log ...
  vim.cmd.edit(vim.fn.fnameescape(examples .. '/Auth-WorkLog-v2.md'))
  local v2 = vim.api.nvim_get_current_buf()
  client = attached(v2, 'Auth-WorkLog-v2.md')
  row, col = find(v2, 'src/auth/service.ts:84-120')
  results.definition = request(v2, 'textDocument/definition', position(v2, client, row, col + 4))

  -- ... and the jump a user gets from `gd`-style vim.lsp.buf.definition().
  vim.api.nvim_win_set_cursor(0, { row + 1, col + 4 })
  vim.lsp.buf.definition()
  wait('the definition jump', function()
    return vim.api.nvim_buf_get_name(0):match('service%.ts$') ~= nil
  end)
  results.jump = {
    file = vim.api.nvim_buf_get_name(0),
    cursor = vim.api.nvim_win_get_cursor(0), -- { 1-based line, byte column }
    line_text = vim.api.nvim_get_current_line(),
  }

  -- 5. Find references on `src/auth/service.ts` in the v4 log: every log
  -- that mentions the file (the log index is built in the background:
  -- asked again until it answers).
  vim.cmd.edit(vim.fn.fnameescape(examples .. '/Auth-WorkLog-v4.md'))
  local v4 = vim.api.nvim_get_current_buf()
  client = attached(v4, 'Auth-WorkLog-v4.md')
  row, col = find(v4, 'src/auth/service.ts')
  local refs_params = position(v4, client, row, col + 4)
  refs_params.context = { includeDeclaration = true }
  local refs
  wait('references from every example log', function()
    refs = request(v4, 'textDocument/references', refs_params) or {}
    local logs = {}
    for _, l in ipairs(refs) do
      logs[l.uri] = true
    end
    return vim.tbl_count(logs) >= 4
  end)
  results.references = {}
  for _, l in ipairs(refs) do
    table.insert(results.references, { uri = l.uri, line = l.range.start.line })
  end

  -- 6. Rename `src/auth/service.ts` from a reference, as `:lua
  -- vim.lsp.buf.rename()` does, in a copy of the examples: the file moves
  -- and every log's references follow.
  local copy = vim.fn.fnamemodify(out_path, ':h') .. '/rename-copy' -- kept for check.py
  vim.fn.mkdir(copy, 'p')
  vim.fn.system({ 'cp', '-r', examples, copy .. '/examples' })
  local copied = copy .. '/examples'
  vim.cmd.edit(vim.fn.fnameescape(copied .. '/Auth-WorkLog-v4.md'))
  local c4 = vim.api.nvim_get_current_buf()
  client = attached(c4, 'the copied v4 log')
  row, col = find(c4, 'src/auth/service.ts')
  local rn = position(c4, client, row, col + 4)
  wait('the copy indexed (references from every log)', function()
    local r = request(c4, 'textDocument/references', vim.tbl_extend('force', rn, { context = { includeDeclaration = true } })) or {}
    local logs = {}
    for _, l in ipairs(r) do
      logs[l.uri] = true
    end
    return vim.tbl_count(logs) >= 4
  end)
  rn.newName = 'src/auth/token-service.ts'
  local edit = request(c4, 'textDocument/rename', rn)
  assert(edit, 'rename returned nothing')
  vim.lsp.util.apply_workspace_edit(edit, client.offset_encoding)
  vim.cmd('silent! wall')
  results.rename = { root = copied, edit_has_document_changes = edit.documentChanges ~= nil }

  results.messages = messages
  local f = assert(io.open(out_path, 'w'))
  f:write(vim.json.encode(results))
  f:close()
end

vim.api.nvim_create_autocmd('VimEnter', {
  nested = true, -- so :edit fires FileType and the client attaches
  once = true,
  callback = function()
    local ok, err = xpcall(main, debug.traceback)
    if not ok then
      io.stderr:write('nvim test failed: ' .. tostring(err) .. '\n')
      local log = vim.lsp.get_log_path()
      io.stderr:write('(LSP log: ' .. log .. ')\n')
      vim.cmd('cquit 1')
    end
    vim.cmd('qall!')
  end,
})
