// HS256 JWTs with node:crypto, as the chat sample's JwtBearer configuration expects them (sub, exp; no iss/aud).
import { createHmac, timingSafeEqual } from "node:crypto";

const encode = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");

export function sign(sub, secret, lifetimeSeconds = 24 * 3600) {
  const now = Math.floor(Date.now() / 1000);
  const body = `${encode({ alg: "HS256", typ: "JWT" })}.${encode({ sub, iat: now, nbf: now - 1, exp: now + lifetimeSeconds })}`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
}

// The claims of a valid token, or null.
export function verify(token, secret) {
  const parts = typeof token === "string" ? token.split(".") : [];
  if (parts.length !== 3) return null;
  const [header, payload, signature] = parts;
  let claims;
  try {
    if (JSON.parse(Buffer.from(header, "base64url")).alg !== "HS256") return null;
    claims = JSON.parse(Buffer.from(payload, "base64url"));
  } catch {
    return null;
  }
  const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest();
  const actual = Buffer.from(signature, "base64url");
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
  const now = Date.now() / 1000;
  if (typeof claims.exp !== "number" || claims.exp < now || (claims.nbf ?? 0) > now) return null;
  return claims;
}
