// Runs named steps in order and prints one JSON object: {step: {ok, value} | {ok: false, error, status}}.
// The Python test asserts on the values; a step that throws is recorded, not fatal.
export const endpoint = process.env.LAKEBOX_ENDPOINT;
export const credentials = { accessKeyId: "test", secretAccessKey: "test" };
export const config = { endpoint, region: "us-east-1", credentials };

export async function runSteps(steps) {
  const results = {};
  for (const [name, fn] of steps) {
    try {
      const value = await fn();
      results[name] = { ok: true, value: value === undefined ? null : value };
    } catch (e) {
      results[name] = { ok: false, error: e.name, message: String(e.message || "").slice(0, 500),
                        status: e.$metadata?.httpStatusCode ?? null };
    }
  }
  process.stdout.write(JSON.stringify(results) + "\n");
}
