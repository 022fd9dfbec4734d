// Emits into a cluster from outside any server, with @socket.io/redis-emitter (classic channels).
// Usage: REDIS_PORT=… KEY=… node emitter.mjs   (prints "DONE" when every step is published)
import { Emitter } from "@socket.io/redis-emitter";
import { Redis } from "ioredis";

const redis = new Redis({ host: "127.0.0.1", port: Number(process.env.REDIS_PORT) });
const emitter = new Emitter(redis, { key: process.env.KEY });
// Joins travel on the request channel and room broadcasts on the room's channel: give each step time to land.
const settle = () => new Promise((ok) => setTimeout(ok, 300));

emitter.emit("hello", "to everyone");
emitter.to("r1").emit("room", { n: 1 });
emitter.except("r1").emit("not-r1", "only outside r1");
emitter.to("r1").emit("bytes", Buffer.from([1, 2, 250]));
await settle();
emitter.in("r1").socketsJoin("r9");
await settle();
emitter.to("r9").emit("r9", "joined by the emitter");
emitter.serverSideEmit("note", "from the emitter", 42);
await settle();
emitter.in("r1").socketsLeave("r9");
await settle();
emitter.to("r9").emit("r9", "nobody should get this");
emitter.in("bob").disconnectSockets(true);
await settle();
console.log("DONE");
redis.disconnect();
