import { serve, launch } from "./lib.mjs";
const server = await serve("/tmp/ex", "/");
const browser = await launch();
try {
  for (const [w, scheme] of [[1280, "light"], [375, "dark"]]) {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: w, height: 800 });
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(server.url + "runbooks/", { waitUntil: "load" });
    if (w < 500) await page.click(".site-search-icon").catch(() => {});
    await page.fill("#site-search-input", "postgers disk");
    await page.waitForTimeout(1500);
    await page.screenshot({ path: `/tmp/shots/box-${w}-${scheme}.png` });
    await page.goto(server.url + "search/?q=backup%20restore", { waitUntil: "load" });
    await page.waitForTimeout(1500);
    await page.screenshot({ path: `/tmp/shots/page-${w}-${scheme}.png`, fullPage: false });
    await page.close();
  }
} finally { await browser.close(); server.close(); }
