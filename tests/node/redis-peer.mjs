// A Node socket.io server with @socket.io/redis-adapter, to run beside .NET servers in one cluster.
// Usage: PORT=… REDIS_PORT=… KEY=… [MODE=classic|sharded|streams] [RECOVERY_MS=…] [PARSER=msgpack] node redis-peer.mjs
// (prints "LISTENING" when ready). In streams mode KEY is also the stream's name; RECOVERY_MS turns on connection
// state recovery with that window; PARSER=msgpack serves socket.io-msgpack-parser clients (only them, as Node does).
// Besides its socket.io handlers it takes cluster operations from the tests as POST /control {op, …} → JSON.
import { createServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter, createShardedAdapter } from "@socket.io/redis-adapter";
import { createAdapter as createStreamsAdapter } from "@socket.io/redis-streams-adapter";
import { Redis } from "ioredis";
import msgpackParser from "socket.io-msgpack-parser";

const pub = new Redis({ host: "127.0.0.1", port: Number(process.env.REDIS_PORT) });
const sub = pub.duplicate();
const adapters = {
  classic: () => createAdapter(pub, sub, { key: process.env.KEY }),
  sharded: () => createShardedAdapter(pub, sub, { channelPrefix: process.env.KEY }),
  streams: () => createStreamsAdapter(pub, { streamName: process.env.KEY, channelPrefix: process.env.KEY }),
};
const adapter = adapters[process.env.MODE ?? "classic"]();
const httpServer = createServer(control);
const recovery = process.env.RECOVERY_MS
  ? { connectionStateRecovery: { maxDisconnectionDuration: Number(process.env.RECOVERY_MS), skipMiddlewares: true } }
  : {};
const parser = process.env.PARSER === "msgpack" ? { parser: msgpackParser } : {};
const io = new Server(httpServer, { adapter, ...recovery, ...parser });

// The user id comes from the token's subject, as the .NET servers' JWT authentication sets it (not verified here:
// this peer only stands in for another service of the cluster). Each user's sockets share a room named by the id.
io.use((socket, next) => {
  const token = socket.handshake.auth?.token;
  if (token) {
    socket.data.userId = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).sub;
  }
  next();
});

io.on("connection", (socket) => {
  if (socket.data.userId) socket.join(socket.data.userId);
  socket.on("join", (room, ack) => { socket.join(room); ack("joined"); });
  socket.on("to-room", (room, payload, ack) => { io.to(room).emit("room-message", payload); ack("sent"); });
  socket.on("to-all", (payload, ack) => { io.emit("broadcast", payload); ack("sent"); });
  socket.on("fetch", async (room, ack) => {
    const sockets = await io.in(room).fetchSockets();
    ack(sockets.map((s) => ({ id: s.id, rooms: [...s.rooms] })));
  });
  socket.on("all-rooms", async (ack) => ack([...(await io.of("/").adapter.allRooms())]));
  socket.on("make-join", async (room, target, ack) => { io.in(room).socketsJoin(target); ack("done"); });
});

// Server-side events from the other servers.
const serverEvents = [];
io.on("note", (...args) => serverEvents.push(args));
io.on("ping-servers", (arg, callback) => callback(`node got ${arg}`));
io.on("slow", (arg, callback) => setTimeout(() => callback("too late"), 3000));

const target = (body) => {
  let operator = io;
  for (const room of body.rooms ?? []) operator = operator.to(room);
  for (const room of body.except ?? []) operator = operator.except(room);
  return operator;
};

const operations = {
  emit: (body) => { target(body).emit(body.event, ...(body.binary ? [Buffer.from(body.args[0])] : body.args)); return "sent"; },
  fetch: async (body) => (await target(body).fetchSockets())
    .map((s) => ({ id: s.id, rooms: [...s.rooms], userId: s.data.userId ?? null })),
  join: (body) => { target(body).socketsJoin(body.room); return "done"; },
  leave: (body) => { target(body).socketsLeave(body.room); return "done"; },
  disconnect: (body) => { target(body).disconnectSockets(true); return "done"; },
  broadcastWithAck: async (body) => {
    try {
      return { answers: await target(body).timeout(body.timeout).emitWithAck(body.event, ...body.args) };
    } catch (error) {
      return { error: error.message };
    }
  },
  serverSideEmit: (body) => { io.serverSideEmit(body.event, ...body.args); return "sent"; },
  serverSideEmitWithAck: async (body) => {
    try {
      // socket.io waits for the adapter's own request timeout (5 s) here.
      return { answers: await io.serverSideEmitWithAck(body.event, ...body.args) };
    } catch (error) {
      return { error: error.message };
    }
  },
  serverEvents: () => serverEvents,
  serverCount: async () => io.of("/").adapter.serverCount(),
};

async function control(request, response) {
  let text = "";
  for await (const chunk of request) text += chunk;
  try {
    const body = JSON.parse(text || "{}");
    const result = await operations[body.op](body);
    response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(result ?? null));
  } catch (error) {
    response.writeHead(500).end(String(error?.stack ?? error));
  }
}

httpServer.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("LISTENING"));
