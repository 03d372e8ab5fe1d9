import { config } from "zod/v4/core";

// Zod probes for eval (`new Function`) when it builds its first object schema, to compile faster
// parsers. The pages' Content-Security-Policy refuses eval (docs/decisions/0013), and browsers
// report the refused probe as a violation even though Zod catches it. Jitless mode skips the probe.
config({ jitless: true });
