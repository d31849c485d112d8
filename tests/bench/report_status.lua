-- wrk script: POSTs reportStatus envelopes with a fresh messageId each, so every request is a
-- new durable intake (a repeated messageId would be answered from the journal instead), signed
-- in as the department "bench" with a WS-Security UsernameToken and a fresh nonce.
package.path = os.getenv("PORTIER_BENCH_DIR") .. "/?.lua;" .. package.path
local wsse = require("wsse")
local password = os.getenv("PORTIER_BENCH_SECRET")
local counter = 0
local cases = 32  -- business cases the reports spread over (the script opens them)

function setup(thread)
  counter = counter + 1
  thread:set("prefix", (os.getenv("PORTIER_BENCH_PREFIX") or "") .. "w" .. counter)
end

function init(args)
  n = 0
  math.randomseed(os.time() + #prefix * 7919 + counter)
end

function request()
  n = n + 1
  local body = '<?xml version="1.0" encoding="UTF-8"?>' ..
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:p="urn:portier:department:1">' ..
    wsse.header("bench", password, prefix .. "-" .. n) ..
    '<s:Body><p:reportStatus><p:header><p:senderId>bench</p:senderId>' ..
    '<p:messageId>' .. prefix .. "-" .. n .. '</p:messageId>' ..
    '<p:businessProcessId>bp-bench-' .. (n % cases) .. '</p:businessProcessId></p:header>' ..
    '<p:status>IN_PROGRESS</p:status>' ..
    '<p:statusText>Order 4711 for customer ACME &amp; Sons processed by legacy ERP batch job; shipment split into 3 parcels, carrier DHL, tracking numbers follow in next report.</p:statusText>' ..
    '</p:reportStatus></s:Body></s:Envelope>'
  return wrk.format("POST", "/soap/v1", {["Content-Type"] = "text/xml; charset=utf-8"}, body)
end
