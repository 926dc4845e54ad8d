import { z } from "zod";

/** When Cloudways gave the answer: it is reused for up to 10 s, and a refresh of the connections forgets it. */
const asOf = z.string().describe("When Cloudways gave this answer (reused for up to 10 s; POST /ai/connections/refresh forgets it)");

const app = z.object({ id: z.string(), label: z.string(), application: z.string(), version: z.string().nullable(), fqdn: z.string().nullable(), cname: z.string().nullable() });

export const serversOutput = z.object({
  servers: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      status: z.string(),
      cloud: z.string().nullable(),
      region: z.string().nullable(),
      publicIp: z.string().nullable(),
      fqdn: z.string().nullable(),
      apps: z.array(app),
    }),
  ),
  asOf,
});

export const serverIdInput = z.strictObject({ serverId: z.string().regex(/^\d{1,12}$/, "a numeric Cloudways server id") });

export const servicesOutput = z.object({
  serverId: z.string(),
  services: z.array(z.object({ name: z.string(), status: z.string().describe("e.g. running, stopped") })),
  asOf,
});

export const monitoringInput = serverIdInput.extend({
  type: z.enum(["bw", "db"]).default("bw").describe("bw: bandwidth per app; db: disk used per app"),
});

export const monitoringOutput = z.object({
  serverId: z.string(),
  type: z.enum(["bw", "db"]),
  items: z.array(z.object({ name: z.string(), value: z.number().nullable(), at: z.string().nullable() })),
  asOf,
});
