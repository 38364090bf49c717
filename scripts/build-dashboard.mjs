// Bundles the browser dashboard (dashboard/) into dist/dashboard/, which `taskrail serve` serves at `/`.
// One script, one CSS file and index.html: no CDN, no external fonts, so it works offline.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";

const out = "dist/dashboard";
rmSync(out, { recursive: true, force: true });
mkdirSync(`${out}/assets`, { recursive: true });

await build({
  entryPoints: ["dashboard/src/main.tsx"],
  bundle: true,
  format: "esm",
  target: ["es2022"],
  jsx: "automatic",
  jsxImportSource: "preact",
  minify: true,
  sourcemap: true,
  outfile: `${out}/assets/app.js`,
  logLevel: "warning",
});
copyFileSync("dashboard/styles.css", `${out}/assets/app.css`);
copyFileSync("dashboard/index.html", `${out}/index.html`);
copyFileSync("dashboard/favicon.svg", `${out}/assets/favicon.svg`);
