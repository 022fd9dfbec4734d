// Prints one value as notepack.io 2.x and 3.x encode it (hex, one line each), for the MessagePack reader's tests;
// with `decode <hex>`, what notepack.io 3.x reads from the writer's bytes.
import notepack2 from "notepack2";
import notepack3 from "notepack.io";

const value = {
  text: "héllo",
  missing: undefined,
  arrayBuffer: new Uint8Array([1, 2, 250]).buffer,
  buffer: Buffer.from([3, 4]),
  at: new Date(Date.UTC(2026, 10, 26, 8, 45, 3, 123)),
  list: [undefined, 1, -2, 3.5, 70000, true, null],
};
// `node notepack-forms.mjs decode <hex>`: how notepack.io 3.x reads bytes we wrote, as JSON (a Buffer as
// {"type":"Buffer","data":[...]}).
if (process.argv[2] === "decode") {
  console.log(`DECODED ${JSON.stringify(notepack3.decode(Buffer.from(process.argv[3], "hex")))}`);
} else {
  console.log(`NOTEPACK2 ${notepack2.encode(value).toString("hex")}`);
  console.log(`NOTEPACK3 ${notepack3.encode(value).toString("hex")}`);
}
