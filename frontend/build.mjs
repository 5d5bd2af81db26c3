// Build GOV.UK Frontend and the brand layer into ../static (or the folder named as the first argument, which
// `make assets-check` uses to compare a fresh build with the committed one). Output is committed, so
// `make run` needs no Node.
import { cpSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const here = dirname(fileURLToPath(import.meta.url));
const govuk = join(here, "node_modules", "govuk-frontend", "dist", "govuk");
const out = process.argv[2] ? resolve(process.argv[2]) : join(here, "..", "static");

rmSync(join(out, "govuk"), { recursive: true, force: true });
mkdirSync(join(out, "css"), { recursive: true });
mkdirSync(join(out, "js"), { recursive: true });

const result = sass.compile(join(here, "scss", "app.scss"), {
  style: "compressed",
  importers: [new sass.NodePackageImporter()],
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "css", "app.css"), result.css + "\n");
// The back office: Django admin's CSS with the council's brand and GOV.UK styles on top.
const admin = sass.compile(join(here, "scss", "admin.scss"), { style: "compressed" });
writeFileSync(join(out, "css", "admin.css"), admin.css + "\n");

cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "js", "govuk-frontend.min.js"));
for (const f of ["app.mjs", "payments-card.mjs", "payments-status.mjs", "session-timeout.mjs"]) cpSync(join(here, "js", f), join(out, "js", f));
cpSync(join(govuk, "assets", "images"), join(out, "govuk", "assets", "images"), { recursive: true });
cpSync(join(govuk, "assets", "manifest.json"), join(out, "govuk", "assets", "manifest.json"));
console.log(`built ${out}/css and ${out}/js`);
