// The benchmark contract on Node's socket.io: node server.mjs PORT
import { Server } from "socket.io";

const port = Number(process.argv[2] ?? 3100);
const io = new Server(port, { serveClient: false });

io.on("connection", (socket) => {
  socket.on("echo", (...args) => {
    const ack = args.pop();
    ack(...args);
  });
  socket.on("join", (room, ack) => {
    socket.join(room);
    ack("ok");
  });
  socket.on("broadcast", (room, payload, ack) => {
    io.to(room).emit("bcast", payload);
    ack("ok");
  });
  socket.on("emit-back", (payload) => socket.emit("echo-back", payload));
});
console.log(`LISTENING ${port}`);
