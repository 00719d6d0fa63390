/**
 * The Dewy Resort records the emulator starts with (see README.md for what each guest is for). Dates are
 * offsets from the day the state is created, so "today's reservations" are always today's in a fresh state.
 * The three guests Stripe's seed knows (Maya Okafor, Lucas Brennan, Aiko Tanaka) have the same emails here.
 */

export interface SeedContact {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  type: 'Guest' | 'Manager' | 'Vendor';
  preferred: 'SMS' | 'Email' | 'Phone';
  /** What tests and demos use this contact for. */
  purpose: string;
}

export const SEED_CONTACTS = {
  checkInToday: {
    firstName: 'Lucas',
    lastName: 'Brennan',
    email: 'lucas.brennan@example.com',
    phone: '+14155550101',
    type: 'Guest',
    preferred: 'SMS',
    purpose: 'Reserved, arriving today, room 201 (Vacant): the check-in happy path.',
  },
  checkInTodayToo: {
    firstName: 'Priya',
    lastName: 'Natarajan',
    email: 'priya.natarajan@example.com',
    phone: '+14155550102',
    type: 'Guest',
    preferred: 'Email',
    purpose: 'Reserved, arriving today, room 301 (Vacant): a second, independent check-in.',
  },
  checkOutToday: {
    firstName: 'Maya',
    lastName: 'Okafor',
    email: 'maya.okafor@example.com',
    phone: '+14155550103',
    type: 'Guest',
    preferred: 'SMS',
    purpose:
      'Checked In three days ago, leaving today, room 101 (Occupied): checkout; also a past, paid stay.',
  },
  inHouse: {
    firstName: 'Aiko',
    lastName: 'Tanaka',
    email: 'aiko.tanaka@example.com',
    phone: '+14155550104',
    type: 'Guest',
    preferred: 'SMS',
    purpose: 'Checked In yesterday, leaving in two days, room 305 (Occupied), with an open service case.',
  },
  multipleReservations: {
    firstName: 'Michael',
    lastName: 'Johnson',
    email: 'mjohnson@example.com',
    phone: '+14155550105',
    type: 'Guest',
    preferred: 'Email',
    purpose: 'Two Reserved bookings arriving today (rooms 202 and 203): MULTIPLE_RESERVATIONS.',
  },
  roomNotVacant: {
    firstName: 'Sofia',
    lastName: 'Ramirez',
    email: 'sofia.ramirez@example.com',
    phone: '+14155550106',
    type: 'Guest',
    preferred: 'Email',
    purpose: 'Reserved, arriving today, but room 102 is being cleaned: ROOM_NOT_VACANT.',
  },
  alreadyCheckedIn: {
    firstName: 'Tom',
    lastName: 'Becker',
    email: 'tom.becker@example.com',
    phone: '+14155550107',
    type: 'Guest',
    preferred: 'Phone',
    purpose: 'Arrived today and already Checked In, room 302 (Occupied): a repeated check-in.',
  },
  futureReservation: {
    firstName: 'Lena',
    lastName: 'Fischer',
    email: 'lena.fischer@example.com',
    phone: '+14155550108',
    type: 'Guest',
    preferred: 'Email',
    purpose: 'Reserved in 14 days, room 401; nothing today: no reservation to check in; booking changes.',
  },
  cancelledToday: {
    firstName: 'Grace',
    lastName: 'Liu',
    email: 'grace.liu@example.com',
    phone: '+15005550009',
    type: 'Guest',
    preferred: 'SMS',
    purpose: "Today's booking (room 204) is Cancelled; her phone is Twilio's magic not-a-mobile number.",
  },
  noBookings: {
    firstName: 'Omar',
    lastName: 'Haddad',
    email: 'omar.haddad@example.com',
    phone: '+14155550110',
    type: 'Guest',
    preferred: 'SMS',
    purpose: 'A known guest with no bookings: new bookings.',
  },
  manager: {
    firstName: 'Workshop',
    lastName: 'Manager',
    email: 'manager@dewyhotel.com',
    phone: '+14155550100',
    type: 'Manager',
    preferred: 'Email',
    purpose: 'The duty manager (Employee_ID__c EMP-001): maintenance requests; not a guest.',
  },
  vendor: {
    firstName: 'Ravi',
    lastName: 'Kumar',
    email: 'ravi.kumar@sparkleclean.example.com',
    phone: '+14155550120',
    type: 'Vendor',
    preferred: 'Phone',
    purpose: 'A cleaning vendor: a contact who is not a guest (INVALID_CONTACT_TYPE).',
  },
} as const satisfies Record<string, SeedContact>;

export type SeedContactKey = keyof typeof SEED_CONTACTS;

export interface SeedRoom {
  number: string;
  floor: number;
  type: 'Standard' | 'Deluxe' | 'Suite' | 'Penthouse';
  view: 'City' | 'Ocean' | 'Garden' | 'Mountain';
  beds: '1 King' | '1 Queen' | '2 Queens' | '2 Doubles';
  rate: number;
  status: 'Vacant' | 'Occupied' | 'Cleaning' | 'Maintenance' | 'Out of Service';
  accessible: boolean;
}

const TYPE_SIZE = { Standard: [2, 350], Deluxe: [3, 450], Suite: [4, 650], Penthouse: [6, 1400] } as const;

/** Rooms 101–105 … 401–405; all Vacant except those named in `STATUS`. */
export const SEED_ROOMS: readonly SeedRoom[] = (() => {
  const floors: [SeedRoom['type'], SeedRoom['view'], number][][] = [
    Array(5).fill(['Standard', 'Garden', 149]),
    [...Array(3).fill(['Standard', 'City', 169]), ...Array(2).fill(['Deluxe', 'City', 219])],
    [...Array(4).fill(['Deluxe', 'Ocean', 259]), ['Suite', 'Ocean', 389]],
    [...Array(4).fill(['Suite', 'Ocean', 429]), ['Penthouse', 'Ocean', 899]],
  ];
  const beds: SeedRoom['beds'][] = ['1 Queen', '2 Doubles', '1 King', '2 Queens', '1 King'];
  const status: Record<string, SeedRoom['status']> = {
    '101': 'Occupied',
    '102': 'Cleaning',
    '103': 'Maintenance',
    '104': 'Out of Service',
    '302': 'Occupied',
    '305': 'Occupied',
  };
  return floors.flatMap((rooms, f) =>
    rooms.map(([type, view, rate], r) => {
      const number = `${f + 1}0${r + 1}`;
      return {
        number,
        floor: f + 1,
        type,
        view,
        beds: beds[r] as SeedRoom['beds'],
        rate,
        status: status[number] ?? 'Vacant',
        accessible: number === '101' || number === '102',
      };
    }),
  );
})();

export function roomSize(type: SeedRoom['type']): { maxOccupancy: number; squareFeet: number } {
  const [maxOccupancy, squareFeet] = TYPE_SIZE[type];
  return { maxOccupancy, squareFeet };
}

export interface SeedBooking {
  guest: SeedContactKey;
  room: string;
  /** Check-in, in days from the seeding day. */
  startsIn: number;
  nights: number;
  status: 'Reserved' | 'Checked In' | 'Checked Out' | 'Cancelled';
  guests: number;
  externalId: string;
  requests?: string;
}

const bookingId = (n: number) => `b0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const SEED_BOOKINGS: readonly SeedBooking[] = [
  {
    guest: 'checkInToday',
    room: '201',
    startsIn: 0,
    nights: 3,
    status: 'Reserved',
    guests: 2,
    externalId: bookingId(1),
    requests: 'Late check-in, extra towels',
  },
  {
    guest: 'checkInTodayToo',
    room: '301',
    startsIn: 0,
    nights: 4,
    status: 'Reserved',
    guests: 1,
    externalId: bookingId(2),
  },
  {
    guest: 'checkOutToday',
    room: '101',
    startsIn: -3,
    nights: 3,
    status: 'Checked In',
    guests: 1,
    externalId: bookingId(3),
    requests: 'Ground floor, quiet area',
  },
  {
    guest: 'inHouse',
    room: '305',
    startsIn: -1,
    nights: 3,
    status: 'Checked In',
    guests: 2,
    externalId: bookingId(4),
  },
  {
    guest: 'multipleReservations',
    room: '202',
    startsIn: 0,
    nights: 2,
    status: 'Reserved',
    guests: 2,
    externalId: bookingId(5),
  },
  {
    guest: 'multipleReservations',
    room: '203',
    startsIn: 0,
    nights: 2,
    status: 'Reserved',
    guests: 2,
    externalId: bookingId(6),
    requests: 'Adjoining the other room if possible',
  },
  {
    guest: 'roomNotVacant',
    room: '102',
    startsIn: 0,
    nights: 1,
    status: 'Reserved',
    guests: 1,
    externalId: bookingId(7),
  },
  {
    guest: 'alreadyCheckedIn',
    room: '302',
    startsIn: 0,
    nights: 2,
    status: 'Checked In',
    guests: 2,
    externalId: bookingId(8),
  },
  {
    guest: 'futureReservation',
    room: '401',
    startsIn: 14,
    nights: 3,
    status: 'Reserved',
    guests: 2,
    externalId: bookingId(9),
  },
  {
    guest: 'cancelledToday',
    room: '204',
    startsIn: 0,
    nights: 2,
    status: 'Cancelled',
    guests: 1,
    externalId: bookingId(10),
  },
  {
    guest: 'checkOutToday',
    room: '203',
    startsIn: -60,
    nights: 3,
    status: 'Checked Out',
    guests: 1,
    externalId: bookingId(11),
  },
];

/** External ids (Case.External_ID__c) of the seeded cases. */
export const SEED_CASE_IDS = {
  towels: 'c0000000-0000-4000-8000-000000000001',
  airConditioning: 'c0000000-0000-4000-8000-000000000002',
} as const;
