/**
 * Which files the indexer reads. Decided from the path and size first (no read needed), then from the
 * bytes (binary). Secret-bearing files are never read at all, whatever their size or name case.
 */
export const MAX_FILE_BYTES = 256 * 1024;

export type SkipReason = "secret" | "vendored" | "generated" | "lockfile" | "binary" | "too-large" | "empty";

const VENDORED_DIRS = new Set(["node_modules", "vendor", "bower_components", "third_party", "third-party", ".yarn", ".pnpm-store", "jspm_packages", "Pods", ".venv", "venv", "__pycache__", ".git"]);
const GENERATED_DIRS = new Set(["dist", "build", "out", ".next", ".nuxt", ".svelte-kit", ".turbo", ".cache", "coverage", "generated", "__generated__", "target", ".data", ".vercel", ".output"]);
const LOCKFILES = new Set([
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "bun.lockb",
  "bun.lock",
  "composer.lock",
  "Gemfile.lock",
  "Cargo.lock",
  "poetry.lock",
  "Pipfile.lock",
  "go.sum",
  "mix.lock",
  "pubspec.lock",
  "Podfile.lock",
  "flake.lock",
  "uv.lock",
]);

const SECRET_NAMES = [
  /^\.env(\..*)?$/i, // .env, .env.local, .env.production … (.env.example included: its values are often real)
  /^\.?envrc$/i,
  /^id_(rsa|dsa|ecdsa|ed25519)(\..*)?$/i,
  /^\.?(netrc|pgpass|npmrc|pypirc|htpasswd|git-credentials)$/i,
  /^credentials(\.json)?$/i,
  /^(secrets?|service[-_]?account)(\.[\w-]+)?\.(json|ya?ml|toml)$/i,
  /\.(pem|key|p12|pfx|jks|keystore|crt|cer|der|csr|p8|asc|gpg|ovpn|kdbx|tfstate|tfvars)$/i,
];

const BINARY_EXT =
  /\.(png|jpe?g|gif|bmp|ico|icns|webp|avif|tiff?|psd|mp[34]|m4a|wav|ogg|flac|webm|mov|avi|mkv|woff2?|ttf|otf|eot|zip|gz|tgz|bz2|xz|7z|rar|tar|jar|war|class|exe|dll|so|dylib|a|o|obj|wasm|pdf|docx?|xlsx?|pptx?|sqlite3?|db|bin|dat|pyc|pyo|node|lockb)$/i;
const GENERATED_NAMES = /(\.min\.(js|css|mjs)|\.map|\.bundle\.js|\.d\.ts\.map|\.snap|\.pb\.go|_pb2\.py|\.generated\.\w+)$/i;

export function isSecretPath(path: string): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return SECRET_NAMES.some((re) => re.test(name));
}

/** Why a path is skipped before reading it, or null when it is to be read. */
export function skipByPath(path: string, size: number): SkipReason | null {
  if (isSecretPath(path)) return "secret";
  const parts = path.split("/");
  const name = parts.pop()!;
  if (parts.some((p) => VENDORED_DIRS.has(p))) return "vendored";
  if (parts.some((p) => GENERATED_DIRS.has(p))) return "generated";
  if (LOCKFILES.has(name)) return "lockfile";
  if (BINARY_EXT.test(name)) return "binary";
  if (GENERATED_NAMES.test(name)) return "generated";
  if (size > MAX_FILE_BYTES) return "too-large";
  if (size === 0) return "empty";
  return null;
}

/** Binary content: a NUL byte in the first 8 KB (git's own test), or text that is not UTF-8. */
export function isBinaryContent(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) return true;
  const text = head.toString("utf8");
  const bad = text.split("\uFFFD").length - 1;
  return bad > 8 && bad > text.length / 100;
}
