-- Apply ONE event to the tally counters, atomically: mark it seen, then apply all its effects.
-- ARGV: 1 root prefix "<ns>:t:", 2 event id (16 bytes), 3 seen TTL seconds, 4 generation ('' = live
-- and, while a rebuild runs, the generation being built), 5 campaign id, 6 type code, 7.. its arguments
-- (see services/tally/domain/args.py). Returns 1 when applied to the (first) generation, 0 for a duplicate,
-- 2 when the campaign has no configuration there (nothing marked seen, nothing written: the worker requeues it,
-- as the configuration may still be on its way through another worker; the delivery limit dead-letters it).
-- The same rules are written in Python in services/tally/domain/fold.py; keep the two in step.
local root, eid, ttl, explicit, camp, code = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]

local function split(s, sep)
  local out = {}
  if not s then return out end
  for part in string.gmatch(s, '([^' .. sep .. ']+)') do out[#out + 1] = part end
  return out
end

local function hgetall(key)
  local flat = redis.call('HGETALL', key)
  local t = {}
  for i = 1, #flat, 2 do t[flat[i]] = flat[i + 1] end
  return t
end

local function int(v) return string.format('%d', v) end

-- What an initiative in state s contributes: hash increments h[key][field] and ranking scores z[key][member].
local function contribution(id, s)
  local h, z = {}, {}
  local function add(t, key, f, v)
    if v ~= 0 then
      local row = t[key]
      if not row then row = {}; t[key] = row end
      row[f] = (row[f] or 0) + v
    end
  end
  local st = s['st']
  if st ~= 'submitted' and st ~= 'withdrawn' then return h, z end
  local path = split(s['p'], ',')
  local units = {'*'}
  for i = 1, #path do units[#units + 1] = path[i] end
  if st == 'withdrawn' then
    for _, u in ipairs(units) do add(h, 'u:' .. u, 'withdrawn', 1) end
    add(h, 'f:' .. s['f'], 'withdrawn', 1)
    return h, z
  end
  -- A technology secret adds no benefit anywhere (a unit's sum would be its exact benefit) and is ranked only
  -- nationally (a unit's ranking would place it there).
  local secret = s['c'] == '1'
  local votes, benefit, recognised, awards = tonumber(s['n'] or '0'), tonumber(s['b'] or '0'), 0, 0
  if secret then benefit = 0 end
  local levels, aw, vd = {}, {}, {}
  for k, v in pairs(s) do
    local tag = string.sub(k, 1, 3)
    if tag == 'cr:' and v ~= '' then
      recognised = 1
      for _, lv in ipairs(split(v, ',')) do levels[lv] = 1 end
    elseif tag == 'as:' and v ~= '' then
      awards = awards + 1
      local a = split(v, '|')
      aw['aw:' .. a[1]] = (aw['aw:' .. a[1]] or 0) + 1
      aw['awk:' .. a[2]] = (aw['awk:' .. a[2]] or 0) + 1
      if a[3] ~= '-' then aw['awg:' .. a[3]] = (aw['awg:' .. a[3]] or 0) + 1 end
    elseif tag == 'vd:' then
      vd[string.sub(k, 4)] = tonumber(v)
    end
  end
  local function counters(key)
    add(h, key, 'submitted', 1); add(h, key, 'votes', votes); add(h, key, 'benefit', benefit)
    add(h, key, 'recognised', recognised); add(h, key, 'awards', awards)
    for lv in pairs(levels) do add(h, key, 'rec:' .. lv, 1) end
    for f, c in pairs(aw) do add(h, key, f, c) end
  end
  for _, u in ipairs(units) do
    counters('u:' .. u)
    if s['sd'] and s['sd'] ~= '' then add(h, 'd:' .. s['sd'], u .. ':s', 1) end
    for day, c in pairs(vd) do add(h, 'd:' .. day, u .. ':v', c) end
    if u == '*' or not secret then add(z, 'ri:' .. u, id, -votes) end
  end
  counters('f:' .. s['f'])
  for i = 2, #path do
    add(z, 'r:i:' .. path[i - 1], path[i], -1)
    add(z, 'r:v:' .. path[i - 1], path[i], -votes)
    add(z, 'r:a:' .. path[i - 1], path[i], -awards)
  end
  return h, z
end

-- Apply new - old; a counter that reaches zero is removed, so Redis holds exactly the fold's result.
local function apply_diff(C, id, old, new)
  local oh, oz = contribution(id, old)
  local nh, nz = contribution(id, new)
  local function delta(n, o)
    local d = {}
    for key, row in pairs(n) do d[key] = d[key] or {}; for f, v in pairs(row) do d[key][f] = (d[key][f] or 0) + v end end
    for key, row in pairs(o) do d[key] = d[key] or {}; for f, v in pairs(row) do d[key][f] = (d[key][f] or 0) - v end end
    return d
  end
  for key, row in pairs(delta(nh, oh)) do
    for f, v in pairs(row) do
      if v ~= 0 then
        if redis.call('HINCRBY', C .. key, f, int(v)) == 0 then redis.call('HDEL', C .. key, f) end
        if v > 0 then
          local kind = string.sub(key, 1, 2)
          if kind == 'd:' then redis.call('SADD', C .. 'days', string.sub(key, 3))
          elseif kind == 'f:' then redis.call('SADD', C .. 'fields', string.sub(key, 3)) end
        end
      end
    end
  end
  for key, row in pairs(delta(nz, oz)) do
    for m, v in pairs(row) do
      if v ~= 0 and tonumber(redis.call('ZINCRBY', C .. key, int(v), m)) == 0 then redis.call('ZREM', C .. key, m) end
    end
  end
end

local function copy(t) local c = {}; for k, v in pairs(t) do c[k] = v end; return c end

local function apply(G)
  local C = G .. 'c:' .. camp .. ':'
  -- The change counter moves only when the event changed state (a vote always does; a stale version never),
  -- and it is written together with the campaign index (here and by the bulk rebuild), so only a campaign's
  -- first change in a generation has to index it.
  local function changed()
    if redis.call('INCR', C .. 'ver') == 1 then redis.call('SADD', G .. 'campaigns', camp) end
  end
  if code == 'V' then
    changed()
    -- The hot path (nearly every event is a vote): 27 commands in all for a four-level path (with the pointer
    -- read, the seen marker and the configuration check), no tables; a secret is ranked only nationally.
    local id, day = ARGV[7], ARGV[8]
    local ikey = C .. 'i:' .. id
    redis.call('HINCRBY', ikey, 'n', 1)
    redis.call('HINCRBY', ikey, 'vd:' .. day, 1)
    local s = redis.call('HMGET', ikey, 'st', 'p', 'f', 'c')
    local public = s[4] ~= '1'
    if s[1] == 'submitted' then
      local dkey = C .. 'd:' .. day
      -- A day is indexed when a counter there first goes up and never removed, so a nation count above one
      -- on that day means the day is indexed already.
      if redis.call('HINCRBY', dkey, '*:v', 1) == 1 then redis.call('SADD', C .. 'days', day) end
      redis.call('HINCRBY', C .. 'u:*', 'votes', 1)
      redis.call('ZINCRBY', C .. 'ri:*', -1, id)
      local parent
      for u in string.gmatch(s[2], '[^,]+') do
        redis.call('HINCRBY', C .. 'u:' .. u, 'votes', 1)
        redis.call('HINCRBY', dkey, u .. ':v', 1)
        if public then redis.call('ZINCRBY', C .. 'ri:' .. u, -1, id) end
        if parent then redis.call('ZINCRBY', C .. 'r:v:' .. parent, -1, u) end
        parent = u
      end
      redis.call('HINCRBY', C .. 'f:' .. s[3], 'votes', 1)
    end
  elseif code == 'I' then
    local id, version = ARGV[7], tonumber(ARGV[8])
    local ikey = C .. 'i:' .. id
    local old = hgetall(ikey)
    if tonumber(old['v'] or '0') >= version then return end
    changed()
    local new = copy(old)
    new['v'], new['st'], new['p'], new['f'], new['sd'] = ARGV[8], ARGV[9], ARGV[10], ARGV[11], ARGV[12]
    new['b'], new['t'], new['c'] = ARGV[13], ARGV[14], ARGV[15]
    apply_diff(C, id, old, new)
    redis.call('HSET', ikey, 'v', ARGV[8], 'st', ARGV[9], 'p', ARGV[10], 'f', ARGV[11], 'sd', ARGV[12],
      'b', ARGV[13], 't', ARGV[14], 'c', ARGV[15])
  elseif code == 'R' or code == 'A' then
    local id, sub, version, state = ARGV[7], ARGV[8], tonumber(ARGV[9]), ARGV[10]
    local vfield, sfield = 'cv:' .. sub, 'cr:' .. sub
    if code == 'A' then vfield, sfield = 'av:' .. sub, 'as:' .. sub end
    local ikey = C .. 'i:' .. id
    local old = hgetall(ikey)
    if tonumber(old[vfield] or '0') >= version then return end
    changed()
    local new = copy(old)
    new[vfield], new[sfield] = ARGV[9], state
    apply_diff(C, id, old, new)
    redis.call('HSET', ikey, vfield, ARGV[9], sfield, state)
  elseif code == 'C' then
    local version = tonumber(ARGV[7])
    if tonumber(redis.call('HGET', C .. 'cfg', 'v') or '0') >= version then return end
    changed()
    redis.call('HSET', C .. 'cfg', 'v', ARGV[7], 'target', ARGV[8], 'name', ARGV[9])
    redis.call('DEL', C .. 'q')
    if #ARGV > 9 then redis.call('HSET', C .. 'q', unpack(ARGV, 10)) end
  end
end

if code ~= 'V' and code ~= 'I' and code ~= 'R' and code ~= 'A' and code ~= 'C' then
  return redis.error_reply('unknown type code ' .. tostring(code))
end
local gens = {}
if explicit ~= '' then
  gens[1] = explicit
else
  local pointers = redis.call('MGET', root .. 'gen', root .. 'building')
  local live, building = pointers[1] or '0', pointers[2]
  gens[1] = live
  if building and building ~= live then gens[2] = building end
end
-- Only a configured campaign counts. While a rebuild runs, the generation being built has the configuration
-- from the feeds even when the live one lost it (Redis emptied): either one will do, and the event goes to both.
if code ~= 'C' then
  local cfg = ':c:' .. camp .. ':cfg'
  if redis.call('EXISTS', root .. gens[1] .. cfg) == 0 and not (gens[2] and redis.call('EXISTS', root .. gens[2] .. cfg) == 1) then
    return 2
  end
end
local applied = 0
for i, g in ipairs(gens) do
  local G = root .. g .. ':'
  if redis.call('SET', G .. 's:' .. eid, '1', 'NX', 'EX', ttl) then
    apply(G)
    if i == 1 then applied = 1 end
  end
end
return applied
