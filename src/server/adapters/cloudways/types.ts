/**
 * Cloudways, read-only: servers with their apps, service states and monitoring summaries.
 * Authentication is an email + API key exchanged for a bearer token (refreshed before it expires),
 * or a long-lived access token. The base URL carries the API version (…/api/v1 or …/api/v2).
 */
export interface CloudwaysApp {
  id: string;
  label: string;
  application: string;
  version: string | null;
  fqdn: string | null;
  cname: string | null;
}

export interface CloudwaysServer {
  id: string;
  label: string;
  status: string;
  cloud: string | null;
  region: string | null;
  publicIp: string | null;
  fqdn: string | null;
  apps: CloudwaysApp[];
}

export interface CloudwaysService {
  name: string;
  status: string;
}

export type MonitoringType = "bw" | "db";

export interface MonitoringItem {
  name: string;
  value: number | null;
  at: string | null;
}

export interface CloudwaysClient {
  readonly baseUrl: string;
  readonly auth: "api_key" | "access_token";
  servers(signal?: AbortSignal): Promise<CloudwaysServer[]>;
  services(serverId: string, signal?: AbortSignal): Promise<CloudwaysService[]>;
  monitoringSummary(serverId: string, type: MonitoringType, signal?: AbortSignal): Promise<MonitoringItem[]>;
  /** When the current bearer token expires (null for a long-lived token or before the first call). */
  tokenExpiresAt(): Date | null;
}

export type CloudwaysErrorKind = "unauthorized" | "rate_limited" | "timeout" | "not_found" | "http" | "network" | "bad_response";

export class CloudwaysError extends Error {
  constructor(
    readonly kind: CloudwaysErrorKind,
    message: string,
    readonly status: number | null = null,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = "CloudwaysError";
  }
}

export const DEFAULT_CLOUDWAYS_URL = "https://api.cloudways.com/api/v1";
