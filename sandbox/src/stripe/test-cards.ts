/** Stripe's test PaymentMethod ids (https://docs.stripe.com/testing) the emulator understands. */
export interface TestCard {
  brand: string;
  last4: string;
  funding: 'credit' | 'debit';
  /** Set for cards whose charges are declined. */
  decline?: { code: string; declineCode: string; message: string };
  /**
   * Set for cards whose issuer requires 3-D Secure on every payment: an on-session confirmation leaves
   * the intent `requires_action` (no charge yet); an off-session one is declined `authentication_required`.
   */
  authenticationRequired?: boolean;
}

/** Stripe's decline of an off-session payment whose card requires authentication. */
export const AUTHENTICATION_REQUIRED_DECLINE = {
  code: 'authentication_required',
  declineCode: 'authentication_required',
  message: 'Your card was declined. This transaction requires authentication.',
};

const declined = (last4: string, code: string, declineCode: string, message: string): TestCard => ({
  brand: 'visa',
  last4,
  funding: 'credit',
  decline: { code, declineCode, message },
});

export const TEST_CARDS: Record<string, TestCard> = {
  pm_card_visa: { brand: 'visa', last4: '4242', funding: 'credit' },
  pm_card_visa_debit: { brand: 'visa', last4: '5556', funding: 'debit' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444', funding: 'credit' },
  pm_card_amex: { brand: 'amex', last4: '8431', funding: 'credit' },
  // 4000 0027 6000 3184: "requires authentication on all transactions, regardless of how the card is set up".
  pm_card_authenticationRequired: {
    brand: 'visa',
    last4: '3184',
    funding: 'credit',
    authenticationRequired: true,
  },
  pm_card_chargeDeclined: declined('0002', 'card_declined', 'generic_decline', 'Your card was declined.'),
  pm_card_chargeDeclinedInsufficientFunds: declined(
    '9995',
    'card_declined',
    'insufficient_funds',
    'Your card has insufficient funds.',
  ),
  pm_card_chargeDeclinedExpiredCard: declined(
    '0069',
    'expired_card',
    'expired_card',
    'Your card has expired.',
  ),
  pm_card_chargeDeclinedIncorrectCvc: declined(
    '0127',
    'incorrect_cvc',
    'incorrect_cvc',
    "Your card's security code is incorrect.",
  ),
  pm_card_chargeDeclinedProcessingError: declined(
    '0119',
    'processing_error',
    'processing_error',
    'An error occurred while processing your card. Try again in a little bit.',
  ),
};

/** The test card a stored PaymentMethod was made from (its last 4 digits are unique among them). */
export function testCardByLast4(last4: string): TestCard | undefined {
  return Object.values(TEST_CARDS).find((card) => card.last4 === last4);
}
