-- A Neovim set-up without plugins that works on Debian's Neovim 0.7.2 and on current Neovim:
-- start `forksafe lsp` for the buffer, wait for its diagnostics, print them, quit.
-- Environment: FORKSAFE (the program), EDIT ("old=>new": replace the first `old` in the buffer
-- after the first diagnostics and print the diagnostics again).
local function report(buf, label)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or '?'
    table.insert(out, string.format('%s %d:%d %s: %s', label, d.lnum + 1, d.col + 1, code, d.message))
  end
  table.sort(out)
  io.stdout:write(table.concat(out, '\n') .. (#out > 0 and '\n' or (label .. ' none\n')))
end

vim.api.nvim_create_autocmd('VimEnter', {
  callback = function()
    local buf = vim.api.nvim_get_current_buf()
    local published = 0
    local handlers = {
      ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
        vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
        published = published + 1
      end,
    }
    local id = vim.lsp.start_client({
      name = 'forksafe',
      cmd = { os.getenv('FORKSAFE'), 'lsp' },
      root_dir = vim.fn.getcwd(),
      handlers = handlers,
    })
    vim.lsp.buf_attach_client(buf, id)
    if not vim.wait(60000, function() return published > 0 end, 20) then
      io.stdout:write('timeout waiting for diagnostics\n')
      vim.cmd('qa!')
    end
    report(buf, 'open')
    local edit = os.getenv('EDIT')
    if edit then
      local old, new = edit:match('^(.-)=>(.*)$')
      for lnum, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
        local s, e = line:find(old, 1, true)
        if s then
          -- Sent as an incremental change: the server asked for them.
          vim.api.nvim_buf_set_text(buf, lnum - 1, s - 1, lnum - 1, e, { new })
          break
        end
      end
      local before = published
      if not vim.wait(60000, function() return published > before end, 20) then
        io.stdout:write('timeout waiting for diagnostics after the edit\n')
      end
      report(buf, 'edited')
    end
    vim.lsp.stop_client(id)
    vim.cmd('qa!')
  end,
})
