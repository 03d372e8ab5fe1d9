// Deliberately imports cycle-b.ts, which imports this file back: tests/unit/lint-rules.test.ts expects the cycle to be refused.
import { b } from "./cycle-b";

export const a = (): number => b() + 1;
