// Evaluates IAM requests with @cloud-copilot/iam-simulate (AGPL-3.0: a test-only devDependency, never
// shipped). stdin: a JSON array of Simulation objects (the library's own input type); stdout: a JSON
// array, one entry per simulation, {decision} or {error}. One process serves a whole test module.
import { runSimulation, anonymousPrincipal } from '@cloud-copilot/iam-simulate'

const ANONYMOUS = 'anonymous'

async function readStdin() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

async function decide(simulation) {
  if (simulation.request.principal === ANONYMOUS) simulation.request.principal = anonymousPrincipal
  const response = await runSimulation(simulation, {})
  if (response.resultType === 'error') return { error: JSON.stringify(response.errors) }
  return { decision: response.overallResult }
}

const simulations = await readStdin()
const results = []
for (const simulation of simulations) results.push(await decide(simulation))
process.stdout.write(JSON.stringify(results))
