// The chat page: the unmodified socket.io-client, served by the app from its npm package.
const $ = (id) => document.getElementById(id);
let socket = null;
let room = null;

function setStatus(text, online) {
  $("status").textContent = text;
  $("status").className = `status ${online ? "online" : "offline"}`;
}

function addItem(list, text, className) {
  const item = document.createElement("li");
  item.textContent = text;
  if (className) item.className = className;
  $(list).appendChild(item);
  $(list).scrollTop = $(list).scrollHeight;
}

$("mint").addEventListener("click", async () => {
  const userId = $("user-id").value.trim();
  if (!userId) return ($("login-error").textContent = "Enter a user name first.");
  const response = await fetch("dev/token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ userId }),
  });
  if (!response.ok) return ($("login-error").textContent = "Development tokens are off on this server.");
  $("token").value = (await response.json()).token;
  $("login-error").textContent = "";
});

$("connect").addEventListener("click", () => {
  socket?.disconnect();
  socket = io({ auth: { token: $("token").value.trim() } });
  socket.on("connect", () => {
    setStatus(`online as ${$("user-id").value || "you"}`, true);
    $("login-error").textContent = "";
  });
  socket.on("connect_error", (error) => {
    setStatus("offline", false);
    $("login-error").textContent = `Connection refused: ${error.message}`;
  });
  socket.on("disconnect", (reason) => setStatus(`offline (${reason})`, false));
  socket.on("joinedRoom", ({ roomId }) => {
    room = roomId;
    $("room-name").textContent = `in room ${roomId}`;
    $("text").disabled = $("send").disabled = false;
  });
  socket.on("newMessage", (message) => addItem("messages", `${message.userId}: ${message.text}`, "message"));
  socket.on("notification", (n) => addItem("notifications", n.title ? `${n.title} — ${n.body}` : `${n.text} (${n.userId})`));
  socket.on("priceUpdate", (p) => addItem("prices", `${p.symbol}: ${p.price}`));
  socket.on("exception", (e) => addItem("messages", `error: ${e.message}`, "error"));
});

$("join-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!socket?.connected) return;
  const roomId = $("room-id").value.trim();
  if (room && room !== roomId) socket.emit("leaveRoom", { roomId: room });
  $("messages").replaceChildren();
  const history = await fetch(`api/rooms/${encodeURIComponent(roomId)}/messages`, {
    headers: { Authorization: `Bearer ${$("token").value.trim()}` },
  });
  if (history.ok) for (const m of await history.json()) addItem("messages", `${m.userId}: ${m.text}`, "message history");
  socket.emit("joinRoom", { roomId });
});

$("send-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("text").value.trim();
  if (!text || !room) return;
  socket.emit("sendMessage", { roomId: room, text }, () => ($("text").value = ""));
});
