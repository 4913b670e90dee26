-- Argo CD health of a ContrastiveTrainingRun, read from the status its operator writes.
local hs = {}
local status = obj.status
if status == nil or status.phase == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to record a phase"
  return hs
end

-- A status written for an older spec says nothing about the current one.
local generation = obj.metadata.generation
if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. generation
  return hs
end

local healthByPhase = {
  Pending = "Progressing",
  Queued = "Progressing",
  Running = "Progressing",
  Succeeded = "Healthy",
  Failed = "Degraded",
  Suspended = "Suspended",
}
hs.status = healthByPhase[status.phase]
if hs.status == nil then
  hs.status = "Unknown"
  hs.message = "Unknown phase " .. status.phase
  if status.message ~= nil then
    hs.message = hs.message .. ": " .. status.message
  end
  return hs
end
hs.message = status.message or status.phase
return hs
