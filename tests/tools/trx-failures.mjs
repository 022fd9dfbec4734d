// Prints each failed test of the TRX files given as arguments with the head of its message and stack trace, so a CI
// log read from its tail says why a test failed and not only which one.
import { readFileSync } from "node:fs";

const unescape = (text) => text
  .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'")
  .replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
  .replace(/&#([0-9]+);/g, (_, dec) => String.fromCodePoint(Number(dec)))
  .replace(/&amp;/g, "&");
const head = (text, lines) => {
  const all = unescape(text).trim().split("\n");
  return all.slice(0, lines).concat(all.length > lines ? [`… (${all.length - lines} more lines in the TRX)`] : []);
};
const element = (xml, name) => xml.match(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`))?.[1] ?? "";

for (const file of process.argv.slice(2)) {
  const trx = readFileSync(file, "utf8");
  for (const [result] of trx.matchAll(/<UnitTestResult [^>]*outcome="Failed"[\s\S]*?<\/UnitTestResult>/g)) {
    const name = unescape(result.match(/testName="([^"]*)"/)?.[1] ?? "(unnamed)");
    console.log(`  ${name}`);
    for (const line of head(element(result, "Message"), 25)) console.log(`      ${line}`);
    for (const line of head(element(result, "StackTrace"), 8)) console.log(`      ${line}`);
  }
}
