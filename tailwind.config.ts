import type { Config } from "tailwindcss";

// Tailwind 4 reads its configuration from CSS; this file is loaded there with @config.
export default {
  content: ["./src/**/*.{ts,tsx}"],
  theme: { extend: {} },
} satisfies Config;
