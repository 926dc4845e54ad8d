import { createServer, type Server, type Socket } from "node:net";

/** An SMTP server that greets with 220 and answers QUIT with 221; nothing else (the probe needs no more). */
export interface SmtpFake {
  port: number;
  greeting: string;
  connections: number;
  close(): Promise<void>;
}

export async function startSmtpFake(greeting = "220 mail.example.test ESMTP fake"): Promise<SmtpFake> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    fake.connections += 1;
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
    s.write(`${fake.greeting}\r\n`);
    s.on("data", (d) => {
      if (/^QUIT/im.test(d.toString())) s.end("221 2.0.0 Bye\r\n");
    });
  });
  const fake: SmtpFake = {
    port: 0,
    greeting,
    connections: 0,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    },
  };
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.port = (server.address() as { port: number }).port;
  return fake;
}
