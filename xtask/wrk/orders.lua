-- wrk script: POST /api/v1/orders. Usage: wrk -s orders.lua URL -- MODE CREATED_AT CODE
--   CODE: table A1's code, from its QR link (the admin tables API's `url`)
--   MODE "new":    every request a new order (unique Idempotency-Key)
--   MODE "replay": keys cycle through a fixed set already stored, so every
--                  answer is a replay of the first
-- Counts answers by status so shed load (503) is reported, not hidden.

local threads = {}
local threads_made = 0

-- Runs in the main Lua state; `thread:set` makes `thread_id` a global of
-- that thread's own state (so it must not be shadowed by a local there).
function setup(thread)
  threads_made = threads_made + 1
  thread:set("thread_id", threads_made)
  table.insert(threads, thread)
end

function init(args)
  mode = args[1] or "new"
  created_at = args[2]
  table_code = args[3] or ""

  counter = 0
  statuses = {}
  math.randomseed(os.time() + thread_id * 7919)
  prefix = string.format("bench%08x%02d", math.random(0, 0x7fffffff), thread_id)
  body = '{"mode":"dine_in","table":"A1","table_code":"' .. table_code .. '","items":[' ..
    '{"item_id":"beef-tripe","qty":2,"options":[]},' ..
    '{"item_id":"yuanyang-pot","qty":1,"options":["pair-mushroom","spice-mild"]}],' ..
    '"client":{"device_id":"wrk","created_at":"' .. created_at .. '","sent_at":"' .. created_at ..
    '","menu_version":"bench","total_minor":15200}}'
end

function request()
  counter = counter + 1
  local key
  if mode == "replay" then
    key = string.format("replaykey%02d%07d", thread_id, counter % 100)
  else
    key = string.format("%s%010d", prefix, counter)
  end
  return wrk.format("POST", "/api/v1/orders",
    { ["Content-Type"] = "application/json", ["Idempotency-Key"] = key }, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for status, count in pairs(counts) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  for status, count in pairs(totals) do
    io.write(string.format("status %d %d\n", status, count))
  end
end
