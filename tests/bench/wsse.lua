-- WS-Security UsernameToken (PasswordDigest) for the benchmark client: every request needs a
-- fresh nonce, since Portier refuses a nonce it has seen. SHA-1 and Base64 are written here
-- because wrk's LuaJIT has neither; this is a test client, not product code.
local bit = require("bit")
local band, bor, bxor, bnot = bit.band, bit.bor, bit.bxor, bit.bnot
local rol, lshift, rshift, tobit = bit.rol, bit.lshift, bit.rshift, bit.tobit

local M = {}

local function be32(n)
  return string.char(band(rshift(n, 24), 255), band(rshift(n, 16), 255),
                     band(rshift(n, 8), 255), band(n, 255))
end

function M.sha1(msg)
  local h0, h1, h2, h3, h4 = 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0
  local len = #msg
  msg = msg .. "\128" .. string.rep("\0", (55 - len) % 64) .. be32(0) .. be32(len * 8)
  local w = {}
  for chunk = 1, #msg, 64 do
    for i = 0, 15 do
      local a, b, c, d = msg:byte(chunk + i * 4, chunk + i * 4 + 3)
      w[i] = bor(lshift(a, 24), lshift(b, 16), lshift(c, 8), d)
    end
    for i = 16, 79 do
      w[i] = rol(bxor(w[i - 3], w[i - 8], w[i - 14], w[i - 16]), 1)
    end
    local a, b, c, d, e = h0, h1, h2, h3, h4
    for i = 0, 79 do
      local f, k
      if i < 20 then
        f, k = bor(band(b, c), band(bnot(b), d)), 0x5A827999
      elseif i < 40 then
        f, k = bxor(b, c, d), 0x6ED9EBA1
      elseif i < 60 then
        f, k = bor(band(b, c), band(b, d), band(c, d)), 0x8F1BBCDC
      else
        f, k = bxor(b, c, d), 0xCA62C1D6
      end
      local temp = tobit(rol(a, 5) + f + e + k + w[i])
      e, d, c, b, a = d, c, rol(b, 30), a, temp
    end
    h0, h1, h2, h3, h4 = tobit(h0 + a), tobit(h1 + b), tobit(h2 + c), tobit(h3 + d), tobit(h4 + e)
  end
  return be32(h0) .. be32(h1) .. be32(h2) .. be32(h3) .. be32(h4)
end

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
function M.base64(data)
  local out = {}
  for i = 1, #data, 3 do
    local a, b, c = data:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local chars = {}
    for j = 3, 0, -1 do
      local idx = math.floor(n / 64 ^ j) % 64 + 1
      chars[#chars + 1] = alphabet:sub(idx, idx)
    end
    if not b then chars[3], chars[4] = "=", "=" elseif not c then chars[4] = "=" end
    out[#out + 1] = table.concat(chars)
  end
  return table.concat(out)
end

local WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
local WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
local PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"

-- The Header element for `user` with a nonce made unique by `unique` (thread and counter).
function M.header(user, password, unique)
  local nonce = M.sha1(unique .. os.time() .. math.random()):sub(1, 16)
  local created = os.date("!%Y-%m-%dT%H:%M:%SZ")
  local digest = M.base64(M.sha1(nonce .. created .. password))
  return '<s:Header><wsse:Security xmlns:wsse="' .. WSSE .. '" xmlns:wsu="' .. WSU .. '">' ..
    '<wsse:UsernameToken><wsse:Username>' .. user .. '</wsse:Username>' ..
    '<wsse:Password Type="' .. PROFILE .. '#PasswordDigest">' .. digest .. '</wsse:Password>' ..
    '<wsse:Nonce>' .. M.base64(nonce) .. '</wsse:Nonce><wsu:Created>' .. created ..
    '</wsu:Created></wsse:UsernameToken></wsse:Security></s:Header>'
end

return M
