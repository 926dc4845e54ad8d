import { connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";
import type { Probe } from "./types";

/** Slack incoming webhooks cannot be probed without posting a message: configured-only. */
export function slackProbe(): Probe {
  return async () => ({ state: "unchecked", details: { note: "configured; not contacted (a webhook call would post a message)" } });
}

/** SMTP: connect, read the 220 greeting, say QUIT. Nothing is sent and no login happens. */
export function smtpProbe(smtpUrl: string): Probe {
  return (signal) =>
    new Promise((resolve, reject) => {
      const u = new URL(smtpUrl);
      const secure = u.protocol === "smtps:";
      const port = Number(u.port || (secure ? 465 : 587));
      const socket: Socket = secure ? connectTls({ host: u.hostname, port, servername: u.hostname }) : connectTcp({ host: u.hostname, port });
      let buffer = "";
      let settled = false;
      const done = (err: Error | null, greeting?: string) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener("abort", onAbort);
        socket.destroy();
        if (err) reject(err);
        else resolve({ details: { greeting: greeting?.slice(0, 200) ?? null, tls: secure } });
      };
      const onAbort = () => done(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
      signal.addEventListener("abort", onAbort, { once: true });
      socket.setEncoding("utf8");
      socket.on("error", (err) => done(new Error(`SMTP ${u.hostname}:${port}: ${err.message}`)));
      socket.on("data", (chunk: string) => {
        buffer += chunk;
        const lines = buffer.split("\r\n");
        const last = lines.find((l) => /^\d{3} /.test(l));
        if (!last) return;
        if (!last.startsWith("220")) return done(new Error(`SMTP ${u.hostname}:${port} greeted with: ${last.slice(0, 200)}`));
        socket.write("QUIT\r\n", () => done(null, last));
      });
    });
}
