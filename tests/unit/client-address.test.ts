import { describe, expect, it } from "vitest";
import {
  currentClientAddress,
  normaliseAddress,
  resolveClientAddress,
  UNKNOWN_ADDRESS,
  withClientAddress,
} from "../../server/http/client-address";

const resolve = (peer: string, forwardedFor: string | null, trustedProxies: number) =>
  resolveClientAddress({ peer, forwardedFor, trustedProxies });

describe("the client address rule", () => {
  describe("with no trusted proxy", () => {
    it("is the socket's peer, whatever X-Forwarded-For says", () => {
      expect(resolve("203.0.113.9", null, 0)).toBe("203.0.113.9");
      expect(resolve("203.0.113.9", "198.51.100.1", 0)).toBe("203.0.113.9");
      expect(resolve("203.0.113.9", "198.51.100.1, 198.51.100.2, 198.51.100.3", 0)).toBe("203.0.113.9");
    });

    it("unwraps an IPv4-mapped IPv6 peer and lower-cases IPv6", () => {
      expect(resolve("::ffff:203.0.113.9", "198.51.100.1", 0)).toBe("203.0.113.9");
      expect(resolve("2001:DB8::1", null, 0)).toBe("2001:db8::1");
    });
  });

  describe("behind one trusted proxy", () => {
    it("is the entry the proxy appended (the last one), not the peer", () => {
      expect(resolve("10.0.0.2", "203.0.113.9", 1)).toBe("203.0.113.9");
    });

    it("ignores what the client wrote into X-Forwarded-For before the proxy appended its own entry", () => {
      // The client sent "X-Forwarded-For: 198.51.100.1"; the proxy appended the address it saw.
      expect(resolve("10.0.0.2", "198.51.100.1, 203.0.113.9", 1)).toBe("203.0.113.9");
      expect(resolve("10.0.0.2", "1.1.1.1, 2.2.2.2, 3.3.3.3, 203.0.113.9", 1)).toBe("203.0.113.9");
    });

    it("uses the peer when the request did not come through the proxy (no entry to trust)", () => {
      expect(resolve("203.0.113.50", null, 1)).toBe("203.0.113.50");
      expect(resolve("203.0.113.50", "", 1)).toBe("203.0.113.50");
    });
  });

  describe("behind two trusted proxies", () => {
    it("is the entry the outer proxy appended (second from the right)", () => {
      // client → CDN (appends the client) → load balancer (appends the CDN) → app
      expect(resolve("10.0.0.3", "203.0.113.9, 10.0.0.2", 2)).toBe("203.0.113.9");
    });

    it("ignores a client's own entries left of the outer proxy's", () => {
      expect(resolve("10.0.0.3", "198.51.100.1, 198.51.100.2, 203.0.113.9, 10.0.0.2", 2)).toBe("203.0.113.9");
    });

    it("uses the peer when the chain is shorter than the proxies (a request that skipped one)", () => {
      expect(resolve("10.0.0.3", "10.0.0.2", 2)).toBe("10.0.0.3");
    });
  });

  it("never takes a value that is not an address: the peer stands in", () => {
    expect(resolve("10.0.0.2", "unknown", 1)).toBe("10.0.0.2");
    expect(resolve("10.0.0.2", "198.51.100.1, <script>", 1)).toBe("10.0.0.2");
    expect(resolve("10.0.0.2", "203.0.113.9' or 1=1 --", 1)).toBe("10.0.0.2");
  });

  it("accepts the forms proxies write: ports, brackets, mapped IPv4", () => {
    expect(resolve("10.0.0.2", "203.0.113.9:51234", 1)).toBe("203.0.113.9");
    expect(resolve("10.0.0.2", "[2001:db8::7]:443", 1)).toBe("2001:db8::7");
    expect(resolve("10.0.0.2", "::ffff:203.0.113.9", 1)).toBe("203.0.113.9");
    expect(normaliseAddress("")).toBeUndefined();
    expect(normaliseAddress("999.1.1.1")).toBeUndefined();
  });

  it("is unknown without a peer", () => {
    expect(resolveClientAddress({ peer: undefined, forwardedFor: "203.0.113.9", trustedProxies: 0 })).toBe(
      UNKNOWN_ADDRESS,
    );
  });
});

describe("the request's client address", () => {
  it("is the one the server resolved for the request, through every await", async () => {
    const seen = await withClientAddress("203.0.113.77", async () => {
      await new Promise((r) => setTimeout(r, 5));
      return currentClientAddress();
    });
    expect(seen).toBe("203.0.113.77");
  });

  it("keeps concurrent requests apart", async () => {
    const addresses = ["203.0.113.1", "203.0.113.2", "203.0.113.3"];
    const seen = await Promise.all(
      addresses.map((a, i) =>
        withClientAddress(a, async () => {
          await new Promise((r) => setTimeout(r, 10 - i * 3));
          return currentClientAddress();
        }),
      ),
    );
    expect(seen).toEqual(addresses);
  });

  it("is unknown outside a request the server resolved (nothing in the headers can set it)", () => {
    expect(currentClientAddress()).toBe(UNKNOWN_ADDRESS);
  });
});
