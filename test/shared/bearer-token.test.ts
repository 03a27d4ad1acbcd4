import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { decode, sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { MAX_TOKEN_LIFETIME_SECONDS, mintToken, Role, verifyToken } from "../../shared/auth/token";

/**
 * The rules a bearer token must pass beyond its signature: it expires (`exp` is required), and it does
 * not live longer than its role may (shared/auth/token.ts). What a refused token gets over HTTP (401
 * with the reason) is test/orders/hostile-input.test.ts.
 */
const SECRET = "test-only-secret-for-bearer-tokens";
const HOUR = 3600;
const now = () => Math.floor(Date.now() / 1000);
const signed = (payload: Record<string, unknown>, secret = SECRET) => sign(payload, secret, "HS256");
const refused = (reason: RegExp) => ({ error: expect.stringMatching(reason) });

describe("verifyToken", () => {
  it("accepts what mintToken signs, for every role, at the longest its role may live", async () => {
    for (const role of Role.options) {
      const token = await mintToken(SECRET, `${role}-1`, role);
      expect(await verifyToken(SECRET, token), role).toEqual({ id: `${role}-1`, role });
      const { exp, iat } = decode(token).payload as { exp: number; iat: number };
      expect(exp - iat, role).toBe(MAX_TOKEN_LIFETIME_SECONDS[role]);
    }
  });

  it("refuses a token without exp, which would never expire", async () => {
    const token = await signed({ sub: "alice", role: "customer", iat: now() });
    expect(await verifyToken(SECRET, token)).toEqual(refused(/no expiry \(exp\)/));
  });

  it("refuses a token issued for longer than its role may live, even close to its end", async () => {
    const dayLong = await signed({ sub: "alice", iat: now(), exp: now() + 24 * HOUR + 60 });
    expect(await verifyToken(SECRET, dayLong)).toEqual(refused(/longer than a customer token may/));
    // A month-long token with a minute left: what is left is short, but it was never acceptable.
    const monthOld = await signed({ sub: "alice", iat: now() - 30 * 24 * HOUR, exp: now() + 60 });
    expect(await verifyToken(SECRET, monthOld)).toEqual(refused(/at most 24 hours/));
  });

  it("measures a token without iat by what is left of it", async () => {
    const tooLong = await signed({ sub: "alice", exp: now() + 25 * HOUR });
    expect(await verifyToken(SECRET, tooLong)).toEqual(refused(/longer than a customer token may/));
    const fine = await signed({ sub: "alice", exp: now() + 23 * HOUR });
    expect(await verifyToken(SECRET, fine)).toEqual({ id: "alice", role: "customer" });
  });

  it("gives staff a shift and operators less, customers and analysts a day", async () => {
    const lasting = (role: Role, hours: number) =>
      signed({ sub: `${role}-2`, role, iat: now(), exp: now() + hours * HOUR });
    expect(await verifyToken(SECRET, await lasting("staff", 13))).toEqual(refused(/at most 12 hours/));
    expect(await verifyToken(SECRET, await lasting("staff", 12))).toEqual({ id: "staff-2", role: "staff" });
    expect(await verifyToken(SECRET, await lasting("operator", 9))).toEqual(refused(/at most 8 hours/));
    expect(await verifyToken(SECRET, await lasting("operator", 8))).toMatchObject({ role: "operator" });
    expect(await verifyToken(SECRET, await lasting("analyst", 24))).toMatchObject({ role: "analyst" });
  });

  it("still refuses expired, forged, unsigned and claims-less tokens", async () => {
    const expired = await signed({ sub: "alice", iat: now() - HOUR, exp: now() - 1 });
    expect(await verifyToken(SECRET, expired)).toEqual(refused(/^token expired$/));
    const forged = await mintToken("not-the-secret", "alice");
    expect(await verifyToken(SECRET, forged)).toEqual(refused(/signature or format/));
    const part = (json: object) => Buffer.from(JSON.stringify(json)).toString("base64url");
    const unsigned = `${part({ alg: "none", typ: "JWT" })}.${part({ sub: "alice", exp: now() + 60 })}.`;
    expect(await verifyToken(SECRET, unsigned)).toEqual(refused(/signature or format/));
    const claimsless = await signed({ exp: now() + 60 });
    expect(await verifyToken(SECRET, claimsless)).toEqual(refused(/claims are invalid/));
  });
});

describe("mintToken", () => {
  it("refuses a lifetime longer than the role may have, or shorter than a second", async () => {
    await expect(mintToken(SECRET, "alice", "customer", 24 * HOUR + 1)).rejects.toThrow(/at most 24 hours/);
    await expect(mintToken(SECRET, "op", "operator", 9 * HOUR)).rejects.toThrow(/at most 8 hours/);
    await expect(mintToken(SECRET, "alice", "customer", 0)).rejects.toThrow(RangeError);
    await expect(mintToken(SECRET, "alice", "customer", Number.NaN)).rejects.toThrow(RangeError);
  });
});

describe("npm run token", () => {
  const run = (...args: string[]) =>
    promisify(execFile)(process.execPath, [join("scripts", "mint-token.ts"), ...args], {
      cwd: join(import.meta.dirname, "..", ".."),
      env: { ...process.env, JWT_SECRET: SECRET },
    });

  it("says so when --hours is longer than the role may have", async () => {
    await expect(run("cook", "--role", "staff", "--hours", "24")).rejects.toMatchObject({
      code: 2,
      stdout: "",
      stderr: expect.stringContaining("--hours 24 is too long: a staff token lives at most 12 hours"),
    });
  });

  it("mints a token that lives the longest its role may, or as many hours as asked", async () => {
    const lifetime = async (...args: string[]) => {
      const { stdout } = await run(...args);
      expect(await verifyToken(SECRET, stdout.trim())).toMatchObject({ id: args[0] });
      const { exp, iat } = decode(stdout.trim()).payload as { exp: number; iat: number };
      return exp - iat;
    };
    expect(await lifetime("op", "--role", "operator")).toBe(8 * HOUR);
    expect(await lifetime("alice", "--hours", "2")).toBe(2 * HOUR);
  });
});
