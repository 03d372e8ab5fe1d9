import { z } from "zod";

// Runs in the browser before the app's modules. Zod probes for eval (`new Function`) when its
// first object schema is built, to compile faster parsers; the page's Content-Security-Policy
// refuses eval, and browsers report the refused probe as a violation even though Zod catches it.
z.config({ jitless: true });
