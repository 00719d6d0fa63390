/** Stripe's test PaymentMethod ids (https://docs.stripe.com/testing) the emulator understands. */
export interface TestCard {
  brand: string;
  last4: string;
  funding: 'credit' | 'debit';
  /** Set for cards whose charges are declined. */
  decline?: { code: string; declineCode: string; message: string };
}

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
