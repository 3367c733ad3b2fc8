-- wrk script of bench/control_plane.py: alternates GET /metrics and GET /v1/jobs with the node's
-- bearer token, and paces each connection (VELO_WRK_DELAY_MS between requests) so that the load
-- is a steady rate rather than as much as one core can send.
local token = os.getenv("VELO_TOKEN") or ""
local pause = tonumber(os.getenv("VELO_WRK_DELAY_MS") or "2")
local paths = {"/metrics", "/v1/jobs"}
local n = 0

request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % 2) + 1], {["Authorization"] = "Bearer " .. token})
end

delay = function()
  return pause
end
