/**
 * The credentials the emulators accept. They are test credentials for local emulators only, but the
 * platform treats them as the secrets they stand for: they go into the vault, and the secret-scanning
 * tests look for them in logs, audit records and CLI output.
 */
export const SANDBOX_CREDENTIALS = {
  salesforce: {
    clientId: '3MVG9dewyresortSandboxClientId0000000000000000',
    clientSecret: 'sf-sandbox-client-secret-7f3a9c2e1b',
    /** A refresh token the emulator issues up front, for the refresh_token grant. */
    refreshToken: 'sf-sandbox-refresh-token-4c8d2e6f0a',
  },
  stripe: {
    secretKey: 'sk_test_dewyresort_51Sandbox9d8e7f6a5b4c3d2e1f',
  },
  twilio: {
    accountSid: 'AC00000000000000000000000000dewy01',
    authToken: 'twilio-sandbox-auth-token-8e2b4d6f',
    /** The resort's sending number. */
    from: '+15005550006',
  },
} as const;
