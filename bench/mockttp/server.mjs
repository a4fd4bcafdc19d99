// mockttp (HTTP Toolkit's engine) as a comparison target for bench/run.sh.
// Pinned to 4.6.3: 4.6.5 wants tls-impersonate ^0.2.1, which the npm registry
// reachable from the project's machines lacks, so its lockfile breaks `npm ci`.
// One rule answers 200 to any request; mockttp records every matched request
// in memory, which is the closest it comes to hookscope's capture.
//
// Usage: node server.mjs --port PORT
// On SIGTERM/SIGINT it prints "recorded N requests" (from getSeenRequests)
// so the driver can show that mockttp kept what it answered.
import net from 'node:net';
import { getLocal } from 'mockttp';

// mockttp has no host option and listens on every interface; the benchmark
// must stay on loopback, so a bare-port listen() is pinned to 127.0.0.1.
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
    if (args.length === 1 && typeof args[0] === 'number') {
        return listen.call(this, args[0], '127.0.0.1');
    }
    return listen.apply(this, args);
};

const portArg = process.argv.indexOf('--port');
const port = Number(portArg >= 0 ? process.argv[portArg + 1] : NaN);
if (!Number.isInteger(port) || port <= 0) {
    console.error('usage: node server.mjs --port PORT');
    process.exit(2);
}

// recordTraffic defaults to true; spelled out because it is what is measured.
const server = getLocal({ recordTraffic: true });
await server.start(port);
const endpoint = await server.forAnyRequest().thenJson(200, { ok: true });
console.log(server.url);

let stopping = false;
async function stop() {
    if (stopping) return;
    stopping = true;
    const seen = await endpoint.getSeenRequests();
    console.log(`recorded ${seen.length} requests`);
    await server.stop();
    process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
