// The benchmark contract on Node's socket.io: node server.mjs PORT
import { Server } from "socket.io";
import { serve } from "./contract.mjs";

const port = Number(process.argv[2] ?? 3100);
serve(new Server(port, { serveClient: false }));
console.log(`LISTENING ${port}`);
