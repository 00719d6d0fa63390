import { addDays } from './dates.js';
import type { Dml } from './dml.js';
import { objectNamed, type ObjectDef } from './schema.js';
import {
  roomSize,
  SEED_BOOKINGS,
  SEED_CASE_IDS,
  SEED_CONTACTS,
  SEED_ROOMS,
  type SeedBooking,
  type SeedContactKey,
} from './seed-data.js';

const STAGE_OF: Record<SeedBooking['status'], string> = {
  Reserved: 'Booking Confirmed',
  'Checked In': 'Checked In',
  'Checked Out': 'Closed Won',
  Cancelled: 'Closed Lost',
};

function object(name: string): ObjectDef {
  return objectNamed(name) as ObjectDef;
}

/**
 * Creates the Dewy Resort records through the same checks as API writes (not on the ledger: they are the
 * world's starting state, not effects). `today` (`YYYY-MM-DD`) anchors every date.
 */
export function seedDewyResort(dml: Dml, today: string): void {
  const hotel = dml.create(object('Account'), { Name: 'Dewy Resort Hotel', Type: 'Other' });
  const contacts = {} as Record<SeedContactKey, string>;
  for (const [key, c] of Object.entries(SEED_CONTACTS) as [
    SeedContactKey,
    (typeof SEED_CONTACTS)[SeedContactKey],
  ][]) {
    contacts[key] = dml.create(object('Contact'), {
      FirstName: c.firstName,
      LastName: c.lastName,
      Email: c.email,
      Unique_Email__c: c.email,
      Phone: c.phone,
      MobilePhone: c.phone,
      Contact_Type__c: c.type,
      Preferred_Contact_Method__c: c.preferred,
      AccountId: c.type === 'Guest' ? null : hotel,
      Employee_ID__c: key === 'manager' ? 'EMP-001' : null,
    });
  }

  const rooms: Record<string, string> = {};
  for (const room of SEED_ROOMS) {
    const { maxOccupancy, squareFeet } = roomSize(room.type);
    rooms[room.number] = dml.create(object('Hotel_Room__c'), {
      Name: room.number,
      Room_Number__c: room.number,
      Floor__c: room.floor,
      Room_Type__c: room.type,
      Status__c: room.status,
      Max_Occupancy__c: maxOccupancy,
      Nightly_Rate__c: room.rate,
      View_Type__c: room.view,
      Bed_Configuration__c: room.beds,
      Accessible__c: room.accessible,
      Square_Footage__c: squareFeet,
    });
  }

  const bookings: string[] = [];
  const opportunities: string[] = [];
  for (const b of SEED_BOOKINGS) {
    const guest = SEED_CONTACTS[b.guest];
    const room = SEED_ROOMS.find((r) => r.number === b.room);
    const checkIn = addDays(today, b.startsIn);
    const checkOut = addDays(checkIn, b.nights);
    const opportunity = dml.create(object('Opportunity'), {
      Name: `${guest.firstName} ${guest.lastName} - Room ${b.room}, ${checkIn}`,
      StageName: STAGE_OF[b.status],
      CloseDate: checkIn,
      Amount: (room?.rate ?? 0) * b.nights,
      ContactId: contacts[b.guest],
      Arrival_Date__c: checkIn,
      Departure_Date__c: checkOut,
      Description: `${b.nights}-night stay in room ${b.room}`,
    });
    opportunities.push(opportunity);
    bookings.push(
      dml.create(object('Booking__c'), {
        Opportunity__c: opportunity,
        Primary_Guest__c: contacts[b.guest],
        Room__c: rooms[b.room],
        Check_In_Date__c: checkIn,
        Check_Out_Date__c: checkOut,
        Status__c: b.status,
        Number_of_Guests__c: b.guests,
        Special_Requests__c: b.requests ?? null,
        External_ID__c: b.externalId,
      }),
    );
    if (b.status === 'Checked In') {
      dml.update(object('Hotel_Room__c'), rooms[b.room] as string, { Current_Guest__c: contacts[b.guest] });
    }
  }

  const inHouseStay = SEED_BOOKINGS.findIndex((b) => b.guest === 'inHouse');
  const towels = dml.create(object('Case'), {
    Subject: 'Extra towels and pillows',
    Description: 'Two extra bath towels and a firmer pillow, please.',
    Type: 'Service Request',
    Status: 'New',
    Priority: 'Medium',
    Origin: 'Web',
    ContactId: contacts.inHouse,
    Room__c: rooms['305'],
    Booking__c: bookings[inHouseStay],
    External_ID__c: SEED_CASE_IDS.towels,
  });
  dml.create(object('Case'), {
    Subject: 'Air conditioning not cooling',
    Description: 'Unit blows warm air; room taken out of service until repaired.',
    Type: 'Facilities',
    Status: 'Working',
    Priority: 'High',
    Origin: 'Phone',
    ContactId: contacts.manager,
    Room__c: rooms['103'],
    External_ID__c: SEED_CASE_IDS.airConditioning,
  });

  const pastStay = SEED_BOOKINGS.findIndex((b) => b.status === 'Checked Out');
  const pastCheckOut = addDays(today, (SEED_BOOKINGS[pastStay] as SeedBooking).startsIn + 3);
  dml.create(object('Payment_Transaction__c'), {
    Opportunity__c: opportunities[pastStay],
    Amount__c: 3 * 169,
    Status__c: 'Completed',
    Transaction_Type__c: 'Charge',
    Payment_Method__c: 'Credit Card',
    Last_4_Digits__c: '4242',
    Stripe_Transaction_ID__c: 'pi_DewySeedPastStay000000001',
    Transaction_Date__c: `${pastCheckOut}T11:00:00Z`,
  });
  dml.create(object('SMS_Notification__c'), {
    Case__c: towels,
    Direction__c: 'Outbound',
    Status__c: 'Delivered',
    To_Phone_Number__c: SEED_CONTACTS.inHouse.phone,
    Message_Body__c: 'Dewy Resort: we received your request for extra towels and pillows.',
    Sent_Date__c: `${today}T08:00:00Z`,
    Delivered_Date__c: `${today}T08:00:02Z`,
    Twilio_Message_SID__c: 'SM0000000000000000000000000dewy01',
    Cost__c: 0.0079,
  });
}
