/**
 * What `import … from "zod"` loads in the browser: next.config.mjs points
 * client bundles here (the server keeps Zod's own entry and its compiled
 * parsers). Zod is switched to jitless mode before anything of it runs, so
 * every page that builds a schema has the switch, with no import to forget,
 * and pages that build none load neither.
 */
import "./zod-jitless";

export * from "zod/v4";
export { default } from "zod/v4";
