import { sendJson, startFake, type FakeServer } from "./http";

/**
 * A fake of WordPress's REST API (https://developer.wordpress.org/rest-api/) for several sites at once,
 * each under its own path (`/<site>`), as a site in a subdirectory is served:
 *   GET /<site>/wp-json/  → the index: { name, description, url, home, namespaces, authentication, routes }
 *   GET /<site>/wp-json/wp-site-health/v1/tests/<test> → { label, status, badge: { label, color }, description, actions, test }
 *     with Basic auth of an application password; otherwise 401 rest_forbidden, as WordPress answers.
 * Per site: `down` (503), `slowMs` (answers late), a test forced to "critical".
 */
export interface WordPressFakeSite {
  user: string;
  appPassword: string;
  down: boolean;
  slowMs: number;
  critical: Set<string>;
}

export interface WordPressFake extends FakeServer {
  sites: Map<string, WordPressFakeSite>;
  /** The site's root URL, to configure as WP_REST_ENDPOINT or in WP_SITES. */
  siteUrl(name: string): string;
  addSite(name: string, opts?: Partial<WordPressFakeSite>): WordPressFakeSite;
}

const TESTS: Record<string, { label: string; badge: string }> = {
  "background-updates": { label: "Background updates are working", badge: "Security" },
  "loopback-requests": { label: "Your site can perform loopback requests", badge: "Performance" },
  "https-status": { label: "Your website is using an active HTTPS connection", badge: "Security" },
  "dotorg-communication": { label: "Can communicate with WordPress.org", badge: "Security" },
  "authorization-header": { label: "The Authorization header is working as expected", badge: "Security" },
  "page-cache": { label: "Page cache is detected and the server response time is good", badge: "Performance" },
};

export async function startWordPressFake(): Promise<WordPressFake> {
  const sites = new Map<string, WordPressFakeSite>();
  const fake = (await startFake(async (req, res, _body, url) => {
    const m = /^\/([\w-]+)\/wp-json(\/.*)?$/.exec(url.pathname);
    const site = m ? sites.get(m[1]!) : undefined;
    if (!m || !site) return sendJson(res, 404, { code: "rest_no_route", message: "No route was found matching the URL and request method.", data: { status: 404 } });
    if (site.slowMs) await new Promise((r) => setTimeout(r, site.slowMs));
    if (site.down) {
      res.writeHead(503, { "content-type": "text/html" });
      return res.end("<html><body>Error establishing a database connection</body></html>");
    }
    const route = (m[2] ?? "/").replace(/\/+$/, "") || "/";
    const root = `${fake.url}/${m[1]}`;
    if (route === "/") {
      return sendJson(res, 200, {
        name: `Fake site ${m[1]}`,
        description: "Just another WordPress site",
        url: root,
        home: root,
        gmt_offset: "0",
        timezone_string: "UTC",
        namespaces: ["oembed/1.0", "wp/v2", "wp-site-health/v1", "wp-block-editor/v1"],
        authentication: { "application-passwords": { endpoints: { authorization: `${root}/wp-admin/authorize-application.php` } } },
        routes: { "/": { namespace: "", methods: ["GET"] } },
      });
    }
    const test = /^\/wp-site-health\/v1\/tests\/([\w-]+)$/.exec(route)?.[1];
    if (test && TESTS[test]) {
      const expected = `Basic ${Buffer.from(`${site.user}:${site.appPassword}`).toString("base64")}`;
      const sent = req.headers.authorization ?? "";
      // WordPress accepts an application password with or without its display spaces
      const normalize = (h: string) => (h.startsWith("Basic ") ? Buffer.from(h.slice(6), "base64").toString("utf8").replace(/ /g, "") : h);
      if (!sent || normalize(sent) !== normalize(expected)) return sendJson(res, 401, { code: "rest_forbidden", message: "Sorry, you are not allowed to do that.", data: { status: 401 } });
      const critical = site.critical.has(test);
      return sendJson(res, 200, {
        label: critical ? `${TESTS[test].label.split(" ")[0]} check failed` : TESTS[test].label,
        status: critical ? "critical" : "good",
        badge: { label: TESTS[test].badge, color: critical ? "red" : "blue" },
        description: "<p>Fake.</p>",
        actions: "",
        test,
      });
    }
    return sendJson(res, 404, { code: "rest_no_route", message: "No route was found matching the URL and request method.", data: { status: 404 } });
  })) as WordPressFake;
  fake.sites = sites;
  fake.siteUrl = (name) => `${fake.url}/${name}`;
  fake.addSite = (name, opts = {}) => {
    const site: WordPressFakeSite = { user: "ops", appPassword: "abcd EFGH ijkl MNOP qrst UVWX", down: false, slowMs: 0, critical: new Set(), ...opts };
    sites.set(name, site);
    return site;
  };
  return fake;
}
