// Integration tests: the full auth flow over HTTP, including refresh rotation.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import request from "supertest";
import bcrypt from "bcrypt";
import { createApp } from "../../src/app";
import { db } from "../../src/db";

const app = createApp();
const password = "correct horse battery staple";
let userId: string;

async function login(email = "bob@example.com", pw = password) {
  return request(app).post("/auth/login").send({ email, password: pw });
}

async function refresh(refreshToken: string) {
  return request(app).post("/auth/refresh").send({ refreshToken });
}

beforeAll(async () => {
  await db.migrate.latest();
});

afterAll(async () => {
  await db.destroy();
});

beforeEach(async () => {
  await db.refreshTokens.truncate();
  await db.users.truncate();
  const user = await db.users.insert({
    email: "bob@example.com",
    passwordHash: await bcrypt.hash(password, 10),
    role: "user",
  });
  userId = user.id;
});

describe("POST /auth/login", () => {
  it("returns an access token and a refresh token", async () => {
    const res = await login();
    expect(res.status).toBe(200);
    expect(res.body.accessToken).toMatch(/^ey/);
    expect(res.body.refreshToken).toHaveLength(64);
    expect(res.body.expiresIn).toBe(3600);
  });

  it("stores only the hash of the refresh token", async () => {
    const res = await login();
    const rows = await db.refreshTokens.findByUser(userId);
    expect(rows).toHaveLength(1);
    expect(rows[0].tokenHash).not.toBe(res.body.refreshToken);
  });

  it("gives the same answer for an unknown user and a wrong password", async () => {
    const unknown = await login("nobody@example.com");
    const wrong = await login("bob@example.com", "wrong");
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  it("rejects a request without credentials", async () => {
    const res = await request(app).post("/auth/login").send({});
    expect(res.status).toBe(400);
  });
});

describe("POST /auth/refresh", () => {
  it("rotates: a new refresh token each time", async () => {
    const first = (await login()).body.refreshToken;
    const res = await refresh(first);
    expect(res.status).toBe(200);
    expect(res.body.refreshToken).not.toBe(first);
    expect(res.headers["cache-control"]).toBe("no-store");
  });

  it("marks the old token used and links it to its replacement", async () => {
    const first = (await login()).body.refreshToken;
    await refresh(first);
    const rows = await db.refreshTokens.findByUser(userId);
    const used = rows.filter((r) => r.usedAt !== null);
    expect(used).toHaveLength(1);
    expect(used[0].replacedBy).toBe(rows.find((r) => r.usedAt === null)!.id);
  });

  it("treats reuse of a rotated token as theft and revokes the chain", async () => {
    const first = (await login()).body.refreshToken;
    const second = (await refresh(first)).body.refreshToken;
    const replay = await refresh(first);
    expect(replay.status).toBe(401);
    const afterReplay = await refresh(second);
    expect(afterReplay.status).toBe(401);
  });

  it("lets exactly one of two concurrent refreshes win", async () => {
    const token = (await login()).body.refreshToken;
    const [a, b] = await Promise.all([refresh(token), refresh(token)]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 401]);
  });

  it("rejects an expired refresh token", async () => {
    const token = (await login()).body.refreshToken;
    await db.refreshTokens.expireAllForUser(userId);
    const res = await refresh(token);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: "invalid refresh token" });
  });

  it("does not say why a token was rejected", async () => {
    const res = await refresh("not-a-real-token");
    expect(res.status).toBe(401);
    expect(JSON.stringify(res.body)).not.toMatch(/expired|reuse|theft/);
  });
});

describe("POST /auth/logout", () => {
  it("revokes the presented refresh token", async () => {
    const { accessToken, refreshToken } = (await login()).body;
    const res = await request(app)
      .post("/auth/logout")
      .set("Authorization", `Bearer ${accessToken}`)
      .send({ refreshToken });
    expect(res.status).toBe(204);
    expect((await refresh(refreshToken)).status).toBe(401);
  });

  it("requires an access token", async () => {
    const res = await request(app).post("/auth/logout").send({});
    expect(res.status).toBe(401);
  });

  it("logout-all revokes every device", async () => {
    const one = (await login()).body;
    const two = (await login()).body;
    await request(app)
      .post("/auth/logout-all")
      .set("Authorization", `Bearer ${one.accessToken}`)
      .expect(204);
    expect((await refresh(one.refreshToken)).status).toBe(401);
    expect((await refresh(two.refreshToken)).status).toBe(401);
  });
});

describe("GET /auth/session", () => {
  it("returns the user behind the access token", async () => {
    const { accessToken } = (await login()).body;
    const res = await request(app)
      .get("/auth/session")
      .set("Authorization", `Bearer ${accessToken}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ userId, email: "bob@example.com", role: "user" });
  });
});
