// Full-page screenshots of a built site, for looking at the theme.
//
//   node screenshot.mjs SITE_DIR PREFIX OUT_DIR WIDTH[:dark] PAGE...
import path from "node:path";
import fs from "node:fs";
import { serve, launch } from "./lib.mjs";

const [root, prefix, outDir, mode, ...pages] = process.argv.slice(2);
const [width, scheme = "light"] = mode.split(":");
fs.mkdirSync(outDir, { recursive: true });
const server = await serve(root, prefix);
const browser = await launch();
try {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width: Number(width), height: 900 });
  await page.emulateMedia({ colorScheme: scheme });
  for (const rel of pages) {
    await page.goto(server.url + rel, { waitUntil: "load" });
    const name = (rel.replace(/\/$/, "").replace(/\//g, "_") || "home") + `-${width}-${scheme}.png`;
    await page.screenshot({ path: path.join(outDir, name), fullPage: true });
    console.log(path.join(outDir, name));
  }
} finally {
  await browser.close();
  server.close();
}
