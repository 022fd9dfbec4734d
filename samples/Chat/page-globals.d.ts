// What index.html gives app.js besides the DOM: socket.io-client's browser build (lib/socket.io.min.js) defines the
// global `io`. For the type check only (tsconfig.json); the browser never loads this file.
import type { io as lookup } from "socket.io-client";

declare global {
  const io: typeof lookup;
}
