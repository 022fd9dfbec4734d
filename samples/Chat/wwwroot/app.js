// The chat page: the unmodified socket.io-client, served by the app from its npm package. Type-checked with
// `tsc --strict` against the events the server's gateways declare (../contracts/socket-events.d.ts, generated at
// build; see ../tsconfig.json): an event renamed in a gateway is an error here.
// @ts-check

/** @typedef {import("../contracts/socket-events").ServerToClientEvents} ServerToClientEvents */
/** @typedef {import("../contracts/socket-events").ClientToServerEvents} ClientToServerEvents */
/** @typedef {import("socket.io-client").Socket<ServerToClientEvents, ClientToServerEvents>} ChatSocket */

/** Every element the script touches is an input, a list or a label; one type keeps it short. */
const $ = (/** @type {string} */ id) => /** @type {HTMLInputElement} */ (document.getElementById(id));
/** @type {ChatSocket | null} */
let socket = null;
/** @type {string | null} */
let room = null;

/**
 * @param {string} text
 * @param {boolean} online
 */
function setStatus(text, online) {
  $("status").textContent = text;
  $("status").className = `status ${online ? "online" : "offline"}`;
}

/**
 * @param {string} list
 * @param {string} text
 * @param {string} [className]
 */
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
  /** @type {ChatSocket} */
  const connection = io({ auth: { token: $("token").value.trim() } });
  socket = connection;
  connection.on("connect", () => {
    setStatus(`online as ${$("user-id").value || "you"}`, true);
    $("login-error").textContent = "";
  });
  connection.on("connect_error", (error) => {
    setStatus("offline", false);
    $("login-error").textContent = `Connection refused: ${error.message}`;
  });
  connection.on("disconnect", (reason) => setStatus(`offline (${reason})`, false));
  connection.on("joinedRoom", ({ roomId }) => {
    room = roomId;
    $("room-name").textContent = `in room ${roomId}`;
    $("text").disabled = $("send").disabled = false;
  });
  connection.on("newMessage", (message) => addItem("messages", `${message.userId}: ${message.text}`, "message"));
  connection.on("notification", (n) => addItem("notifications", n.title ? `${n.title} — ${n.body}` : `${n.text} (${n.userId})`));
  connection.on("priceUpdate", (p) => addItem("prices", `${p.symbol}: ${p.price}`));
  connection.on("exception", (e) => addItem("messages", `error: ${e.message}`, "error"));
});

$("join-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!socket?.connected) return;
  const connection = socket;
  const roomId = $("room-id").value.trim();
  if (room && room !== roomId) connection.emit("leaveRoom", { roomId: room });
  $("messages").replaceChildren();
  const history = await fetch(`api/rooms/${encodeURIComponent(roomId)}/messages`, {
    headers: { Authorization: `Bearer ${$("token").value.trim()}` },
  });
  if (history.ok) {
    for (const m of /** @type {import("../contracts/socket-events").ChatMessage[]} */ (await history.json())) {
      addItem("messages", `${m.userId}: ${m.text}`, "message history");
    }
  }
  connection.emit("joinRoom", { roomId });
});

$("send-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("text").value.trim();
  if (!text || !room || !socket) return;
  socket.emit("sendMessage", { roomId: room, text }, () => ($("text").value = ""));
});
