// The chat scenario of issue #15 against samples/Chat or its Node twin: CLIENTS socket.io-clients over WebSocket in
// rooms of 5, each sending `sendMessage` with an ack every SEND_EVERY_MS (jittered), one `message` broadcast to everyone
// every BROADCAST_EVERY_MS, and RECONNECT_PER_MINUTE of the clients reconnecting each minute; DURATION_S seconds.
// Prints one line per minute (acks, p50/p99 of the ack round trip, deliveries, the server's RSS) and a summary as JSON.
//   node load.mjs URL SERVER_PID
import { io } from "socket.io-client";
import { readFileSync } from "node:fs";
import { sign } from "./jwt.mjs";

const [url, serverPid] = process.argv.slice(2);
const env = (name, fallback) => Number(process.env[name] ?? fallback);
const clients = env("CLIENTS", 1000);
const durationS = env("DURATION_S", 360);
const sendEveryMs = env("SEND_EVERY_MS", 5000);
const broadcastEveryMs = env("BROADCAST_EVERY_MS", 10000);
const reconnectPerMinute = env("RECONNECT_PER_MINUTE", 0.01);
const minuteS = env("MINUTE_S", 60);
const secret = process.env.JWT_SECRET ?? "gateways-chat-development-secret-change-me-0123456789";

const rssMb = () => {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${serverPid}/status`, "utf8"))[1]);
    return Math.round(kb / 1024);
  } catch {
    return null;
  }
};
const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : null);

const totals = { sent: 0, acked: 0, lostAcks: 0, expectedDeliveries: 0, delivered: 0, broadcasts: 0, broadcastDeliveries: 0, expectedBroadcastDeliveries: 0 };
let window = [];
const all = [];
const members = new Map(); // room -> Set of connected client indexes
const sockets = new Array(clients);

function room(i) {
  return `room-${Math.floor(i / 5)}`;
}

async function connect(i) {
  const socket = io(url, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { token: sign(`user-${i}`, secret) } });
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  socket.on("newMessage", () => totals.delivered++);
  socket.on("message", () => totals.broadcastDeliveries++);
  await socket.timeout(10000).emitWithAck("joinRoom", { roomId: room(i) });
  sockets[i] = socket;
  (members.get(room(i)) ?? members.set(room(i), new Set()).get(room(i))).add(i);
  return socket;
}

function disconnect(i) {
  members.get(room(i))?.delete(i);
  sockets[i]?.disconnect();
  sockets[i] = null;
}

function send(i) {
  const socket = sockets[i];
  if (!socket) return;
  totals.sent++;
  totals.expectedDeliveries += members.get(room(i))?.size ?? 0;
  const start = process.hrtime.bigint();
  socket.timeout(10000).emit("sendMessage", { roomId: room(i), text: `hello from ${i}` }, (err) => {
    if (err) {
      totals.lostAcks++;
      return;
    }
    totals.acked++;
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    window.push(ms);
    all.push(ms);
  });
}

for (let i = 0; i < clients; i += 50) {
  await Promise.all(Array.from({ length: Math.min(50, clients - i) }, (_, k) => connect(i + k)));
}
console.error(`connected ${clients} clients; RSS ${rssMb()} MB`);

const timers = [];
for (let i = 0; i < clients; i++) {
  timers.push(setTimeout(function tick() {
    send(i);
    timers[i] = setTimeout(tick, sendEveryMs * (0.5 + Math.random()));
  }, Math.random() * sendEveryMs));
}
const broadcaster = setInterval(() => {
  const i = Math.floor(Math.random() * clients);
  if (!sockets[i]) return;
  totals.broadcasts++;
  totals.expectedBroadcastDeliveries += [...members.values()].reduce((n, set) => n + set.size, 0);
  sockets[i].emit("message", { text: "to everyone" });
}, broadcastEveryMs);
const reconnector = setInterval(async () => {
  const i = Math.floor(Math.random() * clients);
  disconnect(i);
  await connect(i).catch(() => {});
}, 60000 / Math.max(1, clients * reconnectPerMinute));

const minutes = [];
const reporter = setInterval(() => {
  const sorted = window.sort((a, b) => a - b);
  const line = { minute: minutes.length + 1, acks: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? null, rssMb: rssMb() };
  minutes.push(line);
  console.error(JSON.stringify(line));
  window = [];
}, minuteS * 1000);

await new Promise((resolve) => setTimeout(resolve, durationS * 1000));
clearInterval(reporter);
clearInterval(broadcaster);
clearInterval(reconnector);
timers.forEach(clearTimeout);
await new Promise((resolve) => setTimeout(resolve, 3000)); // the last acks and deliveries
const sorted = all.sort((a, b) => a - b);
console.log(JSON.stringify({
  clients,
  durationS,
  ...totals,
  p50: percentile(sorted, 50),
  p99: percentile(sorted, 99),
  worstMinuteP99: Math.max(...minutes.map((m) => m.p99 ?? 0)),
  rssMb: rssMb(),
  minutes,
}));
sockets.forEach((s) => s?.disconnect());
process.exit(0);
