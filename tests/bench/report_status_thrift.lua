-- wrk script: POSTs reportStatus as Thrift calls (compact protocol, one call per body, as
-- Thrift's HTTP transport sends them) with a fresh messageId each, so every request is a new
-- durable intake, signed in as the department "bench" by its token. The same business cases and
-- the same statusText as report_status.lua, so both protocols carry the same work.
local token = os.getenv("PORTIER_BENCH_TOKEN")
local counter = 0
local cases = 32
local status_text = "Order 4711 for customer ACME & Sons processed by legacy ERP batch job; " ..
  "shipment split into 3 parcels, carrier DHL, tracking numbers follow in next report."

function setup(thread)
  counter = counter + 1
  thread:set("prefix", (os.getenv("PORTIER_BENCH_PREFIX") or "") .. "t" .. counter)
end

function init(args)
  n = 0
end

-- Thrift compact protocol: unsigned varint, and a string as its varint length and bytes.
local function varint(v)
  local out = {}
  while v >= 0x80 do
    out[#out + 1] = string.char(v % 0x80 + 0x80)
    v = math.floor(v / 0x80)
  end
  out[#out + 1] = string.char(v)
  return table.concat(out)
end
local function str(s) return varint(#s) .. s end

function request()
  n = n + 1
  local header = "\024" .. str("bench") ..                    -- 1: senderId (binary)
                 "\024" .. str(prefix .. "-" .. n) ..         -- 2: messageId
                 "\024" .. str("bp-bench-" .. (n % cases)) .. -- 3: businessProcessId
                 "\000"
  local req = "\028" .. header ..                           -- 1: header (struct)
              "\021" .. varint(4) ..                        -- 2: status i32 IN_PROGRESS (zigzag 2)
              "\040" .. str(status_text) ..                 -- 4: statusText (field delta 2)
              "\000"
  local body = "\130\033" .. varint(n % 100000) .. str("reportStatus") ..  -- CALL, seqid, name
               "\028" .. req .. "\000"                                     -- args: 1: request
  return wrk.format("POST", "/thrift/v1", {["Content-Type"] = "application/x-thrift",
                                           ["Authorization"] = "Bearer " .. token}, body)
end
