/** Sending providers whose records, left at Mailtrap's names, are another provider's leftovers. */
const PROVIDERS: [RegExp, string][] = [
  [/(^|\.)sendgrid\.net$/, 'SendGrid'],
  [/(^|\.)mailgun\.(org|net|com)$/, 'Mailgun'],
  [/(^|\.)amazonses\.com$/, 'Amazon SES'],
  [/(^|\.)mandrillapp\.com$/, 'Mandrill'],
  [/(^|\.)mcsv\.net$/, 'Mailchimp'],
  [/(^|\.)sparkpostmail\.com$/, 'SparkPost'],
  [/(^|\.)mtasv\.net$|(^|\.)postmarkapp\.com$/, 'Postmark'],
  [/(^|\.)(sendinblue|brevo)\.com$/, 'Brevo'],
  [/(^|\.)zoho(mail)?\.(com|eu)$/, 'Zoho'],
  [/(^|\.)hubspotemail\.net$/, 'HubSpot'],
  [/(^|\.)mailjet\.com$/, 'Mailjet'],
  [/(^|\.)resend\.(com|dev)$/, 'Resend']
]

/** The sending provider a CNAME target belongs to, when it is one Mailtrap replaces. */
export function otherProvider(target: string): string | undefined {
  return PROVIDERS.find(([pattern]) => pattern.test(target))?.[1]
}
