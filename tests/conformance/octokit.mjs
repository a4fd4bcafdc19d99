// @octokit/webhooks-methods as an oracle for the Python tests.
//   node octokit.mjs sign SECRET            < body  → prints the X-Hub-Signature-256 value
//   node octokit.mjs verify SECRET SIGNATURE < body → prints true or false
import { readFileSync } from "node:fs";
import { sign, verify } from "@octokit/webhooks-methods";

const [cmd, secret, signature] = process.argv.slice(2);
const body = readFileSync(0, "utf8");
if (cmd === "sign") {
  console.log(await sign(secret, body));
} else if (cmd === "verify") {
  console.log(String(await verify(secret, body, signature)));
} else {
  console.error(`unknown command ${cmd}`);
  process.exit(2);
}
