// Unit tests for token generation and validation (src/auth/service.ts L1-82).
import { describe, expect, it, beforeEach, vi } from "vitest";
import jwt from "jsonwebtoken";
import {
  AuthError,
  getPublicKey,
  requireAuth,
  signAccessToken,
  verifyAccessToken,
} from "../../src/auth/service";
import type { User } from "../../src/types/auth";

const alice: User = {
  id: "5b1f0c8e-2d7a-4a43-9e57-0d1f9a0b6c11",
  email: "alice@example.com",
  passwordHash: "$2b$10$abcdefghijklmnopqrstuv",
  role: "user",
  createdAt: new Date("2025-11-01T09:00:00Z"),
};

function mockRes() {
  const res: any = { locals: {} };
  res.status = vi.fn().mockReturnValue(res);
  res.json = vi.fn().mockReturnValue(res);
  return res;
}

describe("signAccessToken", () => {
  it("signs with RS256", () => {
    const token = signAccessToken(alice);
    const header = JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString());
    expect(header.alg).toBe("RS256");
  });

  it("puts the user id in sub and never the password hash", () => {
    const decoded = jwt.decode(signAccessToken(alice)) as Record<string, unknown>;
    expect(decoded.sub).toBe(alice.id);
    expect(JSON.stringify(decoded)).not.toContain("passwordHash");
  });

  it("expires after the configured lifetime", () => {
    const decoded = jwt.decode(signAccessToken(alice)) as { iat: number; exp: number };
    expect(decoded.exp - decoded.iat).toBe(3600);
  });
});

describe("verifyAccessToken", () => {
  it("accepts a token it signed", () => {
    const payload = verifyAccessToken(signAccessToken(alice));
    expect(payload.email).toBe(alice.email);
  });

  it("rejects a token signed with HS256 and the public key as secret", () => {
    const forged = jwt.sign({ sub: alice.id }, getPublicKey(), { algorithm: "HS256" });
    expect(() => verifyAccessToken(forged)).toThrow(AuthError);
  });

  it("rejects a tampered payload", () => {
    const [h, , s] = signAccessToken(alice).split(".");
    const body = Buffer.from(JSON.stringify({ sub: "someone-else" })).toString("base64url");
    expect(() => verifyAccessToken(`${h}.${body}.${s}`)).toThrow("invalid token");
  });
});

describe("requireAuth", () => {
  let next: ReturnType<typeof vi.fn>;
  beforeEach(() => {
    next = vi.fn();
  });

  it("calls next with a valid bearer token", () => {
    const req: any = { headers: { authorization: `Bearer ${signAccessToken(alice)}` } };
    const res = mockRes();
    requireAuth(req, res, next);
    expect(next).toHaveBeenCalledOnce();
    expect(res.locals.user.sub).toBe(alice.id);
  });

  it("answers 401 without a header, with the same generic body", () => {
    const res = mockRes();
    requireAuth({ headers: {} } as any, res, next);
    expect(res.status).toHaveBeenCalledWith(401);
    expect(res.json).toHaveBeenCalledWith({ error: "unauthorized" });
    expect(next).not.toHaveBeenCalled();
  });
});
