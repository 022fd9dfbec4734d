// The chat sample's socket contract on Node's socket.io 4.8, history in memory: the reference the chat scenario
// compares samples/Chat with. PORT and JWT_SECRET as for the sample.
import { createServer } from "node:http";
import { Server } from "socket.io";
import { verify } from "./jwt.mjs";

const port = Number(process.env.WS_PORT ?? 3001);
const secret = process.env.JWT_SECRET ?? "gateways-chat-development-secret-change-me-0123456789";
const history = new Map(); // room -> messages (the last 50)
let nextId = 1;

const http = createServer();
const io = new Server(http, { cors: { origin: false } });

io.use((socket, next) => {
  const claims = verify(socket.handshake.auth?.token, secret);
  if (!claims) return next(new Error("Unauthorized"));
  socket.data.userId = claims.sub ?? claims.id;
  next();
});

// 20 events a second, bursts of 40, per socket: the sample's rate limit.
function limiter() {
  let tokens = 40;
  let last = Date.now();
  return () => {
    const now = Date.now();
    tokens = Math.min(40, tokens + ((now - last) / 1000) * 20);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

const validText = (t, max) => typeof t === "string" && t.length >= 1 && t.length <= max;

io.on("connection", (socket) => {
  socket.join(socket.data.userId);
  const allow = limiter();
  const refuse = (message) => socket.emit("exception", { status: "error", message });
  const guard = (handler) => (payload, ack) => {
    if (!allow()) return refuse("Too many requests");
    handler(payload ?? {}, typeof ack === "function" ? ack : () => {});
  };
  socket.on("message", guard((p, ack) => {
    if (!validText(p.text, 2000)) return refuse("Validation failed");
    io.emit("message", { text: p.text });
    ack({ status: "ok" });
  }));
  socket.on("joinRoom", guard((p, ack) => {
    if (!validText(p.roomId, 64)) return refuse("Validation failed");
    socket.join(p.roomId);
    socket.emit("joinedRoom", { roomId: p.roomId });
    socket.to(p.roomId).emit("notification", { text: "Another user joined", roomId: p.roomId, userId: socket.data.userId });
    ack({ status: "ok" });
  }));
  socket.on("leaveRoom", guard((p, ack) => {
    socket.leave(p.roomId);
    ack({ status: "ok" });
  }));
  socket.on("sendMessage", guard((p, ack) => {
    if (!validText(p.roomId, 64) || !validText(p.text, 2000)) return refuse("Validation failed");
    const message = { id: nextId++, roomId: p.roomId, userId: socket.data.userId, text: p.text, createdAt: new Date().toISOString() };
    const messages = history.get(p.roomId) ?? [];
    messages.push(message);
    if (messages.length > 50) messages.shift();
    history.set(p.roomId, messages);
    io.to(p.roomId).emit("newMessage", message);
    ack(message);
  }));
});

http.listen(port, "127.0.0.1", () => console.log(`chat twin listening on ${port}`));
