import { describe, expect, it } from 'vitest';
import { decodeForm, encodeForm, FormDecodeError, type FormObject } from '../../sandbox/src/stripe/form.js';

describe("Stripe's form decoding (bracket notation)", () => {
  it('decodes flat pairs, percent-escapes and plus signs', () => {
    expect(decodeForm('amount=2000&currency=usd&description=Two+nights%20%26+spa')).toEqual({
      amount: '2000',
      currency: 'usd',
      description: 'Two nights & spa',
    });
  });

  it('nests bracketed keys into objects, percent-encoded brackets included', () => {
    expect(
      decodeForm(
        'metadata[booking]=B-1&metadata%5Bguest%5D=G-7&shipping[address][city]=Oia&shipping[name]=Ada',
      ),
    ).toEqual({
      metadata: { booking: 'B-1', guest: 'G-7' },
      shipping: { address: { city: 'Oia' }, name: 'Ada' },
    });
  });

  it('collects `a[]` and indexed `a[0]` keys into arrays, in index order', () => {
    expect(decodeForm('expand[]=customer&expand[]=latest_charge')).toEqual({
      expand: ['customer', 'latest_charge'],
    });
    expect(decodeForm('expand[1]=b&expand[0]=a&expand[2]=c')).toEqual({ expand: ['a', 'b', 'c'] });
    expect(decodeForm('items[0][price]=p1&items[0][quantity]=2&items[1][price]=p2')).toEqual({
      items: [{ price: 'p1', quantity: '2' }, { price: 'p2' }],
    });
  });

  it('groups `a[][key]` into one element until a key repeats', () => {
    expect(decodeForm('items[][price]=p1&items[][qty]=1&items[][price]=p2')).toEqual({
      items: [{ price: 'p1', qty: '1' }, { price: 'p2' }],
    });
  });

  it('keeps empty values (Stripe uses them to unset) and lets the last of repeated keys win', () => {
    expect(decodeForm('metadata[old]=&description=a&description=b')).toEqual({
      metadata: { old: '' },
      description: 'b',
    });
    expect(decodeForm('')).toEqual({});
  });

  it('refuses keys that are both a value and a container, malformed names and prototype keys', () => {
    for (const text of [
      'metadata=x&metadata[a]=b',
      'metadata[a]=b&metadata=x',
      'expand[]=a&expand[x]=b',
      'a[b=1',
      'a]=1',
      '__proto__[polluted]=1',
      'metadata[constructor]=1',
    ])
      expect(() => decodeForm(text), text).toThrow(FormDecodeError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names the offending top-level param', () => {
    try {
      decodeForm('metadata=x&metadata[a]=b');
      expect.unreachable();
    } catch (error) {
      expect((error as FormDecodeError).param).toBe('metadata');
    }
  });

  it('round-trips through encodeForm', () => {
    const value: FormObject = {
      amount: '1500',
      metadata: { booking: 'B-9', note: 'a&b=c' },
      expand: ['customer', 'latest_charge'],
      items: [{ price: 'p1' }, { price: 'p2', quantity: '3' }],
    };
    expect(encodeForm(value)).toContain('metadata%5Bbooking%5D=B-9');
    expect(decodeForm(encodeForm(value))).toEqual(value);
  });
});
