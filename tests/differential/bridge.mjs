// Test-only JSON-lines bridge to @cloud-copilot/iam-simulate (AGPL-3.0; never shipped).
// stdin: one {"id": ..., "simulation": {...}} per line; stdout: one result per line, in order:
// {"id", "overall", "resource", "identity", "ignored"} or {"id", "error"}.
import { runSimulation } from '@cloud-copilot/iam-simulate'
import readline from 'node:readline'

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })

for await (const line of lines) {
  if (!line.trim()) continue
  let id = null
  let reply
  try {
    const message = JSON.parse(line)
    id = message.id
    const outcome = await runSimulation(message.simulation, {})
    if (outcome.resultType === 'error') {
      reply = { id, error: outcome.errors.message, details: outcome.errors }
    } else {
      const analysis = outcome.result?.analysis
      reply = {
        id,
        overall: outcome.overallResult,
        resource: analysis?.resourceAnalysis?.result ?? null,
        identity: analysis?.identityAnalysis?.result ?? null,
        ignored: outcome.result?.ignoredContextKeys ?? []
      }
    }
  } catch (failure) {
    reply = { id, error: String(failure && failure.stack ? failure.stack : failure) }
  }
  process.stdout.write(JSON.stringify(reply) + '\n')
}
