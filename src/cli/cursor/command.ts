import { env as loadEnv } from "@/env";
import { serverFrom } from "./api";
import { listen } from "./listen";
import { Syncer, watchAndSync } from "./sync";

/** The folder the user ran the command in (bin/orchestrator.mjs moves to the project root before loading the CLI). */
const workingDir = () => process.env.ORCHESTRATOR_CWD ?? process.cwd();

function untilInterrupted(): AbortSignal {
  const abort = new AbortController();
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => abort.abort());
  return abort.signal;
}

const log = (line: string) => console.log(`[${new Date().toLocaleTimeString()}] ${line}`);

export async function cursorCommand(action: string, values: { watch?: boolean; session?: string; file?: string; dir?: string; scope?: string[] }): Promise<void> {
  const server = serverFrom(loadEnv());
  const dir = values.dir ?? workingDir();
  if (action === "listen") {
    const scopes = (values.scope ?? [])
      .flatMap((s) => s.split(","))
      .map((s) => s.trim())
      .filter(Boolean);
    log(`keeping .cursor/rules/orchestrator-context.mdc up to date from ${server.url} (Ctrl-C to stop)`);
    return listen({ server, dir, scopes, log, onRewrite: (file) => log(`rewrote ${file}`) }, untilInterrupted());
  }
  const opts = { server, dir, sessionId: values.session, file: values.file, log };
  if (!values.watch) return void (await new Syncer(opts).push());
  log(`watching ${dir}; pushing to ${server.url} (Ctrl-C to stop)`);
  return watchAndSync(opts, untilInterrupted());
}
