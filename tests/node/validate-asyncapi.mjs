// Validates an AsyncAPI document with the official parser (@asyncapi/parser) and prints its diagnostics as JSON:
// {"errors":[...],"warnings":[...]} (each {code, message, path}). Usage: node validate-asyncapi.mjs <file>
import { readFile } from "node:fs/promises";
import { Parser } from "@asyncapi/parser";

const [file] = process.argv.slice(2);
const parser = new Parser();
const { diagnostics } = await parser.parse(await readFile(file, "utf8"));
const pick = (severity) => diagnostics
  .filter((d) => d.severity === severity)
  .map((d) => ({ code: String(d.code), message: d.message, path: d.path.join("/") }));
console.log(JSON.stringify({ errors: pick(0), warnings: pick(1) }));
