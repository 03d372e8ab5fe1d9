import { afterAll, expect } from "vitest";

/** Fails the file, once its tests are done, if any promise rejection went unhandled while they ran. */
export function failOnUnhandledRejections(): void {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  afterAll(() => {
    process.off("unhandledRejection", onUnhandled);
    expect(unhandled, "unhandled rejections during the file's tests").toEqual([]);
  });
}
