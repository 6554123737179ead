// Runs one execution of a state machine definition with aws-local-stepfunctions.
// Usage: node --require ./polyfill.cjs run-execution.cjs DEFINITION SUBSTITUTIONS INPUT RESULT
// Task states invoke the ARNs substituted into the definition through the Lambda Invoke API at
// AWS_ENDPOINT_URL_LAMBDA. RESULT receives {"status": "SUCCEEDED", "output"} or
// {"status": "FAILED", "error", "cause"}, and "largestState": the name and size in bytes (UTF-8
// JSON) of the largest input or output any state had, Map iterations included, to hold against
// Step Functions' 256 KB payload limit. The exit code is 0 either way, 2 when the run itself broke.
// With BATCHLINE_RETRY_INTERVAL_MILLIS set, every Task's retries wait that long instead of their
// Retry rules' intervals (the engine's retryIntervalOverrides), so fault tests take seconds.
'use strict';
const fs = require('fs');
const { StateMachine, ExecutionError } = require('aws-local-stepfunctions');

async function main() {
  const [definitionPath, substitutionsPath, inputPath, resultPath] = process.argv.slice(2);
  const substitutions = JSON.parse(fs.readFileSync(substitutionsPath, 'utf8'));
  const text = fs.readFileSync(definitionPath, 'utf8').replace(/\$\{(\w+)\}/g, (whole, name) => {
    if (!(name in substitutions)) {
      throw new Error(`no substitution for \${${name}}`);
    }
    return substitutions[name];
  });
  const definition = JSON.parse(text);
  const machine = new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } });
  const overrides = {};
  const retryMillis = process.env.BATCHLINE_RETRY_INTERVAL_MILLIS;
  if (retryMillis) {
    overrides.retryIntervalOverrides = {};
    for (const name of taskStateNames(definition.States)) {
      overrides.retryIntervalOverrides[name] = Number(retryMillis);
    }
  }
  const execution = machine.run(JSON.parse(fs.readFileSync(inputPath, 'utf8')), { overrides });
  const largestState = { name: null, bytes: 0 };
  const measured = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type !== 'StateEntered' && event.type !== 'StateExited') {
        continue;
      }
      for (const payload of [event.state.input, event.state.output]) {
        const bytes = payload === undefined ? 0 : Buffer.byteLength(JSON.stringify(payload), 'utf8');
        if (bytes > largestState.bytes) {
          largestState.name = event.state.name;
          largestState.bytes = bytes;
        }
      }
    }
  })();
  let result;
  try {
    result = { status: 'SUCCEEDED', output: await execution.result };
  } catch (error) {
    const cause = error instanceof ExecutionError ? error.getCause?.() ?? error.cause : error;
    result = {
      status: 'FAILED',
      error: cause?.name ?? error.name,
      cause: cause?.message ?? error.message,
    };
  }
  await measured;
  result.largestState = largestState;
  fs.writeFileSync(resultPath, JSON.stringify(result));
}

function taskStateNames(states) {
  const names = [];
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task') {
      names.push(name);
    }
    if (state.ItemProcessor) {
      names.push(...taskStateNames(state.ItemProcessor.States));
    }
  }
  return names;
}

main().catch((error) => {
  console.error(`run-execution: ${error.stack ?? error}`);
  process.exit(2);
});
