// Auth service: RS256 access tokens, refresh-token rotation.
import { generateKeyPairSync, randomBytes, createHash } from "node:crypto";
import jwt from "jsonwebtoken";
import type { Request, Response, NextFunction } from "express";
import { db } from "../db";
import type { AccessTokenPayload, TokenPair, User } from "../types/auth";

// ---- Token generation (L1-45) ---------------------------------------------

const ACCESS_TOKEN_TTL_SECONDS = Number(process.env.ACCESS_TOKEN_TTL ?? 3600);
const REFRESH_TOKEN_TTL_DAYS = Number(process.env.REFRESH_TOKEN_TTL_DAYS ?? 7);
const ISSUER = process.env.JWT_ISSUER ?? "api.example.com";

const { privateKey, publicKey } = process.env.JWT_PRIVATE_KEY
  ? { privateKey: process.env.JWT_PRIVATE_KEY, publicKey: process.env.JWT_PUBLIC_KEY! }
  : generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });

export function getPublicKey(): string {
  return publicKey;
}

export function signAccessToken(user: User): string {
  const payload: AccessTokenPayload = { sub: user.id, email: user.email, role: user.role };
  return jwt.sign(payload, privateKey, {
    algorithm: "RS256",
    expiresIn: ACCESS_TOKEN_TTL_SECONDS,
    issuer: ISSUER,
  });
}

function newOpaqueToken(): string {
  return randomBytes(48).toString("base64url");
}

function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function refreshExpiry(now: Date = new Date()): Date {
  return new Date(now.getTime() + REFRESH_TOKEN_TTL_DAYS * 24 * 60 * 60 * 1000);
}

// ---- Validation middleware (L47-82) ---------------------------------------
export class AuthError extends Error {
  constructor(message: string, readonly status = 401) {
    super(message);
  }
}

export function verifyAccessToken(token: string): AccessTokenPayload {
  try {
    return jwt.verify(token, publicKey, {
      algorithms: ["RS256"],
      issuer: ISSUER,
    }) as AccessTokenPayload;
  } catch {
    // Generic message: never tell the caller why the token was rejected.
    throw new AuthError("invalid token");
  }
}

export function requireAuth(req: Request, res: Response, next: NextFunction): void {
  const header = req.headers.authorization ?? "";
  const [scheme, token] = header.split(" ");
  if (scheme !== "Bearer" || !token) {
    res.status(401).json({ error: "unauthorized" });
    return;
  }
  try {
    res.locals.user = verifyAccessToken(token);
    next();
  } catch (err) {
    const status = err instanceof AuthError ? err.status : 500;
    res.status(status).json({ error: "unauthorized" });
  }
}


// ---- Refresh token rotation (L84-145) -------------------------------------
export async function rotateRefreshToken(presented: string): Promise<TokenPair> {
  const tokenHash = hashToken(presented);
  return db.transaction(async (tx) => {
    // SELECT ... FOR UPDATE: two concurrent refreshes of one token serialise here.
    const current = await tx.refreshTokens.findForUpdate({ tokenHash });
    if (!current) {
      throw new AuthError("invalid refresh token");
    }
    if (current.usedAt !== null) {
      // Reuse of an already-rotated token: assume theft, revoke the whole chain.
      await tx.refreshTokens.revokeChain(current.userId);
      throw new AuthError("refresh token reuse detected");
    }
    if (current.expiresAt.getTime() <= Date.now()) {
      throw new AuthError("refresh token expired");
    }

    const user = await tx.users.findById(current.userId);
    if (!user) {
      throw new AuthError("invalid refresh token");
    }

    const next = newOpaqueToken();
    const replacement = await tx.refreshTokens.insert({
      userId: user.id,
      tokenHash: hashToken(next),
      expiresAt: refreshExpiry(),
    });
    await tx.refreshTokens.markUsed(current.id, { replacedBy: replacement.id });

    return {
      accessToken: signAccessToken(user),
      refreshToken: next,
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
    };
  });
}

export async function issueRefreshToken(user: User): Promise<TokenPair> {
  const token = newOpaqueToken();
  await db.refreshTokens.insert({
    userId: user.id,
    tokenHash: hashToken(token),
    expiresAt: refreshExpiry(),
  });
  return {
    accessToken: signAccessToken(user),
    refreshToken: token,
    expiresIn: ACCESS_TOKEN_TTL_SECONDS,
  };
}

export async function revokeRefreshToken(presented: string): Promise<void> {
  const tokenHash = hashToken(presented);
  await db.refreshTokens.markUsedByHash(tokenHash, { usedAt: new Date() });
}

export async function purgeExpiredTokens(olderThanDays = 30): Promise<number> {
  // Kept 30 days after expiry for forensic analysis, then deleted.
  const cutoff = new Date(Date.now() - olderThanDays * 24 * 60 * 60 * 1000);
  return db.refreshTokens.deleteExpiredBefore(cutoff);
}
