// The benchmark contract on socket.io with Bun's engine (@socket.io/bun-engine): the same Server and handlers as the
// Node target, Bun's HTTP and WebSocket server underneath. bun server.mjs PORT
import { Server as Engine } from "@socket.io/bun-engine";
import { Server } from "socket.io";
import { serve } from "../node-reference/contract.mjs";

const port = Number(process.argv[2] ?? 3100);
const io = new Server({ serveClient: false });
const engine = new Engine({ path: "/socket.io/" });
io.bind(engine);
serve(io);
Bun.serve({ port, hostname: "127.0.0.1", ...engine.handler() });
console.log(`LISTENING ${port}`);
