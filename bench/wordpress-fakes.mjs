// N WordPress fakes, each its own HTTP server answering GET /<name>/wp-json/ after its own delay.
// Run as a child of bench/probe.mjs (so their memory is not counted as the server's): prints one JSON
// line { sites: [{ name, url, delayMs }] } once all listen, and serves until killed.
import { createServer } from "node:http";

const count = Number(process.argv[2] ?? 50);
const delayOf = (i) => 40 + ((i * 37) % count) * 20; // every delay once, scrambled: 40 … 40 + 20·(count−1) ms

function fake(name, delayMs) {
  const server = createServer((req, res) => {
    setTimeout(() => {
      if (!req.url?.startsWith(`/${name}/wp-json`)) return void res.writeHead(404).end();
      const root = `http://${req.headers.host}/${name}`;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ name: `Bench site ${name}`, description: "", url: root, home: root, namespaces: ["wp/v2", "wp-site-health/v1"], authentication: {}, routes: {} }));
    }, delayMs);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ name, delayMs, url: `http://127.0.0.1:${server.address().port}/${name}` })));
}

const sites = await Promise.all(Array.from({ length: count }, (_, i) => fake(`site${i}`, delayOf(i))));
process.stdout.write(`${JSON.stringify({ sites })}\n`);
