// Authentication endpoints: login, refresh (with rotation), logout.
import { Router, type Request, type Response } from "express";
import bcrypt from "bcrypt";
import { db } from "../db";
import {
  AuthError,
  issueRefreshToken,
  requireAuth,
  revokeRefreshToken,
  rotateRefreshToken,
} from "../auth/service";
import type { LoginRequest, RefreshRequest } from "../types/auth";

export const authRouter = Router();

// ---- Login (L1-48) ----------------------------------------------------------
// bcrypt rounds=10 (~100ms per hash); one generic error for every failure so
// the response never says whether the account exists.
const INVALID_CREDENTIALS = { error: "invalid email or password" };

function isLoginRequest(body: unknown): body is LoginRequest {
  const b = body as Partial<LoginRequest> | undefined;
  return typeof b?.email === "string" && typeof b?.password === "string";
}

authRouter.post("/login", async (req: Request, res: Response) => {
  if (!isLoginRequest(req.body)) {
    res.status(400).json({ error: "email and password are required" });
    return;
  }
  const email = req.body.email.trim().toLowerCase();
  const user = await db.users.findByEmail(email);
  // Compare against a dummy hash when the user is unknown to keep timing flat.
  const hash = user?.passwordHash ?? "$2b$10$invalidinvalidinvalidinvalidinvalidinvalidinvalidinv";
  const ok = await bcrypt.compare(req.body.password, hash);
  if (!user || !ok) {
    res.status(401).json(INVALID_CREDENTIALS);
    return;
  }
  try {
    const tokens = await issueRefreshToken(user);
    res.status(200).json(tokens);
  } catch (err) {
    console.error("login failed", { userId: user.id, err });
    res.status(500).json({ error: "internal error" });
  }
});

// ---- Refresh with rotation (L50-95) -------------------------------------
function isRefreshRequest(body: unknown): body is RefreshRequest {
  const b = body as Partial<RefreshRequest> | undefined;
  return typeof b?.refreshToken === "string" && b.refreshToken.length > 0;
}

authRouter.post("/refresh", async (req: Request, res: Response) => {
  if (!isRefreshRequest(req.body)) {
    res.status(400).json({ error: "refreshToken is required" });
    return;
  }
  try {
    // Each use issues a new refresh token and marks the old one as used;
    // the transaction in rotateRefreshToken serialises concurrent attempts.
    const tokens = await rotateRefreshToken(req.body.refreshToken);
    res.setHeader("Cache-Control", "no-store");
    res.status(200).json(tokens);
  } catch (err) {
    if (err instanceof AuthError) {
      // Log the reason for operators, answer generically to the client.
      console.warn("refresh rejected", { reason: err.message, ip: req.ip });
      res.status(err.status).json({ error: "invalid refresh token" });
      return;
    }
    console.error("refresh failed", { err });
    res.status(500).json({ error: "internal error" });
  }
});

authRouter.get("/session", requireAuth, (_req: Request, res: Response) => {
  const user = res.locals.user;
  res.status(200).json({
    userId: user.sub,
    email: user.email,
    role: user.role,
  });
});

export function refreshCookieOptions(secure: boolean) {
  return {
    httpOnly: true,
    secure,
    sameSite: "strict" as const,
    path: "/auth/refresh",
    maxAge: 7 * 24 * 60 * 60 * 1000,
  };
}

// ---- Logout (L97-125) ---------------------------------------------------
authRouter.post("/logout", requireAuth, async (req: Request, res: Response) => {
  const presented = isRefreshRequest(req.body) ? req.body.refreshToken : undefined;
  if (!presented) {
    // Nothing to revoke: the access token simply expires on its own.
    res.status(204).end();
    return;
  }
  try {
    await revokeRefreshToken(presented);
    res.status(204).end();
  } catch (err) {
    console.error("logout failed", { userId: res.locals.user?.sub, err });
    res.status(500).json({ error: "internal error" });
  }
});

authRouter.post("/logout-all", requireAuth, async (_req: Request, res: Response) => {
  const userId: string = res.locals.user.sub;
  try {
    await db.refreshTokens.revokeChain(userId);
    res.status(204).end();
  } catch (err) {
    console.error("logout-all failed", { userId, err });
    res.status(500).json({ error: "internal error" });
  }
});

export default authRouter;
