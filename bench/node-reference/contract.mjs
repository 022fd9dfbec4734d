// The benchmark contract (what bench/BenchServer serves), on a socket.io Server: shared by the Node and Bun targets.
export function serve(io) {
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
}
