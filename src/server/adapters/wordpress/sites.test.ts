import { describe, expect, it } from "vitest";
import { parseWordPressSites, siteRoot } from "./index";

describe("WordPress site configuration", () => {
  it("finds the site root whatever part of the REST URL was configured", () => {
    expect(siteRoot("https://example.com/wp-json/")).toBe("https://example.com");
    expect(siteRoot("https://example.com/blog/wp-json/wp/v2")).toBe("https://example.com/blog");
    expect(siteRoot("https://example.com/")).toBe("https://example.com");
  });

  it("reads WP_REST_ENDPOINT and WP_SITES, credentials decoded from the URL", () => {
    const sites = parseWordPressSites({
      WP_REST_ENDPOINT: "https://main.example.com/wp-json",
      WP_USER: "ops",
      WP_APP_PASSWORD: "aaaa bbbb",
      WP_SITES: "shop=https://bot:abcd%20efgh@shop.example.com, blog=https://blog.example.com/",
    });
    expect(sites).toEqual([
      { id: "wordpress", name: "main.example.com", url: "https://main.example.com", user: "ops", appPassword: "aaaa bbbb" },
      { id: "wordpress-shop", name: "shop", url: "https://shop.example.com", user: "bot", appPassword: "abcd efgh" },
      { id: "wordpress-blog", name: "blog", url: "https://blog.example.com", user: undefined, appPassword: undefined },
    ]);
  });

  it("refuses malformed entries with a message naming them", () => {
    expect(() => parseWordPressSites({ WP_SITES: "no-equals-sign" })).toThrow(/name=https/);
    expect(() => parseWordPressSites({ WP_SITES: "a=not a url" })).toThrow(/not valid/);
    expect(() => parseWordPressSites({ WP_SITES: "a=https://x,a=https://y" })).toThrow(/twice/);
  });
});
