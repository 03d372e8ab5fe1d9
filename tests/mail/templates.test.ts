import { describe, expect, it } from "vitest";
import { renderEmail } from "../../server/mail/templates";

const hostile = `<script>alert("x")</script> & 'Co'`;

describe("email templates", () => {
  it("renders the registration code with its validity", () => {
    const email = renderEmail("registration_code", { partnerName: "Acme Pay", code: "483920", expiresInMinutes: 10 });
    expect(email.subject).toBe("Your Acme Pay confirmation code");
    expect(email.subject).not.toContain("483920");
    expect(email.text).toContain("483920");
    expect(email.text).toContain("10 minutes");
    expect(email.html).toContain("483920");
    expect(email.html).toContain("10 minutes");
  });

  it("tells an existing client they already have an account, without a code", () => {
    const email = renderEmail("account_exists", { partnerName: "Acme Pay" });
    expect(email.subject).toContain("already have");
    expect(email.text).toContain("You already have an account");
    expect(email.text).not.toMatch(/\d{5,}/);
    expect(email.html).toContain("You already have an account");
  });

  it("renders the email confirmation with the link and the code", () => {
    const link = "https://gatehouse.test/confirm-email?token=abc&partner=7";
    const email = renderEmail("email_confirmation", { partnerName: "Acme Pay", code: "112233", link });
    expect(email.text).toContain(link);
    expect(email.text).toContain("112233");
    expect(email.html).toContain(`href="https://gatehouse.test/confirm-email?token=abc&amp;partner=7"`);
    expect(email.html).toContain("112233");
  });

  it.each([
    ["registration_code", { partnerName: hostile, code: "<b>1</b>", expiresInMinutes: 10 }],
    ["account_exists", { partnerName: hostile }],
    [
      "email_confirmation",
      { partnerName: hostile, code: "<b>1</b>", link: `https://x.test/"><script>alert(1)</script>` },
    ],
    [
      "payment_received",
      {
        partnerName: hostile,
        tierName: "<b>1</b>",
        amount: "9.99",
        currency: "EUR",
        periodEnd: "2030-01-31T00:00:00.000Z",
      },
    ],
    [
      "renewal_unpaid",
      {
        partnerName: hostile,
        tierName: "<b>1</b>",
        amount: "9.99",
        currency: "EUR",
        payBy: "2030-02-07T00:00:00.000Z",
      },
    ],
    ["subscription_ended", { partnerName: hostile, tierName: "<b>1</b>", reason: "unpaid" }],
    [
      "webhook_endpoint_disabled",
      {
        partnerName: hostile,
        url: "https://x.test/<b>1</b>",
        failingSince: "2030-01-31T00:00:00.000Z",
        link: `https://x.test/"><script>alert(1)</script>`,
      },
    ],
  ] as const)("escapes every interpolated value in %s", (template, data) => {
    const email = renderEmail(template, data);
    expect(email.html).not.toContain("<script>");
    expect(email.html).not.toContain("<b>1</b>");
    expect(email.html).not.toContain(`"><script>`);
    expect(email.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Co&#39;");
    // The plain-text body is not HTML: it shows the name as written.
    expect(email.text).toContain(hostile);
  });

  it("keeps a partner name with line breaks on one subject line", () => {
    const email = renderEmail("account_exists", { partnerName: "Acme\r\nBcc: victim@example.test" });
    expect(email.subject).not.toMatch(/[\r\n]/);
  });

  it("loads nothing from the network", () => {
    const email = renderEmail("email_confirmation", {
      partnerName: "Acme",
      code: "1",
      link: "https://gatehouse.test/c",
    });
    expect(email.html).not.toMatch(/<img|<link|@import|url\(/i);
  });
});
