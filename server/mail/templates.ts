/**
 * Transactional email templates. Each renders a plain-text and an HTML body;
 * the HTML is deliberately plain (inline styles, system fonts, no images) so
 * it reads the same in every client and loads nothing from the network.
 */

interface EmailDataMap {
  registration_code: { partnerName: string; code: string; expiresInMinutes: number };
  account_exists: { partnerName: string };
  email_confirmation: { partnerName: string; code: string; link: string };
  payment_received: { partnerName: string; tierName: string; amount: string; currency: string; periodEnd: string };
  renewal_unpaid: { partnerName: string; tierName: string; amount: string; currency: string; payBy: string };
  subscription_ended: { partnerName: string; tierName: string; reason: "unpaid" | "cancelled" };
  webhook_endpoint_disabled: { partnerName: string; url: string; failingSince: string; link: string };
  password_reset_code: { partnerName: string; code: string; link: string; expiresInMinutes: number };
  password_changed: { partnerName: string; changedAt: string };
  account_imported: { partnerName: string; mustSetPassword: boolean };
}

export type EmailTemplate = keyof EmailDataMap;
export type EmailData<T extends EmailTemplate> = EmailDataMap[T];

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

const htmlEntities: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => htmlEntities[c] ?? c);
}

// A partner name is set by staff; it must not be able to fold extra lines into a header.
function oneLine(value: string): string {
  return value.replace(/\s+/g, " ").trim();
}

/** One block of an email, written once and rendered to both bodies. */
type Block =
  { kind: "p"; text: string } | { kind: "code"; code: string } | { kind: "link"; label: string; href: string };

function renderText(blocks: Block[]): string {
  return (
    blocks
      .map((b) => {
        if (b.kind === "p") return b.text;
        if (b.kind === "code") return `    ${b.code}`;
        return `${b.label}:\n${b.href}`;
      })
      .join("\n\n") + "\n"
  );
}

function renderHtml(title: string, blocks: Block[]): string {
  const body = blocks
    .map((b) => {
      if (b.kind === "p") return `<p style="margin:0 0 16px">${escapeHtml(b.text)}</p>`;
      if (b.kind === "code") {
        return `<p style="margin:0 0 16px;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:28px;font-weight:bold;letter-spacing:4px">${escapeHtml(b.code)}</p>`;
      }
      return `<p style="margin:0 0 16px"><a href="${escapeHtml(b.href)}" style="color:#1a56db">${escapeHtml(b.label)}</a></p>`;
    })
    .join("\n");
  return [
    "<!doctype html>",
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">',
    `<title>${escapeHtml(title)}</title></head>`,
    "<body style=\"margin:0;padding:24px;background:#ffffff;color:#111827;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5\">",
    '<div style="max-width:560px">',
    body,
    "</div>",
    "</body>",
    "</html>",
  ].join("\n");
}

const day = (iso: string) => iso.slice(0, 10);

const ignoreIfNotYou = "If you did not ask for this, you can ignore this email.";

const renderers: { [K in EmailTemplate]: (data: EmailDataMap[K]) => { subject: string; blocks: Block[] } } = {
  registration_code: ({ partnerName, code, expiresInMinutes }) => ({
    subject: `Your ${oneLine(partnerName)} confirmation code`,
    blocks: [
      { kind: "p", text: `Use this code to finish creating your ${partnerName} account:` },
      { kind: "code", code },
      { kind: "p", text: `The code is valid for ${expiresInMinutes} minutes and can be used once.` },
      { kind: "p", text: ignoreIfNotYou },
    ],
  }),
  account_exists: ({ partnerName }) => ({
    subject: `You already have a ${oneLine(partnerName)} account`,
    blocks: [
      { kind: "p", text: `Someone just tried to register a new ${partnerName} account with this email address.` },
      {
        kind: "p",
        text: "You already have an account, so no new account was created. If it was you, sign in with your existing password or reset it in the app.",
      },
      { kind: "p", text: "If it was not you, you can ignore this email; your account has not been changed." },
    ],
  }),
  email_confirmation: ({ partnerName, code, link }) => ({
    subject: `Confirm your email address for ${oneLine(partnerName)}`,
    blocks: [
      { kind: "p", text: `Please confirm the email address of your ${partnerName} account.` },
      { kind: "link", label: "Confirm my email address", href: link },
      { kind: "p", text: "Or enter this code in the app:" },
      { kind: "code", code },
      { kind: "p", text: ignoreIfNotYou },
    ],
  }),
  payment_received: ({ partnerName, tierName, amount, currency, periodEnd }) => ({
    subject: `Payment received for your ${oneLine(partnerName)} ${oneLine(tierName)} subscription`,
    blocks: [
      { kind: "p", text: `We received ${amount} ${currency} for your ${tierName} subscription with ${partnerName}.` },
      {
        kind: "p",
        text: `It is paid until ${day(periodEnd)} (UTC). The next payment is taken from your account then.`,
      },
    ],
  }),
  renewal_unpaid: ({ partnerName, tierName, amount, currency, payBy }) => ({
    subject: `Your ${oneLine(partnerName)} ${oneLine(tierName)} subscription could not be renewed`,
    blocks: [
      {
        kind: "p",
        text: `Your ${tierName} subscription with ${partnerName} is due for renewal: ${amount} ${currency}. Your account's balance does not cover it.`,
      },
      {
        kind: "p",
        text: `Add money to your account by ${day(payBy)} (UTC) and the renewal is paid automatically; otherwise the subscription ends then.`,
      },
    ],
  }),
  subscription_ended: ({ partnerName, tierName, reason }) => ({
    subject: `Your ${oneLine(partnerName)} ${oneLine(tierName)} subscription has ended`,
    blocks: [
      {
        kind: "p",
        text:
          reason === "unpaid"
            ? `Your ${tierName} subscription with ${partnerName} has ended because its renewal was not paid in time.`
            : `Your ${tierName} subscription with ${partnerName} has ended, as you asked, at the end of its paid period.`,
      },
      { kind: "p", text: "You can subscribe again at any time in the app." },
    ],
  }),
  webhook_endpoint_disabled: ({ partnerName, url, failingSince, link }) => ({
    subject: `A webhook endpoint of ${oneLine(partnerName)} was disabled`,
    blocks: [
      {
        kind: "p",
        text: `Every delivery to ${partnerName}'s webhook endpoint ${url} has failed since ${failingSince.slice(0, 16).replace("T", " ")} UTC, so Gatehouse stopped sending to it.`,
      },
      {
        kind: "p",
        text: "Messages that were waiting stay in its delivery log. Once the receiver works again, enable the endpoint on the partner's page and resend what it missed.",
      },
      { kind: "link", label: "Open the partner's webhooks", href: link },
    ],
  }),
  password_reset_code: ({ partnerName, code, link, expiresInMinutes }) => ({
    subject: `Reset your ${oneLine(partnerName)} password`,
    blocks: [
      { kind: "p", text: `Someone asked to reset the password of your ${partnerName} account.` },
      { kind: "link", label: "Choose a new password", href: link },
      { kind: "p", text: "Or enter this code in the app:" },
      { kind: "code", code },
      {
        kind: "p",
        text: `The link and the code are valid for ${expiresInMinutes} minutes and work once. Your password stays as it is until you choose a new one.`,
      },
      { kind: "p", text: ignoreIfNotYou },
    ],
  }),
  password_changed: ({ partnerName, changedAt }) => ({
    subject: `Your ${oneLine(partnerName)} password was changed`,
    blocks: [
      {
        kind: "p",
        text: `The password of your ${partnerName} account was changed on ${changedAt.slice(0, 16).replace("T", " ")} UTC, and every device signed in to it was signed out.`,
      },
      {
        kind: "p",
        text: "If it was you, there is nothing more to do. If it was not, reset your password in the app at once and contact support.",
      },
    ],
  }),
  account_imported: ({ partnerName, mustSetPassword }) => ({
    subject: `Your ${oneLine(partnerName)} account has moved`,
    blocks: [
      {
        kind: "p",
        text: `Your ${partnerName} account has moved to our new sign-in service, with the same email address.`,
      },
      {
        kind: "p",
        text: mustSetPassword
          ? 'Before you sign in for the first time, choose a password: use "Forgot password" in the app and follow the email it sends.'
          : "Sign in with the password you already use; nothing else changes for you.",
      },
      { kind: "p", text: "If you have no account with us, you can ignore this email." },
    ],
  }),
};

export function renderEmail<T extends EmailTemplate>(template: T, data: EmailData<T>): RenderedEmail {
  const { subject, blocks } = renderers[template](data);
  return { subject, text: renderText(blocks), html: renderHtml(subject, blocks) };
}
