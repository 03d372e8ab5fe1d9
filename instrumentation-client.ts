import { config } from "zod/v4/core";

// Runs in the browser before the app's modules. Zod probes for eval (`new Function`) when its
// first object schema is built, to compile faster parsers; the page's Content-Security-Policy
// refuses eval, and browsers report the refused probe as a violation even though Zod catches it.
// Only Zod's small core module is imported here, so pages without forms do not load all of Zod.
config({ jitless: true });
