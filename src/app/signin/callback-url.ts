/**
 * Where to go after signing in: a path on this site only. next-auth hands over absolute URLs
 * (its own host); anything else — another host, "//evil", "/\evil" — falls back to "/".
 */
export function safeCallbackPath(value: string | string[] | undefined): string {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return "/";
  let candidate = raw;
  if (/^[a-z][a-z0-9+.-]*:/i.test(raw)) {
    try {
      const url = new URL(raw);
      if (url.protocol !== "http:" && url.protocol !== "https:") return "/";
      candidate = url.pathname + url.search + url.hash;
    } catch {
      return "/";
    }
  }
  if (!candidate.startsWith("/") || candidate.startsWith("//") || candidate.includes("\\")) return "/";
  if (candidate.startsWith("/signin")) return "/";
  return candidate;
}

/** next-auth's error codes (?error=…) in words a person can act on. */
export function signInErrorMessage(code: string | string[] | undefined): string | null {
  const value = Array.isArray(code) ? code[0] : code;
  if (!value) return null;
  if (value === "CredentialsSignin") return "Incorrect email or password.";
  const throttled = /^TooManyAttempts:(\d+)$/.exec(value);
  if (throttled) {
    const minutes = Math.max(1, Math.ceil(Number(throttled[1]) / 60));
    return `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
  }
  if (value === "SessionRequired") return "Please sign in to continue.";
  if (value === "AccessDenied") return "This account is not allowed to sign in. Ask an admin to create a user for you.";
  return "Sign-in failed. Please try again.";
}
