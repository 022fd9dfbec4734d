// Drives a Gateways server with the real socket.io-client and reports what the client saw.
// Usage: node scenarios.mjs <scenario> <url>
// Prints progress lines ("STEP …") and one final line "RESULT <json>"; the .NET test asserts on that JSON.
// Exit code 1 with "ERROR <message>" when the scenario could not run to its end.
import { io } from "socket.io-client";
import { chromium } from "playwright-core";
import msgpackParser from "socket.io-msgpack-parser";

const [scenario, url] = process.argv.slice(2);
const input = JSON.parse(process.env.SCENARIO_INPUT ?? "null");
const timeoutMs = Number(process.env.SCENARIO_TIMEOUT_MS ?? 15000);

const once = (emitter, event) => new Promise((resolve) => emitter.once(event, (...args) => resolve(args)));
const connected = (socket) =>
  new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (err) => reject(new Error(`connect_error: ${err.message}`)));
  });
const step = (text) => console.log(`STEP ${text}`);
// Emits with an acknowledgement and resolves with every argument of the answer (emitWithAck keeps only the first).
const ack = (socket, event, ...args) =>
  new Promise((resolve, reject) =>
    socket.timeout(5000).emit(event, ...args, (err, ...answer) => (err ? reject(err) : resolve(answer))));
const toArray = (buffer) => Array.from(new Uint8Array(buffer));

// A TCP load balancer on a free loopback port, as in front of a cluster: each connection goes to the next of
// targets() (round robin; on to the next one when a server refuses). `piped` holds the client side of every
// connection it carries, to cut them.
const startBalancer = async (targets) => {
  const net = await import("node:net");
  let next = 0;
  const piped = new Set();
  const server = net.createServer((client) => {
    client.pause();
    const attempt = (tries) => {
      const list = targets();
      const target = list[next++ % list.length];
      const upstream = net.connect(Number(target.port), target.hostname);
      upstream.once("error", () => (tries > 1 ? attempt(tries - 1) : client.destroy()));
      upstream.once("connect", () => {
        piped.add(client);
        client.on("close", () => piped.delete(client));
        for (const [from, to] of [[client, upstream], [upstream, client]]) {
          from.pipe(to);
          from.on("error", () => to.destroy());
          from.on("close", () => to.destroy());
        }
        client.resume();
      });
    };
    attempt(targets().length);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { url: `http://127.0.0.1:${server.address().port}`, piped, close: () => server.close() };
};

const scenarios = {
  // socket.io features a migrating team looks for, on /parity: onAny and the fallback for unhandled events, volatile
  // events dropped while the client does not read, and per-message deflate negotiated and used.
  async parity() {
    const socket = await connected(io(`${url}/parity`, { forceNew: true, transports: ["websocket"] }));
    const ws = socket.io.engine.transport.ws;
    const deflate = Object.keys(ws._extensions ?? {});
    const big = await ack(socket, "big", 8192);
    const fallback = await ack(socket, "nobody-handles-this", 1, 2);
    const seen = await ack(socket, "seen");
    // The server streams volatile ticks; the client stops reading for a while: its buffers fill, and what the
    // server sends volatile meanwhile is dropped, not queued, while the ticks before and after arrive.
    const ticks = [];
    socket.on("tick", (index) => ticks.push(index));
    const done = once(socket, "done");
    socket.emit("volatile-stream", 150, 20);
    await new Promise((resolve) => setTimeout(resolve, 600));
    // (ws resumes its socket by itself when its parser drains: that is held off too.)
    const tcp = ws._socket;
    const resume = tcp.resume;
    tcp.resume = () => tcp;
    tcp.pause();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    tcp.resume = resume;
    tcp.resume();
    const [sent] = await done;
    await new Promise((resolve) => setTimeout(resolve, 200));
    step(`${sent} of 150 volatile ticks sent, ${ticks.length} received`);
    const result = { deflate, bigLength: big[0].length, fallback, seen: seen[0], sent, ticks, stillConnected: socket.connected };
    socket.disconnect();
    return result;
  },

  // socket.io-msgpack-parser and the default parser on one server (input.transports, both by default): acks both
  // ways, binary both ways, one room across parsers (text and binary broadcasts), errors, a refused CONNECT.
  async msgpack() {
    const transports = input?.transports ?? ["polling", "websocket"];
    const mp = await connected(io(url, { parser: msgpackParser, forceNew: true, transports }));
    const js = await connected(io(url, { forceNew: true, transports }));
    step(`connected over ${mp.io.engine.transport.name}`);
    const echo = await ack(mp, "echo", { text: "héllo ✓", half: 1.5, big: 2 ** 40, negative: -7, list: [true, null] }, 42);
    const serverBytes = once(mp, "bytes");
    const [ackBytes, ackLabel] = await ack(mp, "echo-binary", Buffer.from([1, 2, 3, 255]), "label");
    mp.on("question", (question, callback) => callback(`answer to ${question}`));
    const asked = await ack(mp, "ask-me", "q1");
    await ack(mp, "join", "mixed");
    await ack(js, "join", "mixed");
    const heardText = Promise.all([once(mp, "room-message"), once(js, "room-message")]);
    await ack(js, "to-room", "mixed", { from: "json" });
    const text = (await heardText).map(([payload]) => payload);
    const heardBinary = Promise.all([once(mp, "room-message"), once(js, "room-message")]);
    await ack(mp, "to-room", "mixed", Buffer.from([7, 8]));
    const binary = (await heardBinary).map(([payload]) => toArray(payload));
    const failed = once(mp, "exception");
    mp.emit("fail");
    const [exception] = await failed;
    const refused = await new Promise((resolve) => {
      const locked = io(`${url}/private`, { parser: msgpackParser, forceNew: true, transports });
      locked.once("connect_error", (err) => { locked.close(); resolve({ message: err.message, data: err.data }); });
    });
    const result = {
      transport: mp.io.engine.transport.name, echo, ackBytes: toArray(ackBytes), ackLabel,
      serverBytes: toArray((await serverBytes)[0]), asked, text, binary, exception, refused,
    };
    mp.disconnect();
    js.disconnect();
    return result;
  },

  // A mixed .NET/Node cluster with the msgpack parser: a msgpack client on each server (url, input.node) and a JSON
  // client on the .NET one (each with the JWT input.token), in one room; text and binary broadcasts from each side reach all three.
  async "msgpack-cluster"() {
    const options = { forceNew: true, transports: ["websocket"], auth: { token: input.token } };
    const onDotNet = await connected(io(url, { ...options, parser: msgpackParser }));
    const jsonOnDotNet = await connected(io(url, options));
    const onNode = await connected(io(input.node, { ...options, parser: msgpackParser }));
    const all = [onDotNet, jsonOnDotNet, onNode];
    for (const socket of all) await ack(socket, "join", "mixed");
    const deliveries = async (sender, payload) => {
      const heard = Promise.all(all.map((socket) => once(socket, "room-message")));
      await ack(sender, "to-room", "mixed", payload);
      return (await heard).map(([received]) => (received instanceof Uint8Array || received instanceof ArrayBuffer ? toArray(received) : received));
    };
    // The adapters need a moment to subscribe: a first broadcast is retried until every socket hears it.
    for (let attempt = 0; ; attempt++) {
      try {
        await Promise.race([deliveries(onNode, "ready"), new Promise((_, reject) => setTimeout(() => reject(new Error("late")), 300))]);
        break;
      } catch (error) {
        if (attempt > 30) throw error;
      }
    }
    const result = {
      fromNode: await deliveries(onNode, { from: "node" }),
      fromDotNet: await deliveries(onDotNet, { from: ".net" }),
      binaryFromNode: await deliveries(onNode, Buffer.from([1, 2])),
      binaryFromDotNet: await deliveries(onDotNet, Buffer.from([3, 4])),
    };
    for (const socket of all) socket.disconnect();
    return result;
  },

  // Dynamic namespaces (a gateway of /tenant-{id}): two children over one connection, the parent's broadcast reaching
  // both, a name the template does not match refused; then one child left, for the server's cleanup.
  async "dynamic-namespaces"() {
    const one = await connected(io(`${url}/tenant-1`, { forceNew: true }));
    const two = await connected(one.io.socket("/tenant-2").connect());
    step("connected /tenant-1 and /tenant-2 over one connection");
    const whoami = [await one.timeout(5000).emitWithAck("whoami"), await two.timeout(5000).emitWithAck("whoami")];
    const heard = Promise.all([one, two].map((socket) => once(socket, "announcement")));
    one.emit("announce", "to every tenant", true);
    const announcements = (await heard).map(([text]) => text);
    const refused = await new Promise((resolve) => {
      const stray = one.io.socket("/tenant-");
      stray.once("connect_error", (err) => resolve(err.message));
      stray.connect();
    });
    two.disconnect();
    step("left /tenant-2");
    await new Promise((resolve) => setTimeout(resolve, 300));
    const result = { whoami, announcements, refused, sameConnection: one.io === two.io };
    one.disconnect();
    return result;
  },

  // One transport only, then an event with an ack.
  async "websocket-only"() {
    const socket = await connected(io(url, { transports: ["websocket"], forceNew: true }));
    const answer = await ack(socket, "echo", { text: "hi" }, 42);
    const result = { transport: socket.io.engine.transport.name, id: socket.id, ack: answer };
    socket.disconnect();
    return result;
  },

  async "polling-only"() {
    const socket = await connected(io(url, { transports: ["polling"], forceNew: true }));
    const answer = await ack(socket, "echo", { text: "hi" }, 42);
    // Several packets in one direction exercise the 0x1E framing of polling payloads.
    const burst = await Promise.all([1, 2, 3].map((n) => socket.timeout(5000).emitWithAck("echo", n)));
    const result = { transport: socket.io.engine.transport.name, ack: answer, burst };
    socket.disconnect();
    return result;
  },

  // Default transports: polling first, then the upgrade to WebSocket.
  async upgrade() {
    const socket = io(url, { forceNew: true });
    let first = null;
    let upgradedTo = null;
    socket.io.on("open", () => {
      first = socket.io.engine.transport.name;
      socket.io.engine.on("upgrade", (transport) => (upgradedTo = transport.name));
    });
    await connected(socket);
    if (upgradedTo === null) {
      await once(socket.io.engine, "upgrade");
    }
    const answer = await socket.timeout(5000).emitWithAck("echo", "after upgrade");
    const result = { first, upgradedTo, after: socket.io.engine.transport.name, ack: answer };
    socket.disconnect();
    return result;
  },

  // Binary both ways: a Buffer argument to the server, bytes back in an ack and in a server emit.
  async binary() {
    const socket = await connected(io(url, { transports: ["websocket"], forceNew: true }));
    const pushed = once(socket, "bytes");
    const answer = await ack(socket, "echo-binary", Buffer.from([1, 2, 3]), "label");
    const [serverBytes] = await pushed;
    const result = { ackBytes: toArray(answer[0]), ackLabel: answer[1], serverBytes: toArray(serverBytes) };
    socket.disconnect();
    return result;
  },

  async "binary-polling"() {
    const socket = await connected(io(url, { transports: ["polling"], forceNew: true }));
    const pushed = once(socket, "bytes");
    const answer = await ack(socket, "echo-binary", Buffer.from([250, 0, 7]), "label");
    const [serverBytes] = await pushed;
    const result = { ackBytes: toArray(answer[0]), ackLabel: answer[1], serverBytes: toArray(serverBytes) };
    socket.disconnect();
    return result;
  },

  // The server asks the client (server->client ack), and reports the answer in its ack (client->server ack).
  async "acks-both-ways"() {
    const socket = await connected(io(url, { transports: ["websocket"], forceNew: true }));
    socket.on("question", (text, callback) => callback(`answer to ${text}`));
    socket.on("ignored-question", () => {});
    const answered = await socket.timeout(5000).emitWithAck("ask-me", "life");
    const unanswered = await ack(socket, "ask-me-and-wait", 300);
    socket.disconnect();
    return { answered, unanswered };
  },

  // Three clients: A and B in room r1, C outside.
  async rooms() {
    const make = () => connected(io(url, { transports: ["websocket"], forceNew: true }));
    const [a, b, c] = await Promise.all([make(), make(), make()]);
    const seen = { a: [], b: [], c: [] };
    for (const [name, socket] of Object.entries({ a, b, c })) {
      socket.onAny((event, ...args) => seen[name].push([event, ...args]));
    }
    await a.timeout(5000).emitWithAck("join", "r1");
    await b.timeout(5000).emitWithAck("join", "r1");
    await a.timeout(5000).emitWithAck("to-room-except-me", "r1", "from a");
    await a.timeout(5000).emitWithAck("to-room", "r1", "everyone in r1");
    await c.timeout(5000).emitWithAck("to-all-but-me", "from c");
    await b.timeout(5000).emitWithAck("leave", "r1");
    await a.timeout(5000).emitWithAck("to-room", "r1", "after b left");
    // A last broadcast to everybody marks the end of the stream on every client.
    const done = Promise.all([a, b, c].map((s) => once(s, "done")));
    await a.timeout(5000).emitWithAck("to-all", "done");
    await done;
    for (const socket of [a, b, c]) socket.disconnect();
    return seen;
  },

  // The server disconnects the socket; socket.io-client does not reconnect on its own then, the app does.
  async "server-disconnect"() {
    const socket = io(url, { transports: ["websocket"], forceNew: true });
    await connected(socket);
    const firstId = socket.id;
    const closed = once(socket, "disconnect");
    socket.emit("kick-me");
    const [reason] = await closed;
    socket.connect();
    await connected(socket);
    const answer = await socket.timeout(5000).emitWithAck("echo", "back");
    const result = { reason, firstId, secondId: socket.id, ack: answer };
    socket.disconnect();
    return result;
  },

  // The server goes away and comes back on the same port: the client reconnects by itself.
  async "auto-reconnect"() {
    const socket = io(url, { transports: ["websocket"], forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 200 });
    await connected(socket);
    const firstId = socket.id;
    const closed = once(socket, "disconnect");
    step("connected");
    const [reason] = await closed;
    step("disconnected");
    await once(socket, "connect");
    const answer = await socket.timeout(5000).emitWithAck("echo", "again");
    const result = { reason, firstId, secondId: socket.id, ack: answer };
    socket.disconnect();
    return result;
  },

  // A connection middleware refuses a namespace unless the auth token is right.
  async "middleware-refusal"() {
    const refused = io(`${url}/private`, { transports: ["websocket"], forceNew: true, auth: { token: "wrong" } });
    const [error] = await once(refused, "connect_error");
    refused.close();
    const allowed = await connected(io(`${url}/private`, { transports: ["websocket"], forceNew: true, auth: { token: "letmein" } }));
    const whoami = await ack(allowed, "whoami");
    allowed.disconnect();
    const unknown = io(`${url}/nowhere`, { transports: ["websocket"], forceNew: true });
    const [unknownError] = await once(unknown, "connect_error");
    unknown.close();
    return { message: error.message, data: error.data ?? null, ack: whoami, unknownNamespace: unknownError.message };
  },

  // The seed's ChatGateway on /chat: A and B join room r1, C does not; A sends a message.
  async "seed-chat"() {
    const make = () => connected(io(`${url}/chat`, { transports: ["websocket"], forceNew: true }));
    const [a, b, c] = await Promise.all([make(), make(), make()]);
    const seen = { a: [], b: [], c: [] };
    for (const [name, socket] of Object.entries({ a, b, c })) {
      socket.onAny((event, ...args) => seen[name].push([event, ...args]));
    }
    const joined = once(a, "joinedRoom");
    a.emit("joinRoom", { roomId: "r1" });
    await joined;
    const notified = once(a, "notification");
    const joinedB = once(b, "joinedRoom");
    b.emit("joinRoom", { roomId: "r1" });
    await Promise.all([notified, joinedB]);
    const delivered = Promise.all([once(a, "newMessage"), once(b, "newMessage")]);
    const saved = await ack(a, "sendMessage", { roomId: "r1", text: "hello room" });
    await delivered;
    b.emit("leaveRoom", { roomId: "r1" });
    await ack(b, "sendMessage", { roomId: "elsewhere", text: "sync" });
    const second = once(a, "newMessage");
    await ack(a, "sendMessage", { roomId: "r1", text: "after b left" });
    await second;
    const ids = { a: a.id, b: b.id };
    for (const socket of [a, b, c]) socket.disconnect();
    return { saved, seen, ids };
  },

  // The seed's AppGateway on "/": the positional handler broadcasts to everyone.
  async "seed-app"() {
    const make = () => connected(io(url, { transports: ["websocket"], forceNew: true }));
    const [a, b] = await Promise.all([make(), make()]);
    const received = Promise.all([once(a, "message"), once(b, "message")]);
    a.emit("message", { text: "Hello" });
    const [[toA], [toB]] = await received;
    const ids = [a.id, b.id];
    a.disconnect();
    b.disconnect();
    return { toA, toB, ids };
  },

  // The README's first server, as written: broadcast with ack, and a room's notification.
  async "readme"() {
    const make = () => connected(io(url, { transports: ["websocket"], forceNew: true }));
    const [a, b] = await Promise.all([make(), make()]);
    const broadcast = once(b, "message");
    const answer = await ack(a, "message", { text: "hi" });
    const [toB] = await broadcast;
    const notified = once(a, "notification");
    a.emit("joinRoom", { roomId: "r1" });
    // joinRoom sends no ack, so nothing says when a is in: b joins again until a hears of it.
    const retry = setInterval(() => b.emit("joinRoom", { roomId: "r1" }), 200);
    const [notification] = await notified;
    clearInterval(retry);
    a.disconnect();
    b.disconnect();
    return { answer, toB, notification };
  },

  // Every parameter and return kind of KitchenSinkGateway on /sink.
  async "kitchen-sink"() {
    const user = await connected(io(`${url}/sink`, { transports: ["websocket"], forceNew: true, auth: { sub: "u1", role: "admin" } }));
    const anonymous = await connected(io(`${url}/sink`, { transports: ["websocket"], forceNew: true }));
    const events = [];
    user.onAny((event, ...args) => events.push([event, ...args]));
    const r = {};
    r.body = await ack(user, "body", { x: 1, y: 2 });
    r.bodyProperty = await ack(user, "body-property", { name: "n", count: 3, other: true });
    r.bodyIndex = await ack(user, "body-index", 7, "seven");
    r.several = await ack(user, "several", 1, 2, 3);
    r.implicit = await ack(user, "implicit", { x: 5, y: 6 });
    r.user = await ack(user, "user");
    r.userOptional = await ack(anonymous, "user-optional");
    r.explicitAck = await ack(user, "explicit-ack");
    r.valueTask = await ack(user, "value-task", "loud");
    r.context = await ack(user, "context");
    r.raw = await ack(user, "raw", [1, { a: null }]);

    const responded = once(user, "responded");
    r.respondAck = await Promise.race([ack(user, "respond", { x: 9, y: 9 }), new Promise((ok) => setTimeout(() => ok("no ack"), 300))]);
    r.responded = (await responded)[0];

    const ticks = [];
    const done = new Promise((ok) => user.on("tick", (n) => { ticks.push(n); if (n === 3) ok(); }));
    user.emit("stream", 3);
    await done;
    r.ticks = ticks;

    r.nothing = await Promise.race([ack(user, "nothing"), new Promise((ok) => setTimeout(() => ok("no ack"), 300))]);
    r.nullResult = await Promise.race([ack(user, "null-result"), new Promise((ok) => setTimeout(() => ok("no ack"), 300))]);

    const exception = () => once(user, "exception").then(([payload]) => payload);
    let pending = exception();
    user.emit("ws-exception", "not allowed");
    r.wsException = await pending;
    pending = exception();
    user.emit("ws-exception-object");
    r.wsExceptionObject = await pending;
    pending = exception();
    user.emit("crash");
    r.crash = await pending;
    pending = exception();
    user.emit("body", "not a point");
    r.badBody = await pending;
    pending = exception();
    anonymous.emit("user");
    r.userMissing = await once(anonymous, "exception").then(([payload]) => payload);
    r.stillConnected = user.connected && anonymous.connected;
    r.afterErrors = await ack(user, "body", { x: 0, y: 0 });
    user.disconnect();
    anonymous.disconnect();
    return r;
  },

  // samples/ProtocolServer (also as a Native AOT binary): the behaviour the official socket.io suite expects.
  async "protocol-server"() {
    const main = io(url, { forceNew: true, auth: { token: "123" } });
    const auth = once(main, "auth");
    await connected(main);
    const [mainAuth] = await auth;
    const back = once(main, "message-back");
    main.emit("message", 1, "2", { 3: [true] }, Buffer.from([1, 2, 3]));
    const messageBack = await back;
    const acked = await ack(main, "message-with-ack", 1, "2", { 3: [false] });
    const custom = io(`${url}/custom`, { forceNew: true, transports: ["websocket"] });
    const customAuth = once(custom, "auth");
    await connected(custom);
    const [customAuthPayload] = await customAuth;
    const result = {
      mainAuth,
      messageBack: [messageBack[0], messageBack[1], messageBack[2], toArray(messageBack[3])],
      acked,
      customAuth: customAuthPayload,
      transport: main.io.engine.transport.name,
    };
    main.disconnect();
    custom.disconnect();
    return result;
  },

  // Each token through each source (auth payload, Authorization header, ?token=): connected or the refusal message.
  async tokens() {
    const outcomes = {};
    for (const { name, token, via, nsp } of input) {
      const options = { transports: ["websocket"], forceNew: true, reconnection: false };
      if (via === "auth") options.auth = { token };
      if (via === "header") options.extraHeaders = { Authorization: `Bearer ${token}` };
      if (via === "query") options.query = { token };
      const socket = io(`${url}${nsp ?? ""}`, options);
      outcomes[name] = await new Promise((resolve) => {
        socket.once("connect", () => resolve("connected"));
        socket.once("connect_error", (err) => resolve(err.message));
      });
      socket.close();
    }
    return outcomes;
  },

  // Two sockets of one user and one of another: a message to the user's room reaches both of that user's sockets.
  async "user-rooms"() {
    const make = (token) => connected(io(url, { transports: ["websocket"], forceNew: true, auth: { token } }));
    const [u1a, u1b, u2] = await Promise.all([make(input.u1), make(input.u1), make(input.u2)]);
    const got = { u1a: [], u1b: [], u2: [] };
    for (const [name, socket] of Object.entries({ u1a, u1b, u2 })) socket.on("notification", (text) => got[name].push(text));
    const whoami = await ack(u1a, "whoami");
    await ack(u2, "notify-user", { userId: "u1", text: "hello u1" });
    await ack(u1a, "notify-user", { userId: "u2", text: "hello u2" });
    await new Promise((ok) => setTimeout(ok, 200));
    for (const socket of [u1a, u1b, u2]) socket.disconnect();
    return { whoami, got };
  },

  // Handler authorization, guards, validation, exception filters, namespace authorization, anonymous namespaces.
  async authorization() {
    const make = (token, nsp = "") => io(`${url}${nsp}`, { transports: ["websocket"], forceNew: true, reconnection: false, auth: token ? { token } : undefined });
    const admin = await connected(make(input.admin));
    const user = await connected(make(input.user));
    const verified = await connected(make(input.verified));
    const exceptions = [];
    user.on("exception", (e) => exceptions.push(e));
    const expectException = (socket, event, ...args) =>
      new Promise((resolve) => { socket.once("exception", resolve); socket.emit(event, ...args); });
    const r = {};
    r.adminOnlyAsAdmin = await ack(admin, "admin-only");
    r.adminOnlyAsUser = await expectException(user, "admin-only");
    r.verifiedAsVerified = await ack(verified, "verified-only");
    r.verifiedAsUser = await expectException(user, "verified-only");
    r.guardEven = await ack(user, "guarded", 2);
    r.guardOdd = await expectException(user, "guarded", 3);
    r.validRoom = await ack(user, "create-room", { name: "lobby", capacity: 5 });
    r.invalidRoom = await expectException(user, "create-room", { name: "", capacity: 500 });
    r.filtered = await new Promise((resolve) => { user.once("teapot", resolve); user.emit("filtered"); });
    r.stillServed = await ack(user, "ping");

    const adminNs = await connected(make(input.admin, "/admin"));
    r.adminNamespaceAsAdmin = await ack(adminNs, "stats");
    adminNs.disconnect();
    const refused = make(input.user, "/admin");
    r.adminNamespaceAsUser = await new Promise((resolve) => refused.once("connect_error", (e) => resolve(e.message)));
    refused.close();
    const anonymous = await connected(make(null, "/public"));
    r.publicAnonymous = await ack(anonymous, "hello");
    anonymous.disconnect();
    const known = await connected(make(input.user, "/public"));
    r.publicKnown = await ack(known, "hello");
    known.disconnect();
    const acks = await connected(make(null, "/acks"));
    r.ackedError = await ack(acks, "fail");
    acks.disconnect();
    for (const socket of [admin, user, verified]) socket.disconnect();
    return r;
  },

  // A token that expires while connected.
  async expiry() {
    const socket = await connected(io(url, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { token: input.token } }));
    const exception = once(socket, "exception");
    const [reason] = await once(socket, "disconnect");
    const [payload] = await exception;
    return { reason, payload };
  },

  // One client floods; another keeps being served. Then the flood goes on until the server cuts the flooder off.
  async flood() {
    const make = () => connected(io(url, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { token: input.token } }));
    const [flooder, calm] = await Promise.all([make(), make()]);
    const refusals = [];
    flooder.on("exception", (e) => refusals.push(e.message));
    for (let i = 0; i < 30; i++) flooder.emit("ping");
    const latencies = [];
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      await ack(calm, "ping");
      latencies.push(Date.now() - started);
    }
    await new Promise((ok) => setTimeout(ok, 100));
    const firstRefusals = refusals.length;
    const closed = once(flooder, "disconnect");
    for (let i = 0; i < 300 && flooder.connected; i++) flooder.emit("ping");
    const [reason] = await closed;
    const after = await ack(calm, "ping");
    calm.disconnect();
    return { firstRefusals, message: refusals[0], latencies, reason, after };
  },

  // Events over the configured limits get a clear error, and the connection stays.
  async limits() {
    const socket = await connected(io(url, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { token: input.token } }));
    const expectException = (event, ...args) =>
      new Promise((resolve) => { socket.once("exception", resolve); socket.emit(event, ...args); });
    let deep = 1;
    for (let i = 0; i < 40; i++) deep = [deep];
    const r = {
      longName: await expectException("x".repeat(300)),
      manyArguments: await expectException("ping", ...Array.from({ length: 70 }, (_, i) => i)),
      deepPayload: await expectException("ping", deep),
      stillServed: await ack(socket, "ping"),
    };
    socket.disconnect();
    return r;
  },

  // samples/Chat's contract, line by line, over the transports given in the input.
  // input.msgpack: the users whose clients use socket.io-msgpack-parser (the sample serves both, with no setting).
  async "chat-contract"() {
    const transports = input.transports;
    const parserOf = (token) => ((input.msgpack ?? []).some((user) => input[user] === token) ? { parser: msgpackParser } : {});
    const make = (token) => connected(io(url, { transports, forceNew: true, reconnection: false, auth: { token }, ...parserOf(token) }));
    const r = {};
    const refused = io(url, { transports, forceNew: true, reconnection: false, auth: { token: "not-a-jwt" } });
    r.badToken = await new Promise((resolve) => refused.once("connect_error", (e) => resolve(e.message)));
    refused.close();
    const missing = io(url, { transports, forceNew: true, reconnection: false });
    r.missingToken = await new Promise((resolve) => missing.once("connect_error", (e) => resolve(e.message)));
    missing.close();

    const [alice, alice2, bob] = await Promise.all([make(input.alice), make(input.alice), make(input.bob)]);
    const seen = { alice: [], alice2: [], bob: [] };
    for (const [name, socket] of Object.entries({ alice, alice2, bob })) socket.onAny((event, ...args) => seen[name].push([event, ...args]));

    const everyone = Promise.all([once(alice, "message"), once(bob, "message")]);
    r.messageAck = await ack(alice, "message", { text: "hi all" });
    r.messageReceived = (await everyone).map(([m]) => m);

    const joined = once(bob, "joinedRoom");
    await ack(bob, "joinRoom", { roomId: "lobby" });
    r.joinedRoom = (await joined)[0];
    const notified = once(bob, "notification");
    await ack(alice, "joinRoom", { roomId: "lobby" });
    r.notification = (await notified)[0];

    const delivered = Promise.all([once(alice, "newMessage"), once(bob, "newMessage")]);
    r.saved = (await ack(alice, "sendMessage", { roomId: "lobby", text: "hello lobby" }))[0];
    r.delivered = (await delivered).map(([m]) => m);

    const badPayload = once(alice, "exception");
    alice.emit("sendMessage", { roomId: "", text: "x".repeat(2001) });
    r.badPayload = (await badPayload)[0];

    await ack(bob, "leaveRoom", { roomId: "lobby" });
    await ack(alice, "sendMessage", { roomId: "lobby", text: "bob is gone" });

    const headers = (token) => ({ Authorization: `Bearer ${token}`, "Content-Type": "application/json" });
    const toAlice = Promise.all([once(alice, "notification"), once(alice2, "notification")]);
    r.notifyStatus = (await fetch(`${url}/api/notifications/alice`, { method: "POST", headers: headers(input.bob), body: JSON.stringify({ title: "Hi", body: "from bob" }) })).status;
    r.userNotifications = (await toAlice).map(([n]) => n);
    const prices = Promise.all([once(alice, "priceUpdate"), once(bob, "priceUpdate")]);
    r.priceStatus = (await fetch(`${url}/api/prices`, { method: "POST", headers: headers(input.alice), body: JSON.stringify({ symbol: "ACME", price: 12.5 }) })).status;
    r.prices = (await prices).map(([p]) => p);
    r.unauthorizedStatus = (await fetch(`${url}/api/prices`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })).status;
    r.history = await (await fetch(`${url}/api/rooms/lobby/messages`, { headers: headers(input.bob) })).json();
    r.page = (await fetch(`${url}/`)).status;
    r.clientLibrary = (await fetch(`${url}/lib/socket.io.min.js`)).status;

    await new Promise((ok) => setTimeout(ok, 100));
    r.bobSawAfterLeaving = seen.bob.filter(([event, m]) => event === "newMessage" && m.text === "bob is gone").length;
    r.transport = alice.io.engine.transport.name;
    for (const socket of [alice, alice2, bob]) socket.disconnect();
    return r;
  },

  // The chat's rate limit: 20 events/s with a burst of 40.
  // Binary data nested in objects, as an app sends a file with its metadata; the url names the namespace.
  async upload() {
    const socket = await connected(io(url, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { token: input.token } }));
    const answer = await ack(socket, "upload", {
      name: "a.bin",
      data: Buffer.from([1, 2, 3]),
      thumbnail: Buffer.from([9]),
      meta: { label: "deep", parts: [Buffer.from([4, 5]), Buffer.from([6])] },
    });
    const plain = await ack(socket, "upload", { name: "plain" });
    socket.disconnect();
    return { answer, plain };
  },

  async "chat-flood"() {
    const socket = await connected(io(url, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { token: input.alice } }));
    const refusals = [];
    socket.on("exception", (e) => refusals.push(e.message));
    for (let i = 0; i < 60; i++) socket.emit("message", { text: `m${i}` });
    await new Promise((ok) => setTimeout(ok, 500));
    socket.disconnect();
    return { refusals: refusals.length, message: refusals[0] };
  },

  // The page in a real browser: two users in two contexts join a room; one sends, the other sees it.
  async "chat-browser"() {
    const browser = await chromium.launch({
      executablePath: input.chromium,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    try {
      const open = async (user) => {
        const context = await browser.newContext({ viewport: { width: 1200, height: 700 } });
        const page = await context.newPage();
        await page.goto(url);
        await page.fill("#user-id", user);
        await page.click("#mint");
        await page.waitForFunction(() => document.getElementById("token").value.length > 20);
        await page.click("#connect");
        await page.waitForSelector(".status.online");
        await page.click("#join-form button");
        await page.waitForSelector("#text:not([disabled])");
        return page;
      };
      const alice = await open("alice");
      const bob = await open("bob");
      await alice.fill("#text", "Hello from Alice");
      await alice.click("#send");
      await bob.waitForSelector("#messages li:has-text('alice: Hello from Alice')", { timeout: 10000 });
      await alice.waitForSelector("#messages li:has-text('alice: Hello from Alice')", { timeout: 10000 });
      await bob.screenshot({ path: input.screenshot });
      return {
        bobSees: await bob.locator("#messages li").allTextContents(),
        aliceStatus: await alice.textContent("#status"),
      };
    } finally {
      await browser.close();
    }
  },

  // The real socket.io Admin UI page (served by the chat sample at /lib/admin-ui/) against our /admin namespace: a
  // wrong password is refused, the right one logs in, and the page lists a chat user's socket and rooms.
  async "admin-ui-browser"() {
    const chat = io(url, { auth: { token: input.token }, transports: ["websocket"] });
    await connected(chat);
    step(`chat socket ${chat.id}`);
    const browser = await chromium.launch({
      executablePath: input.chromium,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: "en-US" });
      const page = await context.newPage();
      // The page's fonts and icons come from CDNs this machine cannot reach; it works without them.
      await page.route(/fonts\.googleapis\.com|cdn\.jsdelivr\.net/, (route) => route.abort());
      await page.goto(`${url}/lib/admin-ui/index.html`);
      const logIn = async (password) => {
        await page.getByLabel("Server URL").fill(url);
        await page.getByLabel("Username").fill(input.user);
        await page.getByLabel("Password").fill(password);
        await page.getByRole("button", { name: "Connect" }).click();
      };
      await logIn("not the password");
      await page.getByText("Invalid credentials").waitFor({ timeout: 30000 });
      step("wrong password refused");
      await logIn(input.password);
      await page.getByRole("button", { name: "Connect" }).waitFor({ state: "hidden", timeout: 30000 });
      step("logged in");
      await page.evaluate(() => { location.hash = "#/sockets/"; });
      await page.getByText(chat.id).first().waitFor({ timeout: 30000 });
      const sockets = await page.locator("main").innerText();
      await page.waitForTimeout(500); // the table fades in
      await page.screenshot({ path: input.screenshot });
      await page.evaluate(() => { location.hash = "#/rooms/"; });
      await page.getByText(input.room).first().waitFor({ timeout: 30000 });
      const rooms = await page.locator("main").innerText();
      await page.evaluate(() => { location.hash = "#/servers/"; });
      await page.getByText(input.serverId).first().waitFor({ timeout: 30000 });
      const servers = await page.locator("main").innerText();
      return { chatId: chat.id, sockets, rooms, servers };
    } finally {
      await browser.close();
      chat.disconnect();
    }
  },

  // Cross-origin polling from a real browser: a page of input.allowed and one of input.refused connect to url.
  // Polling is the transport CORS governs; the extra header makes every request a preflighted one.
  async "cors-browser"() {
    const browser = await chromium.launch({
      executablePath: input.chromium,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    const clientScript = new URL("./node_modules/socket.io-client/dist/socket.io.min.js", import.meta.url).pathname;
    try {
      const attempt = async (origin) => {
        const page = await (await browser.newContext()).newPage();
        await page.goto(`${origin}/`);
        await page.addScriptTag({ path: clientScript });
        return page.evaluate((server) => new Promise((resolve) => {
          const socket = io(server, {
            transports: ["polling"], withCredentials: true, extraHeaders: { "x-app-version": "7" },
            reconnection: false, timeout: 5000,
          });
          socket.on("connect", () => socket.timeout(5000).emit("echo", "through CORS", (err, answer) => {
            socket.disconnect();
            resolve(err ? `ack failed: ${err.message}` : `acked: ${answer}`);
          }));
          socket.on("connect_error", (err) => resolve(`connect_error: ${err.message}`));
        }), url);
      };
      return { allowed: await attempt(input.allowed), refused: await attempt(input.refused) };
    } finally {
      await browser.close();
    }
  },

  // Connection state recovery with the unmodified client: A (in room "r") loses its transport; while it is away B
  // (connected after the drop) sends to the room and to A's own room; A reconnects by itself a second later and gets
  // its socket back with what it missed.
  async recovery() {
    const until = async (condition, what) => {
      for (let i = 0; i < 200 && !condition(); i++) await new Promise((ok) => setTimeout(ok, 25));
      if (!condition()) throw new Error(`timed out waiting for ${what}`);
    };
    const a = io(url, { transports: ["websocket"], forceNew: true, reconnectionDelay: 1000, reconnectionDelayMax: 1000 });
    const heard = [];
    const welcomes = [];
    a.on("room-message", (...args) => heard.push(args));
    a.on("welcome", (recovered) => welcomes.push(recovered));
    await connected(a);
    await ack(a, "join", "r");
    await ack(a, "to-room", "r", "live");
    await until(() => heard.length === 1, "the live message");
    const first = { id: a.id, recovered: a.recovered };

    const back = once(a, "connect");
    a.io.engine.close(); // the client drops its transport: the server sees a lost connection
    await new Promise((ok) => setTimeout(ok, 100));
    // B connects after the cut, which would have cut it too.
    const b = await connected(io(url, { transports: ["websocket"], forceNew: true }));
    await ack(b, "to-room", "r", "missed 1");
    await ack(b, "to-room", first.id, "missed direct");
    await ack(b, "to-room", "r", "missed 2");
    await back;
    await until(() => heard.length >= 4, "the missed messages");
    // The room is still A's: a message sent after the recovery reaches it live.
    await ack(b, "to-room", "r", "after");
    await until(() => heard.length >= 5, "the message after the recovery");
    const result = { first, second: { id: a.id, recovered: a.recovered }, heard, welcomes };
    a.disconnect();
    b.disconnect();
    return result;
  },

  // Recovery on another server of the cluster. A load balancer (a TCP proxy here) sends A's client to the first server;
  // then the first server goes — its connections cut (input.cut = "drop") or the server shut down gracefully on A's
  // request ("shutdown") — and the balancer sends the client's reconnection to the second server, where B, connected
  // there from the start, sends to the room and to A's own room while A is away.
  async "recovery-across"() {
    const until = async (condition, what) => {
      for (let i = 0; i < 400 && !condition(); i++) await new Promise((ok) => setTimeout(ok, 25));
      if (!condition()) throw new Error(`timed out waiting for ${what}`);
    };
    let target = new URL(input.first);
    const balancer = await startBalancer(() => [target]);
    const via = balancer.url;

    const a = io(via, { transports: ["websocket"], forceNew: true, reconnectionDelay: 1000, reconnectionDelayMax: 1000 });
    const heard = [];
    a.on("room-message", (...args) => heard.push(args));
    await connected(a);
    const b = await connected(io(input.second, { transports: ["websocket"], forceNew: true }));
    await ack(a, "join", "r");
    await new Promise((ok) => setTimeout(ok, 200)); // the join travels to the second server
    await ack(b, "to-room", "r", "live");
    await until(() => heard.length === 1, "the live message from the other server");
    const first = { id: a.id, recovered: a.recovered };

    step("the first server goes");
    target = new URL(input.second);
    const back = once(a, "connect");
    if (input.cut === "shutdown") {
      a.emit("shutdown-server");
    } else {
      for (const socket of balancer.piped) socket.destroy();
    }
    await new Promise((ok) => a.once("disconnect", ok));
    await new Promise((ok) => setTimeout(ok, 300)); // the session is written to Redis as the connection goes
    await ack(b, "to-room", "r", "missed 1");
    await ack(b, "to-room", first.id, "missed direct");
    await ack(b, "to-room", "r", "missed 2");
    await back;
    await until(() => heard.length >= 4, "the missed messages");
    await ack(b, "to-room", "r", "after");
    await until(() => heard.length >= 5, "the message after the recovery");
    const result = { first, second: { id: a.id, recovered: a.recovered }, heard };
    a.disconnect();
    b.disconnect();
    balancer.close();
    return result;
  },

  // Nothing missed under churn: input.clients sockets behind a balancer that spreads connections over input.servers
  // (round robin, skipping a server that refuses), a broadcaster on each of input.broadcasters emitting "tick-<b>-<n>"
  // to everyone every input.everyMs for input.durationMs (several of them: events from several servers interleave), and meanwhile either a random client's connection cut every
  // input.cutEveryMs, or (input.cut = "shutdown") every client on the first server, which is shut down gracefully
  // halfway (a deploy) while the balancer sends the reconnections to the others. Reports, per client, the ticks it
  // got, and how often it came back recovered.
  async "recovery-churn"() {
    const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
    const all = input.servers.map((server) => new URL(server));
    let targets = input.cut === "shutdown" ? all.slice(0, 1) : all;
    const balancer = await startBalancer(() => targets);
    const via = balancer.url;

    const clients = [];
    for (let i = 0; i < input.clients; i++) {
      const socket = io(via, { transports: ["websocket"], forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 300 });
      const state = { socket, ticks: input.broadcasters.map(() => []), recoveries: 0, fresh: 0 };
      socket.onAny((event) => {
        const [, b, n] = event.match(/^tick-(\d+)-(\d+)$/) ?? [];
        if (b !== undefined) state.ticks[Number(b)].push(Number(n));
      });
      socket.on("connect", () => (socket.recovered ? state.recoveries++ : state.fresh++));
      clients.push(state);
    }
    await Promise.all(clients.map((c) => (c.socket.connected ? c : once(c.socket, "connect"))));
    const broadcasters = await Promise.all(input.broadcasters.map((server) => connected(io(server, { transports: ["websocket"], forceNew: true }))));
    step(`${clients.length} clients connected`);

    let cuts = 0;
    let stopping = false;
    const cutter = (async () => {
      if (input.cut === "shutdown") {
        await sleep(input.durationMs / 2);
        targets = all.slice(1); // the balancer stops sending clients to the server that goes
        const control = await connected(io(input.servers[0], { transports: ["websocket"], forceNew: true, reconnection: false }));
        control.emit("shutdown-server");
        cuts = 1;
        return;
      }
      while (!stopping) {
        await sleep(input.cutEveryMs);
        const victims = [...balancer.piped];
        if (victims.length > 0) {
          victims[Math.floor(Math.random() * victims.length)].destroy();
          cuts++;
        }
      }
    })();
    let sent = 0;
    const started = Date.now();
    while (Date.now() - started < input.durationMs) {
      sent++;
      await Promise.all(broadcasters.map((broadcaster, b) => ack(broadcaster, "to-all", `tick-${b}-${sent}`)));
      await sleep(input.everyMs);
    }
    stopping = true;
    await cutter;
    for (let i = 0; i < 200 && !clients.every((c) => c.socket.connected && c.ticks.every((t) => t.length >= sent)); i++) await sleep(50);
    await sleep(300); // anything doubled arrives too
    // A summary per client (the full lists of 100 clients would not fit one result line): exactly 1..sent in order,
    // or the first ticks missing, doubled and out of order.
    const summary = (ticks) => {
      const seen = new Set(ticks);
      const missing = [];
      for (let n = 1; n <= sent && missing.length < 10; n++) if (!seen.has(n)) missing.push(n);
      const doubled = ticks.filter((t, i) => ticks.indexOf(t) !== i).slice(0, 10);
      const outOfOrder = ticks.filter((t, i) => i > 0 && t < ticks[i - 1]).slice(0, 10);
      return { got: ticks.length, exact: ticks.length === sent && ticks.every((t, i) => t === i + 1), missing, doubled, outOfOrder };
    };
    const result = {
      sent,
      cuts,
      clients: clients.map((c) => {
        const each = c.ticks.map(summary);
        return { got: each.reduce((n, e) => n + e.got, 0), exact: each.every((e) => e.exact), each: each.filter((e) => !e.exact),
          recoveries: c.recoveries, fresh: c.fresh, connected: c.socket.connected };
      }),
    };
    for (const c of clients) c.socket.disconnect();
    for (const broadcaster of broadcasters) broadcaster.disconnect();
    balancer.close();
    return result;
  },

  // Two servers, one cluster (Redis): c1 on the first, c2 and c3 on the second.
  async cluster() {
    const make = (server) => connected(io(server, { transports: ["websocket"], forceNew: true, reconnection: false }));
    const [c1, c2, c3] = await Promise.all([make(input.first), make(input.second), make(input.second)]);
    const heard = { c1: [], c2: [], c3: [] };
    for (const [name, socket] of Object.entries({ c1, c2, c3 })) socket.on("room-message", (m) => heard[name].push(m));
    await ack(c1, "join", "r1");
    await ack(c3, "join", "r2");
    const r = {};
    let arrived = once(c1, "room-message");
    await ack(c2, "to-room", "r1", "hello from the second server");
    r.toFirst = (await arrived)[0];
    arrived = once(c3, "room-message");
    await ack(c1, "to-room", "r2", { text: "hello from the first server" });
    r.toSecond = (await arrived)[0];
    arrived = once(c1, "room-message");
    await ack(c2, "to-room", "r1", Buffer.from([1, 2, 250]));
    r.binary = toArray((await arrived)[0]);
    r.fetched = (await ack(c2, "fetch", "r1"))[0].map((s) => s.id);
    r.c1 = c1.id;
    r.rooms = (await ack(c1, "all-rooms"))[0];
    await ack(c1, "make-join", "r2", "r3");
    await new Promise((ok) => setTimeout(ok, 200));
    arrived = once(c3, "room-message");
    await ack(c2, "to-room", "r3", "r3 reached across servers");
    r.remoteJoin = (await arrived)[0];
    c3.on("question", (q, callback) => callback(`c3 answers ${q}`));
    r.askAcross = (await ack(c1, "ask-room", "r2"))[0];
    await new Promise((ok) => setTimeout(ok, 200));
    r.heard = heard;
    for (const socket of [c1, c2, c3]) socket.disconnect();
    return r;
  },

  // Two chat instances on one Redis: alice on the first, bob on the second.
  async "chat-cluster"() {
    const make = (server, token) => connected(io(server, { transports: ["websocket"], forceNew: true, reconnection: false, auth: { token } }));
    const alice = await make(input.first, input.alice);
    const bob = await make(input.second, input.bob);
    await ack(alice, "joinRoom", { roomId: "lobby" });
    await ack(bob, "joinRoom", { roomId: "lobby" });
    const r = {};
    let arrived = once(bob, "newMessage");
    await ack(alice, "sendMessage", { roomId: "lobby", text: "hello across instances" });
    r.roomMessage = (await arrived)[0];
    const headers = (token) => ({ Authorization: `Bearer ${token}`, "Content-Type": "application/json" });
    arrived = once(bob, "notification");
    await fetch(`${input.first}/api/notifications/bob`, { method: "POST", headers: headers(input.alice), body: JSON.stringify({ title: "Hi", body: "via the first instance" }) });
    r.notification = (await arrived)[0];
    arrived = once(alice, "priceUpdate");
    await fetch(`${input.second}/api/prices`, { method: "POST", headers: headers(input.bob), body: JSON.stringify({ symbol: "ACME", price: 3 }) });
    r.price = (await arrived)[0];
    alice.disconnect();
    bob.disconnect();
    return r;
  },
};

const run = scenarios[scenario];
if (!run || !url) {
  console.log(`ERROR usage: node scenarios.mjs <${Object.keys(scenarios).join("|")}> <url>`);
  process.exit(2);
}
const timer = setTimeout(() => {
  console.log(`ERROR scenario '${scenario}' did not finish within ${timeoutMs} ms`);
  process.exit(1);
}, timeoutMs);
try {
  const result = await run();
  console.log(`RESULT ${JSON.stringify(result)}`);
  clearTimeout(timer);
  process.exit(0);
} catch (error) {
  console.log(`ERROR ${error?.stack ?? error}`);
  process.exit(1);
}
