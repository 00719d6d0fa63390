/**
 * The Dewy Resort org's object model, as the emulator's validator and SOQL engine read it. Custom objects
 * and custom fields follow the real app's metadata (workato-devs/dewy-resort,
 * vendor/salesforce/force-app/main/default/objects): names, types, lengths, required flags, external ids,
 * uniqueness and picklist values (restricted where the org restricts them). Standard objects carry the
 * standard fields the recipes use. Key prefixes: the standard ones; custom objects get `a2…` prefixes as an
 * org assigns them.
 */

export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'boolean'
  | 'double'
  | 'currency'
  | 'date'
  | 'datetime'
  | 'reference';

/** A field value as stored and as answered: dates `YYYY-MM-DD`, datetimes `…T…​.000+0000`. */
export type FieldValue = string | number | boolean | null;

/** A value the org computes on read. */
export type Formula =
  /** Contact.Name: FirstName and LastName. */
  | { kind: 'fullName' }
  /** Whole days from one date field to another (null when either is blank). */
  | { kind: 'daysBetween'; from: string; to: string }
  /** A roll-up summary: the sum of a child field over the children pointing here. */
  | { kind: 'sumOfChildren'; child: string; foreignKey: string; field: string };

export interface FieldDef {
  name: string;
  type: FieldType;
  /** The label Salesforce names the field by in DML error messages. */
  label: string;
  /** Not nillable on create or update (and not defaulted). */
  required: boolean;
  /** System, auto-number and formula fields: never written by API clients. */
  readOnly: boolean;
  /** Maximum length of text values. */
  length?: number;
  picklist?: { values: readonly string[]; restricted: boolean };
  /** Applied on create when the field is not given. */
  defaultValue?: FieldValue;
  externalId?: boolean;
  /** Usable to match records in an upsert without being an external id (Contact.Email). */
  idLookup?: boolean;
  unique?: boolean;
  caseSensitive?: boolean;
  /** For references: the parent object and the name SOQL reaches it by (`Room__r`, `Contact`). */
  referenceTo?: string;
  relationshipName?: string;
  /** Master-detail: required, and deleting the parent deletes this record. */
  masterDetail?: boolean;
  /** Auto-number display format, e.g. `BK-{0000}`, with its first number. */
  autoNumber?: { format: string; start: number };
  formula?: Formula;
}

export interface ObjectDef {
  name: string;
  label: string;
  keyPrefix: string;
  fields: readonly FieldDef[];
}

type FieldOptions = Partial<Omit<FieldDef, 'name' | 'type'>>;

function labelOf(name: string): string {
  return name.replace(/__c$/, '').replace(/Id$/, '').replace(/_/g, ' ').trim() || name;
}

function field(name: string, type: FieldType, options: FieldOptions = {}): FieldDef {
  return { name, type, label: labelOf(name), required: false, readOnly: false, ...options };
}

const text = (name: string, length: number, options: FieldOptions = {}) =>
  field(name, 'string', { length, ...options });
const longText = (name: string) => field(name, 'textarea', { length: 32768 });
const number = (name: string, options: FieldOptions = {}) => field(name, 'double', options);
const currency = (name: string) => field(name, 'currency');
const date = (name: string, options: FieldOptions = {}) => field(name, 'date', options);
const dateTime = (name: string) => field(name, 'datetime');
const checkbox = (name: string, options: FieldOptions = {}) =>
  field(name, 'boolean', { defaultValue: false, ...options });

/** A picklist; restricted (only its values accepted) unless `restricted: false`. */
function picklist(
  name: string,
  values: readonly string[],
  { restricted = true, ...options }: FieldOptions & { restricted?: boolean } = {},
): FieldDef {
  return field(name, 'picklist', { picklist: { values, restricted }, length: 255, ...options });
}

/** A lookup: custom `X__c` is reached as `X__r`; standard `ContactId` as `Contact`. */
function lookup(name: string, referenceTo: string, options: FieldOptions = {}): FieldDef {
  const relationshipName = name.endsWith('__c') ? name.replace(/__c$/, '__r') : name.replace(/Id$/, '');
  return field(name, 'reference', { referenceTo, relationshipName, ...options });
}

const masterDetail = (name: string, referenceTo: string) =>
  lookup(name, referenceTo, { required: true, masterDetail: true });

function autoNumberName(format: string, start = 1): FieldDef {
  return field('Name', 'string', {
    label: 'Name',
    readOnly: true,
    length: 80,
    autoNumber: { format, start },
  });
}

/** Id and the audit dates every object has. */
function systemFields(): FieldDef[] {
  return [
    field('Id', 'id', { label: 'Record ID', readOnly: true }),
    field('CreatedDate', 'datetime', { label: 'Created Date', readOnly: true }),
    field('LastModifiedDate', 'datetime', { label: 'Last Modified Date', readOnly: true }),
    field('SystemModstamp', 'datetime', { label: 'System Modstamp', readOnly: true }),
  ];
}

function object(name: string, label: string, keyPrefix: string, fields: FieldDef[]): ObjectDef {
  return { name, label, keyPrefix, fields: [...systemFields(), ...fields] };
}

export const BOOKING_STATUSES = ['Reserved', 'Checked In', 'Checked Out', 'Cancelled', 'No Show'] as const;
export const ROOM_STATUSES = ['Vacant', 'Occupied', 'Cleaning', 'Maintenance', 'Out of Service'] as const;

/** Standard picklists are unrestricted: these are the org's values, others are stored as given. */
const OPPORTUNITY_STAGES = [
  'Prospecting',
  'Negotiation',
  'Booking Confirmed',
  'Checked In',
  'Checked Out',
  'Closed Won',
  'Closed Lost',
];

const ACCOUNT = object('Account', 'Account', '001', [
  text('Name', 255, { label: 'Account Name', required: true }),
  picklist('Type', ['Customer', 'Partner', 'Vendor', 'Other'], { restricted: false }),
  field('Phone', 'phone', { length: 40 }),
  longText('Description'),
]);

const CONTACT = object('Contact', 'Contact', '003', [
  field('Name', 'string', { label: 'Full Name', readOnly: true, length: 121, formula: { kind: 'fullName' } }),
  text('FirstName', 40, { label: 'First Name' }),
  text('LastName', 80, { label: 'Last Name', required: true }),
  field('Email', 'email', { length: 80, idLookup: true }),
  field('Phone', 'phone', { label: 'Business Phone', length: 40 }),
  field('MobilePhone', 'phone', { label: 'Mobile Phone', length: 40 }),
  lookup('AccountId', 'Account', { label: 'Account Name' }),
  longText('Description'),
  picklist('Contact_Type__c', ['Guest', 'Manager', 'Vendor'], { defaultValue: 'Guest' }),
  text('Employee_ID__c', 20),
  text('Loyalty_Number__c', 20),
  picklist('Preferred_Contact_Method__c', ['SMS', 'Email', 'Phone'], { defaultValue: 'Email' }),
  field('Unique_Email__c', 'email', { length: 80, externalId: true, unique: true, caseSensitive: true }),
]);

const OPPORTUNITY = object('Opportunity', 'Opportunity', '006', [
  text('Name', 120, { label: 'Name', required: true }),
  picklist('StageName', OPPORTUNITY_STAGES, { restricted: false, label: 'Stage', required: true }),
  date('CloseDate', { label: 'Close Date', required: true }),
  currency('Amount'),
  lookup('AccountId', 'Account', { label: 'Account Name' }),
  lookup('ContactId', 'Contact'),
  longText('Description'),
  date('Arrival_Date__c'),
  date('Departure_Date__c'),
  text('Payment_ID__c', 100, { externalId: true }),
  number('Total_Nights__c', {
    readOnly: true,
    formula: {
      kind: 'sumOfChildren',
      child: 'Booking__c',
      foreignKey: 'Opportunity__c',
      field: 'Total_Nights__c',
    },
  }),
]);

const CASE = object('Case', 'Case', '500', [
  field('CaseNumber', 'string', {
    label: 'Case Number',
    readOnly: true,
    length: 30,
    autoNumber: { format: '{00000000}', start: 1001 },
  }),
  text('Subject', 255),
  longText('Description'),
  picklist('Status', ['New', 'Working', 'Escalated', 'Closed'], { restricted: false, defaultValue: 'New' }),
  picklist('Priority', ['High', 'Medium', 'Low'], { restricted: false, defaultValue: 'Medium' }),
  picklist('Origin', ['Phone', 'Email', 'Web'], { restricted: false }),
  picklist('Type', ['Facilities', 'Service Request', 'Mechanical', 'Electrical', 'Other'], {
    restricted: false,
  }),
  picklist('Reason', ['Installation', 'Equipment Complexity', 'Performance', 'Breakdown', 'Other'], {
    restricted: false,
  }),
  lookup('ContactId', 'Contact', { label: 'Contact Name' }),
  lookup('AccountId', 'Account', { label: 'Account Name' }),
  checkbox('IsEscalated'),
  text('SuppliedName', 80, { label: 'Web Name' }),
  field('SuppliedEmail', 'email', { label: 'Web Email', length: 80 }),
  text('SuppliedPhone', 40, { label: 'Web Phone' }),
  lookup('Booking__c', 'Booking__c'),
  text('External_ID__c', 50, { externalId: true, unique: true, caseSensitive: false }),
  lookup('Room__c', 'Hotel_Room__c'),
  // The Developer Edition sample fields the org also has on Case.
  text('EngineeringReqNumber__c', 12),
  picklist('PotentialLiability__c', ['No', 'Yes'], { restricted: false }),
  picklist('Product__c', ['GC1040', 'GC1060', 'GC3020', 'GC3040', 'GC3060', 'GC5020', 'GC5040', 'GC5060'], {
    restricted: false,
  }),
  picklist('SLAViolation__c', ['No', 'Yes'], { restricted: false }),
]);

const HOTEL_ROOM = object('Hotel_Room__c', 'Hotel Room', 'a2R', [
  text('Name', 80, { label: 'Room Name', required: true }),
  text('Room_Number__c', 5, { required: true, externalId: true, unique: true, caseSensitive: false }),
  number('Floor__c'),
  picklist('Room_Type__c', ['Standard', 'Deluxe', 'Suite', 'Penthouse'], { defaultValue: 'Standard' }),
  picklist('Status__c', ROOM_STATUSES, { defaultValue: 'Vacant' }),
  number('Max_Occupancy__c'),
  currency('Nightly_Rate__c'),
  picklist('View_Type__c', ['City', 'Ocean', 'Garden', 'Mountain']),
  picklist('Bed_Configuration__c', ['1 King', '1 Queen', '2 Queens', '2 Doubles']),
  checkbox('Accessible__c', { label: 'ADA Accessible' }),
  number('Square_Footage__c'),
  lookup('Current_Guest__c', 'Contact'),
]);

const BOOKING = object('Booking__c', 'Booking', 'a2B', [
  autoNumberName('BK-{0000}'),
  date('Check_In_Date__c', { label: 'Check-In Date' }),
  date('Check_Out_Date__c', { label: 'Check-Out Date' }),
  text('External_ID__c', 50, { externalId: true, unique: false, caseSensitive: false }),
  number('Number_of_Guests__c', { defaultValue: 1 }),
  masterDetail('Opportunity__c', 'Opportunity'),
  lookup('Primary_Guest__c', 'Contact'),
  lookup('Room__c', 'Hotel_Room__c'),
  longText('Special_Requests__c'),
  picklist('Status__c', BOOKING_STATUSES, { defaultValue: 'Reserved' }),
  number('Total_Nights__c', {
    readOnly: true,
    formula: { kind: 'daysBetween', from: 'Check_In_Date__c', to: 'Check_Out_Date__c' },
  }),
]);

const PAYMENT_TRANSACTION = object('Payment_Transaction__c', 'Payment Transaction', 'a2P', [
  autoNumberName('PT-{00000}'),
  currency('Amount__c'),
  longText('Error_Message__c'),
  text('External_ID__c', 50, { externalId: true, unique: false, caseSensitive: false }),
  text('Last_4_Digits__c', 4),
  masterDetail('Opportunity__c', 'Opportunity'),
  picklist('Payment_Method__c', ['Credit Card', 'Debit Card', 'Cash', 'Check', 'Other']),
  field('Receipt_URL__c', 'url', { length: 255 }),
  picklist('Status__c', ['Pending', 'Completed', 'Failed', 'Cancelled', 'Refunded'], {
    defaultValue: 'Pending',
  }),
  text('Stripe_Transaction_ID__c', 100, { externalId: true, unique: false, caseSensitive: false }),
  dateTime('Transaction_Date__c'),
  picklist('Transaction_Type__c', ['Charge', 'Payment', 'Refund'], { defaultValue: 'Payment' }),
]);

const SMS_NOTIFICATION = object('SMS_Notification__c', 'SMS Notification', 'a2S', [
  autoNumberName('SMS-{00000}'),
  lookup('Case__c', 'Case'),
  currency('Cost__c'),
  dateTime('Delivered_Date__c'),
  picklist('Direction__c', ['Outbound', 'Inbound']),
  text('Error_Code__c', 10),
  longText('Error_Message__c'),
  longText('Message_Body__c'),
  lookup('Opportunity__c', 'Opportunity'),
  dateTime('Sent_Date__c'),
  picklist('Status__c', ['Queued', 'Sent', 'Delivered', 'Failed', 'Undelivered']),
  field('To_Phone_Number__c', 'phone', { length: 40 }),
  text('Twilio_Message_SID__c', 100, { externalId: true, unique: true, caseSensitive: false }),
]);

export const OBJECTS: readonly ObjectDef[] = [
  ACCOUNT,
  CONTACT,
  OPPORTUNITY,
  CASE,
  HOTEL_ROOM,
  BOOKING,
  PAYMENT_TRANSACTION,
  SMS_NOTIFICATION,
];

const byLowerName = new Map(OBJECTS.map((o) => [o.name.toLowerCase(), o]));
const byPrefix = new Map(OBJECTS.map((o) => [o.keyPrefix, o]));

/** The object named so (API names are case-insensitive), or undefined. */
export function objectNamed(name: string): ObjectDef | undefined {
  return byLowerName.get(name.toLowerCase());
}

/** The object whose records' ids start with this key prefix. */
export function objectWithPrefix(prefix: string): ObjectDef | undefined {
  return byPrefix.get(prefix);
}

export function fieldOf(obj: ObjectDef, name: string): FieldDef | undefined {
  const lower = name.toLowerCase();
  return obj.fields.find((f) => f.name.toLowerCase() === lower);
}

/** The reference field reached by a relationship name (`Room__r`, `Contact`). */
export function relationshipOf(obj: ObjectDef, name: string): FieldDef | undefined {
  const lower = name.toLowerCase();
  return obj.fields.find((f) => f.type === 'reference' && f.relationshipName?.toLowerCase() === lower);
}

/** A field upsert can match records by: Id, an external id, or an idLookup field. */
export function isMatchField(def: FieldDef): boolean {
  return def.name === 'Id' || def.externalId === true || def.idLookup === true;
}
