// A Node socket.io server with @socket.io/redis-adapter, to run beside .NET servers in one cluster.
// Usage: PORT=… REDIS_PORT=… KEY=… node redis-peer.mjs   (prints "LISTENING" when ready)
import { createServer } from "node:http";
import { Server } from "socket.io";
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";

const pub = new Redis({ host: "127.0.0.1", port: Number(process.env.REDIS_PORT) });
const sub = pub.duplicate();
const io = new Server(createServer(), { adapter: createAdapter(pub, sub, { key: process.env.KEY }) });

io.on("connection", (socket) => {
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

io.httpServer.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("LISTENING"));
